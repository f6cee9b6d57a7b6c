"""Forms: add/edit a patient, add a visit (with its walking videos).

The forms build the library's own records (``Patient``, ``Surgery``, ``Visit``) and
run the library's checks before they close, so a wrong value is shown at once as
one sentence under the form and nothing half-made reaches the library.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gaitlab.errors import GaitlabError
from gaitlab.storage.records import (
    RED_FLAGS,
    SEXES,
    TREATMENTS,
    WALKING_AIDS,
    Patient,
    Surgery,
    Visit,
    check_patient,
    check_visit,
)

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mts")
VISIT_LABELS = ("pre-op", "6 weeks", "3 months", "6 months", "1 year", "2 years")
#: View choices of a video: (shown text, value passed to the analysis).
VIEW_CHOICES = (
    ("Auto (detected from the motion)", "auto"),
    ("Sagittal (side view)", "sagittal"),
    ("Frontal (front/back view)", "frontal"),
)


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def _optional_spin(maximum: int, suffix: str = "") -> QSpinBox:
    """An integer box whose lowest value means "not asked" (shown as —)."""
    box = QSpinBox()
    box.setRange(-1, maximum)
    box.setSpecialValueText("— not asked")
    box.setValue(-1)
    if suffix:
        box.setSuffix(suffix)
    return box


def _spin_value(box: QSpinBox) -> int | None:
    return None if box.value() < 0 else int(box.value())


def _set_spin(box: QSpinBox, value) -> None:
    box.setValue(-1 if value is None else int(round(value)))


class _ErrorLabel(QLabel):
    def __init__(self) -> None:
        super().__init__("")
        self.setObjectName("form_error")
        self.setWordWrap(True)
        self.setStyleSheet("color: #b71c1c; font-weight: 600;")
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


class PatientDialog(QDialog):
    """Add or edit a patient: pseudonymous ID, optional name, body data, surgery, notes."""

    def __init__(self, parent: QWidget | None = None, patient: Patient | None = None, *, save=None) -> None:
        super().__init__(parent)
        self.setObjectName("patient_dialog")
        self._save = save
        self.setWindowTitle("Edit patient" if patient else "Add patient")
        self.editing = patient
        self.patient: Patient | None = None
        form = QFormLayout()
        self.patient_id_edit = QLineEdit(objectName="patient_id_edit")
        self.patient_id_edit.setPlaceholderText("pseudonymous ID, e.g. P-0042")
        self.name_edit = QLineEdit(objectName="patient_name_edit")
        self.name_edit.setPlaceholderText("optional")
        self.birth_year_spin = QSpinBox(objectName="birth_year_spin")
        self.birth_year_spin.setRange(1899, dt.date.today().year)
        self.birth_year_spin.setSpecialValueText("— not recorded")
        self.birth_year_spin.setValue(1899)
        self.sex_combo = QComboBox(objectName="sex_combo")
        self.sex_combo.addItem("— not recorded", None)
        for s in SEXES:
            self.sex_combo.addItem(s, s)
        self.height_spin = QDoubleSpinBox(objectName="height_spin")
        self.height_spin.setRange(0, 250)
        self.height_spin.setDecimals(0)
        self.height_spin.setSuffix(" cm")
        self.height_spin.setSpecialValueText("— not recorded (no step length or speed)")
        form.addRow("Patient ID *", self.patient_id_edit)
        form.addRow("Name", self.name_edit)
        form.addRow("Birth year", self.birth_year_spin)
        form.addRow("Sex", self.sex_combo)
        form.addRow("Height", self.height_spin)

        surgery_box = QGroupBox("Lumbar fusion")
        sform = QFormLayout(surgery_box)
        self.surgery_known = QCheckBox("Surgery date known", objectName="surgery_known_check")
        self.surgery_date = QDateEdit(objectName="surgery_date_edit")
        self.surgery_date.setCalendarPopup(True)
        self.surgery_date.setDisplayFormat("yyyy-MM-dd")
        self.surgery_date.setDate(_qdate(dt.date.today()))
        self.surgery_date.setEnabled(False)
        self.surgery_known.toggled.connect(self.surgery_date.setEnabled)
        self.levels_edit = QLineEdit(objectName="levels_edit")
        self.levels_edit.setPlaceholderText("e.g. L4-S1")
        self.sacrum_combo = QComboBox(objectName="sacrum_combo")
        for text, value in (("— from the levels", None), ("yes", True), ("no", False)):
            self.sacrum_combo.addItem(text, value)
        self.approach_edit = QLineEdit(objectName="approach_edit")
        self.approach_edit.setPlaceholderText("e.g. posterior (TLIF)")
        date_row = QHBoxLayout()
        date_row.addWidget(self.surgery_known)
        date_row.addWidget(self.surgery_date, 1)
        sform.addRow("Date", date_row)
        sform.addRow("Fused levels", self.levels_edit)
        sform.addRow("Fused to the sacrum", self.sacrum_combo)
        sform.addRow("Approach", self.approach_edit)

        self.notes_edit = QPlainTextEdit(objectName="patient_notes_edit")
        self.notes_edit.setFixedHeight(70)
        self.error_label = _ErrorLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.setObjectName("patient_dialog_buttons")
        buttons.button(QDialogButtonBox.Save).setObjectName("patient_save_button")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(surgery_box)
        layout.addWidget(QLabel("Notes"))
        layout.addWidget(self.notes_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        if patient is not None:
            self._fill(patient)

    def _fill(self, p: Patient) -> None:
        self.patient_id_edit.setText(p.patient_id)
        self.patient_id_edit.setReadOnly(True)
        self.name_edit.setText(p.name)
        self.birth_year_spin.setValue(p.birth_year or 1899)
        self.sex_combo.setCurrentIndex(max(0, self.sex_combo.findData(p.sex)))
        self.height_spin.setValue(p.height_cm or 0)
        s = p.surgery
        if s.date is not None:
            self.surgery_known.setChecked(True)
            self.surgery_date.setDate(_qdate(s.date))
        self.levels_edit.setText(s.levels)
        self.sacrum_combo.setCurrentIndex({None: 0, True: 1, False: 2}[s.fused_to_sacrum])
        self.approach_edit.setText(s.approach)
        self.notes_edit.setPlainText(p.notes)

    def build_patient(self) -> Patient:
        """The patient the form describes, checked by the library's rules."""
        year = self.birth_year_spin.value()
        height = self.height_spin.value()
        surgery = Surgery(
            date=_pydate(self.surgery_date.date()) if self.surgery_known.isChecked() else None,
            levels=self.levels_edit.text(),
            fused_to_sacrum=self.sacrum_combo.currentData(),
            approach=self.approach_edit.text(),
        )
        patient = Patient(
            patient_id=self.patient_id_edit.text(),
            name=self.name_edit.text(),
            birth_year=None if year <= 1899 else year,
            sex=self.sex_combo.currentData(),
            height_cm=float(height) if height > 0 else None,
            surgery=surgery,
            notes=self.notes_edit.toPlainText(),
        )
        return check_patient(patient)

    def accept(self) -> None:
        """Check the form, then store it with ``save`` (when given); stay open on an error."""
        try:
            patient = self.build_patient()
            self.patient = self._save(patient) if self._save is not None else patient
        except GaitlabError as exc:
            self.error_label.show_message(str(exc))
            return
        super().accept()


