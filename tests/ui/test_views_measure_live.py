"""Manual measurements through the app model: one save, every open view up to date.

A measurement saved, renamed or deleted in the recording view must show in a compare
view that is already open (no reopening), and a measurement added elsewhere must
show in the recording view of its visit.  Runs on the analytic walks of
``test_views_analytic`` (no pose model: the points are not snapped).
"""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QTableWidget

from gaitlab.errors import InputError
from tests.ui.conftest import on_next_modal
from tests.ui.test_views_analytic import analytic_patient  # noqa: F401 (fixture)


def _visits(model):
    pre, six = model.list_visits("AN-1")
    return pre, six


def _side(model, visit):
    return next(r for r in model.list_recordings(visit.visit_id, with_result=True) if r.view == "sagittal")


def _rows(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def _angle_deg(a, v, c) -> float:
    u, w = (a[0] - v[0], a[1] - v[1]), (c[0] - v[0], c[1] - v[1])
    cos = (u[0] * w[0] + u[1] * w[1]) / (math.hypot(*u) * math.hypot(*w))
    return math.degrees(math.acos(cos))


def test_model_measurement_methods_emit_the_visit_and_refuse_bad_input(model, analytic_patient, qtbot):  # noqa: F811
    from gaitlab.markers.manual import Measurement

    pre, six = _visits(model)
    rec = _side(model, six)
    m = Measurement.create("line", [(20.0, 50.0), (60.0, 30.0)], time_s=1.0, reference="horizontal",
                           label="standing pelvic tilt")
    with qtbot.waitSignal(model.measurements_changed, timeout=1000) as added:
        stored = model.add_measurement(rec.recording_id, m)
    assert added.args == [six.visit_id]
    assert [s.measurement_id for s in model.list_measurements(six.visit_id)] == [stored.measurement_id]
    assert model.list_measurements(pre.visit_id) == []
    with qtbot.waitSignal(model.measurements_changed, timeout=1000) as renamed:
        assert model.rename_measurement(stored.measurement_id, "tilt, standing").label == "tilt, standing"
    assert renamed.args == [six.visit_id]
    with qtbot.waitSignal(model.measurements_changed, timeout=1000) as deleted:
        model.delete_measurement(stored.measurement_id)
    assert deleted.args == [six.visit_id]
    assert model.list_measurements(six.visit_id) == []

    # refused input changes nothing and says nothing changed
    with qtbot.assertNotEmitted(model.measurements_changed):
        with pytest.raises(InputError):
            model.add_measurement(rec.recording_id, Measurement.create(
                "line", [(20.0, 50.0), (60.0, 30.0)], time_s=1.0, reference="horizontal", label=""))
        with pytest.raises(InputError):
            model.add_measurement(rec.recording_id, Measurement.create(
                "line", [(20.0, 50.0), (99_000.0, 30.0)], time_s=1.0, reference="horizontal", label="far"))
        with pytest.raises(InputError):
            model.delete_measurement(stored.measurement_id)
        with pytest.raises(InputError):
            model.rename_measurement(stored.measurement_id, "gone")


def test_a_measurement_saved_in_the_recording_view_shows_in_the_open_compare_view(
        window, model, analytic_patient, qtbot):  # noqa: F811
    from gaitlab.markers.manual import Measurement

    pre, six = _visits(model)
    window.show_compare("AN-1")
    cv = window.compare_view
    compare_table = cv.findChild(QTableWidget, "compare_measurement_table")
    assert compare_table.rowCount() == 0 and not cv.measurement_empty.isHidden()

    # draw an angle on a frame of the 6-week side video and save it with the button
    rec = _side(model, six)
    window.show_recording(rec.recording_id)
    rv = window.recording_view
    qtbot.waitUntil(lambda: rv.store.complete, timeout=20_000)
    rv.seek(2.0)
    rv.set_measure_mode(True)
    rv.measure_bar.choose_mode("angle")
    points = [(90.0, 20.0), (100.0, 55.0), (80.0, 95.0)]
    for x, y in points:
        rv.measure_tool.click_at(x, y)
    assert rv.measure_tool.complete
    angle = _angle_deg(*points)
    rv.measure_bar.label_combo.setCurrentText("knee angle, standing")
    qtbot.mouseClick(rv.findChild(QPushButton, "measure_save_button"), Qt.LeftButton)
    assert rv.measure_bar.error_label.text() == ""
    assert _rows(rv.findChild(QTableWidget, "measurement_table"))[0][:2] == ["knee angle, standing", f"{angle:.1f}°"]

    # the compare view, never reopened, has the row: visit B only
    assert _rows(compare_table) == [["knee angle, standing", "angle (3 points)", "—", f"{angle:.1f}°", "—"]]
    assert cv.measurement_empty.isHidden()

    # the same label measured at visit A elsewhere (through the model): the change appears
    pre_m = Measurement.create("angle", [(90.0, 20.0), (100.0, 55.0), (95.0, 95.0)], time_s=1.0,
                               label="Knee angle, standing")
    stored_a = model.add_measurement(_side(model, pre).recording_id, pre_m)
    # (paired regardless of case; the row is named as visit A named it)
    assert _rows(compare_table) == [["Knee angle, standing", "angle (3 points)", f"{pre_m.value_deg:.1f}°",
                                     f"{angle:.1f}°", f"{angle - pre_m.value_deg:+.1f}°"]]
    # ... and the recording view of visit B is not touched by a visit A measurement
    assert rv.findChild(QTableWidget, "measurement_table").rowCount() == 1

    # a measurement added to visit B elsewhere shows in the recording view at once
    model.add_measurement(rec.recording_id, Measurement.create(
        "line", [(20.0, 50.0), (60.0, 30.0)], time_s=2.0, reference="horizontal", label="standing pelvic tilt"))
    rec_table = rv.findChild(QTableWidget, "measurement_table")
    assert [row[0] for row in _rows(rec_table)] == ["knee angle, standing", "standing pelvic tilt"]
    assert [row[0] for row in _rows(compare_table)] == ["Knee angle, standing", "standing pelvic tilt"]

    # renaming in the recording view's table renames the compare row (now unpaired)
    rec_table.item(0, 0).setText("knee angle at heel strike")
    labels = sorted(row[0] for row in _rows(compare_table))
    assert labels == sorted(["knee angle at heel strike", "Knee angle, standing", "standing pelvic tilt"])

    # deleting in the recording view (after confirming) removes it from the compare view
    rec_table.selectRow(0)
    on_next_modal(lambda box: box.button(box.StandardButton.Yes).click())
    qtbot.mouseClick(rv.findChild(QPushButton, "measurement_delete_button"), Qt.LeftButton)
    assert [row[0] for row in _rows(rec_table)] == ["standing pelvic tilt"]
    assert sorted(row[0] for row in _rows(compare_table)) == ["Knee angle, standing", "standing pelvic tilt"]
    model.delete_measurement(stored_a.measurement_id)
    assert [row[0] for row in _rows(compare_table)] == ["standing pelvic tilt"]
