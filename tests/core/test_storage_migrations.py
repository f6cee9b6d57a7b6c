"""Libraries written by every earlier version open, migrate and keep their data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3

import pytest
from test_storage_kit import make_document, query

from gaitlab.errors import StorageError
from gaitlab.markers.manual import Measurement
from gaitlab.storage import SCHEMA_VERSION, Library, Patient, Visit
from gaitlab.storage import schema as schema_module
from gaitlab.storage.schema import APPLICATION_ID, MIGRATIONS, migrate

SHA = hashlib.sha256(b"old video").hexdigest()
DOC = make_document("frontal", sha256=SHA)


def _make_library(path, version: int) -> None:
    """A library as gaitlab wrote it at ``version``, with data that version could hold."""
    con = sqlite3.connect(path, isolation_level=None)
    if version == 0:
        con.close()  # an empty file: what a first start leaves before any write
        return
    con.execute("BEGIN IMMEDIATE")
    migrate(con, 0, version)
    con.execute(
        "INSERT INTO patients (patient_id, name, birth_year, sex, height_cm, surgery_date, surgery_levels, "
        "surgery_fused_to_sacrum, surgery_approach, notes, created_at) VALUES "
        "('P-0042', 'Ann Example', 1961, 'female', 168, '2026-03-02', 'L4-S1', 1, 'posterior (TLIF)', "
        "'right hip pain since the operation', '2026-01-01T00:00:00+00:00')"
    )
    con.execute(
        "INSERT INTO visits (patient_ref, visit_date, label, hip_pain_left_nrs, hip_pain_right_nrs, "
        "back_pain_nrs, odi_pct, notes, created_at) VALUES "
        "(1, '2026-04-13', '6 weeks', 2, 6, 3, 32.0, 'walks with a slight lurch', '2026-04-13T09:00:00+00:00')"
    )
    con.execute("INSERT INTO visit_treatments VALUES (1, 'physical_therapy'), (1, 'nsaids')")
    con.execute(
        "INSERT INTO recordings (visit_id, video_path, sha256, view, result_json, analysed_at, "
        "gaitlab_version, model_variant, model_sha256) VALUES (1, '/clinic/videos/walk_front.mp4', ?, "
        "'frontal', ?, '2026-04-13T09:30:00+00:00', '0.1.0', 'full', ?)",
        (SHA, json.dumps(DOC), "ab" * 32),
    )
    if version >= 2:
        con.execute("UPDATE visits SET walking_aid = 'cane', footwear = 'trainers', pain_at_test_nrs = 4")
        con.execute("INSERT INTO visit_red_flags VALUES (1, 'new_numbness_or_weakness')")
    if version >= 3:  # version 3 split the metrics out and kept where the video came from
        con.execute(
            "UPDATE recordings SET original_path = video_path, metrics_json = ?, status = 'ok'",
            (json.dumps(DOC["metrics"]),),
        )
    if version >= 4:
        raise AssertionError("add the data of the new version here")
    con.execute("COMMIT")
    con.close()


def _schema(path) -> list[tuple]:
    con = sqlite3.connect(path)
    rows = con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    con.close()
    return rows


def test_there_is_an_earlier_version_to_migrate_from():
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 2


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_earlier_version_migrates_and_keeps_its_data(tmp_path, version):
    path = tmp_path / "library.sqlite"
    _make_library(path, version)
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION
        if version > 0:
            patient = lib.get_patient("P-0042")
            assert (patient.name, patient.birth_year, patient.sex, patient.height_cm) == (
                "Ann Example", 1961, "female", 168.0)
            assert patient.surgery.date == dt.date(2026, 3, 2)
            assert (patient.surgery.levels, patient.surgery.fused_to_sacrum) == ("L4-S1", True)
            [visit] = lib.list_visits("P-0042")
            assert (visit.label, visit.days_since_surgery) == ("6 weeks", 42)
            assert (visit.hip_pain_left_nrs, visit.hip_pain_right_nrs, visit.back_pain_nrs, visit.odi_pct) == (
                2, 6, 3, 32.0)
            assert visit.treatments == ("nsaids", "physical_therapy")
            assert visit.notes == "walks with a slight lurch"
            if version == 1:  # conditions and red flags were not asked yet: unknown, not "none"
                assert (visit.walking_aid, visit.footwear, visit.pain_at_test_nrs, visit.red_flags) == (
                    None, "", None, ())
            else:
                assert (visit.walking_aid, visit.footwear, visit.pain_at_test_nrs) == ("cane", "trainers", 4)
                assert visit.red_flags == ("new_numbness_or_weakness",)
            [rec] = lib.list_recordings(visit.visit_id)
            assert rec.metrics == DOC["metrics"]  # split out of the stored document
            assert (rec.status, rec.warning, rec.video_copied) == ("ok", "", False)
            assert rec.video_path == rec.original_path == "/clinic/videos/walk_front.mp4"
            assert lib.get_recording(rec.recording_id).result == DOC
            # The per-recording metrics column (added in version 3) is filled from the documents.
            assert rec.metrics["pelvic_drop_deg"] == {"left": 3.1, "right": 6.4}
            # What the newest version added works on the migrated library.
            lib.update_visit(Visit("P-0042", visit.date, visit.label, walking_aid="walker",
                                   red_flags=("fever",), visit_id=visit.visit_id))
            assert lib.get_visit(visit.visit_id).red_flags == ("fever",)
            # Version 4: manual measurements drawn on a frame of the migrated recording.
            assert lib.list_measurements(visit.visit_id) == []
            tilt = Measurement.create("line", [(300, 200), (260, 190)], time_s=0.5, reference="horizontal",
                                      label="standing pelvic tilt", frame_index=15)
            stored = lib.add_measurement(rec.recording_id, tilt)
            assert (stored.visit_id, stored.recording_id, stored.video_sha256) == (visit.visit_id, rec.recording_id, SHA)
            assert [m.measurement for m in lib.list_measurements(visit.visit_id)] == [tilt]
        lib.add_patient(Patient("P-NEW"))
        con = lib._db
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    fresh = tmp_path / "fresh.sqlite"
    Library(fresh).close()
    assert _schema(path) == _schema(fresh)
    assert query(path, "PRAGMA application_id") == [(APPLICATION_ID,)]


def _failing(step):
    def failing_step(con):
        step(con)  # the schema changes are made, then the step fails
        raise sqlite3.OperationalError("simulated failure")

    return failing_step


def test_a_failed_migration_leaves_the_library_at_its_old_version(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite"
    _make_library(path, 2)
    real = list(MIGRATIONS)
    monkeypatch.setattr(schema_module, "MIGRATIONS", [*real[:2], _failing(real[2]), *real[3:]])
    with pytest.raises(StorageError, match=f"could not be upgraded from version 2 to {SCHEMA_VERSION} and was left unchanged"):
        Library(path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 2
    columns = [row[1] for row in con.execute("PRAGMA table_info(recordings)")]
    assert "status" not in columns
    assert con.execute("SELECT count(*) FROM recordings").fetchone()[0] == 1
    con.close()
    monkeypatch.setattr(schema_module, "MIGRATIONS", real)
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION
        assert lib.list_recordings(1)[0].metrics == DOC["metrics"]


def test_a_failed_step_to_version_4_leaves_no_measurements_table(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite"
    _make_library(path, 3)
    real = list(MIGRATIONS)
    monkeypatch.setattr(schema_module, "MIGRATIONS", [*real[:3], _failing(real[3]), *real[4:]])
    with pytest.raises(StorageError, match="could not be upgraded from version 3"):
        Library(path)
    tables = {r[0] for r in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "measurements" not in tables and "recordings" in tables
    assert query(path, "PRAGMA user_version") == [(3,)]
    monkeypatch.setattr(schema_module, "MIGRATIONS", real)
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION
        assert lib.list_measurements(1) == []
