"""Shared pieces of the library tests (no tests here).

* :func:`make_document`: a valid analysis document (``spec/analysis-v1.md``) with
  known metrics, for storing without running the pose model.
* :class:`FakeAnalyzer`: stands in for ``gaitlab.analysis.analyze_video`` where a
  test is about storage mechanics (transactions, duplicates, copies, crashes), never
  where the claim is about the analysis itself.
* ``python test_storage_kit.py ACTION …``: child processes of the crash and
  concurrency tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

from gaitlab.errors import NoPersonError, TooLittleWalkingError

HERE = Path(__file__).resolve().parent

SAGITTAL_METRICS = {
    "cadence_steps_per_min": 104.0,
    "step_time_s": {"left": 0.57, "right": 0.61},
    "stride_time_s": {"left": 1.18, "right": 1.18},
    "stance_pct": {"left": 61.0, "right": 63.5},
    "swing_pct": {"left": 39.0, "right": 36.5},
    "double_support_pct": 24.1,
    "step_length_m": {"left": 0.61, "right": 0.55},
    "gait_speed_m_s": 1.0,
    "hip_rom_deg": {"left": 41.2, "right": 47.9},
    "hip_flexion_max_deg": {"left": 28.0, "right": 33.1},
    "hip_extension_max_deg": {"left": -13.2, "right": -14.8},
    "pelvic_obliquity_rom_deg": None,
    "pelvic_drop_deg": {"left": None, "right": None},
    "trunk_lean_stance_deg": {"left": None, "right": None},
    "trunk_lean_sagittal_mean_deg": 4.2,
    "trunk_lean_lateral_rom_deg": None,
    "symmetry_index_pct": {"step_time": -6.8, "stance_time": -4.0, "step_length": 10.3, "hip_rom": -15.0},
    "n_cycles": {"left": 3, "right": 3},
}

FRONTAL_METRICS = {
    "cadence_steps_per_min": 98.0,
    "step_time_s": {"left": 0.60, "right": 0.62},
    "stride_time_s": {"left": 1.22, "right": 1.22},
    "stance_pct": {"left": 62.0, "right": 64.0},
    "swing_pct": {"left": 38.0, "right": 36.0},
    "double_support_pct": 26.0,
    "step_length_m": {"left": None, "right": None},
    "gait_speed_m_s": None,
    "hip_rom_deg": {"left": None, "right": None},
    "hip_flexion_max_deg": {"left": None, "right": None},
    "hip_extension_max_deg": {"left": None, "right": None},
    "pelvic_obliquity_rom_deg": 9.4,
    "pelvic_drop_deg": {"left": 3.1, "right": 6.4},
    "trunk_lean_stance_deg": {"left": 1.2, "right": 4.8},
    "trunk_lean_sagittal_mean_deg": None,
    "trunk_lean_lateral_rom_deg": 5.0,
    "symmetry_index_pct": {"step_time": -3.3, "stance_time": -3.2, "step_length": None, "hip_rom": None},
    "n_cycles": {"left": 2, "right": 2},
}

_SERIES = {
    "sagittal": ("hip_flexion_left", "hip_flexion_right", "knee_flexion_left", "knee_flexion_right", "trunk_lean_sagittal"),
    "frontal": ("pelvic_obliquity", "hip_adduction_left", "hip_adduction_right", "trunk_lean_lateral"),
}


def query(path, sql: str) -> list[tuple]:
    """Rows of ``sql`` read through a separate, closed-after-use connection."""
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def make_document(
    view: str = "sagittal",
    *,
    sha256: str = "",
    path: str = "walk.mp4",
    n_frames: int = 30,
    metrics: dict | None = None,
    warnings: tuple[str, ...] = (),
    enough_walking: bool = True,
) -> dict:
    """A valid analysis document of ``view`` with the kit's known metrics."""
    fps = 30.0
    time_s = [round(i / fps, 6) for i in range(n_frames)]
    series = {name: [round(10.0 * ((i % 30) / 30.0), 3) for i in range(n_frames)] for name in _SERIES[view]}
    base = SAGITTAL_METRICS if view == "sagittal" else FRONTAL_METRICS
    doc_metrics = json.loads(json.dumps(base)) if enough_walking else {}
    doc_metrics.update(metrics or {})
    return {
        "schema": "gaitlab.analysis/1",
        "gaitlab_version": "0.1.0",
        "model": {"name": "pose_landmarker", "variant": "full", "sha256": "ab" * 32},
        "video": {
            "path": path,
            "sha256": sha256,
            "width": 640,
            "height": 360,
            "fps": fps,
            "frame_count": n_frames,
            "duration_s": n_frames / fps,
            "rotation_deg": 0,
        },
        "view": view,
        "walking_direction": "left" if view == "sagittal" else "toward",
        "person": {"selected": 0, "people_seen": 1},
        "settings": {"lowpass_hz": 6.0},
        "time_s": time_s,
        "series": series,
        "events": {
            "heel_strike": {"left": [0.2] if enough_walking else [], "right": [0.7] if enough_walking else []},
            "toe_off": {"left": [], "right": []},
        },
        "cycles": {},
        "metrics": doc_metrics,
        "quality": {"detection_rate": 0.97, "side_swaps_corrected": 0, "warnings": list(warnings)},
    }


