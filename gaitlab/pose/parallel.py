"""Pose estimation of one video in parallel processes, one time chunk each.

Each chunk's process decodes and analyses its own stretch of the video.  Its pose
model first runs on :data:`~gaitlab.pose.extract.CHUNK_WARMUP_S` seconds before the
chunk starts (those frames are dropped), so the model's frame-to-frame tracking is
already settled at the seam and the joined result matches a single-stream run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time

from gaitlab.errors import CancelledError, GaitlabError, ModelError
from gaitlab.pose.estimator import Detection, EstimatorSettings
from gaitlab.progress import CancelToken, Progress
from gaitlab.types import VideoInfo

_REPORT_EVERY = 10  # frames between progress messages from a worker


def chunk_bounds(duration_s: float, n_chunks: int) -> list[tuple[float, float | None]]:
    """Split ``[0, duration_s)`` into ``n_chunks`` equal (start, end) spans in seconds.

    The last span is open-ended (None) so no frame at the very end is lost.
    """
    step = duration_s / n_chunks
    bounds: list[tuple[float, float | None]] = []
    for k in range(n_chunks):
        bounds.append((k * step, (k + 1) * step if k < n_chunks - 1 else None))
    return bounds


def _worker(chunk_id, video, model_path, settings, start_s, end_s, warmup_s, out_q) -> None:
    # One model thread per process: the processes already fill the cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from gaitlab.pose.extract import _run_range

    def report(n: int) -> None:
        if n % _REPORT_EVERY == 0:
            out_q.put(("progress", chunk_id, n))

    try:
        result = _run_range(
            video,
            model_path,
            settings,
            start_s=max(0.0, start_s - warmup_s),
            end_s=end_s,
            keep_from_s=start_s,
            on_frame=report,
        )
        out_q.put(("done", chunk_id, result))
    except GaitlabError as exc:
        out_q.put(("error", chunk_id, (type(exc).__name__, str(exc))))
    except Exception as exc:  # reported to the parent as a model error, not lost
        out_q.put(("error", chunk_id, ("ModelError", f"Pose estimation failed: {exc}")))


def run_chunks_in_processes(
    video: VideoInfo,
    model_path,
    settings: EstimatorSettings,
    n_chunks: int,
    *,
    progress: Progress,
    cancel: CancelToken | None = None,
) -> tuple[list[float], list[int], list[list[Detection]]]:
    """Run the pose model over ``n_chunks`` time chunks in parallel processes.

    Returns the frames' times, indices and detections in time order, as the
    single-stream run does.
    """
    from gaitlab.pose.extract import CHUNK_WARMUP_S

    ctx = mp.get_context("spawn")
    out_q = ctx.Queue()
    procs = []
    for k, (start_s, end_s) in enumerate(chunk_bounds(video.duration_s, n_chunks)):
        p = ctx.Process(
            target=_worker,
            args=(k, video, str(model_path), settings, start_s, end_s, CHUNK_WARMUP_S, out_q),
            daemon=True,
        )
        p.start()
        procs.append(p)
    done: dict[int, tuple] = {}
    counts = [0] * n_chunks
    try:
        while len(done) < n_chunks:
            if cancel is not None and cancel.cancelled:
                raise CancelledError("The analysis was cancelled.")
            try:
                kind, chunk_id, payload = out_q.get(timeout=0.2)
            except queue.Empty:
                dead = [p for k, p in enumerate(procs) if k not in done and not p.is_alive()]
                if dead and out_q.empty():
                    time.sleep(0.2)  # let a last message arrive
                    if out_q.empty():
                        raise ModelError("A pose estimation process stopped unexpectedly.") from None
                continue
            if kind == "progress":
                counts[chunk_id] = payload
                progress.update(sum(counts))
            elif kind == "done":
                done[chunk_id] = payload
                counts[chunk_id] = len(payload[0])
                progress.update(sum(counts))
            else:
                name, message = payload
                raise ModelError(message) if name != "VideoError" else _video_error(message)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=5)
        out_q.close()
    times: list[float] = []
    indices: list[int] = []
    detections: list[list[Detection]] = []
    for k in range(n_chunks):
        t, i, d = done[k]
        for tt, ii, dd in zip(t, i, d):
            if times and tt <= times[-1]:
                continue  # a frame already covered by the previous chunk
            times.append(tt)
            indices.append(ii)
            detections.append(dd)
    return times, indices, detections


def _video_error(message: str) -> GaitlabError:
    from gaitlab.errors import VideoError

    return VideoError(message)
