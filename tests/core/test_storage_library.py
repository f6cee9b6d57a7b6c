"""The patient library: records, checks, recordings, opening rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from test_storage_kit import FRONTAL_METRICS, SAGITTAL_METRICS, make_document, query

from gaitlab.errors import InputError, StorageError, ValidationError
from gaitlab.storage import (
    SCHEMA_VERSION,
    Library,
    Patient,
    Surgery,
    Visit,
    default_library_path,
)
from gaitlab.storage.schema import APPLICATION_ID

TODAY = dt.date.today()


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "lib" / "library.sqlite") as library:
        yield library


def _patient(pid="P-0042", **kw) -> Patient:
    fields = dict(name="Ann Example", birth_year=1961, sex="female", height_cm=168,
                  surgery=Surgery(dt.date(2026, 3, 2), "L4–S1", None, "posterior (TLIF)"))
    fields.update(kw)
    return Patient(pid, **fields)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- patients


def test_patient_round_trip_normalises_levels_and_derives_sacrum(lib):
    stored = lib.add_patient(_patient())
    assert stored.surgery.levels == "L4-S1"
    assert stored.surgery.fused_to_sacrum is True  # L4-S1 reaches the sacrum
    assert lib.get_patient("p-0042") == stored  # IDs match case-insensitively
    assert lib.list_patients() == [stored]
    assert lib.add_patient(Patient("P-7", surgery=Surgery(levels="L3-L5"))).surgery.fused_to_sacrum is False


def test_patient_needs_only_its_pseudonymous_id(lib):
    p = lib.add_patient(Patient("P-0001"))
    assert (p.name, p.birth_year, p.height_cm, p.surgery.is_empty) == ("", None, None, True)
    assert lib.get_patient("P-0001").display_name == "P-0001"


def test_duplicate_patient_id_is_refused(lib):
    lib.add_patient(_patient())
    with pytest.raises(InputError, match="already exists"):
        lib.add_patient(Patient("p-0042"))


def test_unknown_patient_is_a_clear_error(lib):
    with pytest.raises(InputError, match="There is no patient P-9 in the library."):
        lib.get_patient("P-9")
    with pytest.raises(InputError, match="no patient"):
        lib.list_visits("P-9")
    with pytest.raises(InputError, match="no patient"):
        lib.add_visit(Visit("P-9", dt.date(2026, 1, 1)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"patient_id": ""}, "pseudonymous ID"),
        ({"patient_id": "P 42"}, "may only hold"),
        ({"patient_id": "x" * 41}, "may only hold"),
        ({"birth_year": 1850}, "birth year must be from 1900"),
        ({"birth_year": TODAY.year + 1}, "birth year must be from 1900"),
        ({"height_cm": 20}, "between 50 and 250 cm"),
        ({"height_cm": float("nan")}, "number of centimetres"),
        ({"sex": "unknown"}, "is not one of"),
        ({"surgery": Surgery(levels="L4/S1")}, "not a segment"),
        ({"surgery": Surgery(levels="S1-L4")}, "upper to the lower"),
        ({"surgery": Surgery(levels="L4-S1", fused_to_sacrum=False)}, "contradicts"),
        ({"surgery": Surgery(levels="L3-L4", fused_to_sacrum=True)}, "contradicts"),
        ({"surgery": Surgery(date=dt.date(1950, 5, 1))}, "before the patient's birth year"),
        ({"surgery": Surgery(date=TODAY + dt.timedelta(days=900))}, "more than two years ahead"),
    ],
)
def test_bad_patient_fields_are_refused_with_one_sentence(lib, changes, message):
    with pytest.raises(InputError, match=message) as info:
        lib.add_patient(replace(_patient(), **changes))
    assert str(info.value).endswith(".")
    assert lib.list_patients() == []


def test_find_patients_searches_id_and_name_literally(lib):
    lib.add_patient(_patient("P-0042", name="Ann Example"))
    lib.add_patient(_patient("Q_7", name="Bob 100%"))
    assert [p.patient_id for p in lib.find_patients("ann")] == ["P-0042"]
    assert [p.patient_id for p in lib.find_patients("0042")] == ["P-0042"]
    assert [p.patient_id for p in lib.find_patients("%")] == ["Q_7"]  # a literal percent sign
    assert [p.patient_id for p in lib.find_patients("_")] == ["Q_7"]
    assert len(lib.find_patients("  ")) == 2


def test_update_patient_keeps_visits_consistent(lib):
    lib.add_patient(_patient())
    lib.add_visit(Visit("P-0042", dt.date(TODAY.year - 1, 6, 1), "pre-op"))
    updated = lib.update_patient(replace(_patient("p-0042"), height_cm=170.5, notes="new"))
    assert updated.patient_id == "P-0042"
    assert lib.get_patient("P-0042").height_cm == 170.5
    with pytest.raises(InputError, match="after the visit"):
        lib.update_patient(_patient(birth_year=TODAY.year, surgery=Surgery()))
    assert lib.get_patient("P-0042").birth_year == 1961


# --------------------------------------------------------------------------- visits


def test_visits_derive_days_since_surgery_and_keep_checklists(lib):
    lib.add_patient(_patient())
    post = lib.add_visit(Visit("P-0042", dt.date(2026, 4, 13), "6 weeks", hip_pain_left_nrs=2,
                               hip_pain_right_nrs=5, back_pain_nrs=3, odi_pct=30.5,
                               treatments=("gait_training", "NSAIDs"), walking_aid="cane",
                               footwear="trainers", pain_at_test_nrs=4, red_flags=("fever",)))
    pre = lib.add_visit(Visit("P-0042", dt.date(2026, 2, 16), "pre-op"))
    assert pre.days_since_surgery == -14
    assert post.days_since_surgery == 42
    visits = lib.list_visits("P-0042")
    assert [v.label for v in visits] == ["pre-op", "6 weeks"]  # by date
    got = visits[1]
    assert got == post
    assert got.treatments == ("nsaids", "gait_training")  # checklist order
    assert got.has_red_flags and got.red_flag_text == "fever"
    assert not visits[0].has_red_flags
    assert visits[0].walking_aid is None  # not recorded, not "none"


def test_days_since_surgery_is_none_without_a_surgery_date(lib):
    lib.add_patient(Patient("P-1"))
    assert lib.add_visit(Visit("P-1", dt.date(2026, 1, 5))).days_since_surgery is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": dt.date(1960, 12, 31)}, "before the birth of P-0042"),
        ({"date": TODAY + dt.timedelta(days=2)}, "in the future"),
        ({"date": dt.date(1899, 12, 31), "patient_id": "P-NOBIRTH"}, "before 1900"),
        ({"hip_pain_left_nrs": 11}, r"left hip pain \(NRS\) must be from 0 to 10"),
        ({"back_pain_nrs": -1}, "from 0 to 10"),
        ({"pain_at_test_nrs": 2.5}, "whole number"),
        ({"odi_pct": 101}, "Oswestry Disability Index must be from 0 to 100"),
        ({"treatments": ("acupuncture",)}, "'acupuncture' is not a known treatment"),
        ({"walking_aid": "crutches"}, "not a known walking aid"),
        ({"red_flags": ("headache",)}, "not a known red-flag symptom"),
        ({"label": "x" * 61}, "longer than 60"),
    ],
)
def test_bad_visit_fields_are_refused(lib, changes, message):
    lib.add_patient(_patient())
    lib.add_patient(Patient("P-NOBIRTH"))
    visit = replace(Visit("P-0042", dt.date(2026, 4, 13)), **changes)
    with pytest.raises(InputError, match=message):
        lib.add_visit(visit)
    assert lib.list_visits(visit.patient_id) == []


def test_a_visit_tomorrow_is_accepted(lib):
    lib.add_patient(_patient())
    assert lib.add_visit(Visit("P-0042", TODAY + dt.timedelta(days=1))).visit_id


def test_same_date_and_label_is_one_visit(lib):
    lib.add_patient(_patient())
    first = lib.add_visit(Visit("P-0042", dt.date(2026, 4, 13), "6 weeks"))
    with pytest.raises(InputError, match=f"already has a visit on 2026-04-13 labelled '6 weeks' \\(visit {first.visit_id}\\)"):
        lib.add_visit(Visit("P-0042", dt.date(2026, 4, 13), "6 weeks"))
    assert lib.add_visit(Visit("P-0042", dt.date(2026, 4, 13), "6 weeks, second test")).visit_id
    assert lib.find_visit("P-0042", dt.date(2026, 4, 13), "6 weeks") == first


def test_update_and_delete_visit(lib):
    lib.add_patient(_patient())
    v = lib.add_visit(Visit("P-0042", dt.date(2026, 4, 13), "6 weeks", treatments=("nsaids",)))
    changed = lib.update_visit(replace(v, treatments=("pelvic_belt",), red_flags=("bladder_bowel_change",)))
    assert lib.get_visit(v.visit_id) == changed
    assert changed.treatments == ("pelvic_belt",)
    lib.add_patient(Patient("P-2"))
    with pytest.raises(InputError, match="belongs to P-0042"):
        lib.update_visit(replace(v, patient_id="P-2"))
    lib.delete_visit(v.visit_id)
    with pytest.raises(InputError, match=f"no visit {v.visit_id}"):
        lib.get_visit(v.visit_id)


# --------------------------------------------------------------------------- recordings


def _visit(lib) -> Visit:
    if not lib.has_patient("P-0042"):
        lib.add_patient(_patient())
    return lib.add_visit(Visit("P-0042", dt.date(2026, 4, 13), "6 weeks"))


def test_recording_round_trip(lib, tmp_path):
    v = _visit(lib)
    sha = _sha("one")
    doc = make_document("sagittal", sha256=sha)
    when = dt.datetime(2026, 4, 13, 10, 30, tzinfo=dt.timezone.utc)
    rec = lib.add_recording(v.visit_id, tmp_path / "walk.mp4", sha.upper(), "sagittal", doc, analysed_at=when)
    assert rec.sha256 == sha
    assert rec.video_path == str(tmp_path / "walk.mp4") == rec.original_path
    assert (rec.view, rec.status, rec.warning, rec.video_copied) == ("sagittal", "ok", "", False)
    assert rec.analysed_at == when
    assert (rec.gaitlab_version, rec.model_variant, rec.model_sha256) == ("0.1.0", "full", "ab" * 32)
    assert rec.metrics == doc["metrics"]
    assert rec.result is None  # listing leaves the document out
    assert lib.get_recording(rec.recording_id).result == doc
    assert lib.find_recording_by_sha256(sha) == rec
    assert lib.list_recordings(v.visit_id) == [rec]
    assert lib.find_recording_by_sha256(_sha("other")) is None


def test_the_same_video_is_stored_once(lib, tmp_path):
    v = _visit(lib)
    sha = _sha("one")
    lib.add_recording(v.visit_id, tmp_path / "a.mp4", sha, "sagittal", make_document(sha256=sha))
    with pytest.raises(InputError, match=r"already in the library \(recording 1 of P-0042, visit 2026-04-13\)"):
        lib.add_recording(v.visit_id, tmp_path / "b.mp4", sha, "sagittal", make_document(sha256=sha))
    assert len(lib.list_recordings(v.visit_id)) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sha256": "xyz"}, InputError, "64 hex digits"),
        ({"view": "oblique"}, InputError, "view must be one of"),
        ({"view": "frontal"}, InputError, "made for the sagittal view"),
        ({"status": "failed"}, InputError, "status must be one of"),
        ({"result": {"schema": "other"}}, ValidationError, "invalid"),
        ({"sha256": "cd" * 32}, InputError, "changed between hashing and analysis"),
        ({"visit_id": 999}, InputError, "no visit 999"),
        ({"video_copied": True}, InputError, "inside the library's videos folder"),
        ({"analysed_at": dt.datetime(2026, 1, 1)}, InputError, "time zone"),
    ],
)
def test_bad_recordings_are_refused(lib, tmp_path, kwargs, error, message):
    v = _visit(lib)
    sha = _sha("one")
    args = {"visit_id": v.visit_id, "video_path": tmp_path / "a.mp4", "sha256": sha, "view": "sagittal",
            "result": make_document(sha256=sha)}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        lib.add_recording(args.pop("visit_id"), args.pop("video_path"), args.pop("sha256"),
                          args.pop("view"), args.pop("result"), **args)
    assert lib.list_recordings(v.visit_id) == []


def test_copied_videos_are_stored_relative_and_removed_with_their_recording(tmp_path):
    with Library(tmp_path / "a" / "library.sqlite") as lib:
        v = _visit(lib)
        lib.videos_folder.mkdir()
        sha = _sha("copy")
        copy = lib.videos_folder / f"{sha}.mp4"
        copy.write_bytes(b"video")
        rec = lib.add_recording(v.visit_id, copy, sha, "sagittal", make_document(sha256=sha),
                                original_path=tmp_path / "orig.mp4", video_copied=True)
        [(stored,)] = query(lib.path, "SELECT video_path FROM recordings")
        assert stored == f"videos/{sha}.mp4"
        assert rec.video_path == str(copy) and rec.original_path == str(tmp_path / "orig.mp4")
    # The library folder moves; its copies move with it.
    moved = tmp_path / "b"
    (tmp_path / "a").rename(moved)
    with Library(moved / "library.sqlite") as lib:
        rec = lib.find_recording_by_sha256(sha)
        assert Path(rec.video_path) == moved / "videos" / f"{sha}.mp4"
        assert Path(rec.video_path).read_bytes() == b"video"
        with pytest.raises(RuntimeError):
            with lib.transaction():
                lib.delete_recording(rec.recording_id)
                raise RuntimeError("rolled back")
        assert Path(rec.video_path).exists()  # a rolled-back delete keeps the file
        lib.delete_recording(rec.recording_id)
        assert not Path(rec.video_path).exists()
        assert lib.find_recording_by_sha256(sha) is None


def test_deleting_a_patient_removes_everything_of_it(lib, tmp_path):
    v = _visit(lib)
    sha = _sha("x")
    lib.add_recording(v.visit_id, tmp_path / "a.mp4", sha, "sagittal", make_document(sha256=sha))
    lib.delete_patient("P-0042")
    assert lib.list_patients() == []
    for table in ("visits", "recordings", "visit_treatments", "visit_red_flags"):
        assert query(lib.path, f"SELECT count(*) FROM {table}") == [(0,)]


# --------------------------------------------------------------------------- visit metrics
# A visit's per-side metric set is built by gaitlab.compare.combine_visit_metrics from
# the documents of its complete recordings; these tests check it on stored recordings.


def _rec(lib, v, view, text, **metrics):
    sha = _sha(text)
    return lib.add_recording(v.visit_id, f"/v/{text}.mp4", sha, view,
                             make_document(view, sha256=sha, metrics=metrics))


def _combined(lib, visit_id):
    from gaitlab.compare import combine_visit_metrics

    recordings = lib.list_recordings(visit_id, with_result=True)
    return combine_visit_metrics([r.result for r in recordings if r.status == "ok"])


def test_visit_metrics_take_each_metric_from_the_view_that_measures_it(lib):
    v = _visit(lib)
    _rec(lib, v, "sagittal", "s")
    _rec(lib, v, "frontal", "f")
    combined = _combined(lib, v.visit_id)
    assert combined.value("hip_rom_deg", "left") == SAGITTAL_METRICS["hip_rom_deg"]["left"]
    assert combined.value("pelvic_drop_deg", "right") == FRONTAL_METRICS["pelvic_drop_deg"]["right"]
    assert combined.get("pelvic_drop_deg", "right").view == "frontal"
    assert combined.value("cadence_steps_per_min") == 104.0  # timing: the side view is preferred
    assert combined.get("cadence_steps_per_min").view == "sagittal"
    assert combined.get("hip_rom_deg", "left").view == "sagittal"


def test_visit_metrics_fall_back_to_the_frontal_timing_and_never_guess(lib):
    v = _visit(lib)
    _rec(lib, v, "frontal", "f")
    combined = _combined(lib, v.visit_id)
    assert combined.value("cadence_steps_per_min") == 98.0
    assert combined.value("hip_rom_deg", "left") is None
    assert combined.value("step_length_m", "left") is None


def test_visit_metrics_prefer_the_pass_with_more_cycles_and_skip_partial_ones(lib):
    v = _visit(lib)
    _rec(lib, v, "sagittal", "s1", cadence_steps_per_min=100.0, n_cycles={"left": 2, "right": 2})
    _rec(lib, v, "sagittal", "s2", cadence_steps_per_min=110.0, n_cycles={"left": 4, "right": 3})
    _rec(lib, v, "sagittal", "s3", cadence_steps_per_min=101.0, n_cycles={"left": 1, "right": 1})
    sha = _sha("partial")
    lib.add_recording(v.visit_id, "/v/p.mp4", sha, "sagittal",
                      make_document(sha256=sha, metrics={"cadence_steps_per_min": 50.0,
                                                         "n_cycles": {"left": 9, "right": 9}}),
                      status="too_little_walking", warning="Too little walking.")
    assert _combined(lib, v.visit_id).value("cadence_steps_per_min") == 110.0


# --------------------------------------------------------------------------- opening


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_library_uses_wal_foreign_keys_and_its_marks(tmp_path):
    path = tmp_path / "deep" / "folder" / "library.sqlite"
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION
        assert lib._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert query(path, "PRAGMA journal_mode") == [("wal",)]
    assert query(path, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert query(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Patient list, do not delete\n" * 100)
    before = _digest(path)
    with pytest.raises(StorageError, match=r"is not a gaitlab library \(it is not an SQLite database\)\."):
        Library(path)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_another_programs_sqlite_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO accounts (name) VALUES ('x')")
    con.commit()
    con.close()
    before = _digest(path)
    with pytest.raises(StorageError, match="is not a gaitlab library .*another program's SQLite database"):
        Library(path)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]


def test_a_library_from_a_newer_gaitlab_is_refused_and_untouched(tmp_path):
    path = tmp_path / "library.sqlite"
    with Library(path) as lib:
        lib.add_patient(_patient())
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    before = _digest(path)
    with pytest.raises(StorageError, match=f"written by a newer gaitlab \\(library version {SCHEMA_VERSION + 1}"):
        Library(path)
    assert _digest(path) == before


def test_a_folder_is_not_a_library(tmp_path):
    with pytest.raises(StorageError, match="is a folder"):
        Library(tmp_path)


def test_an_empty_file_becomes_a_library(tmp_path):
    path = tmp_path / "library.sqlite"
    path.touch()
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION


def test_a_closed_library_says_so(tmp_path):
    lib = Library(tmp_path / "library.sqlite")
    lib.close()
    lib.close()
    with pytest.raises(StorageError, match="is closed"):
        lib.list_patients()


def test_default_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GAITLAB_LIBRARY", str(tmp_path / "x" / "lib.sqlite"))
    assert default_library_path() == tmp_path / "x" / "lib.sqlite"
    with Library() as lib:
        assert lib.path == tmp_path / "x" / "lib.sqlite"
    monkeypatch.delenv("GAITLAB_LIBRARY")
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_path", lambda *a, **k: tmp_path / "userdata")
    assert default_library_path() == tmp_path / "userdata" / "library.sqlite"


# --------------------------------------------------------------------------- transactions


def test_a_transaction_is_all_or_nothing(lib):
    with pytest.raises(RuntimeError):
        with lib.transaction():
            lib.add_patient(Patient("P-1"))
            lib.add_visit(Visit("P-1", dt.date(2026, 1, 1)))
            raise RuntimeError("crash in the middle")
    assert lib.list_patients() == []


def test_a_failed_inner_block_undoes_only_itself(lib):
    with lib.transaction():
        lib.add_patient(Patient("P-1"))
        with pytest.raises(InputError):
            with lib.transaction():
                lib.add_patient(Patient("P-2", birth_year=1970))
                lib.add_visit(Visit("P-2", dt.date(1969, 1, 1)))  # before birth: this block is undone
    assert [p.patient_id for p in lib.list_patients()] == ["P-1"]


def test_after_commit_and_rollback_hooks(lib):
    seen = []
    with lib.transaction():
        lib.call_after_commit(lambda: seen.append("commit"))
        lib.call_after_rollback(lambda: seen.append("rollback"))
    with pytest.raises(KeyError):
        with lib.transaction():
            lib.call_after_commit(lambda: seen.append("commit 2"))
            lib.call_after_rollback(lambda: seen.append("rollback 2"))
            raise KeyError("x")
    assert seen == ["commit", "rollback 2"]
    with pytest.raises(StorageError, match="inside a transaction"):
        lib.call_after_commit(lambda: None)


def test_opening_waits_while_another_process_answers_busy(tmp_path, monkeypatch):
    # SQLite may answer "busy" at once (not after its busy timeout) while another process
    # creates the file or switches it to its write-ahead log; opening tries again
    path = tmp_path / "library.sqlite"
    Library(path).close()
    real = Library._open_checks
    calls = []

    def busy_twice(self):
        calls.append(1)
        if len(calls) <= 2:
            raise sqlite3.OperationalError("database is locked")
        return real(self)

    monkeypatch.setattr(Library, "_open_checks", busy_twice)
    with Library(path) as lib:
        assert lib.list_patients() == []
    assert len(calls) == 3

    def always_busy(self):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(Library, "_open_checks", always_busy)
    with pytest.raises(StorageError, match="is busy: another gaitlab is writing to it"):
        Library(path, busy_timeout_s=0.2)

    def damaged(self):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Library, "_open_checks", damaged)
    with pytest.raises(StorageError, match="could not be read or written"):
        Library(path)  # not a busy answer: no waiting
