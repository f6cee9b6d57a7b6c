"""Nothing is lost on a crash: a visit import killed with SIGKILL is whole or absent."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_storage_kit import FakeAnalyzer, write_clip

from gaitlab.storage import Library, Patient, Surgery, Visit
from gaitlab.workflow import import_visit

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

KIT = Path(__file__).with_name("test_storage_kit.py")


def _library(path: Path) -> None:
    with Library(path) as lib:
        lib.add_patient(Patient("P-0001", birth_year=1961, height_cm=168.0,
                                surgery=Surgery(dt.date(2026, 3, 2), "L4-S1")))


def _wait_for(predicate, timeout_s: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
            raise AssertionError(f"the child ended early: {err}")
        if time.monotonic() > deadline:
            _kill(proc)
            raise AssertionError("the child did not reach the expected point in time")
        time.sleep(0.005)


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stderr:
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def _check_intact(path: Path) -> None:
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


@pytest.mark.parametrize("copy", ["copy", "nocopy"])
def test_a_visit_import_killed_inside_its_transaction_leaves_no_trace(tmp_path, copy):
    path = tmp_path / "library.sqlite"
    _library(path)
    work = tmp_path / "work"
    work.mkdir()
    clips = [write_clip(work / "a_sagittal.mp4", "a sagittal"), write_clip(work / "a_frontal.mp4", "a frontal")]
    marker = tmp_path / "marker"
    proc = subprocess.Popen(
        [sys.executable, str(KIT), "crash-import", str(path), str(work), str(marker), copy],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    # The child stops after writing the visit and its first recording, before COMMIT.
    _wait_for(marker.exists, 120, proc)
    _kill(proc)
    _check_intact(path)
    with Library(path) as lib:
        assert lib.list_visits("P-0001") == []
        assert lib._db.execute("SELECT count(*) FROM recordings").fetchone()[0] == 0
        # The library is not left locked: the same import now succeeds, whole.
        visit, recordings = import_visit(
            lib,
            Visit("P-0001", dt.date(2026, 4, 13), "6 weeks", back_pain_nrs=4,
                  treatments=("physical_therapy",), red_flags=("fever",)),
            clips, copy_video=copy == "copy", analyze=FakeAnalyzer(),
        )
        assert [r.view for r in recordings] == ["sagittal", "frontal"]
        assert lib.list_visits("P-0001") == [visit]
        if copy == "copy":
            for rec in recordings:
                assert Path(rec.video_path).read_bytes() == Path(rec.original_path).read_bytes()
            # What the killed import left in the videos folder was replaced, not kept twice.
            assert sorted(p.name for p in lib.videos_folder.iterdir()) == sorted(
                f"{r.sha256}.mp4" for r in recordings)
    _check_intact(path)


def test_random_kills_during_a_stream_of_imports_leave_only_whole_visits(tmp_path):
    path = tmp_path / "library.sqlite"
    _library(path)
    work = tmp_path / "work"
    work.mkdir()
    rng = random.Random(5)
    progress_file, state_file = work / "progress.txt", work / "state.txt"
    committed_before = 0
    for _round in range(3):
        progress_file.write_text("0")
        state_file.write_text("")
        proc = subprocess.Popen(
            [sys.executable, str(KIT), "import-loop", str(path), str(work), "6000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        # Let at least one visit commit, then kill just after a transaction begins.
        _wait_for(lambda: progress_file.read_text().strip() not in ("", "0"), 180, proc)
        _wait_for(lambda: state_file.read_text() == "in", 180, proc)
        time.sleep(rng.uniform(0.0, 0.15))
        _kill(proc)
        _check_intact(path)
        with Library(path) as lib:
            visits = lib.list_visits("P-0001")
            assert len(visits) >= committed_before + 1
            for visit in visits:  # every visit is whole: fields, checklists and both recordings
                assert (visit.label, visit.hip_pain_left_nrs) == ("loop", 2)
                assert visit.treatments == ("nsaids", "gait_training")
                assert visit.red_flags == ("sudden_severe_pain",)
                assert sorted(r.view for r in lib.list_recordings(visit.visit_id)) == ["frontal", "sagittal"]
            recordings = lib._db.execute("SELECT count(*) FROM recordings").fetchone()[0]
            assert recordings == 2 * len(visits)
            committed_before = len(visits)
