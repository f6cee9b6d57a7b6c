"""Application set-up: the QApplication, the main window, command-line options.

``python -m ui`` starts the app.  Options:

``--library PATH``        open this library file (instead of the settings' one)
``--sample``              open the sample patient (imported when missing) and land on the compare view
``--screenshot-dir DIR``  with ``--sample``: save every view as PNG files and quit (see
                          :data:`SCREENSHOTS`; ``docs/screenshots/`` is made this way)
``--exit-after-ms N``     quit after N ms (start-up checks)
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gaitlab.errors import GaitlabError
from ui.model import AppModel
from ui.settings import AppSettings, SettingsError, load_settings
from ui.theme import STYLESHEET

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ui", description="gaitlab's desktop app.")
    parser.add_argument("--library", type=Path, help="open this library file")
    parser.add_argument("--sample", action="store_true", help="open the sample patient on start")
    parser.add_argument("--sample-dir", type=Path, help="folder of the sample patient (default: sample_videos/)")
    parser.add_argument("--screenshot-dir", type=Path, help="with --sample: save the views as PNG and quit")
    parser.add_argument("--exit-after-ms", type=int, help="quit after this many milliseconds")
    return parser


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with gaitlab's style (the existing one when there is one)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv or [sys.argv[0]]))
    app.setApplicationName("gaitlab")
    app.setOrganizationName("gaitlab")
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
    return app


def _settings(library: Path | None) -> tuple[AppSettings, str]:
    problem = ""
    try:
        settings = load_settings()
    except SettingsError as exc:
        problem = f"{exc} gaitlab runs with default settings and leaves the file as it is."
        settings = AppSettings()
    if library is not None:
        settings = replace(settings, library_path=str(library))
    return settings, problem


def main(argv: Sequence[str] | None = None) -> int:
    """Start the app; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="gaitlab: %(message)s")
    app = create_application()
    from ui.main_window import SAMPLE_DIR, MainWindow

    settings, problem = _settings(args.library)
    try:
        model = AppModel(settings)
    except GaitlabError as exc:
        print(f"gaitlab: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "gaitlab", str(exc))
        return 2
    model.settings_problem = problem
    window = MainWindow(model, sample_dir=args.sample_dir or SAMPLE_DIR)
    window.show()
    status = {"code": 0}
    if args.sample:
        if args.screenshot_dir is not None:
            shooter = ScreenshotRun(window, args.screenshot_dir, status)
            window.sample_opened.connect(shooter.start)
        task = window.open_sample_patient()
        if task is None:
            return 2
        task.failed.connect(lambda msg: _fail(status, msg, app))
    else:
        QTimer.singleShot(0, window.offer_sample_if_empty)
    if args.exit_after_ms is not None:
        QTimer.singleShot(args.exit_after_ms, window.close)
    app.exec()
    return status["code"]


def _fail(status: dict, message: str, app: QApplication) -> None:
    print(f"gaitlab: {message}", file=sys.stderr)
    status["code"] = 2
    app.quit()


#: The PNG files the screenshot run writes, in the order it makes them.
SCREENSHOTS = (
    "compare.png",               # the comparison: phase-locked videos and cycle curves
    "recording.png",             # one analysed recording: skeleton, angles, time series
    "recording_measure.png",     # the Measure mode: an angle snapped to hip, knee and ankle
    "compare_measurements.png",  # the two visits' manual measurements side by side
    "patients.png",              # the patient list
    "patient.png",               # the patient page: visits and their recordings
    "trend.png",                 # the measures across all visits
    "export_dialog.png",         # the report export dialog (de-identified by default)
)
#: The size of the window in the screenshots (a common laptop screen).
SCREENSHOT_SIZE = (1440, 900)
#: The measurement the screenshot run draws at both compared visits (same label: paired).
SCREENSHOT_ANGLE = ("knee angle at heel strike (right)", ("right_hip", "right_knee", "right_ankle"))
#: The line it draws, and leaves unsaved, on the later visit's frame.
SCREENSHOT_LINE = ("trunk lean at heel strike (right)", ("right_hip", "right_shoulder"))


class ScreenshotRun:
    """Once the sample's comparison is on screen: grab every view as PNG (:data:`SCREENSHOTS`), then quit.

    The manual measurements it shows are made the way a therapist makes them: the
    Measure mode of the recording view, points placed on the shown frame (snapped to
    the pose landmarks) and saved with the visit; the compare view picks them up
    through the app model.  A shot that cannot be made is said on stderr and the
    exit status becomes 2.
    """

    def __init__(self, window, folder: Path, status: dict, *, timeout_s: float = 120.0) -> None:
        self._export_shot = False
        self.window = window
        self.folder = Path(folder)
        self.status = status
        self.deadline = 0.0
        self.timeout_s = timeout_s
        self.patient_id = ""
        self.pair_recordings: tuple[int, int] | None = None

    def start(self, patient_id: str) -> None:
        self.patient_id = patient_id
        self.folder.mkdir(parents=True, exist_ok=True)
        self.window.task_panel.clear_finished()
        self.window.task_dock.setVisible(False)
        self.window.resize(*SCREENSHOT_SIZE)
        self.window.statusBar().clearMessage()  # the library's file path is no part of the pictures
        self.window.compare_view.tabs.setCurrentIndex(1)  # the cycle curves beside the grid
        self._wait_then(self._compare_ready, self._shoot_compare)

    # -- helpers ----------------------------------------------------------------------
    def _wait_then(self, ready, then) -> None:
        """Call ``then`` once ``ready()`` is true (or after the run's time-out for this step)."""
        self.deadline = time.monotonic() + self.timeout_s
        self._poll(ready, then)

    def _poll(self, ready, then) -> None:
        if ready() or time.monotonic() > self.deadline:
            QTimer.singleShot(300, then)
        else:
            QTimer.singleShot(200, lambda: self._poll(ready, then))

    def _save(self, widget, name: str) -> None:
        if not widget.grab().save(str(self.folder / name)):
            self._problem(f"{name} could not be written to {self.folder}.")

    def _problem(self, sentence: str) -> None:
        print(f"gaitlab: screenshot run: {sentence}", file=sys.stderr)
        self.status["code"] = 2

    # -- compare and recording ------------------------------------------------------------
    def _compare_ready(self) -> bool:
        panels = [p for p in self.window.compare_view.panels.values() if p.store is not None]
        return all(p.store.complete and p.widget.pose is not None for p in panels)

    def _shoot_compare(self) -> None:
        self.window.compare_view.set_phase(35.0)
        QTimer.singleShot(300, self._grab_compare)

    def _grab_compare(self) -> None:
        self._save(self.window, "compare.png")
        self.pair_recordings = self._sample_recordings()
        if self.pair_recordings is None:
            self._problem("the compared visits have no side-view recording.")
            self._shoot_pages()
            return
        self.window.show_recording(self.pair_recordings[1])
        self._wait_then(self._recording_ready, self._shoot_recording)

    def _sample_recordings(self) -> tuple[int, int] | None:
        """The side-view recordings of the compared visits A and B."""
        pair = self.window.compare_view.visit_pair
        if pair is None:
            return None
        ids = []
        for visit in pair:
            recs = self.window.model.list_recordings(visit.visit_id)
            rec = next((r for r in recs if r.view == "sagittal"), None)
            if rec is None:
                return None
            ids.append(rec.recording_id)
        return ids[0], ids[1]

    def _recording_ready(self) -> bool:
        rv = self.window.recording_view
        return rv.store is not None and rv.store.complete and rv.video.pose is not None

    def _shoot_recording(self) -> None:
        rv = self.window.recording_view
        heel = ((rv.doc.get("events") or {}).get("heel_strike") or {}).get("left") or [1.0]
        rv.seek(float(heel[len(heel) // 2]) + 0.35)
        QTimer.singleShot(300, self._grab_recording)

    def _grab_recording(self) -> None:
        self._save(self.window, "recording.png")
        self._measure(0)

    # -- manual measurements ----------------------------------------------------------------
    def _measure(self, which: int) -> None:
        """Open visit A's (0) or B's (1) side recording for the Measure mode."""
        self.window.recording_view.set_measure_mode(False)
        self.window.show_recording(self.pair_recordings[which])
        self._wait_then(self._recording_ready, lambda: self._draw_angle(which))

    def _heel_strike_frame(self) -> None:
        """Show the right heel strike in the middle of the walk (the right side faces the camera)."""
        rv = self.window.recording_view
        heel = ((rv.doc.get("events") or {}).get("heel_strike") or {}).get("right") or [1.0]
        rv.seek(float(heel[len(heel) // 2]))

    def _click_landmarks(self, names: tuple[str, ...]) -> bool:
        """Click on the named landmarks of the shown frame, as the therapist would (they snap)."""
        import numpy as np

        from gaitlab.landmarks import INDEX

        rv = self.window.recording_view
        pose = rv.video.pose
        rows = np.flatnonzero(pose.frame_index == rv.video.current_index) if pose is not None else []
        if len(rows) == 0:
            return False
        landmarks = pose.image_px[int(rows[0])]
        for name in names:
            x, y = (float(v) for v in landmarks[INDEX[name]])
            if not (np.isfinite(x) and np.isfinite(y)):
                return False
            rv.measure_tool.click_at(x + 2.0, y - 2.0)  # a click a little off the joint
        return rv.measure_tool.complete

    def _draw(self, mode: str, label: str, names: tuple[str, ...]) -> bool:
        rv = self.window.recording_view
        rv.set_measure_mode(True)
        rv.measure_bar.choose_mode(mode)
        if not self._click_landmarks(names):
            self._problem(f"the landmarks {', '.join(names)} are not on the shown frame.")
            return False
        rv.measure_bar.label_combo.setCurrentText(label)
        return True

    def _save_drawing(self) -> None:
        bar = self.window.recording_view.measure_bar
        bar.save_button.click()  # saved with the visit through the app model
        if bar.error_label.text():
            self._problem(f"the measurement was not saved: {bar.error_label.text()}")

    def _draw_angle(self, which: int) -> None:
        self._heel_strike_frame()
        label, names = SCREENSHOT_ANGLE
        if self._draw("angle", label, names):
            self._save_drawing()
        if which == 0:
            self._measure(1)
            return
        # visit B: a second drawing, finished but not saved yet, for the picture
        label, names = SCREENSHOT_LINE
        self._draw("line_vertical", label, names)
        QTimer.singleShot(400, self._grab_measure)

    def _grab_measure(self) -> None:
        rv = self.window.recording_view
        self._save(self.window, "recording_measure.png")
        if rv.measure_tool.complete:
            self._save_drawing()
        rv.set_measure_mode(False)
        # the compare view is still open on the same visits: the app model brought it the new measurements
        cv = self.window.compare_view
        cv.tabs.setCurrentIndex(cv.tabs.count() - 1)
        self.window.stack.setCurrentWidget(cv)
        QTimer.singleShot(400, self._grab_compare_measurements)

    def _grab_compare_measurements(self) -> None:
        if self.window.compare_view.measurement_table.rowCount() == 0:
            self._problem("the compare view shows no manual measurement after saving two.")
        self._save(self.window, "compare_measurements.png")
        self._shoot_pages()

    # -- patients, patient, trend, export ---------------------------------------------------------
    def _shoot_pages(self) -> None:
        self.window.show_patients()
        self.window.patients_view.select_patient(self.patient_id)
        QTimer.singleShot(400, self._grab_patients)

    def _grab_patients(self) -> None:
        self._save(self.window, "patients.png")
        self.window.show_patient(self.patient_id)
        pair = self.window.compare_view.visit_pair
        if pair is not None:
            self.window.patient_view.select_visit(pair[1].visit_id)
        QTimer.singleShot(400, self._grab_patient)

    def _grab_patient(self) -> None:
        self._save(self.window, "patient.png")
        self.window.show_trend(self.patient_id)
        QTimer.singleShot(600, self._grab_trend)

    def _grab_trend(self) -> None:
        self._save(self.window, "trend.png")
        self.window.show_patient(self.patient_id)
        self._export_shot = False
        self.deadline = time.monotonic() + self.timeout_s
        QTimer.singleShot(100, self._poll_export_dialog)
        QTimer.singleShot(0, self._open_export_dialog)

    def _open_export_dialog(self) -> None:
        self.window.export_patient_report()  # returns once the dialog below is closed
        if not self._export_shot:
            self._problem("the export dialog did not open.")
        self._finish()

    def _poll_export_dialog(self) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "export_dialog":
            if time.monotonic() < self.deadline:
                QTimer.singleShot(100, self._poll_export_dialog)
            return
        QTimer.singleShot(300, lambda: self._grab_export_dialog(dialog))

    def _grab_export_dialog(self, dialog) -> None:
        self._save(dialog, "export_dialog.png")
        self._export_shot = True
        dialog.reject()

    def _finish(self) -> None:
        self.window.model.tasks.cancel_all()
        self.window.model.tasks.wait_all()
        self.window.close()
