"""The views on real analyses of the sample clips: recording, compare, trend; analysis in the
background with progress, cancel, errors as sentences and an event loop that stays responsive.

The clips are the committed sample patient (``sample_videos/``); the pose model runs for real
(``@pytest.mark.model``).  One session library holds the analyses the read-only view tests share.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QPointF, Qt, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget

from tests.ui.conftest import close_window, on_next_modal, open_window
from tests.ui.samplekit import sample_clip, sample_description, shortest_clip

pytestmark = [pytest.mark.model, pytest.mark.timeout(240)]


def _need_samples() -> dict:
    desc = sample_description()
    if desc is None:
        pytest.skip("the sample clips are missing from sample_videos/ (run `gaitlab samples`)")
    return desc


@pytest.fixture(scope="session")
def analysed_library(tmp_path_factory):
    """A library with the sample patient's pre-op and 6-week visits (side view each)."""
    desc = _need_samples()
    from gaitlab.storage import Library, Patient, Surgery, Visit, parse_date
    from gaitlab.workflow import import_recording

    path = tmp_path_factory.mktemp("ui-library") / "library.sqlite"
    p = desc["patient"]
    with Library(path) as lib:
        lib.add_patient(Patient(
            "UI-001", height_cm=p.get("height_cm"), birth_year=p.get("birth_year"),
            surgery=Surgery(date=parse_date(p["surgery"]["date"], "surgery date"), levels=p["surgery"]["levels"]),
        ))
        for index, views in ((0, ("sagittal",)), (1, ("sagittal",))):
            v = desc["visits"][index]
            s = v.get("scores", {})
            visit = lib.add_visit(Visit(
                "UI-001", parse_date(v["date"], "visit date"), label=v["label"],
                hip_pain_left_nrs=s.get("hip_pain_left"), hip_pain_right_nrs=s.get("hip_pain_right"),
                back_pain_nrs=s.get("back_pain"),
            ))
            for view in views:
                import_recording(lib, visit.visit_id, sample_clip(index, view), view=view)
    return path


@pytest.fixture
def shared_window(qtbot, analysed_library, tmp_path):
    w = open_window(qtbot, analysed_library, tmp_path)
    yield w
    close_window(w)


def _recording(model, label: str, view: str):
    visit = next(v for v in model.list_visits("UI-001") if v.label == label)
    return next(r for r in model.list_recordings(visit.visit_id, with_result=True) if r.view == view)


