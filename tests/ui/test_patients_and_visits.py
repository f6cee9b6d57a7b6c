"""Patients list, patient dialog and visit dialog, driven through their widgets by object name."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QPushButton, QTableWidget

from gaitlab.storage import Patient, Surgery, Visit
from tests.ui.conftest import on_next_modal


def _fill_patient(dialog, patient_id="P-0042", name="", height=172, levels="L4-S1"):
    dialog.findChild(QLineEdit, "patient_id_edit").setText(patient_id)
    dialog.findChild(QLineEdit, "patient_name_edit").setText(name)
    dialog.height_spin.setValue(height)
    dialog.findChild(QLineEdit, "levels_edit").setText(levels)
    dialog.surgery_known.setChecked(True)
    dialog.surgery_date.setDate(dialog.surgery_date.date().addDays(-60))


def _table_texts(table: QTableWidget, column: int = 0) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def test_an_empty_library_offers_the_sample_patient(window):
    view = window.patients_view
    assert view.findChild(QPushButton, "open_sample_button").isVisibleTo(view)
    assert view.table.rowCount() == 0


def test_add_a_patient_with_the_dialog(window, qtbot, model):
    view = window.patients_view

    def fill_and_save(dialog):
        _fill_patient(dialog, "P-0042", "Jane Roe")
        dialog.findChild(QPushButton, "patient_save_button").click()

    on_next_modal(fill_and_save)
    qtbot.mouseClick(view.findChild(QPushButton, "add_patient_button"), Qt.LeftButton)
    table = view.findChild(QTableWidget, "patient_table")
    assert _table_texts(table) == ["P-0042"]
    assert table.item(0, 1).text() == "Jane Roe"
    assert table.item(0, 4).text() == "L4-S1 (to sacrum)"
    stored = model.get_patient("P-0042")
    assert stored.height_cm == 172 and stored.surgery.fused_to_sacrum is True
    assert not view.findChild(QPushButton, "open_sample_button").isVisibleTo(view)


def test_a_bad_value_keeps_the_dialog_open_with_one_sentence(window, qtbot, model):
    seen = {}

    def fill_bad(dialog):
        _fill_patient(dialog, "P 42 !")
        dialog.findChild(QPushButton, "patient_save_button").click()
        error = dialog.findChild(QLabel, "form_error")
        seen["visible"] = dialog.isVisible() and error.isVisible()
        seen["text"] = error.text()
        dialog.reject()

    on_next_modal(fill_bad)
    window.patients_view.add_patient()
    assert seen["visible"]
    assert "may only hold letters" in seen["text"] and "\n" not in seen["text"]
    assert model.find_patients("") == []


def test_a_duplicate_id_is_refused_by_the_library(window, qtbot, model):
    model.add_patient(Patient("P-1"))
    seen = {}

    def fill_dup(dialog):
        _fill_patient(dialog, "P-1")
        dialog.findChild(QPushButton, "patient_save_button").click()
        seen["text"] = dialog.findChild(QLabel, "form_error").text()
        dialog.reject()

    on_next_modal(fill_dup)
    window.patients_view.add_patient()
    assert "P-1" in seen["text"]
    assert len(model.find_patients("")) == 1


def test_search_filters_by_id_and_name(window, model, qtbot):
    model.add_patient(Patient("P-0001", name="Ann Smith"))
    model.add_patient(Patient("P-0002", name="Bob Jones"))
    model.add_patient(Patient("Q-0003"))
    view = window.patients_view
    search = view.findChild(QLineEdit, "patient_search")
    qtbot.keyClicks(search, "jones")
    assert _table_texts(view.table) == ["P-0002"]
    search.setText("P-")
    assert _table_texts(view.table) == ["P-0001", "P-0002"]
    search.setText("")
    assert _table_texts(view.table) == ["P-0001", "P-0002", "Q-0003"]


def test_edit_a_patient(window, model, qtbot):
    model.add_patient(Patient("P-7", name="Old"))
    view = window.patients_view
    view.refresh()
    view.select_patient("P-7")

    def rename(dialog):
        assert dialog.findChild(QLineEdit, "patient_id_edit").isReadOnly()
        dialog.findChild(QLineEdit, "patient_name_edit").setText("New Name")
        dialog.findChild(QPushButton, "patient_save_button").click()

    on_next_modal(rename)
    qtbot.mouseClick(view.findChild(QPushButton, "edit_patient_button"), Qt.LeftButton)
    assert model.get_patient("P-7").name == "New Name"
    assert view.table.item(0, 1).text() == "New Name"


def _drop_files(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(widget.viewport().rect().center())
    enter = QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    widget.dropEvent(enter)


def test_visit_dialog_takes_dropped_videos_and_a_view_override(qtbot, tmp_path):
    from ui.widgets.dialogs import VisitDialog

    side = tmp_path / "walk_side.mp4"
    front = tmp_path / "walk_front.MOV"
    notes = tmp_path / "notes.txt"
    for p in (side, front, notes):
        p.write_bytes(b"x")
    patient = Patient("P-9", surgery=Surgery(date=dt.date.today() - dt.timedelta(days=42)))
    dialog = VisitDialog(patient)
    qtbot.addWidget(dialog)
    table = dialog.video_table
    _drop_files(table, [side, front, notes, side])
    assert [p for p, _ in table.videos()] == [str(side), str(front)]
    assert [v for _, v in table.videos()] == ["auto", "auto"]
    table.set_view(1, "frontal")
    assert table.videos()[1][1] == "frontal"
    assert dialog.days_label.text() == "42 days after surgery"
    dialog.hip_pain_right_spin.setValue(6)
    dialog.findChild(type(dialog.red_flag_checks["fever"]), "red_flag_fever").setChecked(True)
    dialog.treatment_checks["pelvic_belt"].setChecked(True)
    dialog.label_combo.setCurrentText("6 weeks")
    visit = dialog.build_visit()
    assert visit.hip_pain_right_nrs == 6 and visit.hip_pain_left_nrs is None
    assert visit.red_flags == ("fever",) and visit.treatments == ("pelvic_belt",)
    assert visit.days_since_surgery == 42 and visit.label == "6 weeks"


def test_a_visit_in_the_future_is_refused_in_the_dialog(qtbot):
    from ui.widgets.dialogs import VisitDialog

    dialog = VisitDialog(Patient("P-9"))
    qtbot.addWidget(dialog)
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(30))
    dialog.button_box = dialog.findChild(QDialogButtonBox)
    dialog.findChild(QPushButton, "visit_save_button").click()
    assert "in the future" in dialog.error_label.text()
    assert dialog.visit is None


def test_patient_page_shows_the_timeline_and_red_flags(window, model, qtbot):
    surgery = dt.date.today() - dt.timedelta(days=100)
    model.add_patient(Patient("P-5", surgery=Surgery(date=surgery, levels="L4-L5")))
    model.add_visit(Visit("P-5", surgery - dt.timedelta(days=10), label="pre-op", back_pain_nrs=7))
    model.add_visit(Visit("P-5", surgery + dt.timedelta(days=42), label="6 weeks",
                          hip_pain_right_nrs=5, red_flags=("bladder_bowel_change",)))
    window.show_patient("P-5")
    page = window.patient_view
    table = page.findChild(QTableWidget, "visit_table")
    assert _table_texts(table, 1) == ["pre-op", "6 weeks"]
    assert _table_texts(table, 2) == ["−10", "+42"]
    assert table.item(1, 8).text().startswith("⚑") and "bladder" in table.item(1, 8).text()
    banner = page.findChild(QLabel, "red_flag_banner")
    assert banner.isVisibleTo(page) and "bladder or bowel change" in banner.text()
    assert not page.findChild(QPushButton, "compare_button").isEnabled()  # nothing analysed yet


def test_add_visit_from_the_patient_page(window, model, qtbot, tmp_path):
    model.add_patient(Patient("P-6"))
    window.show_patient("P-6")
    page = window.patient_view

    def fill(dialog):
        dialog.label_combo.setCurrentText("3 months")
        dialog.back_pain_spin.setValue(4)
        dialog.findChild(QPushButton, "visit_save_button").click()

    on_next_modal(fill)
    qtbot.mouseClick(page.findChild(QPushButton, "add_visit_button"), Qt.LeftButton)
    visits = model.list_visits("P-6")
    assert [(v.label, v.back_pain_nrs) for v in visits] == [("3 months", 4)]
    assert _table_texts(page.visit_table, 1) == ["3 months"]


def test_a_file_that_is_not_a_video_fails_with_one_sentence(window, qtbot, model, tmp_path):
    from gaitlab.storage import Patient, Visit

    fake = tmp_path / "walk.mp4"
    fake.write_bytes(b"this is not a video")
    model.add_patient(Patient("P-ERR"))
    visit = model.add_visit(Visit("P-ERR", dt.date.today(), label="error"))
    task = model.analyse_video(visit.visit_id, str(fake))
    qtbot.waitUntil(lambda: task.outcome is not None, timeout=30_000)
    assert task.outcome == "failed"
    text = window.task_panel.rows[-1].status.text()
    assert "walk.mp4" in text and "Traceback" not in text and "\n" not in text
    assert model.list_recordings(visit.visit_id) == []
