"""The main window: navigation between the views, the task panel, settings, first run."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from gaitlab.errors import GaitlabError
from ui.model import AppModel
from ui.views.compare import CompareView
from ui.views.patient import PatientView
from ui.views.patients import PatientsView, show_error
from ui.views.recording import RecordingView
from ui.views.trend import TrendView
from ui.widgets.export_dialog import ExportActions
from ui.widgets.settings_dialog import SettingsDialog
from ui.widgets.tasks import TaskPanel

log = logging.getLogger(__name__)

#: The sample patient shipped with gaitlab (``gaitlab samples`` remakes it).
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_videos"


class MainWindow(QMainWindow):
    """gaitlab's window.

    Signals: ``sample_opened(patient_id)`` once the sample patient is imported and
    its comparison is on screen.
    """

    sample_opened = Signal(str)

    def __init__(self, model: AppModel, *, sample_dir: Path = SAMPLE_DIR) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("gaitlab — gait after lumbar fusion")
        self.model = model
        self.sample_dir = Path(sample_dir)
        self.stack = QStackedWidget(objectName="view_stack")
        self.patients_view = PatientsView(model)
        self.patient_view = PatientView(model)
        self.recording_view = RecordingView(model)
        self.compare_view = CompareView(model)
        self.trend_view = TrendView(model)
        for view in (self.patients_view, self.patient_view, self.recording_view,
                     self.compare_view, self.trend_view):
            self.stack.addWidget(view)
        self.setCentralWidget(self.stack)

        self.task_panel = TaskPanel(model.tasks)
        dock = QDockWidget("Analyses", self)
        dock.setObjectName("task_dock")
        dock.setWidget(self.task_panel)
        dock.setFeatures(QDockWidget.NoDockWidgetFeatures)
        dock.setTitleBarWidget(QWidget())
        self.addDockWidget(Qt.BottomDockWidgetArea, dock)
        self.task_dock = dock
        dock.setVisible(False)
        model.tasks.task_added.connect(lambda _t: dock.setVisible(True))

        toolbar = self.addToolBar("Navigation")
        toolbar.setObjectName("navigation_toolbar")
        toolbar.setMovable(False)
        self.patients_action = QAction("Patients", self, objectName="patients_action")
        self.patients_action.setShortcut(QKeySequence("Ctrl+P"))
        self.patients_action.triggered.connect(self.show_patients)
        self.settings_action = QAction("Settings…", self, objectName="settings_action")
        self.settings_action.triggered.connect(self.open_settings)
        toolbar.addAction(self.patients_action)
        self._build_export_menu()
        # one row of navigation: Patients, Export ▾, Settings (no menu bar holding a lone menu)
        export_button = QToolButton(toolbar, objectName="export_button")
        export_button.setText("Export")
        export_button.setMenu(self.export_menu)
        export_button.setPopupMode(QToolButton.InstantPopup)
        export_button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        toolbar.addWidget(export_button)
        toolbar.addAction(self.settings_action)

        self.patients_view.patient_opened.connect(self.show_patient)
        self.patients_view.sample_requested.connect(self.open_sample_patient)
        self.patient_view.back_requested.connect(self.show_patients)
        self.patient_view.compare_requested.connect(self.show_compare)
        self.patient_view.trend_requested.connect(self.show_trend)
        self.patient_view.recording_opened.connect(self.show_recording)
        self.patient_view.report_requested.connect(lambda _pid: self.export_patient_report())
        self.patient_view.export_requested.connect(lambda _pid: self.export_patient_data())
        for view in (self.recording_view, self.compare_view, self.trend_view):
            view.back_requested.connect(self._back_to_patient)
        model.message.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.statusBar().showMessage(f"Library: {model.library_path}")
        if model.settings_problem:
            self.statusBar().showMessage(model.settings_problem)
        self.resize(1360, 860)
        self.show_patients()

    # -- navigation --------------------------------------------------------------
    def show_patients(self) -> None:
        self.stack.setCurrentWidget(self.patients_view)
        self.patients_view.refresh()

    def show_patient(self, patient_id: str) -> None:
        self._guard(lambda: self.patient_view.show_patient(patient_id))
        self.stack.setCurrentWidget(self.patient_view)

    def show_recording(self, recording_id: int) -> None:
        if self._guard(lambda: self.recording_view.show_recording(recording_id)):
            self.stack.setCurrentWidget(self.recording_view)

    def show_compare(self, patient_id: str) -> None:
        if self._guard(lambda: self.compare_view.show_patient(patient_id)):
            self.stack.setCurrentWidget(self.compare_view)

    def show_trend(self, patient_id: str) -> None:
        if self._guard(lambda: self.trend_view.show_patient(patient_id)):
            self.stack.setCurrentWidget(self.trend_view)

    def _back_to_patient(self) -> None:
        if self.patient_view.patient is not None:
            self.show_patient(self.patient_view.patient.patient_id)
        else:
            self.show_patients()

    def _guard(self, action) -> bool:
        """Run a view change; a core error becomes one sentence in a dialog."""
        try:
            action()
        except GaitlabError as exc:
            show_error(self, "gaitlab", str(exc))
            return False
        except Exception as exc:  # a bug in gaitlab, not the user's fault: log it, show one sentence
            log.exception("internal error while changing the view")
            show_error(self, "gaitlab", f"An internal error stopped this view ({type(exc).__name__}); "
                                        "the details were written to gaitlab's log.")
            return False
        return True

    # -- exports -------------------------------------------------------------------
    def _build_export_menu(self) -> None:
        self.exports = ExportActions(self.model, self)
        menu = QMenu("&Export", self)
        menu.setObjectName("export_menu")
        self.export_menu = menu
        self.patient_report_action = QAction("Report (PDF)…", self, objectName="patient_report_action")
        self.patient_report_action.setShortcut(QKeySequence("Ctrl+R"))
        self.patient_report_action.triggered.connect(self.export_patient_report)
        self.patient_data_action = QAction("Export data…", self, objectName="patient_data_action")
        self.patient_data_action.setShortcut(QKeySequence("Ctrl+E"))
        self.patient_data_action.triggered.connect(self.export_patient_data)
        self.recording_report_action = QAction("Recording report (PDF)…", self,
                                               objectName="recording_report_action")
        self.recording_report_action.triggered.connect(self.export_recording_report)
        self.annotated_video_action = QAction("Annotated video…", self, objectName="annotated_video_action")
        self.annotated_video_action.triggered.connect(self.export_annotated_video)
        menu.addSection("Patient")
        menu.addAction(self.patient_report_action)
        menu.addAction(self.patient_data_action)
        menu.addSection("Open recording")
        menu.addAction(self.recording_report_action)
        menu.addAction(self.annotated_video_action)
        menu.aboutToShow.connect(self._update_export_actions)
        for action in (self.patient_report_action, self.patient_data_action,
                       self.recording_report_action, self.annotated_video_action):
            self.addAction(action)  # their shortcuts work while the menu is closed
        self.stack.currentChanged.connect(lambda _i: self._update_export_actions())
        self._update_export_actions()

    def export_patient_id(self) -> str | None:
        """The patient the export actions act on: the one open in the patient or compare view."""
        current = self.stack.currentWidget()
        if current is self.compare_view and getattr(self.compare_view, "patient_id", None):
            return self.compare_view.patient_id
        if current in (self.patient_view, self.compare_view, self.trend_view, self.recording_view) \
                and self.patient_view.patient is not None:
            return self.patient_view.patient.patient_id
        return None

    def export_recording(self):
        """The recording open in the recording view (None when that view is not shown)."""
        if self.stack.currentWidget() is not self.recording_view:
            return None
        return self.recording_view.recording

    def report_visits(self, patient_id: str) -> tuple[int, ...]:
        """The visits a report proposes: the pair on the compare view, else the visit selected on
        the patient page against the analysed visit before it (that visit alone when it is the first)."""
        pair = getattr(self.compare_view, "visit_pair", None)
        if self.stack.currentWidget() is self.compare_view and pair and pair[0].patient_id == patient_id:
            return (pair[0].visit_id, pair[1].visit_id)
        analysed = [v.visit_id for v in self.exports.analysed_visits(patient_id)]
        if not analysed:
            return ()
        selected = self.patient_view.selected_visit() if self.patient_view.patient is not None else None
        chosen = selected.visit_id if selected is not None and selected.visit_id in analysed else analysed[-1]
        k = analysed.index(chosen)
        return (chosen,) if k == 0 else (analysed[k - 1], chosen)

    def _update_export_actions(self) -> None:
        has_patient = self.export_patient_id() is not None
        self.patient_report_action.setEnabled(has_patient)
        self.patient_data_action.setEnabled(has_patient)
        rec = self.export_recording()
        ok = rec is not None and rec.status == "ok" and bool(rec.result)
        self.recording_report_action.setEnabled(ok)
        self.annotated_video_action.setEnabled(ok)

    def export_patient_report(self):
        """"Report (PDF)…": the open patient's visits, one alone or two compared."""
        patient_id = self.export_patient_id()
        if patient_id is None:
            return None
        return self.exports.patient_report(patient_id, self.report_visits(patient_id))

    def export_patient_data(self):
        """"Export data…": the open patient's analysed recordings into a folder."""
        patient_id = self.export_patient_id()
        return None if patient_id is None else self.exports.patient_data(patient_id)

    def export_recording_report(self):
        """"Recording report (PDF)…": the recording open in the recording view."""
        rec = self.export_recording()
        return None if rec is None else self.exports.recording_report(rec)

    def export_annotated_video(self):
        """"Annotated video…": the recording open in the recording view, faces blurred by default."""
        rec = self.export_recording()
        return None if rec is None else self.exports.annotated_video(rec)

    # -- settings ----------------------------------------------------------------
    def open_settings(self) -> None:
        dialog = SettingsDialog(self.model.settings, self)
        while dialog.exec():
            try:
                self.model.apply_settings(dialog.settings)
            except GaitlabError as exc:
                dialog.error_label.show_message(str(exc))
                continue
            self.statusBar().showMessage(f"Settings saved. Library: {self.model.library_path}", 10_000)
            self.show_patients()
            return

    # -- first run -----------------------------------------------------------------
    def open_sample_patient(self):
        """Import the sample patient (with progress) and land on its comparison."""
        if not (self.sample_dir / "patient.json").is_file():
            show_error(self, "gaitlab", f"The sample patient is missing from {self.sample_dir}.")
            return None
        task = self.model.import_sample_patient(self.sample_dir)
        self.patients_view.sample_button.setEnabled(False)
        task.succeeded.connect(self._sample_imported)
        task.failed.connect(lambda msg: show_error(self, "The sample patient could not be opened", msg))
        task.finished.connect(lambda: self.patients_view.sample_button.setEnabled(True))
        return task

    def _sample_imported(self, patient_id: str) -> None:
        self.show_patient(patient_id)
        self.show_compare(patient_id)
        self.sample_opened.emit(patient_id)

    def offer_sample_if_empty(self) -> None:
        """On first run with an empty library, offer the sample patient."""
        try:
            empty = self.model.is_empty()
        except GaitlabError:
            return
        if not empty or not (self.sample_dir / "patient.json").is_file():
            return
        box = QMessageBox(
            QMessageBox.Question,
            "Welcome to gaitlab",
            "The library is empty. Open the sample patient? It is a synthetic patient after an "
            "L4–S1 fusion with three visits; its videos are analysed now (about a minute).",
            QMessageBox.Open | QMessageBox.Cancel,
            self,
        )
        box.setObjectName("first_run_box")
        box.button(QMessageBox.Open).setText("Open the sample patient")
        if box.exec() == QMessageBox.Open:
            self.open_sample_patient()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.model.tasks.busy:
            answer = QMessageBox.question(
                self, "gaitlab", "An analysis is still running. Cancel it and quit?"
            )
            if answer != QMessageBox.Yes:
                event.ignore()
                return
        self.recording_view.stop()
        self.compare_view.stop()
        self.model.close()
        event.accept()