def test_recording_view_plays_with_skeleton_plots_and_tables(shared_window, qtbot):
    w = shared_window
    desc = sample_description()
    rec = _recording(w.model, desc["visits"][1]["label"], "sagittal")
    doc = rec.result
    w.show_recording(rec.recording_id)
    rv = w.recording_view
    assert w.stack.currentWidget() is rv
    qtbot.waitUntil(lambda: rv.store.complete and rv.video.pose is not None, timeout=60_000)

    # the display-size frame covers the full-resolution video rectangle the landmarks live in
    shown = rv.video.image.mapRectToParent(rv.video.image.boundingRect())
    assert (shown.width(), shown.height()) == pytest.approx((rv.store.info.width, rv.store.info.height))
    # plots of the side view, hip flexion labelled as a 2-D proxy, events marked
    assert {"hip_flexion", "knee_flexion", "trunk_lean_sagittal"} <= set(rv.series_plots.plots)
    assert "2-D proxy" in rv.series_plots.plots["hip_flexion"].titleLabel.text
    n_events = sum(len(t) for k in ("heel_strike", "toe_off") for t in doc["events"][k].values())
    lines = [i for i in rv.series_plots.plots["hip_flexion"].items if type(i).__name__ == "InfiniteLine"]
    assert len(lines) == n_events + 1  # the events plus the cursor
    assert rv.cycle_plots.curve_count >= 2

    # clicking the plot seeks the video: the frame shown is the one at that time
    t_click = float(doc["events"]["heel_strike"]["left"][0])
    rv.seek(t_click)
    assert rv.video.current_index == rv.store.index_at(t_click)
    i = int(np.argmin(np.abs(np.asarray(doc["time_s"]) - t_click)))
    hip = doc["series"]["hip_flexion_left"][i]
    assert rv.readout_labels[("Hip flexion (2-D proxy)", "left")].text() == f"{hip:+.1f}°"
    assert rv.series_plots.cursor_time() == pytest.approx(t_click)
    plot = rv.series_plots.plots["knee_flexion"]
    scene_pos = plot.vb.mapViewToScene(QPointF(1.25, 0.0))
    seeks = []
    rv.series_plots.seek_requested.connect(seeks.append)

    class _Click:
        def button(self):
            return Qt.LeftButton

        def scenePos(self):  # noqa: N802 (Qt API)
            return scene_pos

        def accept(self):
            pass

    rv.series_plots._on_click(_Click())
    assert seeks and seeks[0] == pytest.approx(1.25, abs=0.02)
    assert rv.position_s == pytest.approx(seeks[0])

    # frame step and play
    before = rv.video.current_index
    qtbot.mouseClick(rv.findChild(QPushButton, "recording_step_forward_button"), Qt.LeftButton)
    assert rv.video.current_index == before + 1
    start = rv.position_s
    qtbot.mouseClick(rv.findChild(QPushButton, "recording_play_button"), Qt.LeftButton)
    qtbot.wait(300)
    rv.clock.pause()
    assert rv.position_s > start + 0.1

    # the skeleton is drawn over the frame, at the landmarks of the analysed person
    xs, ys = rv.video._lines["left"].getData()
    assert xs is not None and len(xs) >= 4

    # spatiotemporal table shows the document's numbers
    table = rv.findChild(QTableWidget, "spatiotemporal_table")
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    cadence_row = rows["Cadence (steps/min)"]
    assert table.item(cadence_row, 3).text() == f"{doc['metrics']['cadence_steps_per_min']:.1f}"
    assert "Person detected in" in rv.findChild(QLabel, "quality_label").text()
    # the person picker appears when several people were tracked, one entry each
    seen = doc["person"]["people_seen"]
    assert rv.findChild(type(rv.person_combo), "person_combo").isVisibleTo(rv) == (seen > 1)
    assert rv.person_combo.count() == seen
    assert "(analysed)" in rv.person_combo.itemText(doc["person"]["selected"])