class VideoDropTable(QTableWidget):
    """The visit's videos: drop files here (or add them), choose each one's view."""

    files_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setObjectName("video_table")
        self.setHorizontalHeaderLabels(["Video", "View"])
        self.horizontalHeader().setStretchLastSection(False)
        self.horizontalHeader().setSectionResizeMode(0, self.horizontalHeader().ResizeMode.Stretch)
        self.verticalHeader().hide()
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DropOnly)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setMinimumHeight(110)

    # drag and drop of files from the desktop / file manager
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls():
            paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
            self.add_paths(paths)
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    def add_paths(self, paths) -> list[str]:
        """Add video files (other files and duplicates are skipped); returns what was added."""
        added = []
        present = {p for p, _ in self.videos()}
        for raw in paths:
            p = str(Path(raw))
            if p in present or Path(p).suffix.lower() not in VIDEO_SUFFIXES:
                continue
            row = self.rowCount()
            self.insertRow(row)
            item = QTableWidgetItem(Path(p).name)
            item.setData(Qt.UserRole, p)
            item.setToolTip(p)
            item.setFlags(item.flags() & ~Qt.ItemIsEditable)
            self.setItem(row, 0, item)
            combo = QComboBox()
            combo.setObjectName(f"view_combo_{row}")
            for text, value in VIEW_CHOICES:
                combo.addItem(text, value)
            self.setCellWidget(row, 1, combo)
            present.add(p)
            added.append(p)
        if added:
            self.resizeColumnToContents(1)
            self.files_changed.emit()
        return added

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.selectedIndexes()}, reverse=True):
            self.removeRow(row)
        self.files_changed.emit()

    def set_view(self, row: int, view: str) -> None:
        combo = self.cellWidget(row, 1)
        combo.setCurrentIndex(max(0, combo.findData(view)))

    def videos(self) -> list[tuple[str, str]]:
        """(path, view) of every listed video; view is "auto", "sagittal" or "frontal"."""
        out = []
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            combo = self.cellWidget(row, 1)
            if item is not None and combo is not None:
                out.append((item.data(Qt.UserRole), combo.currentData()))
        return out


