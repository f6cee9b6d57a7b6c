"""Throughput of gaitlab against the pose model alone and the usual tutorial loop.

Not a test: it prints a table of frames per second, ratio to the naive loop and
peak memory, measured side by side in one run, and (with ``--write``) records it
in ``docs/performance.md`` with the machine and the date.

    .venv/bin/python benchmarks/throughput.py --write          # 20 s clip, all rows
    .venv/bin/python benchmarks/throughput.py --long --write   # + 1 min and 10 min clips

Rows:
  limit    the pose model alone on pre-decoded frames (one stream, one process)
  naive    OpenCV read -> RGB -> detect_for_video, one process
  gaitlab  `gaitlab analyze --no-cache` end to end (decode, pose, kinematics, JSON)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIP_S = 20.0
WIDTH, HEIGHT, FPS = 1920, 1080, 30


PASS_S = 6.7  # one pass across a static camera's field (the walker stays big enough)


def make_clip(path: Path, duration_s: float, seed: int = 11) -> Path:
    """A synthetic 1080p30 side-view walk of ``duration_s``: one rendered pass of
    :data:`PASS_S` seconds across the picture, repeated (the walker re-enters at
    each seam, as in a clinic where the patient walks the walkway several times)."""
    from gaitlab.synth import CameraSetup, GaitParams, render_walk, simulate_walk

    camera = CameraSetup(view="sagittal", walking="right", width=WIDTH, height=HEIGHT, fps=FPS)
    walk = simulate_walk(GaitParams(speed_m_s=0.9), camera, duration_s=PASS_S, seed=seed)
    one_pass = render_walk(walk, path.with_name(path.stem + "_pass.mp4"))
    return loop_clip(one_pass, path, duration_s)


def loop_clip(src: Path, dst: Path, duration_s: float) -> Path:
    """A longer video made by repeating ``src``'s packets (no re-encoding)."""
    import av

    with av.open(str(src)) as probe:
        stream_in = probe.streams.video[0]
        time_base = stream_in.time_base
        pts = [p.pts for p in probe.demux(stream_in) if p.pts is not None]
    frame_pts = (max(pts) - min(pts)) / max(1, len(pts) - 1)
    span = int(round(max(pts) - min(pts) + frame_pts))
    repeats = int(np.ceil(duration_s / float(span * time_base)))
    with av.open(str(dst), "w") as out:
        stream = None
        for r in range(repeats):
            with av.open(str(src)) as inp:
                s_in = inp.streams.video[0]
                if stream is None:
                    stream = out.add_stream_from_template(s_in)
                for packet in inp.demux(s_in):
                    if packet.size == 0:
                        continue
                    packet.stream = stream
                    packet.pts += r * span
                    packet.dts += r * span
                    out.mux(packet)
    return dst


class PeakRss:
    """Polls the resident memory of a process and all its children (MB)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree(pid: int) -> list[int]:
        pids = [pid]
        for p in pids:
            try:
                for task in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{task}/children") as fh:
                        pids.extend(int(c) for c in fh.read().split())
            except OSError:
                continue
        return pids

    def _rss_mb(self) -> float:
        total = 0
        for p in self._tree(self.pid):
            try:
                with open(f"/proc/{p}/status") as fh:
                    for line in fh:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024.0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._rss_mb())
            time.sleep(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _child(code: str, *args: str) -> dict:
    """Run a measurement in a fresh interpreter; it prints one JSON line."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    with PeakRss(proc.pid) as rss:
        out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"measurement failed: {code[:60]}…")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = rss.peak_mb
    return result


_LIMIT = r"""
import json, sys, time
import numpy as np
from gaitlab.io.video import iter_frames
from gaitlab.pose.estimator import MediaPipePoseEstimator
from gaitlab.pose.models import resolve_model
path, n = sys.argv[1], int(sys.argv[2])
frames = [f for _, f in zip(range(n), iter_frames(path))]
with MediaPipePoseEstimator(resolve_model('full').path) as est:
    t0 = time.perf_counter()
    for f in frames:
        est.detect(f.image, f.time_s)
    dt_s = time.perf_counter() - t0
print(json.dumps({"frames": len(frames), "seconds": dt_s}))
"""

_NAIVE = r"""
import json, sys, time
import cv2, mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision
from gaitlab.pose.models import resolve_model
path = sys.argv[1]
opts = vision.PoseLandmarkerOptions(
    base_options=BaseOptions(model_asset_path=str(resolve_model('full').path)),
    running_mode=vision.RunningMode.VIDEO, num_poses=2)
t0 = time.perf_counter()
n = 0
with vision.PoseLandmarker.create_from_options(opts) as lm:
    cap = cv2.VideoCapture(path)
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(n * 1000 / fps))
        n += 1
print(json.dumps({"frames": n, "seconds": time.perf_counter() - t0}))
"""

_GAITLAB = r"""
import json, subprocess, sys, time
path, out = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
code = subprocess.call([sys.executable, "-m", "gaitlab", "analyze", path, "--out", out, "--no-cache", "--quiet"])
seconds = time.perf_counter() - t0
doc = json.load(open(out))
print(json.dumps({"frames": len(doc["time_s"]), "seconds": seconds, "exit": code}))
"""


def measure(clip: Path, limit_frames: int = 150) -> dict[str, dict]:
    rows = {}
    rows["limit"] = _child(_LIMIT, str(clip), str(limit_frames))
    rows["naive"] = _child(_NAIVE, str(clip))
    with tempfile.TemporaryDirectory() as tmp:
        rows["gaitlab"] = _child(_GAITLAB, str(clip), str(Path(tmp) / "r.json"))
    for r in rows.values():
        r["fps"] = r["frames"] / r["seconds"]
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return f"{cpu}, {cores} cores, {mem_gb:.0f} GB RAM, Python {platform.python_version()}"


