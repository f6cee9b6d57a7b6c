"""The patient list: search by ID or name, add, edit, open."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gaitlab.errors import GaitlabError
from gaitlab.storage import Patient
from ui.model import AppModel
from ui.widgets.dialogs import PatientDialog

COLUMNS = ("Patient ID", "Name", "Birth year", "Sex", "Fusion", "Surgery date", "Visits")


def patient_row(patient: Patient, n_visits: int) -> tuple[str, ...]:
    """The texts of one row of the patient table."""
    s = patient.surgery
    fusion = s.levels or "—"
    if s.levels and s.fused_to_sacrum:
        fusion += " (to sacrum)"
    return (
        patient.patient_id,
        patient.name or "—",
        str(patient.birth_year) if patient.birth_year else "—",
        patient.sex or "—",
        fusion,
        s.date.isoformat() if s.date else "—",
        str(n_visits),
    )


class PatientsView(QWidget):
    """Searchable patient table.  Emits ``patient_opened(patient_id)``."""

    patient_opened = Signal(str)
    sample_requested = Signal()

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patients_view")
        self.model = model
        title = QLabel("Patients", objectName="page_title")
        self.search_edit = QLineEdit(objectName="patient_search")
        self.search_edit.setPlaceholderText("Search by patient ID or name")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.refresh)
        self.add_button = QPushButton("Add patient…", objectName="add_patient_button")
        self.add_button.clicked.connect(self.add_patient)
        self.edit_button = QPushButton("Edit…", objectName="edit_patient_button")
        self.edit_button.clicked.connect(self.edit_selected)
        self.open_button = QPushButton("Open", objectName="open_patient_button")
        self.open_button.setProperty("class", "primary")
        self.open_button.clicked.connect(self.open_selected)
        self.table = QTableWidget(0, len(COLUMNS), objectName="patient_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.empty_panel = QWidget(objectName="empty_library_panel")
        empty = QVBoxLayout(self.empty_panel)
        empty_text = QLabel(
            "The library is empty. Add a patient, or open the sample patient to see what "
            "gaitlab shows: a synthetic patient after an L4–S1 fusion with three visits.",
            objectName="hint",
        )
        empty_text.setWordWrap(True)
        self.sample_button = QPushButton("Open the sample patient", objectName="open_sample_button")
        self.sample_button.setObjectName("open_sample_button")
        self.sample_button.clicked.connect(self.sample_requested)
        empty.addWidget(empty_text)
        empty.addWidget(self.sample_button, 0, Qt.AlignLeft)

        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(bar)
        layout.addWidget(self.empty_panel)
        layout.addWidget(self.table, 1)
        model.patients_changed.connect(self.refresh)
        model.library_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        selected = self.selected_patient_id()
        try:
            patients = self.model.find_patients(self.search_edit.text())
        except GaitlabError as exc:
            self.model.message.emit(str(exc))
            patients = []
        self.table.setRowCount(len(patients))
        for r, p in enumerate(patients):
            n_visits = len(self.model.list_visits(p.patient_id))
            for c, text in enumerate(patient_row(p, n_visits)):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, p.patient_id)
                self.table.setItem(r, c, item)
            if p.patient_id == selected:
                self.table.selectRow(r)
        self.empty_panel.setVisible(not patients and not self.search_edit.text())
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.selected_patient_id() is not None
        self.edit_button.setEnabled(has)
        self.open_button.setEnabled(has)

    def selected_patient_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return item.data(Qt.UserRole) if item else None

    def select_patient(self, patient_id: str) -> bool:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.UserRole) == patient_id:
                self.table.selectRow(r)
                return True
        return False

    def add_patient(self) -> None:
        dialog = PatientDialog(self, save=self.model.add_patient)
        if dialog.exec():
            self.select_patient(dialog.patient.patient_id)

    def edit_selected(self) -> None:
        pid = self.selected_patient_id()
        if pid is None:
            return
        dialog = PatientDialog(self, self.model.get_patient(pid), save=self.model.update_patient)
        if dialog.exec():
            self.select_patient(pid)

    def open_selected(self) -> None:
        pid = self.selected_patient_id()
        if pid is not None:
            self.patient_opened.emit(pid)


def show_error(parent: QWidget, title: str, message: str) -> QMessageBox:
    """A one-sentence error (no traceback), window-modal, without blocking the event loop."""
    box = QMessageBox(QMessageBox.Warning, title, message, QMessageBox.Ok, parent)
    box.setObjectName("error_box")
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.open()
    return box
