"""The manual measuring tool in the app: draw on a frame, save with the visit, reopen, compare, report.

Runs on the committed sample patient's side videos with the real pose model
(``@pytest.mark.model``), so the points snap onto real landmarks.  A side video
without stickers (the sample's analysis with its sticker results taken out) must
say, where pelvic tilt would appear, how to get it.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QWidget

from tests.ui.conftest import close_window, on_next_modal, open_window
from tests.ui.samplekit import sample_clip, sample_description

pytestmark = [pytest.mark.model, pytest.mark.timeout(280)]

PATIENT = "UI-MEASURE"


@pytest.fixture(scope="module")
def measured_library(tmp_path_factory):
    """A library with the sample patient's pre-op and 6-week visits, side view each (analysed once)."""
    desc = sample_description()
    if desc is None:
        pytest.skip("the sample clips are missing from sample_videos/ (run `gaitlab samples`)")
    from gaitlab.storage import Library, Patient, Surgery, Visit, parse_date
    from gaitlab.workflow import import_recording

    path = tmp_path_factory.mktemp("measure-library") / "library.sqlite"
    p = desc["patient"]
    with Library(path) as lib:
        lib.add_patient(Patient(PATIENT, height_cm=p.get("height_cm"), birth_year=p.get("birth_year"),
                                surgery=Surgery(date=parse_date(p["surgery"]["date"], "surgery date"),
                                                levels=p["surgery"]["levels"])))
        for index in (0, 1):
            v = desc["visits"][index]
            visit = lib.add_visit(Visit(PATIENT, parse_date(v["date"], "visit date"), label=v["label"]))
            import_recording(lib, visit.visit_id, sample_clip(index, "sagittal"), view="sagittal")
    return path


def _side_recording(model, visit_index: int):
    """The side-view recording of a sample visit (``model``: the app model or a Library)."""
    label = sample_description()["visits"][visit_index]["label"]
    visit = next(v for v in model.list_visits(PATIENT) if v.label == label)
    return next(r for r in model.list_recordings(visit.visit_id, with_result=True) if r.view == "sagittal")


def _viewport_point(panel, x: float, y: float) -> QPoint:
    """Where the video pixel (x, y) is on the panel's screen widget."""
    scene = panel.view.mapViewToScene(QPointF(x, y))
    return panel.graphics.mapFromScene(scene)