def table(rows: dict[str, dict], title: str) -> str:
    naive = rows["naive"]["fps"]
    lines = [
        f"**{title}**",
        "",
        "| row | frames | seconds | frames/s | × naive | × real time | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['frames']} | {r['seconds']:.1f} | {r['fps']:.1f} | "
            f"{r['fps'] / naive:.2f} | {r['fps'] / FPS:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def verdicts(short: dict[str, dict], long_runs: dict[int, dict]) -> str:
    """The issue's targets against the figures of this run, as a Markdown table."""
    ratio = short["gaitlab"]["fps"] / short["naive"]["fps"]
    realtime = short["gaitlab"]["fps"] / FPS
    lines = ["### Against the targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines.append(f"| end to end ≥ 1.6× the naive loop ({CLIP_S:.0f} s clip, side by side) | {ratio:.2f}× "
                 f"({short['gaitlab']['fps']:.1f} vs {short['naive']['fps']:.1f} frames/s) | "
                 f"{'met' if ratio >= 1.6 else 'not met'} |")
    lines.append(f"| at least real time for 1080p30 with the full model | {realtime:.2f}× ({CLIP_S:.0f} s clip) | "
                 f"{'met' if realtime >= 1.0 else 'not met'} |")
    if 1 in long_runs and 10 in long_runs:
        one, ten = long_runs[1]["peak_rss_mb"], long_runs[10]["peak_rss_mb"]
        lines.append(f"| peak RSS < 1 GB for 10 minutes of 1080p | {ten:.0f} MB (every process of the run) | "
                     f"{'met' if ten < 1000 else 'not met'} |")
        lines.append(f"| 10-minute peak within 10 % of the 1-minute one | {ten:.0f} vs {one:.0f} MB "
                     f"({100 * (ten / one - 1):+.1f} %) | {'met' if ten <= 1.1 * one else 'not met'} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="record the figures in docs/performance.md")
    ap.add_argument("--long", action="store_true", help="also measure 1 min and 10 min clips (memory)")
    ap.add_argument("--clip", type=Path, default=None, help="use this video instead of rendering one")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gaitlab-bench-"))
    clip = args.clip or make_clip(work / "walk_1080p30.mp4", CLIP_S)
    short = measure(clip)
    sections = [table(short, f"{CLIP_S:.0f} s 1080p30 side-view walk")]
    print(sections[0], flush=True)
    long_runs: dict[int, dict] = {}
    if args.long:
        for minutes in (1, 10):
            long_clip = loop_clip(clip, work / f"walk_{minutes}min.mp4", minutes * 60.0)
            with tempfile.TemporaryDirectory() as tmp:
                r = _child(_GAITLAB, str(long_clip), str(Path(tmp) / "r.json"))
            r["fps"] = r["frames"] / r["seconds"]
            long_runs[minutes] = r
            line = (
                f"gaitlab on {minutes} min of 1080p30: {r['frames']} frames in {r['seconds']:.0f} s "
                f"({r['fps']:.1f} frames/s), peak RSS {r['peak_rss_mb']:.0f} MB"
            )
            print(line, flush=True)
            sections.append(line)
    sections.append(verdicts(short, long_runs))
    print(sections[-1], flush=True)
    if args.write:
        doc = ROOT / "docs" / "performance.md"
        header = (
            "# Performance\n\nRegenerate with `.venv/bin/python benchmarks/throughput.py --long --write`.\n"
            "Rows: **limit** = the pose model alone on pre-decoded frames (one stream); **naive** = "
            "OpenCV read → RGB → `detect_for_video` in one process; **gaitlab** = `gaitlab analyze "
            "--no-cache` end to end (decode, pose, kinematics, JSON). Peak RSS counts every process "
            "of the run. Both loops ask the model for up to two people per frame (gaitlab lists everyone "
            "in view and picks the walker). Asked for one, MediaPipe runs its person detector only when it "
            "loses the person, about 30 % less work per frame, but it then follows the person from frame to "
            "frame and its landmarks moved 5–9 px on average: heel-strike timing got worse on two of the four "
            "side-view accuracy clips (0.6 → 1.5 frames) and better on one (2026-11-24), so gaitlab keeps two.\n"
            "\nWhere gaitlab's time goes: the model is about 27 ms of processor time per frame and decoding "
            "1080p with the RGB conversion about 3.6 ms, so two cores cannot do much better than the "
            "parallel part of the gaitlab row. Around it, gaitlab starts one pose process per core before "
            "it imports its analysis code (each loads the model, then waits for its chunk), keeps each "
            "process on its own core, gives the chunks equal work including a 0.25 s warm-up, decodes on "
            "a thread beside the model, imports only MediaPipe's pose landmarker in those processes "
            "(its package imports every task and matplotlib: 0.3 s of processor time each) and writes "
            "its Butterworth filter and peak finder in numpy rather than importing scipy.signal "
            "(0.7 s of processor time). Measured and left out: handing the model a 720p or 540p copy of "
            "each 1080p frame (model 27.4 → 27.2 / 26.4 ms, the scaled conversion costs more than it "
            "saves, landmarks 5–6 px apart).\n"
        )
        stamp = f"\n## {dt.date.today().isoformat()} — {machine()}\n\n"
        doc.write_text(header + stamp + "\n\n".join(sections) + "\n", encoding="utf-8")
        print(f"written: {doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
