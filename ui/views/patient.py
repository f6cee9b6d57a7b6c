"""The patient page: who the patient is, the visit timeline, and each visit's recordings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gaitlab.errors import GaitlabError
from gaitlab.storage import WALKING_AIDS, Patient, Recording, Visit
from ui.model import AppModel
from ui.theme import RED_FLAG_COLOR
from ui.widgets.dialogs import PatientDialog, VisitDialog

VISIT_COLUMNS = (
    "Date", "Label", "Days since surgery", "Hip pain L", "Hip pain R", "Back pain", "ODI %",
    "Walking aid", "Red flags", "Recordings",
)
RECORDING_COLUMNS = ("Video", "View", "Status", "Cycles L/R", "Cadence", "Warnings")


def _num(value, fmt: str = "{:g}") -> str:
    return "—" if value is None else fmt.format(value)


def days_text(days: int | None) -> str:
    """'+42' after surgery, '−14' before it, '—' without a surgery date."""
    if days is None:
        return "—"
    return f"+{days}" if days > 0 else ("0 (day of surgery)" if days == 0 else f"−{-days}")


def visit_row(visit: Visit, n_recordings: int) -> tuple[str, ...]:
    """The texts of one row of the visit timeline."""
    return (
        visit.date.isoformat(),
        visit.label or "—",
        days_text(visit.days_since_surgery),
        _num(visit.hip_pain_left_nrs),
        _num(visit.hip_pain_right_nrs),
        _num(visit.back_pain_nrs),
        _num(visit.odi_pct, "{:.0f}"),
        WALKING_AIDS.get(visit.walking_aid, "—") if visit.walking_aid else "—",
        ("⚑ " + visit.red_flag_text) if visit.has_red_flags else "none",
        str(n_recordings),
    )


def recording_row(rec: Recording) -> tuple[str, ...]:
    """The texts of one row of a visit's recordings."""
    m = rec.metrics or {}
    cycles = m.get("n_cycles") or {}
    cadence = m.get("cadence_steps_per_min")
    warnings = rec.warning or ""
    if rec.result:
        warnings = " ".join(rec.result.get("quality", {}).get("warnings", [])) or warnings  # whole sentences
    return (
        Path(rec.video_path).name,
        rec.view,
        "analysed" if rec.status == "ok" else "too little walking",
        f"{cycles.get('left', 0)}/{cycles.get('right', 0)}" if cycles else "—",
        f"{cadence:.1f} steps/min" if isinstance(cadence, (int, float)) else "—",
        warnings or "none",
    )


def patient_summary(p: Patient) -> str:
    parts = [p.display_name]
    if p.birth_year:
        parts.append(f"born {p.birth_year}")
    if p.sex:
        parts.append(p.sex)
    if p.height_cm:
        parts.append(f"{p.height_cm:.0f} cm")
    s = p.surgery
    if s.levels or s.date:
        fusion = "fusion " + (s.levels or "(levels not recorded)")
        if s.fused_to_sacrum:
            fusion += " to the sacrum"
        if s.approach:
            fusion += f", {s.approach}"
        if s.date:
            fusion += f", operated {s.date.isoformat()}"
        parts.append(fusion)
    return " · ".join(parts)