def _landmarks(panel) -> np.ndarray:
    row = int(np.flatnonzero(panel.pose.frame_index == panel.current_index)[0])
    return panel.pose.image_px[row]


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_draw_an_angle_on_a_frame_save_reopen_and_see_it_in_compare_and_report(
        qtbot, measured_library, tmp_path):
    from gaitlab.landmarks import INDEX, LANDMARK_NAMES
    from gaitlab.markers.manual import Measurement

    window = open_window(qtbot, measured_library, tmp_path)
    rec = _side_recording(window.model, 1)
    window.show_recording(rec.recording_id)
    rv = window.recording_view
    assert window.stack.currentWidget() is rv
    qtbot.waitUntil(lambda: rv.store.complete and rv.video.pose is not None, timeout=60_000)
    heel = rec.result["events"]["heel_strike"]["left"]
    rv.seek(float(heel[len(heel) // 2]))
    frame = rv.video.current_index
    frame_time = float(rv.store.times_s()[frame])

    qtbot.mouseClick(rv.findChild(QPushButton, "measure_toggle"), Qt.LeftButton)
    assert rv.measure_bar.isVisible() and rv.measure_tool.active
    assert rv.tabs.currentWidget() is rv.measurement_list
    qtbot.mouseClick(rv.findChild(QPushButton, "measure_mode_angle"), Qt.LeftButton)
    assert "without sign" in rv.findChild(QLabel, "measure_sign").text()
    viewport = rv.video.graphics.viewport()
    lm = _landmarks(rv.video)

    # Esc cancels a drawing that was started
    hip = lm[INDEX["left_hip"]]
    QTest.mouseClick(viewport, Qt.LeftButton, Qt.NoModifier, _viewport_point(rv.video, *hip))
    assert len(rv.measure_tool.points) == 1
    QTest.keyClick(rv.video.graphics, Qt.Key_Escape)
    assert rv.measure_tool.points == []
    assert not rv.measure_tool.overlay.drawing.line.isVisible()

    # three clicks a few screen pixels off the left hip, knee and ankle snap onto landmarks
    expected_points, expected_names = [], []
    for name in ("left_hip", "left_knee", "left_ankle"):
        qtbot.wait(30)  # the layout settles (the bar under the video changes the zoom)
        px = rv.measure_tool.overlay.pixel_size()
        target = lm[INDEX[name]] + np.array([3.0, -2.0]) * px
        if len(expected_points) == 2:  # the live value follows the mouse before the last click
            QTest.mouseMove(viewport, _viewport_point(rv.video, *target))
            qtbot.waitUntil(lambda: rv.measure_tool.preview is not None, timeout=2000)
            assert rv.findChild(QLabel, "measure_value").text().endswith("°")
        pos = _viewport_point(rv.video, *target)
        where = rv.video.view.mapSceneToView(rv.video.graphics.mapToScene(pos))
        d = np.hypot(*(lm - np.array([where.x(), where.y()])).T)
        nearest = int(np.nanargmin(d))
        assert d[nearest] < 12 * px  # within the snap radius: the click must land on a landmark
        assert d[nearest] > 0.5 * px  # and not on it already: snapping moves it
        expected_points.append(tuple(lm[nearest]))
        expected_names.append(LANDMARK_NAMES[nearest])
        QTest.mouseClick(viewport, Qt.LeftButton, Qt.NoModifier, pos)
    tool = rv.measure_tool
    assert tool.complete
    np.testing.assert_allclose(tool.points, expected_points)
    assert tool.snapped == expected_names
    a, v, c = (np.asarray(p) for p in expected_points)
    u, w = a - v, c - v
    angle = math.degrees(math.acos(np.dot(u, w) / (np.linalg.norm(u) * np.linalg.norm(w))))
    assert rv.findChild(QLabel, "measure_value").text() == f"{angle:.1f}°"
    xs, ys = tool.overlay.drawing.line.getData()
    np.testing.assert_allclose(np.column_stack([xs, ys]), expected_points)
    snapped_words = ", ".join(n.replace("_", " ") for n in expected_names)
    assert f"Snapped to: {snapped_words}." in rv.findChild(QLabel, "measure_sign").text()

    rv.measure_bar.label_combo.setCurrentText("knee angle at heel strike")
    qtbot.mouseClick(rv.findChild(QPushButton, "measure_save_button"), Qt.LeftButton)
    assert rv.findChild(QLabel, "measure_error").text() == ""
    table = rv.findChild(QTableWidget, "measurement_table")
    assert table.rowCount() == 1
    assert table.item(0, 0).text() == "knee angle at heel strike"
    assert table.item(0, 1).text() == f"{angle:.1f}°"
    assert table.item(0, 3).text() == f"{frame_time:.2f} s (frame {frame})"
    assert rv.measure_bar.label_combo.currentText() == ""  # the next drawing needs its own label
    assert rv.measure_tool.points == []
    close_window(window)

    # the same measurement at the pre-op visit, stored through the library, gives the change
    from gaitlab.storage import Library

    with Library(measured_library) as lib:
        pre = _side_recording(lib, 0)
        pre_angle = Measurement.create("angle", [(600, 300), (610, 400), (590, 500)], time_s=1.0,
                                       label="Knee angle at heel strike")
        lib.add_measurement(pre.recording_id, pre_angle)

    # reopen the app: the measurement is listed with the visit and shown on its frame
    window = open_window(qtbot, measured_library, tmp_path)
    window.show_recording(rec.recording_id)
    rv = window.recording_view
    qtbot.waitUntil(lambda: rv.store.complete, timeout=60_000)
    table = rv.findChild(QTableWidget, "measurement_table")
    assert [table.item(0, c).text() for c in (0, 1)] == ["knee angle at heel strike", f"{angle:.1f}°"]
    rv.seek(0.0)
    assert not any(s.line.isVisible() for s in rv.measure_tool.overlay.saved)
    table.cellClicked.emit(0, 0)  # click the row: jump to its frame and show the drawing
    assert rv.video.current_index == frame
    saved = rv.measure_tool.overlay.saved[0]
    assert saved.line.isVisible()
    np.testing.assert_allclose(np.column_stack(saved.line.getData()), expected_points)

    # compare view: the measurement of both visits side by side with the change
    window.show_compare(PATIENT)
    cv = window.compare_view
    assert window.stack.currentWidget() is cv
    mt = cv.findChild(QTableWidget, "compare_measurement_table")
    assert mt.rowCount() == 1
    row = [mt.item(0, col).text() for col in range(mt.columnCount())]
    assert row == ["Knee angle at heel strike", "angle (3 points)", f"{pre_angle.value_deg:.1f}°", f"{angle:.1f}°",
                   f"{angle - pre_angle.value_deg:+.1f}°"]
    note = cv.measurement_note.text()
    assert "2-D angles drawn by hand" in note and "radiographic" in note
    # the sample patient wears stickers: no "how to get pelvic tilt" message
    assert cv.findChild(QLabel, "compare_pelvic_tilt_hint").isHidden()
    assert cv.findChild(QLabel, "compare_measurement_tilt_hint").isHidden()

    # the report of the two visits carries the same table
    from gaitlab.report.build import library_report
    from gaitlab.report.pdf import render_report_pdf

    text = _pdf_text(render_report_pdf(library_report(window.model.library, PATIENT, pose_loader=None)))
    assert "Manual measurements (drawn on a video frame)" in text
    assert (f"Knee angle at heel strike angle (3 points) {pre_angle.value_deg:.1f} {angle:.1f} "
            f"{angle - pre_angle.value_deg:+.1f}") in text
    assert "2-D angles drawn by hand on one video frame" in text

    # delete it again from the recording view (after confirming)
    window.show_recording(rec.recording_id)
    table.selectRow(0)
    on_next_modal(lambda box: box.button(box.StandardButton.Yes).click())
    qtbot.mouseClick(rv.findChild(QPushButton, "measurement_delete_button"), Qt.LeftButton)
    assert table.rowCount() == 0
    assert window.model.library.list_measurements(rec.visit_id) == []
    close_window(window)


def _without_stickers(doc: dict) -> dict:
    """The analysis as it reads when no stickers were found: no pelvic tilt anywhere."""
    out = copy.deepcopy(doc)
    for part in ("series", "cycles", "metrics"):
        for key in [k for k in (out.get(part) or {}) if k.startswith("pelvic_tilt")]:
            del out[part][key]
    for key in ("series_sources", "sources"):
        if isinstance(out.get(key), dict):
            out[key].pop("pelvic_tilt", None)
    warnings = out["quality"]["warnings"]
    out["quality"]["warnings"] = [w for w in warnings if "sticker" not in w.lower()]
    out["video"]["sha256"] = ""  # stored as another video (its skeleton is not loaded)
    return out


def test_without_stickers_the_recording_and_compare_views_say_how_to_get_pelvic_tilt(
        qtbot, measured_library, tmp_path):
    from gaitlab.storage import Library, Patient, Visit

    with Library(measured_library) as lib:
        docs = [_without_stickers(_side_recording(lib, i).result) for i in (0, 1)]
        assert all("pelvic_tilt" not in d["series"] for d in docs)
        lib.add_patient(Patient("UI-NOSTICK"))
        recs = []
        for i, day in enumerate(("2026-02-16", "2026-04-13")):
            visit = lib.add_visit(Visit("UI-NOSTICK", dt.date.fromisoformat(day), label=f"visit {i + 1}"))
            sha = hashlib.sha256(f"no stickers {i}".encode()).hexdigest()
            recs.append(lib.add_recording(visit.visit_id, sample_clip(i, "sagittal"), sha, "sagittal", docs[i]))

    window = open_window(qtbot, measured_library, tmp_path)
    window.show_recording(recs[1].recording_id)
    rv = window.recording_view
    hint = rv.findChild(QLabel, "pelvic_tilt_hint_text")
    assert hint.isVisibleTo(rv) and not rv.findChild(QWidget, "pelvic_tilt_hint").isHidden()
    text = hint.text()
    for words in ("no pelvic stickers were found", "ASIS", "PSIS", "green", "film the side view again",
                  "Line vs horizontal", "from the ASIS to the PSIS"):
        assert words in text
    width, height = docs[1]["video"]["width"], docs[1]["video"]["height"]
    assert f"for this {width}×{height} video" in text
    assert "cm across" in text
    # the button starts the tool ready for a standing tilt
    qtbot.mouseClick(rv.findChild(QPushButton, "measure_tilt_button"), Qt.LeftButton)
    assert rv.measure_tool.active and rv.measure_tool.mode == "line_horizontal"
    assert rv.measure_bar.label_combo.currentText() == "standing pelvic tilt"
    assert "positive = second point higher" in rv.findChild(QLabel, "measure_sign").text()
    rv.set_measure_mode(False)
    assert not rv.measure_tool.active and not rv.measure_bar.isVisibleTo(rv)

    window.show_compare("UI-NOSTICK")
    cv = window.compare_view
    for name in ("compare_pelvic_tilt_hint", "compare_measurement_tilt_hint"):
        label = cv.findChild(QLabel, name)
        assert not label.isHidden()  # shown in its tab (Metrics, Manual measurements)
        assert "Pelvic tilt is missing at visit A (visit 1) and visit B (visit 2)" in label.text()
        assert "ASIS" in label.text() and "PSIS" in label.text()

    # the sample patient's own side video (with stickers) has no such message
    rec = _side_recording(window.model, 1)
    window.show_recording(rec.recording_id)
    assert rv.findChild(QWidget, "pelvic_tilt_hint").isHidden()
    close_window(window)
