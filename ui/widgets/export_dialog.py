"""The export dialog and the export buttons' actions: PDF reports, data, annotated video.

:class:`ExportDialog` asks where to write and with which options (the options of
``gaitlab report`` and ``gaitlab export``); it checks the target before any work
and turns the answers into a request of :mod:`ui.views.export`.
:class:`ExportActions` opens the dialog and runs the request as a task in a child
process, with progress and Cancel in the task panel; an error is one sentence in
a dialog.  De-identified by default: the pseudonym only, faces blurred, no video
file paths; turning the blur off asks for confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gaitlab.errors import GaitlabError, InputError
from gaitlab.report.options import ExportOptions
from gaitlab.storage import Recording, Visit
from ui.jobs import run_in_process
from ui.model import AppModel
from ui.views.export import (
    PAPERS,
    DataExportRequest,
    ReportRequest,
    VideoRequest,
    check_export_folder,
    check_report_path,
    check_video_path,
    data_export_job,
    report_file_name,
    report_job,
    video_job,
)
from ui.views.patients import show_error
from ui.workers import Task

#: What the dialog exports: the title, the button's text and what the target is.
KINDS: dict[str, tuple[str, str]] = {
    "patient_report": ("Report (PDF)", "Write report"),
    "recording_report": ("Recording report (PDF)", "Write report"),
    "data": ("Export data", "Export"),
    "video": ("Annotated video", "Write video"),
}

_ALONE = "— nothing (this visit alone)"


def visit_text(visit: Visit) -> str:
    """How a visit is named in the dialog: "6 weeks post-op (2026-04-13)"."""
    return f"{visit.label or 'visit'} ({visit.date.isoformat()})"


class ExportDialog(QDialog):
    """Where to write and with which options; ``request`` holds the answer after ``accept``.

    Parameters
    ----------
    kind : {"patient_report", "recording_report", "data", "video"}
    patient_id : str
        The pseudonymous ID (the only identity an export carries by default).
    default_path : str
        The file (or folder, for ``data``) proposed.
    visits : sequence of Visit
        The patient's analysed visits, earlier first (reports and data exports).
    chosen : sequence of int
        The visits proposed: for a report, one visit (alone) or two (compared).
    recording_id : int or None
        The recording of a recording report or an annotated video.
    """

    def __init__(
        self,
        kind: str,
        *,
        patient_id: str,
        default_path: str,
        visits: Sequence[Visit] = (),
        chosen: Sequence[int] = (),
        recording_id: int | None = None,
        subject: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if kind not in KINDS:
            raise InputError(f"Unknown export kind {kind!r}.")
        title, ok_text = KINDS[kind]
        self.setObjectName("export_dialog")
        self.setWindowTitle(f"{title} — {patient_id}")
        self.kind = kind
        self.patient_id = patient_id
        self.visits = list(visits)
        self.recording_id = recording_id
        self.request: ReportRequest | DataExportRequest | VideoRequest | None = None
        self.confirm_unblurred = self._ask_unblurred  # replaced in tests that answer for the user

        heading = QLabel(subject or f"Patient {patient_id}", objectName="section_title")
        heading.setWordWrap(True)
        form = QFormLayout()
        self.path_edit = QLineEdit(default_path, objectName="export_path_edit")
        self.path_edit.setMinimumWidth(420)
        browse = QPushButton("Browse…", objectName="export_browse_button")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow("Folder" if kind == "data" else "Save as", row)

        self.visit_combo = QComboBox(objectName="report_visit_combo")
        self.compare_combo = QComboBox(objectName="report_compare_combo")
        self.scope_combo = QComboBox(objectName="export_visits_combo")
        if kind == "patient_report":
            for v in self.visits:
                self.visit_combo.addItem(visit_text(v), v.visit_id)
            self.compare_combo.addItem(_ALONE, None)
            for v in self.visits:
                self.compare_combo.addItem(visit_text(v), v.visit_id)
            later = chosen[-1] if chosen else (self.visits[-1].visit_id if self.visits else None)
            self.visit_combo.setCurrentIndex(max(0, self.visit_combo.findData(later)))
            earlier = chosen[0] if len(chosen) == 2 else None
            self.compare_combo.setCurrentIndex(max(0, self.compare_combo.findData(earlier)))
            form.addRow("Visit", self.visit_combo)
            form.addRow("Compared with", self.compare_combo)
        if kind == "data":
            self.scope_combo.addItem("All analysed visits", None)
            for v in self.visits:
                self.scope_combo.addItem(visit_text(v), v.visit_id)
            form.addRow("Visits", self.scope_combo)

        self.paper_combo = QComboBox(objectName="paper_combo")
        for code, text in PAPERS:
            self.paper_combo.addItem(text, code)
        self.name_check = QCheckBox("Print the patient's name (the pseudonym only when off)",
                                    objectName="show_name_check")
        self.key_frames_check = QCheckBox("Key frames from the videos (heel strike of each side)",
                                          objectName="key_frames_check")
        self.key_frames_check.setChecked(True)
        self.trc_check = QCheckBox("Pose as OpenSim marker files (.trc)", objectName="trc_check")
        self.video_check = QCheckBox("Annotated videos (slow: every frame is redrawn)",
                                     objectName="annotated_video_check")
        self.keep_paths_check = QCheckBox("Keep the video file paths in the JSON files",
                                          objectName="keep_video_paths_check")
        self.blur_check = QCheckBox("Blur faces", objectName="blur_faces_check")
        self.blur_check.setChecked(True)
        self.blur_check.toggled.connect(self._blur_toggled)
        if kind in ("patient_report", "recording_report"):
            form.addRow("Paper", self.paper_combo)
            form.addRow("", self.name_check)
            form.addRow("", self.key_frames_check)
            self.blur_check.setText("Blur faces in the key frames")
            self.key_frames_check.toggled.connect(self.blur_check.setEnabled)
        if kind == "data":
            form.addRow("", self.trc_check)
            form.addRow("", self.video_check)
            self.blur_check.setText("Blur faces in the annotated videos")
            self.blur_check.setEnabled(False)
            self.video_check.toggled.connect(self.blur_check.setEnabled)
        if kind == "video":
            self.blur_check.setText("Blur the face in every frame")
        form.addRow("", self.blur_check)
        if kind == "data":
            form.addRow("", self.keep_paths_check)

        note = QLabel(self._privacy_note(), objectName="hint")
        note.setWordWrap(True)
        self.error_label = QLabel("", objectName="form_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b71c1c; font-weight: 600;")
        self.error_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(ok_text)
        buttons.button(QDialogButtonBox.Ok).setObjectName("export_ok_button")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    # -- helpers ---------------------------------------------------------------------
    def _privacy_note(self) -> str:
        if self.kind == "data":
            return ("metrics.csv has one row per recording; each recording also gets its analysis "
                    "(JSON), time series, cycle curves and gait events (CSV). Files are named by the "
                    "pseudonym, visit date and view, never by the video's file name. Nothing is "
                    "written unless all of it is.")
        if self.kind == "video":
            return "Skeleton, angles and gait events drawn on every frame of the video."
        return ("De-identified by default: the pseudonymous ID, no video file names, faces blurred. "
                "Findings point to what to examine; they are not a diagnosis.")

    def _browse(self) -> None:
        start = self.path_edit.text() or str(Path.home())
        options = QFileDialog.DontUseNativeDialog
        if self.kind == "data":
            path = QFileDialog.getExistingDirectory(self, "Export folder", start,
                                                    options | QFileDialog.ShowDirsOnly)
        else:
            pattern = "PDF (*.pdf)" if self.kind.endswith("report") else "MP4 video (*.mp4)"
            path, _ = QFileDialog.getSaveFileName(self, "Save as", start, pattern, options=options)
        if path:
            self.path_edit.setText(path)

    def _ask_unblurred(self) -> bool:
        what = "annotated videos" if self.kind in ("data", "video") else "key frames"
        box = QMessageBox(
            QMessageBox.Warning, "Keep faces visible?",
            f"Without the blur the patient's face can be recognised in the {what}. "
            "Share such files only with the patient's consent. Keep the faces visible?",
            QMessageBox.Yes | QMessageBox.No, self,
        )
        box.setObjectName("unblurred_confirm_box")
        box.button(QMessageBox.Yes).setText("Keep faces visible")
        box.button(QMessageBox.No).setText("Blur faces")
        box.setDefaultButton(QMessageBox.No)
        return box.exec() == QMessageBox.Yes

    def _blur_toggled(self, on: bool) -> None:
        if on:
            return
        if not self.confirm_unblurred():
            self.blur_check.blockSignals(True)
            self.blur_check.setChecked(True)
            self.blur_check.blockSignals(False)

    def chosen_visits(self) -> tuple[int, ...]:
        """The visits of a patient report, earlier first (one, or two compared).

        Raises
        ------
        InputError
            When a visit would be compared with itself.
        """
        later, earlier = self.visit_combo.currentData(), self.compare_combo.currentData()
        if later is None:
            raise InputError("The patient has no analysed visit to report.")
        if earlier is None:
            return (int(later),)
        if earlier == later:
            raise InputError("A visit cannot be compared with itself; choose another visit or none.")
        order = {v.visit_id: (v.date, v.visit_id) for v in self.visits}
        return tuple(sorted((int(earlier), int(later)), key=lambda i: order.get(i, (i,))))

    def build_request(self) -> ReportRequest | DataExportRequest | VideoRequest:
        """The request the form describes, with its target checked (nothing written yet)."""
        path = self.path_edit.text().strip()
        blur = self.blur_check.isChecked()
        if self.kind in ("patient_report", "recording_report"):
            out = check_report_path(path)
            return ReportRequest(
                out_path=str(out), patient_id=self.patient_id,
                visit_ids=self.chosen_visits() if self.kind == "patient_report" else (),
                recording_id=self.recording_id if self.kind == "recording_report" else None,
                paper=self.paper_combo.currentData(), show_name=self.name_check.isChecked(),
                blur=blur, key_frames=self.key_frames_check.isChecked(),
            )
        if self.kind == "data":
            folder = check_export_folder(path)
            scope = self.scope_combo.currentData()
            return DataExportRequest(
                out_dir=str(folder), patient_id=self.patient_id,
                visit_ids=() if scope is None else (int(scope),),
                options=ExportOptions(
                    trc=self.trc_check.isChecked(), video=self.video_check.isChecked(), blur=blur,
                    keep_video_paths=self.keep_paths_check.isChecked(),
                ),
            )
        assert self.recording_id is not None
        return VideoRequest(out_path=str(check_video_path(path)), recording_id=self.recording_id, blur=blur)

    def accept(self) -> None:
        try:
            self.request = self.build_request()
        except GaitlabError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        super().accept()


class ExportActions(QObject):
    """The export buttons' actions: open the dialog, run the export as a task, report the outcome.

    Every action returns the :class:`~ui.workers.Task` it queued (None when the
    user cancelled the dialog).  ``last_folder`` is where the next dialog proposes
    to write (the folder of the previous export).
    """

    def __init__(self, model: AppModel, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self.model = model
        self.parent_widget = parent_widget
        self.last_folder = Path.home()
        self.last_dialog: ExportDialog | None = None

    # -- the patient ------------------------------------------------------------------
    def analysed_visits(self, patient_id: str) -> list[Visit]:
        """The patient's visits with at least one analysed recording, earlier first."""
        return [
            v for v in self.model.list_visits(patient_id)
            if any(r.status == "ok" for r in self.model.list_recordings(v.visit_id))
        ]

    def patient_report(self, patient_id: str, chosen: Sequence[int] = ()) -> Task | None:
        """The PDF report of one visit or of two compared (``chosen`` proposes which)."""
        visits = self.analysed_visits(patient_id)
        if not visits:
            show_error(self.parent_widget, "No report yet",
                       f"Patient {patient_id} has no analysed visit yet; import a walking video first.")
            return None
        by_id = {v.visit_id: v for v in visits}
        dates = [by_id[i].date.isoformat() for i in chosen if i in by_id]
        dialog = ExportDialog(
            "patient_report", patient_id=patient_id, visits=visits, chosen=chosen,
            default_path=str(self.last_folder / report_file_name(patient_id, dates)),
            parent=self.parent_widget,
        )
        return self._run(dialog, report_job, f"Writing the report of {patient_id}",
                         "The report could not be written")

    def patient_data(self, patient_id: str) -> Task | None:
        """Metrics, time series, cycle curves, events, JSON (and optionally TRC, videos) into a folder."""
        visits = self.analysed_visits(patient_id)
        if not visits:
            show_error(self.parent_widget, "Nothing to export",
                       f"Patient {patient_id} has no analysed recording to export.")
            return None
        dialog = ExportDialog(
            "data", patient_id=patient_id, visits=visits,
            default_path=str(self.last_folder / report_file_name(patient_id, [], "export")),
            parent=self.parent_widget,
        )
        return self._run(dialog, data_export_job, f"Exporting the data of {patient_id}",
                         "The data could not be exported")

    # -- one recording ----------------------------------------------------------------
    def _recording_subject(self, rec: Recording) -> tuple[Visit, str]:
        visit = self.model.get_visit(rec.visit_id)
        return visit, f"Patient {visit.patient_id} · {visit_text(visit)} · {rec.view} view"

    def recording_report(self, rec: Recording) -> Task | None:
        """The PDF report of one recording (its view's measures, key frames)."""
        visit, subject = self._recording_subject(rec)
        name = report_file_name(visit.patient_id, [visit.date.isoformat(), rec.view])
        dialog = ExportDialog(
            "recording_report", patient_id=visit.patient_id, recording_id=rec.recording_id,
            subject=subject, default_path=str(self.last_folder / name), parent=self.parent_widget,
        )
        return self._run(dialog, report_job, f"Writing the report of {visit.patient_id} ({rec.view})",
                         "The report could not be written")

    def annotated_video(self, rec: Recording) -> Task | None:
        """The recording's video with skeleton, angles and events (face blurred by default)."""
        visit, subject = self._recording_subject(rec)
        name = report_file_name(visit.patient_id, [visit.date.isoformat(), rec.view], "annotated.mp4")
        dialog = ExportDialog(
            "video", patient_id=visit.patient_id, recording_id=rec.recording_id, subject=subject,
            default_path=str(self.last_folder / name), parent=self.parent_widget,
        )
        return self._run(dialog, video_job, f"Writing the annotated video of {visit.patient_id} ({rec.view})",
                         "The annotated video could not be written")

    # -- running ------------------------------------------------------------------------
    def _run(self, dialog: ExportDialog, job, title: str, failure: str) -> Task | None:
        self.last_dialog = dialog
        if not dialog.exec() or dialog.request is None:
            return None
        request = dialog.request
        target = Path(request.out_dir if isinstance(request, DataExportRequest) else request.out_path)
        self.last_folder = target.parent  # the next export proposes the same place
        work = run_in_process(job, library_path=str(self.model.library_path), request=request)
        task = Task(title, work)
        task.succeeded.connect(lambda result: self.model.message.emit(self._written(result)))
        task.failed.connect(lambda msg: show_error(self.parent_widget, failure, msg))
        self.model.tasks.submit(task)
        return task

    @staticmethod
    def _written(result) -> str:
        if isinstance(result, list):
            folder = Path(result[0]).parent if result else ""
            return f"{len(result)} files exported to {folder}."
        return f"Written: {result}"
