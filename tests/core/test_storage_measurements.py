"""Manual measurements kept with a visit: CRUD, checks, foreign keys, re-analysis, damage."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3

import pytest
from test_storage_kit import make_document, query

from gaitlab.errors import InputError, StorageError, ValidationError
from gaitlab.markers.manual import Measurement
from gaitlab.storage import Library, Patient, Surgery, Visit

# make_document's video: 640 x 360 pixels, 30 frames at 30 fps (1.0 s)
TILT = dict(kind="line", points_px=[(300.0, 200.0), (260.0, 190.0)], reference="horizontal")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "lib" / "library.sqlite") as library:
        library.add_patient(Patient("P-0042", surgery=Surgery(dt.date(2026, 3, 2), "L4-S1")))
        yield library


def _visit(lib, label="6 weeks", day=dt.date(2026, 4, 13)) -> Visit:
    return lib.add_visit(Visit("P-0042", day, label))


def _recording(lib, visit: Visit, name="walk", tmp=None):
    sha = _sha(name)
    return lib.add_recording(visit.visit_id, f"/clinic/{name}.mp4", sha, "sagittal", make_document(sha256=sha))


def _tilt(label="standing pelvic tilt", time_s=0.5, frame_index=15, **kw) -> Measurement:
    args = dict(TILT)
    args.update(kw)
    kind, pts = args.pop("kind"), args.pop("points_px")
    return Measurement.create(kind, pts, time_s=time_s, label=label, frame_index=frame_index, **args)


def test_a_measurement_round_trips_with_its_visit_recording_video_and_frame(lib):
    visit = _visit(lib)
    rec = _recording(lib, visit)
    knee = Measurement.create("angle", [(200, 100), (210, 180), (190, 260)], time_s=0.3, frame_index=9,
                              label="knee at heel strike", snapped=("left_hip", "left_knee", None))
    first = lib.add_measurement(rec.recording_id, _tilt(label="  standing pelvic tilt "))
    second = lib.add_measurement(rec.recording_id, knee)
    # the label is stored stripped; the value is the geometry's (PSIS 10 px higher over 40 px)
    assert first.label == "standing pelvic tilt"
    assert first.value_deg == pytest.approx(14.036243, abs=1e-6)
    assert (first.visit_id, first.recording_id, first.video_sha256) == (visit.visit_id, rec.recording_id, rec.sha256)
    assert first.created_at.tzinfo is not None
    assert lib.get_measurement(second.measurement_id).measurement == knee
    assert [m.measurement_id for m in lib.list_measurements(visit.visit_id)] == [
        first.measurement_id, second.measurement_id]
    assert lib.list_recording_measurements(rec.recording_id) == lib.list_measurements(visit.visit_id)
    # the row keeps the measurement's JSON form, searchable columns beside it
    rows = query(lib.path, "SELECT label, kind, reference, value_deg, time_s, measurement_json FROM measurements "
                           f"WHERE id = {second.measurement_id}")
    label, kind, reference, value, time_s, data = rows[0]
    assert (label, kind, reference, time_s) == ("knee at heel strike", "angle", None, 0.3)
    assert value == pytest.approx(knee.value_deg)
    assert json.loads(data) == knee.to_dict()
    assert Measurement.from_dict(json.loads(data)).snapped == ("left_hip", "left_knee", None)


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("", "needs a label"),
        ("   ", "needs a label"),
        ("x" * 81, "longer than 80 characters"),
        ("tilt\nstanding", "one line"),
        ("tilt\x07", "control characters"),
    ],
)
def test_a_measurement_needs_a_one_line_label(lib, label, message):
    rec = _recording(lib, _visit(lib))
    with pytest.raises(InputError, match=message) as info:
        lib.add_measurement(rec.recording_id, _tilt(label=label))
    assert str(info.value).endswith(".")
    assert query(lib.path, "SELECT count(*) FROM measurements") == [(0,)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_s": 1.2}, r"frame at 1.20 s is past the end of the video \(1.00 s\)"),
        ({"points_px": [(300.0, 200.0), (700.0, 190.0)]}, r"Point 2 of the measurement lies outside the video frame \(640 x 360"),
        ({"points_px": [(-1.0, 200.0), (260.0, 190.0)]}, "Point 1 of the measurement lies outside"),
    ],
)
def test_a_measurement_off_the_video_is_refused(lib, changes, message):
    rec = _recording(lib, _visit(lib))
    with pytest.raises(InputError, match=message):
        lib.add_measurement(rec.recording_id, _tilt(**changes))
    assert lib.list_measurements(rec.visit_id) == []


def test_unknown_records_and_foreign_objects_are_clear_errors(lib):
    visit = _visit(lib)
    with pytest.raises(InputError, match="There is no recording 99 in the library."):
        lib.add_measurement(99, _tilt())
    with pytest.raises(ValidationError, match="built with Measurement.create"):
        lib.add_measurement(1, {"kind": "line"})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="There is no measurement 5 in the library."):
        lib.get_measurement(5)
    with pytest.raises(InputError, match="no measurement 5"):
        lib.delete_measurement(5)
    with pytest.raises(InputError, match="no measurement 5"):
        lib.update_measurement_label(5, "x")
    with pytest.raises(InputError, match="There is no visit 77"):
        lib.list_measurements(77)
    with pytest.raises(InputError, match="There is no recording 77"):
        lib.list_recording_measurements(77)
    assert lib.list_measurements(visit.visit_id) == []


def test_rename_and_delete(lib):
    rec = _recording(lib, _visit(lib))
    m = lib.add_measurement(rec.recording_id, _tilt(label="tilt"))
    renamed = lib.update_measurement_label(m.measurement_id, " standing pelvic tilt ")
    assert renamed.label == "standing pelvic tilt"
    assert renamed.measurement.points_px == m.measurement.points_px
    assert renamed.value_deg == m.value_deg
    data = json.loads(query(lib.path, "SELECT measurement_json FROM measurements")[0][0])
    assert data["label"] == "standing pelvic tilt"  # the JSON form follows the label
    with pytest.raises(InputError, match="needs a label"):
        lib.update_measurement_label(m.measurement_id, "")
    assert lib.get_measurement(m.measurement_id).label == "standing pelvic tilt"
    lib.delete_measurement(m.measurement_id)
    assert lib.list_measurements(rec.visit_id) == []


def test_each_write_is_one_transaction_inside_an_outer_one(lib):
    rec = _recording(lib, _visit(lib))
    with pytest.raises(RuntimeError):
        with lib.transaction():
            lib.add_measurement(rec.recording_id, _tilt())
            assert len(lib.list_measurements(rec.visit_id)) == 1
            raise RuntimeError("the user cancelled")
    assert lib.list_measurements(rec.visit_id) == []


def test_deleting_a_visit_or_patient_deletes_its_measurements(lib):
    a, b = _visit(lib, "pre-op", dt.date(2026, 2, 16)), _visit(lib)
    ra, rb = _recording(lib, a, "pre"), _recording(lib, b, "post")
    lib.add_measurement(ra.recording_id, _tilt())
    lib.add_measurement(rb.recording_id, _tilt())
    lib.delete_visit(a.visit_id)
    assert query(lib.path, "SELECT visit_id FROM measurements") == [(b.visit_id,)]
    lib.delete_patient("P-0042")
    assert query(lib.path, "SELECT count(*) FROM measurements") == [(0,)]
    assert query(lib.path, "PRAGMA foreign_key_check") == []


def test_measurements_outlive_their_recording_and_follow_a_new_analysis_of_the_same_video(lib):
    visit = _visit(lib)
    rec = _recording(lib, visit, "walk")
    m = lib.add_measurement(rec.recording_id, _tilt())
    with lib.transaction():  # what a re-analysis with another person does
        lib.delete_recording(rec.recording_id)
        kept = lib.get_measurement(m.measurement_id)
        assert (kept.recording_id, kept.visit_id) == (None, visit.visit_id)
        again = _recording(lib, visit, "walk")
    assert lib.get_measurement(m.measurement_id).recording_id == again.recording_id
    assert lib.list_recording_measurements(again.recording_id)[0].measurement == m.measurement
    # a different video at the visit does not take it over
    lib.delete_recording(again.recording_id)
    other = _recording(lib, visit, "other")
    assert lib.list_recording_measurements(other.recording_id) == []
    assert lib.get_measurement(m.measurement_id).recording_id is None
    assert len(lib.list_measurements(visit.visit_id)) == 1


def test_foreign_keys_hold_in_the_file(lib):
    rec = _recording(lib, _visit(lib))
    with pytest.raises(sqlite3.IntegrityError):
        lib._db.execute(
            "INSERT INTO measurements (visit_id, recording_id, video_sha256, label, kind, reference, value_deg, "
            "time_s, measurement_json, created_at) VALUES (999, ?, ?, 'x', 'angle', NULL, 10, 0, '{}', '')",
            (rec.recording_id, rec.sha256),
        )
    with pytest.raises(sqlite3.IntegrityError):  # a line needs its reference, an angle has none
        lib._db.execute(
            "INSERT INTO measurements (visit_id, recording_id, video_sha256, label, kind, reference, value_deg, "
            "time_s, measurement_json, created_at) VALUES (?, ?, ?, 'x', 'line', NULL, 10, 0, '{}', '')",
            (rec.visit_id, rec.recording_id, rec.sha256),
        )


def test_a_damaged_measurement_is_a_storage_error_naming_it(lib):
    rec = _recording(lib, _visit(lib))
    m = lib.add_measurement(rec.recording_id, _tilt())
    data = json.loads(query(lib.path, "SELECT measurement_json FROM measurements")[0][0])
    data["value_deg"] = 3.0  # changed by hand: no longer what the points say
    lib._db.execute("UPDATE measurements SET measurement_json = ?", (json.dumps(data),))
    with pytest.raises(StorageError, match=f"Measurement {m.measurement_id} in the library .* is damaged"):
        lib.list_measurements(rec.visit_id)
    lib._db.execute("UPDATE measurements SET measurement_json = 'not json'")
    with pytest.raises(StorageError, match="is damaged"):
        lib.get_measurement(m.measurement_id)


def test_measurements_survive_closing_and_reopening(tmp_path):
    path = tmp_path / "library.sqlite"
    with Library(path) as lib:
        lib.add_patient(Patient("P-1"))
        visit = lib.add_visit(Visit("P-1", dt.date(2026, 4, 13)))
        rec = _recording(lib, visit)
        saved = lib.add_measurement(rec.recording_id, _tilt())
    with Library(path) as lib:
        assert lib.list_measurements(visit.visit_id) == [saved]


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_report_shows_the_visits_measurements_side_by_side(lib):
    from gaitlab.report.build import library_report, stored_recording_report
    from gaitlab.report.pdf import render_report_pdf

    pre, post = _visit(lib, "pre-op", dt.date(2026, 2, 16)), _visit(lib, "6 weeks")
    r_pre, r_post = _recording(lib, pre, "pre"), _recording(lib, post, "post")
    lib.add_measurement(r_pre.recording_id, _tilt(points_px=[(300.0, 200.0), (200.0, 190.0)]))  # 5.7 deg
    lib.add_measurement(r_post.recording_id, _tilt(label="Standing pelvic tilt"))  # 14.0 deg
    lib.add_measurement(r_post.recording_id, Measurement.create(
        "angle", [(200, 100), (200, 200), (300, 200)], time_s=0.2, label="knee, standing"))
    content = library_report(lib, "P-0042", pose_loader=None)
    assert [len(v.measurements) for v in content.visits] == [1, 2]
    text = _pdf_text(render_report_pdf(content))
    assert "Manual measurements (drawn on a video frame)" in text
    assert "standing pelvic tilt line vs horizontal +5.7 +14.0 +8.3" in text
    assert "knee, standing angle (3 points) -- 90.0 --" in text
    assert "2-D angles drawn by hand on one video frame" in text
    assert "positive = second point higher" in text and "radiographic" in text
    # one recording's report lists what was drawn on it, with frame time and landmarks
    single = stored_recording_report(lib, r_post.recording_id, pose_loader=None)
    text = _pdf_text(render_report_pdf(single))
    assert "Standing pelvic tilt line vs horizontal +14.0 0.50" in text
    # without measurements there is no such section
    lib.delete_measurement(lib.list_measurements(pre.visit_id)[0].measurement_id)
    empty = library_report(lib, "P-0042", ["pre-op"], pose_loader=None)
    assert "Manual measurements" not in _pdf_text(render_report_pdf(empty))