def test_compare_view_defaults_to_the_latest_pair_and_locks_the_phase(shared_window, qtbot):
    w = shared_window
    desc = sample_description()
    w.show_patient("UI-001")
    qtbot.mouseClick(w.patient_view.findChild(QPushButton, "compare_button"), Qt.LeftButton)
    cv = w.compare_view
    assert w.stack.currentWidget() is cv
    assert desc["visits"][0]["label"] in cv.visit_a_combo.currentText()
    assert desc["visits"][1]["label"] in cv.visit_b_combo.currentText()
    comp = cv.comparison
    assert comp is not None
    # metric table: the compared values, deltas coloured by the MDC judgement
    table = cv.findChild(QTableWidget, "compare_metric_table")
    shown = [d for d in comp.deltas if d.a is not None or d.b is not None]
    assert table.rowCount() == len(shown) > 0
    from ui.views.compare import _digits

    for r, d in enumerate(shown):
        assert table.item(r, 1).text() == (d.side or "—")
        for col, value in ((2, d.a), (3, d.b)):
            text = table.item(r, col).text()
            assert text == "—" if value is None else text.startswith(f"{value:.{_digits(d.unit)}f}")
        assert table.item(r, 6).text() == d.direction
    # findings and narrative are shown as gaitlab wrote them
    html = cv.findings_text.toPlainText()
    assert comp.narrative[:60] in html
    for f in comp.findings:
        assert f.sentence[:40] in html
    assert "2-D proxy" in cv.profile_text.toPlainText() or "proxy" in cv.profile_text.toPlainText()
    assert "radiographic" in cv.profile_text.toPlainText()
    # the grid: no front-view clips in this library, the side views of both visits play
    assert cv.panels[("frontal", "A")].doc is None and cv.panels[("frontal", "B")].doc is None
    assert cv.panels[("sagittal", "A")].doc is not None and cv.panels[("sagittal", "B")].doc is not None
    qtbot.waitUntil(lambda: all(p.store.complete for p in cv.panels.values() if p.store), timeout=60_000)
    cv.set_phase(50.0)
    locked = 0
    for key, t in cv.panel_times().items():
        panel = cv.panels[key]
        if panel.doc is None:
            continue
        if panel.strides:  # phase-locked: half-way through its own first stride
            start, end = panel.strides[0]
            assert t == pytest.approx(start + 0.5 * (end - start))
            locked += 1
        else:  # no gait cycle measured: plain time at the reference pace, and the panel says so
            assert t == pytest.approx(0.5 * cv.clock_state.reference_stride_s)
            assert "not phase-locked" in panel.widget.note.textItem.toPlainText()
        assert panel.widget.current_index == panel.store.index_at(t)
    assert locked >= 1
    assert all(c.value() == pytest.approx(50.0) for c in cv.cycle_plots.cursors)
    # playing advances every video by the same share of its own stride
    cv.clock.play()
    qtbot.wait(250)
    cv.clock.pause()
    phase = cv.clock_state.phase_pct
    assert phase != pytest.approx(50.0)
    for key, t in cv.panel_times().items():
        panel = cv.panels[key]
        if panel.doc is not None and panel.strides:
            start, end = panel.strides[cv.clock_state.cycle % len(panel.strides)]
            assert (t - start) / (end - start) == pytest.approx(phase / 100.0)


def test_trend_view_plots_metrics_against_days_since_surgery_with_pain(shared_window, qtbot):
    w = shared_window
    w.show_patient("UI-001")
    qtbot.mouseClick(w.patient_view.findChild(QPushButton, "trend_button"), Qt.LeftButton)
    tv = w.trend_view
    assert w.stack.currentWidget() is tv
    assert "pain" in tv.plots and "cadence_steps_per_min" in tv.plots
    visits = w.model.list_visits("UI-001")
    series = tv.trend.get("cadence_steps_per_min")
    assert [p.days_since_surgery for p in series.points] == [v.days_since_surgery for v in visits]
    measured = [p for p in series.points if p.value is not None]
    curves = tv.plots["cadence_steps_per_min"].listDataItems()
    if measured:  # the plot holds exactly the measured visits, at their days since surgery
        xs, ys = curves[0].getData()
        assert list(xs) == [float(p.days_since_surgery) for p in measured]
        assert list(ys) == pytest.approx([p.value for p in measured])
    else:
        assert curves == []
    pain = {tuple(item.getData()[1]) for item in tv.plots["pain"].listDataItems()}
    back = tuple(float(v.back_pain_nrs) for v in visits if v.back_pain_nrs is not None)
    assert not back or back in pain


def _fresh_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("GAITLAB_CACHE_DIR", str(tmp_path / "fresh-cache"))


