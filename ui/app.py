"""Application set-up: the QApplication, the main window, command-line options.

``python -m ui`` starts the app.  Options:

``--library PATH``        open this library file (instead of the settings' one)
``--sample``              open the sample patient (imported when missing) and land on the compare view
``--screenshot-dir DIR``  with ``--sample``: save the compare and recording views as PNG files and quit
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


class ScreenshotRun:
    """Once the sample's comparison is on screen: grab the compare and recording views, then quit."""

    def __init__(self, window, folder: Path, status: dict, *, timeout_s: float = 120.0) -> None:
        self.window = window
        self.folder = Path(folder)
        self.status = status
        self.deadline = 0.0
        self.timeout_s = timeout_s

    def start(self, _patient_id: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.window.task_panel.clear_finished()
        self.window.task_dock.setVisible(False)
        self.deadline = time.monotonic() + self.timeout_s
        self.window.compare_view.tabs.setCurrentIndex(1)  # the cycle curves beside the grid
        self._wait_then(self._compare_ready, self._shoot_compare)

    def _wait_then(self, ready, then) -> None:
        if ready() or time.monotonic() > self.deadline:
            QTimer.singleShot(300, then)
        else:
            QTimer.singleShot(200, lambda: self._wait_then(ready, then))

    def _compare_ready(self) -> bool:
        panels = [p for p in self.window.compare_view.panels.values() if p.store is not None]
        return all(p.store.complete and p.widget.pose is not None for p in panels)

    def _shoot_compare(self) -> None:
        self.window.compare_view.set_phase(35.0)
        QTimer.singleShot(300, self._grab_compare)

    def _grab_compare(self) -> None:
        self.window.grab().save(str(self.folder / "compare.png"))
        rec = self._sample_recording()
        if rec is None:
            self._finish()
            return
        self.window.show_recording(rec)
        self._wait_then(self._recording_ready, self._shoot_recording)

    def _sample_recording(self) -> int | None:
        view = self.window.compare_view
        pair = getattr(view, "visit_pair", None)
        if pair is None:
            return None
        recs = self.window.model.list_recordings(pair[1].visit_id)
        rec = next((r for r in recs if r.view == "sagittal"), recs[0] if recs else None)
        return rec.recording_id if rec else None

    def _recording_ready(self) -> bool:
        rv = self.window.recording_view
        return rv.store is not None and rv.store.complete and rv.video.pose is not None

    def _shoot_recording(self) -> None:
        rv = self.window.recording_view
        heel = ((rv.doc.get("events") or {}).get("heel_strike") or {}).get("left") or [1.0]
        rv.seek(float(heel[len(heel) // 2]) + 0.35)
        QTimer.singleShot(300, self._grab_recording)

    def _grab_recording(self) -> None:
        self.window.grab().save(str(self.folder / "recording.png"))
        self._finish()

    def _finish(self) -> None:
        self.window.model.tasks.cancel_all()
        self.window.model.tasks.wait_all()
        self.window.close()