class VisitDialog(QDialog):
    """Add a visit: date, label, patient-reported scores, treatments, test conditions,
    red flags, notes, and the walking videos to analyse."""

    def __init__(self, patient: Patient, parent: QWidget | None = None, *, save=None) -> None:
        super().__init__(parent)
        self.setObjectName("visit_dialog")
        self._save = save
        self.setWindowTitle(f"Add visit — {patient.display_name}")
        self.patient = patient
        self.visit: Visit | None = None
        self.videos: list[tuple[str, str]] = []

        form = QFormLayout()
        self.date_edit = QDateEdit(objectName="visit_date_edit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(_qdate(dt.date.today()))
        self.label_combo = QComboBox(objectName="visit_label_combo")
        self.label_combo.setEditable(True)
        self.label_combo.addItems(("",) + VISIT_LABELS)
        self.days_label = QLabel("", objectName="days_since_label")
        self.date_edit.dateChanged.connect(self._update_days)
        form.addRow("Date", self.date_edit)
        form.addRow("", self.days_label)
        form.addRow("Label", self.label_combo)

        scores = QGroupBox("Patient-reported (NRS 0–10, 0 = no pain)")
        grid = QFormLayout(scores)
        self.hip_pain_left_spin = _optional_spin(10)
        self.hip_pain_left_spin.setObjectName("hip_pain_left_spin")
        self.hip_pain_right_spin = _optional_spin(10)
        self.hip_pain_right_spin.setObjectName("hip_pain_right_spin")
        self.back_pain_spin = _optional_spin(10)
        self.back_pain_spin.setObjectName("back_pain_spin")
        self.odi_spin = _optional_spin(100, " %")
        self.odi_spin.setObjectName("odi_spin")
        grid.addRow("Hip pain, left", self.hip_pain_left_spin)
        grid.addRow("Hip pain, right", self.hip_pain_right_spin)
        grid.addRow("Back pain", self.back_pain_spin)
        grid.addRow("Oswestry Disability Index", self.odi_spin)

        treat_box = QGroupBox("Current treatments")
        tgrid = QGridLayout(treat_box)
        self.treatment_checks: dict[str, QCheckBox] = {}
        for i, (key, text) in enumerate(TREATMENTS.items()):
            box = QCheckBox(text, objectName=f"treatment_{key}")
            self.treatment_checks[key] = box
            tgrid.addWidget(box, i // 3, i % 3)

        cond_box = QGroupBox("Conditions of the walking test")
        cform = QFormLayout(cond_box)
        self.aid_combo = QComboBox(objectName="walking_aid_combo")
        self.aid_combo.addItem("— not recorded", None)
        for key, text in WALKING_AIDS.items():
            self.aid_combo.addItem(text, key)
        self.footwear_edit = QLineEdit(objectName="footwear_edit")
        self.footwear_edit.setPlaceholderText("e.g. trainers, barefoot")
        self.pain_at_test_spin = _optional_spin(10)
        self.pain_at_test_spin.setObjectName("pain_at_test_spin")
        cform.addRow("Walking aid / orthosis", self.aid_combo)
        cform.addRow("Footwear", self.footwear_edit)
        cform.addRow("Pain during the test (NRS)", self.pain_at_test_spin)

        flag_box = QGroupBox("Red-flag symptoms asked at this visit")
        flag_box.setStyleSheet("QGroupBox { color: #b71c1c; font-weight: 600; }")
        fgrid = QGridLayout(flag_box)
        self.red_flag_checks: dict[str, QCheckBox] = {}
        for i, (key, text) in enumerate(RED_FLAGS.items()):
            box = QCheckBox(text, objectName=f"red_flag_{key}")
            self.red_flag_checks[key] = box
            fgrid.addWidget(box, i // 2, i % 2)

        self.notes_edit = QPlainTextEdit(objectName="visit_notes_edit")
        self.notes_edit.setFixedHeight(50)

        video_box = QGroupBox("Walking videos — drop files here (one side pass and one front pass)")
        vlay = QVBoxLayout(video_box)
        self.video_table = VideoDropTable()
        vlay.addWidget(self.video_table)
        vbuttons = QHBoxLayout()
        add = QPushButton("Add videos…", objectName="add_videos_button")
        add.clicked.connect(self._browse)
        remove = QPushButton("Remove", objectName="remove_video_button")
        remove.clicked.connect(self.video_table.remove_selected)
        vbuttons.addWidget(add)
        vbuttons.addWidget(remove)
        vbuttons.addStretch(1)
        vlay.addLayout(vbuttons)
        hint = QLabel(
            "The view is detected from the motion; choose it here if the detection should be overridden.",
            objectName="hint",
        )
        hint.setWordWrap(True)
        vlay.addWidget(hint)

        self.error_label = _ErrorLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setText("Save and analyse")
        buttons.button(QDialogButtonBox.Save).setObjectName("visit_save_button")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(scores)
        left.addWidget(cond_box)
        right = QVBoxLayout()
        right.addWidget(treat_box)
        right.addWidget(flag_box)
        right.addWidget(QLabel("Notes"))
        right.addWidget(self.notes_edit)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(video_box, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self._update_days()
        self.resize(820, 640)

    def _update_days(self) -> None:
        surgery = self.patient.surgery.date
        if surgery is None:
            self.days_label.setText("no surgery date recorded")
            return
        days = (_pydate(self.date_edit.date()) - surgery).days
        self.days_label.setText(
            f"{days} days after surgery" if days >= 0 else f"{-days} days before surgery"
        )

    def _browse(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Walking videos", "", "Videos (" + " ".join(f"*{s}" for s in VIDEO_SUFFIXES) + ")"
        )
        self.video_table.add_paths(paths)

    def build_visit(self) -> Visit:
        """The visit the form describes, checked by the library's rules."""
        visit = Visit(
            patient_id=self.patient.patient_id,
            date=_pydate(self.date_edit.date()),
            label=self.label_combo.currentText(),
            hip_pain_left_nrs=_spin_value(self.hip_pain_left_spin),
            hip_pain_right_nrs=_spin_value(self.hip_pain_right_spin),
            back_pain_nrs=_spin_value(self.back_pain_spin),
            odi_pct=None if self.odi_spin.value() < 0 else float(self.odi_spin.value()),
            treatments=tuple(k for k, b in self.treatment_checks.items() if b.isChecked()),
            walking_aid=self.aid_combo.currentData(),
            footwear=self.footwear_edit.text(),
            pain_at_test_nrs=_spin_value(self.pain_at_test_spin),
            red_flags=tuple(k for k, b in self.red_flag_checks.items() if b.isChecked()),
            notes=self.notes_edit.toPlainText(),
        )
        return check_visit(visit, self.patient)

    def accept(self) -> None:
        """Check the form and the videos, then store the visit with ``save`` (when given)."""
        missing = [p for p, _ in self.video_table.videos() if not Path(p).is_file()]
        if missing:
            self.error_label.show_message(f"The video {Path(missing[0]).name} no longer exists.")
            return
        try:
            visit = self.build_visit()
            self.videos = self.video_table.videos()
            self.visit = self._save(visit) if self._save is not None else visit
        except GaitlabError as exc:
            self.error_label.show_message(str(exc))
            return
        super().accept()


