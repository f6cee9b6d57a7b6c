"""Two gaitlab processes on one library: all writes land, nothing is corrupted."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from test_storage_kit import query
from test_storage_migrations import _make_library

from gaitlab.storage import SCHEMA_VERSION, Library

KIT = Path(__file__).with_name("test_storage_kit.py")


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(KIT), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    return out


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "library.sqlite"
    Library(path).close()
    go = tmp_path / "go"
    count = 60
    writers = [_start("writer", str(path), prefix, str(count), str(go)) for prefix in ("A", "B")]
    deadline = time.monotonic() + 120
    while not all(Path(f"{go}.{prefix}.ready").exists() for prefix in ("A", "B")):
        assert time.monotonic() < deadline and all(p.poll() is None for p in writers)
        time.sleep(0.01)
    go.touch()  # both start writing at the same moment
    outputs = [_finish(p) for p in writers]
    assert [o.strip() for o in outputs] == ["done A", "done B"]
    order = [row[0][0] for row in query(path, "SELECT patient_id FROM patients ORDER BY id")]
    switches = sum(a != b for a, b in zip(order, order[1:]))
    assert switches >= 5, "the two writers did not overlap; the test proves nothing"
    with Library(path) as lib:
        ids = [p.patient_id for p in lib.list_patients()]
        assert ids == sorted(f"{prefix}-{i:04d}" for prefix in ("A", "B") for i in range(count))
        for pid in (ids[0], ids[count - 1], ids[count], ids[-1]):
            [visit] = lib.list_visits(pid)
            assert (visit.treatments, visit.red_flags) == (("nsaids",), ("fever",))
            [rec] = lib.list_recordings(visit.visit_id)
            assert rec.video_path == f"/videos/{pid}.mp4"
        con = lib._db
        for table in ("visits", "recordings", "visit_treatments", "visit_red_flags"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 2 * count
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, "PRAGMA foreign_key_check") == []


def test_processes_opening_an_old_library_at_once_migrate_it_once(tmp_path):
    path = tmp_path / "library.sqlite"
    _make_library(path, 1)
    go = tmp_path / "go"
    openers = [_start("open", str(path), str(go)) for _ in range(3)]
    go.touch()
    assert [_finish(p).strip() for p in openers] == [f"version {SCHEMA_VERSION}"] * 3
    with Library(path) as lib:
        [visit] = lib.list_visits("P-0042")
        assert len(lib.list_recordings(visit.visit_id)) == 1
        assert lib._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_processes_creating_a_new_library_at_once_agree(tmp_path):
    path = tmp_path / "new" / "library.sqlite"
    go = tmp_path / "go"
    openers = [_start("open", str(path), str(go)) for _ in range(3)]
    go.touch()
    assert [_finish(p).strip() for p in openers] == [f"version {SCHEMA_VERSION}"] * 3
