"""Pose estimation of one video in parallel processes, one time chunk each.

Each chunk's process decodes and analyses its own stretch of the video.  Its pose
model first runs on :data:`~gaitlab.pose.extract.CHUNK_WARMUP_S` seconds before the
chunk starts (those frames are dropped), so the model's frame-to-frame tracking is
already settled at the seam and the joined result matches a single-stream run.

Workers are plain ``python -m gaitlab.pose.parallel`` child processes (not
``multiprocessing``), so they start the same way whatever program hosts gaitlab:
the command line, the desktop app or an interactive session.  A worker loads the
pose model first and then waits for its chunk on stdin, so the workers can be
started early (:func:`prestart_workers`) and load the model while the caller is
still getting ready.  A worker reports progress as lines on its stdout and hands
its result over in a temporary file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from gaitlab.errors import CancelledError, ModelError, VideoError
from gaitlab.pose.estimator import EstimatorSettings
from gaitlab.progress import CancelToken, Progress
from gaitlab.types import VideoInfo

if TYPE_CHECKING:  # extract imports this module lazily; the import here is for the annotation
    from gaitlab.pose.extract import RawPoses

_REPORT_EVERY = 10  # frames between progress lines from a worker


def chunk_bounds(
    duration_s: float, n_chunks: int, warmup_s: float = 0.0
) -> list[tuple[float, float | None]]:
    """Split ``[0, duration_s)`` into ``n_chunks`` (start, end) spans in seconds.

    Every chunk but the first also runs the model on ``warmup_s`` seconds before
    its start, so the first chunk is made longer by that much and each process
    has the same number of frames to analyse (the run ends when the slowest ends).
    The last span is open-ended (None) so no frame at the very end is lost.
    """
    work = (duration_s + (n_chunks - 1) * warmup_s) / n_chunks
    if work - warmup_s <= 0.0:  # too short to balance: equal spans
        work, warmup_s = duration_s / n_chunks, 0.0
    starts = [0.0] + [work + k * (work - warmup_s) for k in range(n_chunks - 1)]
    ends: list[float | None] = [*starts[1:], None]
    return list(zip(starts, ends))


def _worker_main(argv: list[str]) -> int:
    """Entry point of a worker process: load the model, wait for a chunk, analyse it.

    ``argv[0]`` is the JSON of the model path and settings; the chunk's job (JSON,
    one line) comes on stdin.  End of input without a job: the worker was not
    needed and exits quietly.
    """
    from gaitlab.pose.estimator import MediaPipePoseEstimator, use_lean_mediapipe_import

    use_lean_mediapipe_import()  # this process runs nothing but the pose model
    from gaitlab.pose.extract import RawPoses, _run_range, save_raw_poses

    model = json.loads(argv[0])
    settings = EstimatorSettings(**model["settings"])
    try:
        estimator = MediaPipePoseEstimator(model["model_path"], settings)
    except ModelError as exc:
        print(f"error {type(exc).__name__} {exc}", flush=True)
        return 2
    with estimator:
        line = sys.stdin.readline()
        if not line.strip():
            return 0
        job = json.loads(line)
        video = VideoInfo(**job["video"])
        if job.get("cpu") is not None:
            _pin_to_cpu(int(job["cpu"]))

        def report(n: int) -> None:
            if n % _REPORT_EVERY == 0:
                print(n, flush=True)

        try:
            times, indices, detections = _run_range(
                video,
                model["model_path"],
                settings,
                start_s=max(0.0, job["start_s"] - job["warmup_s"]),
                end_s=job["end_s"],
                keep_from_s=job["start_s"],
                on_frame=report,
                estimator=estimator,
            )
            raw = RawPoses.from_frames(
                times, indices, detections, image_size_px=(video.width, video.height), fps=video.fps
            )
            save_raw_poses(raw, Path(job["out"]))
        except (VideoError, ModelError) as exc:
            print(f"error {type(exc).__name__} {exc}", flush=True)
            return 2
    print(f"done {len(times)}", flush=True)
    return 0


def _pin_to_cpu(cpu: int) -> None:
    """Keep every thread of this process (and the ones it starts) on one core.

    With one worker per core this keeps each worker's model, decoder and their
    caches on its own core (measured 0.4 s faster on a 12 s run with two cores).
    """
    if not hasattr(os, "sched_setaffinity"):
        return
    for tid in os.listdir("/proc/self/task") if os.path.isdir("/proc/self/task") else ["0"]:
        try:
            os.sched_setaffinity(int(tid), {cpu})
        except OSError:  # a thread that just ended, or a core no longer allowed
            pass


def _cpu_for_chunks(n_chunks: int) -> list[int | None]:
    """The core each chunk's worker keeps to: one each when there are enough, else none."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return [None] * n_chunks
    if n_chunks > len(cpus):
        return [None] * n_chunks
    return list(cpus[:n_chunks])


