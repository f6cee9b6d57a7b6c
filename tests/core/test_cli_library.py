"""``gaitlab patient …`` and ``gaitlab visit add``: output, exit codes, nothing half-written."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest
from clikit import assert_one_clear_sentence, run_gaitlab
from test_storage_kit import FakeAnalyzer, query, write_clip

import gaitlab.workflow as workflow
from gaitlab.cli import main
from gaitlab.storage import SCHEMA_VERSION, Library

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def library(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "lib" / "library.sqlite"
    monkeypatch.setenv("GAITLAB_LIBRARY", str(path))
    return path


@pytest.fixture
def fake_analyzer(monkeypatch) -> FakeAnalyzer:
    analyzer = FakeAnalyzer()
    monkeypatch.setattr(workflow, "_default_analyzer", lambda: analyzer)
    return analyzer


def _run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argument errors end the parser as they do on the command line
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _add_patient(capsys):
    code, out, err = _run(capsys, "patient", "add", "P-0042", "--name", "Ann Example", "--birth-year", "1961",
                          "--sex", "female", "--height-cm", "168", "--surgery-date", "2026-03-02",
                          "--levels", "L4-S1", "--approach", "posterior (TLIF)")
    assert (code, err) == (0, ""), err
    assert out.startswith("Added patient P-0042")


def _tables(path: Path) -> dict[str, int]:
    return {t: query(path, f"SELECT count(*) FROM {t}")[0][0]
            for t in ("patients", "visits", "recordings", "visit_treatments", "visit_red_flags")}


def test_patient_add_list_show_as_a_user_runs_them(tmp_path):
    lib = tmp_path / "library.sqlite"
    run = run_gaitlab("patient", "add", "P-0042", "--birth-year", "1961", "--height-cm", "168",
                      "--surgery-date", "2026-03-02", "--levels", "L4-S1", "--library", lib)
    assert run.code == 0, run.err
    run = run_gaitlab("patient", "list", "--library", lib)
    assert run.out.strip() == "P-0042  (0 visits, surgery 2026-03-02 L4-S1)"
    run = run_gaitlab("patient", "show", "p-0042", "--library", lib)
    assert run.code == 0, run.err
    assert run.out.splitlines()[:3] == [
        "Patient P-0042  (born 1961, 168 cm)",
        "Surgery: 2026-03-02, L4-S1, fused to the sacrum",
        "Visits: 0",
    ]


def test_visit_add_imports_both_passes_and_show_lists_them(capsys, library, tmp_path, fake_analyzer):
    _add_patient(capsys)
    side = write_clip(tmp_path / "week6_side.mp4", "side")
    front = write_clip(tmp_path / "week6_front.mp4", "front")
    code, out, err = _run(
        capsys, "visit", "add", "--patient", "P-0042", "--date", "2026-04-13", "--label", "6 weeks",
        "--video", side, "--view", "sagittal", "--video", front, "--view", "frontal", "--person", "1",
        "--pain-hip-left", "1", "--pain-hip-right", "6", "--pain-back", "3", "--odi", "28",
        "--treatment", "gait_training", "--treatment", "nsaids", "--walking-aid", "cane",
        "--footwear", "trainers", "--pain-at-test", "4", "--red-flag", "new_numbness_or_weakness",
        "--model", "lite", "--quiet",
    )
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert lines[0] == "P-0042: visit 1 on 2026-04-13  6 weeks  day +42 saved with 2 recordings."
    assert "sagittal  week6_side.mp4: cadence 104.0 steps/min; hip ROM L 41.2° R 47.9°" in lines[1]
    assert "frontal   week6_front.mp4: cadence 98.0 steps/min" in lines[2]
    assert "pelvic drop L 3.1° R 6.4°" in lines[2]
    assert lines[3] == "RED FLAG: new numbness or weakness (reported at this visit; needs clinical review)"
    assert [(c["view"], c["person"], c["height_cm"], c["model_variant"]) for c in fake_analyzer.calls] == [
        ("sagittal", "auto", 168.0, "lite"), ("frontal", "1", 168.0, "lite")]

    code, out, err = _run(capsys, "patient", "show", "P-0042")
    assert code == 0, err
    assert "  2026-04-13  6 weeks  day +42   hip pain L 1 R 6, back pain 3, ODI 28 %" in out
    assert "    RED FLAG: new numbness or weakness" in out
    assert "    treatments: NSAIDs, gait training" in out
    assert "    test conditions: aid: cane, footwear: trainers, pain at test 4" in out
    assert "    recording 1  sagittal  week6_side.mp4" in out
    # The visit line combines the views: timing and hips from the side, pelvis from the front.
    assert "    visit (both views): cadence 104.0 steps/min; hip ROM L 41.2° R 47.9°" in out
    assert "pelvic drop L 3.1° R 6.4°" in out.splitlines()[-1]

    code, out, _ = _run(capsys, "patient", "list", "--search", "ann")
    assert out.strip() == ("P-0042  Ann Example  (1 visit, last visit 2026-04-13, surgery 2026-03-02 L4-S1)"
                           "  RED FLAG at the last visit")


def test_too_little_walking_is_stored_and_exits_3(capsys, library, tmp_path, fake_analyzer):
    _add_patient(capsys)
    clip = write_clip(tmp_path / "short_walk.mp4", "short")
    code, out, err = _run(capsys, "visit", "add", "--patient", "P-0042", "--date", "2026-04-13",
                          "--video", clip, "--quiet")
    assert code == 3
    assert "[too little walking]" in out
    assert_one_clear_sentence(err)
    assert "short_walk.mp4: There is less than one gait cycle per side" in err
    assert _tables(library)["recordings"] == 1


def _refused(capsys, library, *args) -> str:
    before = _tables(library)
    code, out, err = _run(capsys, *args)
    assert code == 2, (out, err)
    assert_one_clear_sentence(err)
    assert _tables(library) == before, "something was written"
    return err


def test_bad_visits_exit_2_with_one_sentence_and_write_nothing(capsys, library, tmp_path, fake_analyzer):
    _add_patient(capsys)
    clip = write_clip(tmp_path / "walk.mp4", "walk")
    visit = ("visit", "add", "--patient", "P-0042", "--quiet")
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    assert "There is no patient P-7 in the library." in _refused(
        capsys, library, "visit", "add", "--patient", "P-7", "--date", "2026-04-13", "--video", clip)
    assert "before the birth of P-0042 (born 1961)" in _refused(capsys, library, *visit, "--date", "1950-01-01",
                                                                  "--video", clip)
    assert f"The visit date {future} is in the future." in _refused(capsys, library, *visit, "--date", future,
                                                                    "--video", clip)
    assert "not a date like 2026-04-13" in _refused(capsys, library, *visit, "--date", "13/04/2026")
    assert "does not exist" in _refused(capsys, library, *visit, "--date", "2026-04-13", "--video", clip,
                                        "--video", tmp_path / "missing.mp4")
    assert "must be from 0 to 10; got 11" in _refused(capsys, library, *visit, "--date", "2026-04-13",
                                                      "--pain-back", "11")
    assert "from 0 to 100 %; got 130" in _refused(capsys, library, *visit, "--date", "2026-04-13",
                                                  "--odi", "130")
    assert "invalid choice: 'crutches'" in _refused(capsys, library, *visit, "--date", "2026-04-13",
                                                    "--walking-aid", "crutches")
    assert fake_analyzer.calls == []  # every refusal came before any analysis


def test_a_video_of_another_patient_exits_2_and_writes_nothing(capsys, library, tmp_path, fake_analyzer):
    _add_patient(capsys)
    assert _run(capsys, "patient", "add", "P-0099")[0] == 0
    clip = write_clip(tmp_path / "walk.mp4", "walk")
    assert _run(capsys, "visit", "add", "--patient", "P-0099", "--date", "2026-01-05", "--video", clip,
                "--quiet")[0] == 0
    other = write_clip(tmp_path / "other.mp4", "other")
    err = _refused(capsys, library, "visit", "add", "--patient", "P-0042", "--date", "2026-04-13",
                   "--video", other, "--video", clip, "--quiet")
    assert "walk.mp4 is already attached to another patient (P-0099, visit on 2026-01-05)." in err


def test_patient_errors_exit_2(capsys, library):
    _add_patient(capsys)
    assert "already exists" in _refused(capsys, library, "patient", "add", "p-0042")
    assert "contradicts 'fused to the sacrum'" in _refused(capsys, library, "patient", "add", "P-1",
                                                           "--levels", "L4-S1", "--not-fused-to-sacrum")
    assert "There is no patient P-404" in _refused(capsys, library, "patient", "show", "P-404")


def test_a_file_that_is_not_a_library_exits_2_and_is_untouched(tmp_path):
    notes = tmp_path / "notes.sqlite"
    notes.write_text("not a database\n" * 50)
    before = notes.read_bytes()
    run = run_gaitlab("patient", "list", "--library", notes)
    assert run.code == 2
    assert_one_clear_sentence(run.err)
    assert "is not a gaitlab library" in run.err
    assert notes.read_bytes() == before


def test_a_library_of_a_newer_gaitlab_exits_2_and_is_untouched(tmp_path):
    path = tmp_path / "library.sqlite"
    Library(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    run = run_gaitlab("patient", "add", "P-1", "--library", path)
    assert run.code == 2
    assert_one_clear_sentence(run.err)
    assert "written by a newer gaitlab" in run.err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


# --------------------------------------------------------------------------- with the real pose model


@pytest.mark.model
def test_visit_add_with_the_real_analysis_refuses_a_video_without_a_person(tmp_path):
    from videokit import write_test_video

    lib = tmp_path / "library.sqlite"
    assert run_gaitlab("patient", "add", "P-1", "--library", lib).code == 0
    empty = write_test_video(tmp_path / "empty_room.mp4", n_frames=20, width=160, height=120)
    run = run_gaitlab("visit", "add", "--patient", "P-1", "--date", "2026-04-13", "--video", empty,
                      "--quiet", "--library", lib)
    assert run.code == 2, run.err
    # The pose runtime logs its own start-up lines to stderr; gaitlab's sentence is the last line.
    assert "Traceback" not in run.err
    assert run.err.strip().splitlines()[-1] == "gaitlab: No person was found in empty_room.mp4."
    assert _tables(lib)["visits"] == 0