class FakeAnalyzer:
    """Stands in for ``analyze_video`` in storage-mechanics tests.

    The view is the one asked for, or (``auto``) "frontal" when the file name
    contains "frontal", else "sagittal".  A file name containing "short" raises
    :class:`TooLittleWalkingError` with a partial document; "nobody" raises
    :class:`NoPersonError`.  ``n_frames`` makes documents large; ``delay_s`` slow.
    """

    def __init__(self, *, n_frames: int = 30, delay_s: float = 0.0) -> None:
        self.n_frames = n_frames
        self.delay_s = delay_s
        self.calls: list[dict] = []

    def __call__(self, video_path, *, view="auto", person="auto", height_cm=None, model_variant="full",
                 progress=None, cancel=None):
        path = Path(video_path)
        self.calls.append({"path": path, "view": view, "person": person, "height_cm": height_cm,
                           "model_variant": model_variant})
        if self.delay_s:
            time.sleep(self.delay_s)
        if "nobody" in path.name:
            raise NoPersonError(f"No person was found in {path.name}.")
        chosen = view if view != "auto" else ("frontal" if "frontal" in path.name else "sagittal")
        sha = sha256_of(path)
        if "short" in path.name:
            error = TooLittleWalkingError("There is less than one gait cycle per side in the video.")
            error.document = make_document(  # type: ignore[attr-defined]
                chosen, sha256=sha, path=str(path), n_frames=self.n_frames, enough_walking=False,
                warnings=("There is less than one gait cycle per side in the video.",),
            )
            raise error
        return make_document(chosen, sha256=sha, path=str(path), n_frames=self.n_frames)


def write_clip(path: Path, content: str) -> Path:
    """A stand-in video file with unique bytes (only hashed, never decoded)."""
    path.write_bytes(("gaitlab test clip: " + content + "\n").encode() * 64)
    return path


# --------------------------------------------------------------------------- child processes


def _child_crash_import(library_path: str, work_dir: str, marker: str, copy: str) -> None:
    """Import one visit of two passes; stop for good inside the transaction."""
    from gaitlab.storage import Library, Visit
    from gaitlab.workflow import import_visit

    class StopInsideTransaction:
        def start(self, stage, total):
            self.stage = stage

        def update(self, done):
            if self.stage == "import" and done == 1:
                Path(marker).write_text("in transaction")
                time.sleep(600)  # the parent kills this process here

        def finish(self):
            return None

    work = Path(work_dir)
    with Library(library_path) as lib:
        import_visit(
            lib,
            Visit("P-0001", dt.date(2026, 4, 13), "6 weeks", back_pain_nrs=4,
                  treatments=("physical_therapy",), red_flags=("fever",)),
            [work / "a_sagittal.mp4", work / "a_frontal.mp4"],
            copy_video=copy == "copy",
            progress=StopInsideTransaction(),
            analyze=FakeAnalyzer(),
        )


def _child_import_loop(library_path: str, work_dir: str, n_frames: str) -> None:
    """Import visits one after the other, with large documents, until killed."""
    from gaitlab.storage import Library, Visit
    from gaitlab.workflow import import_visit

    work = Path(work_dir)
    analyzer = FakeAnalyzer(n_frames=int(n_frames))
    state = work / "state.txt"

    class MarkTransaction:
        """Writes "in" just before the import transaction begins, "out" after it ends."""

        def start(self, stage, total):
            if stage == "import":
                state.write_text("in")

        def update(self, done):
            return None

        def finish(self):
            state.write_text("out")

    with Library(library_path) as lib:
        start = dt.date(2020, 1, 1) + dt.timedelta(days=len(lib.list_visits("P-0001")))
        for i in range(100000):
            day = start + dt.timedelta(days=i)
            clips = [write_clip(work / f"{os.getpid()}_{i}_{view}.mp4", f"{os.getpid()} {i} {view}")
                     for view in ("sagittal", "frontal")]
            import_visit(
                lib,
                Visit("P-0001", day, "loop", hip_pain_left_nrs=2, treatments=("nsaids", "gait_training"),
                      red_flags=("sudden_severe_pain",)),
                clips,
                analyze=analyzer,
                progress=MarkTransaction(),
            )
            (work / "progress.txt").write_text(str(i + 1))


def _child_writer(library_path: str, prefix: str, count: str, go_file: str) -> None:
    """Add patients, each with one visit and one recording, as fast as possible."""
    from gaitlab.storage import Library, Patient, Visit

    with Library(library_path) as lib:
        Path(f"{go_file}.{prefix}.ready").touch()
        while not Path(go_file).exists():
            time.sleep(0.002)
        for i in range(int(count)):
            pid = f"{prefix}-{i:04d}"
            lib.add_patient(Patient(pid, birth_year=1950 + i % 40, height_cm=170.0))
            visit = lib.add_visit(Visit(pid, dt.date(2026, 1, 1) + dt.timedelta(days=i % 200), "visit",
                                        treatments=("nsaids",), red_flags=("fever",)))
            sha = hashlib.sha256(pid.encode()).hexdigest()
            lib.add_recording(visit.visit_id, f"/videos/{pid}.mp4", sha, "sagittal",
                              make_document("sagittal", sha256=sha))
    print("done", prefix)


def _child_open(library_path: str, go_file: str) -> None:
    from gaitlab.storage import Library

    while not Path(go_file).exists():
        time.sleep(0.002)
    with Library(library_path) as lib:
        print("version", lib.schema_version)


if __name__ == "__main__":
    action, *args = sys.argv[1:]
    {
        "crash-import": _child_crash_import,
        "import-loop": _child_import_loop,
        "writer": _child_writer,
        "open": _child_open,
    }[action](*args)