def _model_key(model_path, settings: EstimatorSettings) -> str:
    return json.dumps({"model_path": str(model_path), "settings": asdict(settings)}, sort_keys=True)


def _start_worker(model_key: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gaitlab.pose.parallel", model_key],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.PIPE,
        text=True,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )


#: Workers started ahead of their chunks, by model key (see :func:`prestart_workers`).
_PRESTARTED: dict[str, list[subprocess.Popen]] = {}


def prestart_workers(model_path, settings: EstimatorSettings, n: int) -> None:
    """Start ``n`` workers now, to load the pose model while the caller gets ready.

    The next :func:`run_chunks_in_processes` with the same model and settings
    hands them their chunks instead of starting new processes.  Workers that
    are never given a chunk exit when this process ends (their stdin closes) or
    when :func:`stop_prestarted_workers` is called.
    """
    key = _model_key(model_path, settings)
    pool = _PRESTARTED.setdefault(key, [])
    while len(pool) < n:
        pool.append(_start_worker(key))


def stop_prestarted_workers() -> None:
    """Stop the workers started ahead that were not used."""
    for pool in _PRESTARTED.values():
        for proc in pool:
            _stop(proc)
    _PRESTARTED.clear()


def _stop(proc: subprocess.Popen) -> None:
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def _take_worker(key: str) -> subprocess.Popen:
    """A prestarted worker for this model and settings that is still alive, or a new one."""
    pool = _PRESTARTED.get(key, [])
    while pool:
        proc = pool.pop(0)
        if proc.poll() is None:
            return proc
        _stop(proc)
    return _start_worker(key)


def run_chunks_in_processes(
    video: VideoInfo,
    model_path,
    settings: EstimatorSettings,
    n_chunks: int,
    *,
    progress: Progress,
    cancel: CancelToken | None = None,
) -> RawPoses:
    """Run the pose model over ``n_chunks`` time chunks in parallel processes.

    Returns every frame's detections in time order, as the single-stream run does.

    Raises
    ------
    CancelledError
        When ``cancel`` is set; the workers are stopped at once.
    VideoError, ModelError
        When a worker fails; the others are stopped.
    """
    from gaitlab.pose.extract import CHUNK_WARMUP_S, RawPoses, load_raw_poses

    counts = [0] * n_chunks
    messages: list[str | None] = [None] * n_chunks
    lock = threading.Lock()
    key = _model_key(model_path, settings)
    with tempfile.TemporaryDirectory(prefix="gaitlab-chunks-") as tmp:
        procs: list[subprocess.Popen] = []
        readers: list[threading.Thread] = []
        outs = [Path(tmp) / f"chunk{k}.npz" for k in range(n_chunks)]
        cpus = _cpu_for_chunks(n_chunks)
        try:
            for k, (start_s, end_s) in enumerate(
                chunk_bounds(video.duration_s, n_chunks, CHUNK_WARMUP_S)
            ):
                job = {
                    "video": asdict(video),
                    "start_s": start_s,
                    "end_s": end_s,
                    "warmup_s": CHUNK_WARMUP_S,
                    "out": str(outs[k]),
                    "cpu": cpus[k],
                }
                proc = _take_worker(key)
                procs.append(proc)
                assert proc.stdin is not None
                try:
                    proc.stdin.write(json.dumps(job) + "\n")
                    proc.stdin.close()
                except OSError:  # the worker already stopped: its exit status says why
                    pass

                def read(k=k, proc=proc) -> None:
                    assert proc.stdout is not None
                    for line in proc.stdout:
                        line = line.strip()
                        with lock:
                            if line.isdigit():
                                counts[k] = int(line)
                            else:
                                messages[k] = line

                thread = threading.Thread(target=read, daemon=True)
                thread.start()
                readers.append(thread)
            while any(p.poll() is None for p in procs):
                if cancel is not None and cancel.cancelled:
                    raise CancelledError("The analysis was cancelled.")
                failed = [k for k, p in enumerate(procs) if p.poll() not in (None, 0)]
                if failed:
                    break
                with lock:
                    progress.update(sum(counts))
                time.sleep(0.02)
            for thread in readers:
                thread.join(timeout=5)
            for k, proc in enumerate(procs):
                if proc.wait() != 0:
                    message = messages[k] or ""
                    if message.startswith("error VideoError "):
                        raise VideoError(message.split(" ", 2)[2])
                    if message.startswith("error ModelError "):
                        raise ModelError(message.split(" ", 2)[2])
                    raise ModelError("A pose estimation process stopped unexpectedly.")
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
            for thread in readers:
                thread.join(timeout=5)
            for proc in procs:
                if proc.stdout is not None:
                    proc.stdout.close()
        parts = []
        for k in range(n_chunks):
            raw = load_raw_poses(outs[k])
            if raw is None:
                raise ModelError("A pose estimation process left no result.")
            parts.append(raw)
        joined = RawPoses.join(parts)
        progress.update(joined.n_frames)
    return joined


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
