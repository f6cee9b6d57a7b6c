"""The app's export buttons on the sample patient: PDF report, data export, recording report,
annotated video; options and their defaults, confirmation before faces stay visible, one-sentence
errors, cancel, and nothing half-written.

The sample patient's pre-op and 6-week visits (side and front view each) are imported the way
``gaitlab demo`` does it, with the real pose model (``@pytest.mark.model``); the exports run in
child processes, as in the app.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from tests.core.test_report_kit import SAMPLE_PAIR, import_sample_visits, sample_description
from tests.ui.conftest import close_window, on_next_modal, open_window

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(900)]

TASK_TIMEOUT_MS = 400_000


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory):
    desc = sample_description()
    if desc is None:
        pytest.skip("the sample clips are missing from sample_videos/ (run `gaitlab samples`)")
    from gaitlab.storage import Library

    tmp = tmp_path_factory.mktemp("export-library")
    path = tmp / "library.sqlite"
    with Library(path) as lib:
        patient_id = import_sample_visits(lib, tmp)
    return path, patient_id, desc


@pytest.fixture
def window(qtbot, sample_library, tmp_path):
    w = open_window(qtbot, sample_library[0], tmp_path)
    yield w
    close_window(w)


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def _submitted(qtbot, window, trigger):
    """Run ``trigger`` (which opens a modal dialog answered by an on_next_modal handler); the task."""
    with qtbot.waitSignal(window.model.tasks.task_added, timeout=30_000) as blocker:
        trigger()
    return blocker.args[0]


def _wait(qtbot, task):
    qtbot.waitUntil(lambda: task.outcome is not None, timeout=TASK_TIMEOUT_MS)
    return task


def _answer(dialog, **fields):
    """Fill the export dialog like a user (path, options) and press its OK button."""
    from ui.widgets.export_dialog import ExportDialog

    assert isinstance(dialog, ExportDialog)
    for name, value in fields.items():
        widget = getattr(dialog, name)
        if hasattr(widget, "setChecked") and isinstance(value, bool):
            widget.setChecked(value)
        elif hasattr(widget, "findData"):
            widget.setCurrentIndex(widget.findData(value))
        else:
            widget.setText(str(value))
    dialog.findChild(QPushButton, "export_ok_button").click()


def _visit_ids(window, patient_id):
    return {v.label: v.visit_id for v in window.model.list_visits(patient_id)}


def test_patient_report_from_the_patient_page(window, qtbot, sample_library, tmp_path):
    _, patient_id, desc = sample_library
    window.show_patient(patient_id)
    button = window.patient_view.findChild(QPushButton, "report_button")
    assert button.isEnabled()
    ids = _visit_ids(window, patient_id)
    seen = {}

    def fill(dialog):
        # defaults: the selected (latest) visit against the one before it, pseudonym only, blurred
        seen["visits"] = (dialog.compare_combo.currentData(), dialog.visit_combo.currentData())
        seen["defaults"] = (dialog.name_check.isChecked(), dialog.blur_check.isChecked(),
                            dialog.key_frames_check.isChecked(), dialog.paper_combo.currentData())
        seen["proposed"] = dialog.path_edit.text()
        _answer(dialog, path_edit=tmp_path / "report.pdf", paper_combo="letter")

    on_next_modal(fill)
    task = _wait(qtbot, _submitted(qtbot, window, lambda: qtbot.mouseClick(button, Qt.LeftButton)))
    assert task.outcome == "succeeded", task.error_message
    assert seen["visits"] == (ids[SAMPLE_PAIR[0]], ids[SAMPLE_PAIR[1]])
    assert seen["defaults"] == (False, True, True, "a4")
    assert patient_id in seen["proposed"] and "Sample" not in seen["proposed"]
    out = tmp_path / "report.pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]
    text = _pdf_text(out)
    assert "Visit comparison" in text and patient_id in text
    for v in desc["visits"][:2]:
        assert f"{v['label']} ({v['date']})" in text
    assert desc["patient"]["name"] not in text  # the name only on request
    assert "face blurred" in text and "face NOT blurred" not in text
    from pypdf import PdfReader

    page = PdfReader(str(out)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    assert f"Written: {out}" in window.statusBar().currentMessage()


def test_data_export_from_the_menu(window, qtbot, sample_library, tmp_path):
    _, patient_id, desc = sample_library
    window.show_patient(patient_id)
    assert window.patient_data_action.isEnabled()
    folder = tmp_path / "export"
    on_next_modal(lambda d: _answer(d, path_edit=folder, trc_check=True))
    task = _wait(qtbot, _submitted(qtbot, window, window.patient_data_action.trigger))
    assert task.outcome == "succeeded", task.error_message
    recordings = [r for v in window.model.list_visits(patient_id) for r in window.model.list_recordings(v.visit_id)]
    assert len(recordings) == 4
    with (folder / "metrics.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(recordings)  # one row per recording
    assert {r["patient_id"] for r in rows} == {patient_id}
    assert sorted(int(r["recording_id"]) for r in rows) == sorted(r.recording_id for r in recordings)
    assert len(list(folder.glob("*_pose.trc"))) == 4 and len(list(folder.glob("*_cycles.csv"))) == 4
    assert not list(folder.glob("*.mp4"))  # annotated videos only on request
    name = desc["patient"]["name"]
    for f in folder.iterdir():
        assert f.name.startswith(patient_id) or f.name == "metrics.csv"
        body = f.read_text(encoding="utf-8")
        assert name not in body and ".mp4" not in body, f.name  # no name, no video file names
    doc = json.loads(next(folder.glob("*_analysis.json")).read_text(encoding="utf-8"))
    assert doc["video"]["path"] == "(removed)" and doc["video"]["sha256"]


def test_dialog_errors_and_the_blur_confirmation(window, qtbot, sample_library, tmp_path):
    _, patient_id, _ = sample_library
    window.show_patient(patient_id)
    ids = _visit_ids(window, patient_id)
    outcome = {}

    def fill(dialog):
        # a visit compared with itself: one sentence, the dialog stays open
        dialog.compare_combo.setCurrentIndex(dialog.compare_combo.findData(dialog.visit_combo.currentData()))
        dialog.path_edit.setText(str(tmp_path / "r.pdf"))
        dialog.findChild(QPushButton, "export_ok_button").click()
        outcome["itself"] = dialog.error_label.text() if dialog.isVisible() else ""
        # a folder that does not exist
        dialog.compare_combo.setCurrentIndex(0)
        dialog.path_edit.setText(str(tmp_path / "missing" / "r.pdf"))
        dialog.findChild(QPushButton, "export_ok_button").click()
        outcome["missing"] = dialog.error_label.text() if dialog.isVisible() else ""
        # turning the blur off asks first; "Blur faces" keeps it on
        answers = []

        def answer_box():
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(20, answer_box)
                return
            answers.append(box.text())
            box.button(QMessageBox.No).click()

        QTimer.singleShot(0, answer_box)
        dialog.blur_check.setChecked(False)
        outcome["asked"] = answers
        outcome["blur_after_no"] = dialog.blur_check.isChecked()
        dialog.reject()

    on_next_modal(fill)
    assert window.export_patient_report() is None
    assert "compared with itself" in outcome["itself"]
    assert "does not exist" in outcome["missing"]
    assert outcome["asked"] and "recognised" in outcome["asked"][0]
    assert outcome["blur_after_no"] is True
    assert list(tmp_path.iterdir()) == []
    assert ids  # the patient's visits were offered


def test_cancelled_export_leaves_nothing(window, qtbot, sample_library, tmp_path):
    _, patient_id, _ = sample_library
    window.show_patient(patient_id)
    folder = tmp_path / "export"
    on_next_modal(lambda d: _answer(d, path_edit=folder, video_check=True))
    task = _submitted(qtbot, window, window.patient_data_action.trigger)
    row = next(r for r in window.task_panel.rows if r.task is task)
    qtbot.waitUntil(lambda: "annotated video" in row.status.text(), timeout=TASK_TIMEOUT_MS)
    qtbot.mouseClick(row.cancel_button, Qt.LeftButton)
    _wait(qtbot, task)
    assert task.outcome == "cancelled"
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


def test_recording_report_and_annotated_video_from_the_menu(window, qtbot, sample_library, tmp_path):
    _, patient_id, desc = sample_library
    visit_id = _visit_ids(window, patient_id)[SAMPLE_PAIR[1]]
    rec = next(r for r in window.model.list_recordings(visit_id) if r.view == "frontal")
    window.show_patient(patient_id)
    assert not window.annotated_video_action.isEnabled()  # no recording open
    window.show_recording(rec.recording_id)
    assert window.annotated_video_action.isEnabled() and window.recording_report_action.isEnabled()

    on_next_modal(lambda d: _answer(d, path_edit=tmp_path / "rec.pdf"))
    task = _wait(qtbot, _submitted(qtbot, window, window.recording_report_action.trigger))
    assert task.outcome == "succeeded", task.error_message
    text = _pdf_text(tmp_path / "rec.pdf")
    assert patient_id in text and "frontal view" in text and "pelvic drop" in text
    assert desc["patient"]["name"] not in text

    out = tmp_path / "walk.mp4"
    on_next_modal(lambda d: _answer(d, path_edit=out))
    task = _wait(qtbot, _submitted(qtbot, window, window.annotated_video_action.trigger))
    assert task.outcome == "succeeded", task.error_message
    from gaitlab.io.video import probe_video

    written, source = probe_video(out, with_sha256=False), probe_video(rec.video_path, with_sha256=False)
    assert written.frame_count == source.frame_count
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.pdf", "walk.mp4"]