def test_add_patient_and_visit_with_a_video_then_analyse_in_the_background(window, qtbot, model, tmp_path):
    _need_samples()
    clip = sample_clip(1, "sagittal")  # landmarks cached by the session library when it ran

    def patient(dialog):
        dialog.patient_id_edit.setText("P-GUI")
        dialog.height_spin.setValue(170)
        dialog.findChild(QPushButton, "patient_save_button").click()

    on_next_modal(patient)
    qtbot.mouseClick(window.patients_view.findChild(QPushButton, "add_patient_button"), Qt.LeftButton)
    window.patients_view.select_patient("P-GUI")
    qtbot.mouseClick(window.patients_view.findChild(QPushButton, "open_patient_button"), Qt.LeftButton)
    assert window.stack.currentWidget() is window.patient_view

    def visit(dialog):
        dialog.label_combo.setCurrentText("6 weeks")
        dialog.date_edit.setDate(dialog.date_edit.date().addDays(-1))
        dialog.video_table.add_paths([str(clip)])
        dialog.findChild(QPushButton, "visit_save_button").click()

    on_next_modal(visit)
    qtbot.mouseClick(window.patient_view.findChild(QPushButton, "add_visit_button"), Qt.LeftButton)
    assert model.tasks.busy
    qtbot.waitUntil(lambda: not model.tasks.busy, timeout=180_000)
    row = window.task_panel.rows[-1]
    assert row.task.outcome == "succeeded", row.status.text()
    table = window.patient_view.findChild(QTableWidget, "recording_table")
    assert table.rowCount() == 1
    stored = model.list_recordings(model.list_visits("P-GUI")[0].visit_id)
    assert len(stored) == 1 and stored[0].sha256
    assert table.item(0, 0).text() == clip.name
    assert table.item(0, 2).text() == ("analysed" if stored[0].status == "ok" else "too little walking")
    assert table.item(0, 1).text() in ("sagittal", "frontal")  # detected from the motion
    qtbot.mouseClick(window.patient_view.findChild(QPushButton, "open_recording_button"), Qt.LeftButton)
    assert window.stack.currentWidget() is window.recording_view


def test_window_stays_responsive_while_a_video_is_analysed(window, qtbot, model, monkeypatch, tmp_path):
    _need_samples()
    _fresh_cache(monkeypatch, tmp_path)  # the pose model really runs
    from gaitlab.storage import Patient, Visit

    model.add_patient(Patient("P-LAT"))
    visit = model.add_visit(Visit("P-LAT", dt.date.today(), label="latency"))
    task = model.analyse_video(visit.visit_id, str(shortest_clip()))
    frames_seen = []
    task.progressed.connect(lambda s: frames_seen.append((s.stage, s.done, s.total, s.time_left_s)))
    clock = QElapsedTimer()
    clock.start()
    late_ms: list[float] = []
    last = {"t": clock.elapsed()}

    stall_stage = []

    def beat():
        now = clock.elapsed()
        late_ms.append(now - last["t"] - 10)
        if late_ms[-1] >= 100:
            stall_stage.append(frames_seen[-1][:3] if frames_seen else "before the first progress")
        last["t"] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(beat)
    timer.start()
    qtbot.waitUntil(lambda: task.outcome is not None, timeout=180_000)
    timer.stop()
    assert task.outcome == "succeeded", task.error_message
    assert len(late_ms) > 100
    worst = sorted(range(len(late_ms)), key=lambda i: -late_ms[i])[:5]
    assert max(late_ms) < 100, f"event loop stalled for {max(late_ms):.0f} ms (beats {worst} of {len(late_ms)}; stages {stall_stage})"
    frame_states = [f for f in frames_seen if f[2] > 0]
    assert frame_states, "no per-frame progress was reported"
    assert any(left is not None for *_, left in frame_states)
    status = window.task_panel.rows[-1].status.text()
    assert status == "done"


def test_cancel_stops_a_running_analysis_and_stores_nothing(window, qtbot, model, monkeypatch, tmp_path):
    _need_samples()
    _fresh_cache(monkeypatch, tmp_path)
    from gaitlab.storage import Patient, Visit

    model.add_patient(Patient("P-CAN"))
    visit = model.add_visit(Visit("P-CAN", dt.date.today(), label="cancel"))
    task = model.analyse_video(visit.visit_id, str(shortest_clip()))
    progress = []
    task.progressed.connect(lambda s: progress.append(s.done))
    qtbot.waitUntil(lambda: any(d >= 5 for d in progress), timeout=60_000)
    t0 = time.monotonic()
    row = window.task_panel.rows[-1]
    with qtbot.waitSignal(task.finished, timeout=15_000):
        qtbot.mouseClick(row.findChild(QPushButton, "task_cancel_button"), Qt.LeftButton)
    assert time.monotonic() - t0 < 10
    assert task.outcome == "cancelled"
    assert row.status.text() == "cancelled"
    assert model.list_recordings(visit.visit_id) == []
