"""The app's state: the open library, the settings and the background tasks.

Views receive this model and subscribe to its signals; they never open the
library themselves.  Reads go through the model's library connection (GUI
thread); long writes (analysis of a video, the sample patient import) run as
:class:`~ui.workers.Task` on a worker thread with their own connection, so the
window stays responsive while the database is written.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from gaitlab.markers.manual import Measurement
from gaitlab.storage import (
    Library,
    Patient,
    Recording,
    StoredMeasurement,
    Visit,
    default_library_path,
)
from ui.jobs import import_recording_job, import_sample_job, run_in_process
from ui.settings import AppSettings, SettingsError, load_settings, save_settings
from ui.workers import Task, TaskQueue

log = logging.getLogger(__name__)


def library_path_for(settings: AppSettings) -> Path:
    """The library file the settings point at (gaitlab's default when unset)."""
    return Path(settings.library_path).expanduser() if settings.library_path else default_library_path()


def import_recording_work(
    library_path: Path,
    visit_id: int,
    video_path: str,
    *,
    view: str = "auto",
    person: str | int = "auto",
    settings: AppSettings,
    replaces: int | None = None,
):
    """``work(progress, cancel)`` of one video import, run in a child process (see :mod:`ui.jobs`)."""
    return run_in_process(
        import_recording_job, library_path=str(library_path), visit_id=int(visit_id),
        video_path=str(video_path), view=view, person=person, settings=settings, replaces=replaces,
    )


class AppModel(QObject):
    """Library, settings and task queue shared by every view.

    Signals
    -------
    library_changed()         the library file was (re)opened
    patients_changed()        a patient was added or edited
    visits_changed(str)       visits of this patient changed
    recordings_changed(int)   recordings of this visit changed
    measurements_changed(int) manual measurements of this visit changed (added, renamed, deleted)
    settings_changed(object)  new :class:`AppSettings`
    message(str)              a one-sentence status or error for the user
    """

    library_changed = Signal()
    patients_changed = Signal()
    visits_changed = Signal(str)
    recordings_changed = Signal(int)
    measurements_changed = Signal(int)
    settings_changed = Signal(object)
    message = Signal(str)

    def __init__(self, settings: AppSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings_problem = ""
        if settings is None:
            try:
                settings = load_settings()
            except SettingsError as exc:
                self.settings_problem = f"{exc} gaitlab runs with default settings and leaves the file as it is."
                settings = AppSettings()
        self.settings = settings
        self.tasks = TaskQueue(self)
        self.library: Library | None = None
        self.open_library(library_path_for(settings))

    # -- library -----------------------------------------------------------------
    @property
    def library_path(self) -> Path:
        assert self.library is not None
        return self.library.path

    def open_library(self, path: Path) -> None:
        """Open (or create) the library file; raises StorageError with one sentence."""
        new = Library(path)
        if self.library is not None:
            self.library.close()
        self.library = new
        self.library_changed.emit()
        self.patients_changed.emit()

    def close(self) -> None:
        self.tasks.cancel_all()
        self.tasks.wait_all()
        if self.library is not None:
            self.library.close()
            self.library = None

    # -- settings ---------------------------------------------------------------
    def apply_settings(self, settings: AppSettings, *, persist: bool = True) -> None:
        settings = settings.validated()
        old_path = library_path_for(self.settings)
        if persist:
            save_settings(settings)
        self.settings = settings
        if library_path_for(settings) != old_path:
            self.open_library(library_path_for(settings))
        self.settings_changed.emit(settings)

    # -- patients ----------------------------------------------------------------
    def find_patients(self, search: str = "") -> list[Patient]:
        return self.library.find_patients(search)

    def get_patient(self, patient_id: str) -> Patient:
        return self.library.get_patient(patient_id)

    def add_patient(self, patient: Patient) -> Patient:
        stored = self.library.add_patient(patient)
        self.patients_changed.emit()
        return stored

    def update_patient(self, patient: Patient) -> Patient:
        stored = self.library.update_patient(patient)
        self.patients_changed.emit()
        self.visits_changed.emit(stored.patient_id)  # days since surgery may change
        return stored

    def is_empty(self) -> bool:
        return not self.library.list_patients()

    # -- visits ------------------------------------------------------------------
    def list_visits(self, patient_id: str) -> list[Visit]:
        return sorted(self.library.list_visits(patient_id), key=lambda v: (v.date, v.visit_id or 0))

    def get_visit(self, visit_id: int) -> Visit:
        return self.library.get_visit(visit_id)

    def add_visit(self, visit: Visit) -> Visit:
        stored = self.library.add_visit(visit)
        self.visits_changed.emit(stored.patient_id)
        return stored

    def update_visit(self, visit: Visit) -> Visit:
        stored = self.library.update_visit(visit)
        self.visits_changed.emit(stored.patient_id)
        return stored

    def visit_data(self, visit: Visit):
        """The visit with its analysis documents, as gaitlab's comparison reads it."""
        from gaitlab.storage.comparison_input import visit_data

        return visit_data(visit, self.list_recordings(visit.visit_id, with_result=True))

    # -- recordings ----------------------------------------------------------------
    def list_recordings(self, visit_id: int, *, with_result: bool = False) -> list[Recording]:
        return self.library.list_recordings(visit_id, with_result=with_result)

    def get_recording(self, recording_id: int) -> Recording:
        return self.library.get_recording(recording_id, with_result=True)

    def analyse_video(self, visit_id: int, video_path: str, view: str = "auto") -> Task:
        """Queue the analysis of a video for a visit; the result is stored in the library."""
        visit = self.get_visit(visit_id)
        work = import_recording_work(self.library_path, visit_id, video_path, view=view, settings=self.settings)
        return self._submit_recording_task(f"Analysing {Path(video_path).name}", work, visit)

    def reanalyse(self, recording: Recording, *, view: str | None = None, person: str | int = "auto") -> Task:
        """Analyse a recording again with another view or person (landmarks come from the cache)."""
        path = recording.video_path
        if not Path(path).is_file() and Path(recording.original_path).is_file():
            path = recording.original_path
        visit = self.get_visit(recording.visit_id)
        view = view or recording.view
        work = import_recording_work(
            self.library_path, visit.visit_id, path, view=view, person=person,
            settings=self.settings, replaces=recording.recording_id,
        )
        what = f"person {person}" if person != "auto" else f"{view} view"
        return self._submit_recording_task(f"Analysing {Path(path).name} ({what})", work, visit)

    def _submit_recording_task(self, title: str, work, visit: Visit) -> Task:
        task = Task(title, work)
        task.visit_id = visit.visit_id  # type: ignore[attr-defined]
        task.patient_id = visit.patient_id  # type: ignore[attr-defined]
        task.succeeded.connect(lambda _rec, v=visit: self._recording_added(v))
        self.tasks.submit(task)
        return task

    def import_sample_patient(self, sample_dir: Path) -> Task:
        """Queue the import of the sample patient (analyses its videos); result: the patient ID."""
        work = run_in_process(
            import_sample_job, library_path=str(self.library_path), sample_dir=str(sample_dir),
            settings=self.settings,
        )
        task = Task("Opening the sample patient", work)
        task.succeeded.connect(lambda _pid: self.patients_changed.emit())
        self.tasks.submit(task)
        return task

    # -- manual measurements ----------------------------------------------------------
    def list_measurements(self, visit_id: int) -> list[StoredMeasurement]:
        """The visit's manual measurements in the order they were saved."""
        return self.library.list_measurements(visit_id)

    def add_measurement(self, recording_id: int, measurement: Measurement) -> StoredMeasurement:
        """Keep a measurement drawn on a frame of this recording with its visit.

        Raises the library's :class:`~gaitlab.errors.InputError` (one sentence) for a
        missing label, a frame past the end of the video or a point outside the frame.
        """
        stored = self.library.add_measurement(recording_id, measurement)
        self.measurements_changed.emit(int(stored.visit_id))
        return stored

    def rename_measurement(self, measurement_id: int, label: str) -> StoredMeasurement:
        """Give a measurement another label (its points and value stay)."""
        stored = self.library.update_measurement_label(measurement_id, label)
        self.measurements_changed.emit(int(stored.visit_id))
        return stored

    def delete_measurement(self, measurement_id: int) -> None:
        """Delete a measurement from its visit."""
        visit_id = int(self.library.get_measurement(measurement_id).visit_id)
        self.library.delete_measurement(measurement_id)
        self.measurements_changed.emit(visit_id)

    def _recording_added(self, visit: Visit) -> None:
        self.recordings_changed.emit(int(visit.visit_id))
        self.visits_changed.emit(visit.patient_id)

