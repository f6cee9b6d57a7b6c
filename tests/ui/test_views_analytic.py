"""The recording, compare and trend views on analyses of analytic walks (no pose model).

The documents are measured by gaitlab's own kinematics from analytic walks whose
gait is known (``tests/core/test_kinematics_walker.make_walk``), stored in a
temporary library beside plain test videos of the same length, so every view
path runs in seconds and its numbers can be checked against the comparison.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from test_compare_synthetic import walk_document  # noqa: E402
from videokit import write_test_video  # noqa: E402

from gaitlab.io.video import file_sha256  # noqa: E402
from gaitlab.storage import Patient, Surgery, Visit  # noqa: E402

SURGERY = dt.date(2026, 3, 2)
VISITS = (
    ("pre-op", SURGERY - dt.timedelta(days=14), {"stride_s": 1.05}, {"back_pain_nrs": 7}),
    ("6 weeks", SURGERY + dt.timedelta(days=42), {"stride_s": 1.25, "drop_bias_deg": 4.0},
     {"back_pain_nrs": 4, "hip_pain_right_nrs": 5}),
)


@pytest.fixture
def analytic_patient(model, tmp_path):
    model.add_patient(Patient("AN-1", height_cm=175, surgery=Surgery(date=SURGERY, levels="L4-S1")))
    for label, date, walk, scores in VISITS:
        visit = model.add_visit(Visit("AN-1", date, label=label, **scores))
        for view, direction, width in (("sagittal", "right", 192), ("frontal", "toward", 160)):
            w = {k: v for k, v in walk.items() if view == "frontal" or k != "drop_bias_deg"}
            doc = walk_document(view, direction, duration_s=7.0, **w)
            n = len(doc["time_s"]) + (1 if label == "pre-op" else 0)  # every file distinct
            video = write_test_video(tmp_path / f"{label}-{view}.mp4", n_frames=n, width=width, height=108)
            doc["video"]["path"] = str(video)
            model.library.add_recording(visit.visit_id, video, file_sha256(video), view, doc)
    return "AN-1"


def test_recording_view_on_an_analytic_walk(window, model, analytic_patient, qtbot):
    visit = model.list_visits("AN-1")[1]
    rec = next(r for r in model.list_recordings(visit.visit_id, with_result=True) if r.view == "frontal")
    window.show_recording(rec.recording_id)
    rv = window.recording_view
    assert window.stack.currentWidget() is rv
    qtbot.waitUntil(lambda: rv.store.complete, timeout=20_000)
    assert set(rv.series_plots.plots) == {"pelvic_obliquity", "hip_adduction", "trunk_lean_lateral"}
    # the display-size frame covers the full-resolution video rectangle the landmarks live in
    shown = rv.video.image.mapRectToParent(rv.video.image.boundingRect())
    assert (shown.width(), shown.height()) == pytest.approx((rv.store.info.width, rv.store.info.height))
    assert "radiographic" in rv.readout_note.text()
    assert "radiographic" in rv.findChild(QLabel, "quality_label").text()
    t = float(rec.result["events"]["heel_strike"]["left"][1])
    rv.seek(t)
    assert rv.video.current_index == rv.store.index_at(t)
    i = min(range(len(rec.result["time_s"])), key=lambda k: abs(rec.result["time_s"][k] - t))
    value = rec.result["series"]["pelvic_obliquity"][i]
    assert rv.readout_labels[("Pelvic obliquity", "")].text() == f"{value:+.1f}°"
    assert rv.cycle_plots.set_phase is not None and rv.cycle_plots.cursors[0].value() == pytest.approx(0.0, abs=1.0)
    table = rv.findChild(QTableWidget, "spatiotemporal_table")
    titles = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert any(t.startswith("Pelvic drop") for t in titles)


def test_compare_view_on_analytic_walks_shows_gaitlabs_comparison(window, model, analytic_patient, qtbot):
    window.show_patient("AN-1")
    button = window.patient_view.findChild(QPushButton, "compare_button")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.LeftButton)
    cv = window.compare_view
    assert window.stack.currentWidget() is cv
    comp = cv.comparison
    assert comp.visit_a.label == "pre-op" and comp.visit_b.label == "6 weeks"
    # slower walk: the comparability warning is shown, with gaitlab's sentence
    banner = cv.findChild(QLabel, "comparability_banner")
    assert comp.comparability.issues and banner.isVisibleTo(cv)
    assert comp.comparability.issues[0].sentence in banner.text()
    table = cv.findChild(QTableWidget, "compare_metric_table")
    rows = {(table.item(r, 0).text(), table.item(r, 1).text()): r for r in range(table.rowCount())}
    d = comp.delta("pelvic_drop_deg", "right")
    r = next(r for (label, side), r in rows.items() if label.startswith(d.label) and side == "right")
    assert table.item(r, 6).text() == d.direction
    from ui.views.compare import judgement_colour

    assert table.item(r, 6).foreground().color().name() == judgement_colour(d.direction, d.concern, d.beyond_mdc)
    text = cv.findings_text.toPlainText()
    assert all(f.sentence[:30] in text for f in comp.findings)
    assert "motion budget" in cv.profile_text.toPlainText().lower()
    qtbot.waitUntil(lambda: all(p.store.complete for p in cv.panels.values() if p.store), timeout=20_000)
    cv.set_phase(25.0)
    for key, t in cv.panel_times().items():
        start, end = cv.panels[key].strides[0]
        assert t == pytest.approx(start + 0.25 * (end - start))
    # choosing the pair the other way round still compares the earlier against the later visit
    cv.visit_a_combo.setCurrentIndex(1)
    cv.visit_b_combo.setCurrentIndex(0)
    cv.compare_selected()
    assert cv.comparison.visit_a.label == "pre-op"


def test_trend_view_on_analytic_walks(window, model, analytic_patient, qtbot):
    window.show_trend("AN-1")
    tv = window.trend_view
    assert window.stack.currentWidget() is tv
    cadence = tv.trend.get("cadence_steps_per_min")
    xs, ys = tv.plots["cadence_steps_per_min"].listDataItems()[0].getData()
    assert list(xs) == [-14.0, 42.0]
    assert list(ys) == pytest.approx([p.value for p in cadence.points])
    assert ys[1] < ys[0]  # the slower 6-week walk
    pain = tv.plots["pain"].listDataItems()
    assert any(list(item.getData()[1]) == [7.0, 4.0] for item in pain)