class PatientView(QWidget):
    """Visit timeline and recordings of one patient.

    Signals: ``compare_requested(patient_id)``, ``trend_requested(patient_id)``,
    ``report_requested(patient_id)``, ``export_requested(patient_id)``,
    ``recording_opened(recording_id)``, ``back_requested()``.
    """

    compare_requested = Signal(str)
    trend_requested = Signal(str)
    report_requested = Signal(str)
    export_requested = Signal(str)
    recording_opened = Signal(int)
    back_requested = Signal()

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patient_view")
        self.model = model
        self.patient: Patient | None = None
        self.visits: list[Visit] = []
        self.recordings: list[Recording] = []

        self.title = QLabel("", objectName="page_title")
        self.summary = QLabel("", objectName="patient_summary")
        self.summary.setWordWrap(True)
        self.red_flag_banner = QLabel("", objectName="red_flag_banner")
        self.red_flag_banner.setWordWrap(True)
        self.red_flag_banner.hide()
        back = QPushButton("◀ Patients", objectName="back_to_patients_button")
        back.clicked.connect(self.back_requested)
        edit = QPushButton("Edit patient…", objectName="edit_patient_page_button")
        edit.clicked.connect(self.edit_patient)
        self.add_visit_button = QPushButton("Add visit…", objectName="add_visit_button")
        self.add_visit_button.clicked.connect(self.add_visit)
        self.compare_button = QPushButton("Compare visits", objectName="compare_button")
        self.compare_button.clicked.connect(lambda: self.compare_requested.emit(self.patient.patient_id))
        self.trend_button = QPushButton("Trend", objectName="trend_button")
        self.trend_button.clicked.connect(lambda: self.trend_requested.emit(self.patient.patient_id))
        self.report_button = QPushButton("Report (PDF)…", objectName="report_button")
        self.report_button.clicked.connect(lambda: self.report_requested.emit(self.patient.patient_id))
        self.export_button = QPushButton("Export data…", objectName="export_data_button")
        self.export_button.clicked.connect(lambda: self.export_requested.emit(self.patient.patient_id))
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        top.addWidget(edit)
        top.addWidget(self.add_visit_button)
        top.addWidget(self.compare_button)
        top.addWidget(self.trend_button)
        top.addWidget(self.report_button)
        top.addWidget(self.export_button)

        self.visit_table = QTableWidget(0, len(VISIT_COLUMNS), objectName="visit_table")
        self.visit_table.setHorizontalHeaderLabels(VISIT_COLUMNS)
        self._setup_table(self.visit_table)
        self.visit_table.itemSelectionChanged.connect(self._show_recordings)

        self.recording_table = QTableWidget(0, len(RECORDING_COLUMNS), objectName="recording_table")
        self.recording_table.setHorizontalHeaderLabels(RECORDING_COLUMNS)
        self._setup_table(self.recording_table)
        self.recording_table.doubleClicked.connect(lambda _i: self.open_recording())
        self.recording_table.setContextMenuPolicy(Qt.CustomContextMenu)
        self.recording_table.customContextMenuRequested.connect(self._recording_menu)
        self.open_recording_button = QPushButton("Open recording", objectName="open_recording_button")
        self.open_recording_button.clicked.connect(self.open_recording)
        self.add_videos_button = QPushButton("Add videos to this visit…", objectName="add_videos_to_visit_button")
        self.add_videos_button.clicked.connect(self.add_videos_to_visit)
        self.visit_notes = QLabel("", objectName="visit_notes")
        self.visit_notes.setWordWrap(True)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        rec_bar = QHBoxLayout()
        rec_bar.addWidget(QLabel("Recordings of the selected visit", objectName="section_title"))
        rec_bar.addStretch(1)
        rec_bar.addWidget(self.add_videos_button)
        rec_bar.addWidget(self.open_recording_button)
        lower_layout.addLayout(rec_bar)
        lower_layout.addWidget(self.visit_notes)
        lower_layout.addWidget(self.recording_table, 1)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(QLabel("Visits", objectName="section_title"))
        upper_layout.addWidget(self.visit_table, 1)
        split = QSplitter(Qt.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.red_flag_banner)
        layout.addWidget(split, 1)
        model.visits_changed.connect(self._on_visits_changed)
        model.recordings_changed.connect(lambda _v: self._show_recordings())
        model.patients_changed.connect(self._reload_patient)

    @staticmethod
    def _setup_table(table: QTableWidget) -> None:
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        # headings over their values (a stretched last column would centre its heading far from them)
        table.horizontalHeader().setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)

    # -- loading -----------------------------------------------------------------
    def show_patient(self, patient_id: str) -> None:
        self.patient = self.model.get_patient(patient_id)
        self.refresh()

    def _reload_patient(self) -> None:
        if self.patient is not None:
            try:
                self.patient = self.model.get_patient(self.patient.patient_id)
            except GaitlabError:
                self.patient = None
                return
            self.refresh()

    def _on_visits_changed(self, patient_id: str) -> None:
        if self.patient is not None and patient_id == self.patient.patient_id:
            self.refresh()

    def refresh(self) -> None:
        if self.patient is None:
            return
        p = self.patient
        self.title.setText(p.display_name)
        self.summary.setText(patient_summary(p))
        selected = self.selected_visit()
        self.visits = self.model.list_visits(p.patient_id)
        self.visit_table.setRowCount(len(self.visits))
        flagged = []
        for r, v in enumerate(self.visits):
            n = len(self.model.list_recordings(v.visit_id))
            for c, text in enumerate(visit_row(v, n)):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, v.visit_id)
                if v.has_red_flags:
                    item.setForeground(QBrush(QColor(RED_FLAG_COLOR)))
                    if VISIT_COLUMNS[c] == "Red flags":
                        item.setBackground(QBrush(QColor("#fdecea")))
                        f = item.font()
                        f.setBold(True)
                        item.setFont(f)
                self.visit_table.setItem(r, c, item)
            if v.has_red_flags:
                flagged.append(v)
        if flagged:
            self.red_flag_banner.setText(
                "⚑ Red-flag symptoms were reported: "
                + "; ".join(f"{v.date.isoformat()} ({v.label or 'visit'}): {v.red_flag_text}" for v in flagged)
                + ". These need clinical review before any gait finding."
            )
        self.red_flag_banner.setVisible(bool(flagged))
        analysed = sum(1 for v in self.visits if self.model.list_recordings(v.visit_id))
        self.compare_button.setEnabled(analysed >= 2)
        self.trend_button.setEnabled(analysed >= 1)
        self.report_button.setEnabled(analysed >= 1)
        self.export_button.setEnabled(analysed >= 1)
        row = next((i for i, v in enumerate(self.visits) if selected and v.visit_id == selected.visit_id),
                   len(self.visits) - 1)
        if row >= 0:
            self.visit_table.selectRow(row)
        self._show_recordings()

    def selected_visit(self) -> Visit | None:
        model = self.visit_table.selectionModel()
        rows = model.selectedRows() if model else []
        if not rows or rows[0].row() >= len(self.visits):
            return None
        return self.visits[rows[0].row()]

    def _show_recordings(self) -> None:
        visit = self.selected_visit()
        self.recordings = self.model.list_recordings(visit.visit_id, with_result=True) if visit else []
        self.recording_table.setRowCount(len(self.recordings))
        for r, rec in enumerate(self.recordings):
            for c, text in enumerate(recording_row(rec)):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, rec.recording_id)
                if c == len(RECORDING_COLUMNS) - 1:
                    item.setToolTip(text)
                self.recording_table.setItem(r, c, item)
        if self.recordings:
            self.recording_table.selectRow(0)
        self.open_recording_button.setEnabled(bool(self.recordings))
        self.add_videos_button.setEnabled(visit is not None)
        self.visit_notes.setText(visit.notes if visit and visit.notes else "")
        self.visit_notes.setVisible(bool(visit and visit.notes))

    def selected_recording(self) -> Recording | None:
        model = self.recording_table.selectionModel()
        rows = model.selectedRows() if model else []
        if not rows or rows[0].row() >= len(self.recordings):
            return None
        return self.recordings[rows[0].row()]

    # -- actions -------------------------------------------------------------------
    def edit_patient(self) -> None:
        if self.patient is None:
            return
        dialog = PatientDialog(self, self.patient, save=self.model.update_patient)
        if dialog.exec():
            self.patient = dialog.patient
            self.refresh()

    def add_visit(self) -> VisitDialog | None:
        if self.patient is None:
            return None
        dialog = VisitDialog(self.patient, self, save=self.model.add_visit)
        if not dialog.exec():
            return None
        stored = dialog.visit
        for path, view in dialog.videos:
            self.model.analyse_video(stored.visit_id, path, view)
        self.select_visit(stored.visit_id)
        return dialog

    def add_videos_to_visit(self) -> None:
        visit = self.selected_visit()
        if visit is None:
            return
        from PySide6.QtWidgets import QFileDialog

        from ui.widgets.dialogs import VIDEO_SUFFIXES

        paths, _ = QFileDialog.getOpenFileNames(
            self, "Walking videos", "", "Videos (" + " ".join(f"*{s}" for s in VIDEO_SUFFIXES) + ")"
        )
        for p in paths:
            self.model.analyse_video(visit.visit_id, p, "auto")

    def select_visit(self, visit_id: int) -> None:
        for r, v in enumerate(self.visits):
            if v.visit_id == visit_id:
                self.visit_table.selectRow(r)
                return

    def open_recording(self) -> None:
        rec = self.selected_recording()
        if rec is not None:
            self.recording_opened.emit(rec.recording_id)

    def _recording_menu(self, pos) -> None:
        rec = self.selected_recording()
        if rec is None:
            return
        menu = QMenu(self)
        menu.addAction("Open", self.open_recording)
        other = "frontal" if rec.view == "sagittal" else "sagittal"
        menu.addAction(f"Analyse again as {other} view", lambda: self.model.reanalyse(rec, other))
        menu.exec(self.recording_table.viewport().mapToGlobal(pos))
