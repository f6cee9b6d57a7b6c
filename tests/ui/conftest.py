"""Fixtures of the app tests: a model on a temporary library, the main window, modal helpers.

Every test gets its own library file and settings folder under ``tmp_path``; the
root conftest already points GAITLAB_LIBRARY / GAITLAB_SETTINGS_DIR / GAITLAB_CACHE_DIR
at temporary folders, so nothing here can reach the user's real files.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

pytest.importorskip("PySide6", reason="the app tests need PySide6 (pip install gaitlab[ui])")
pytest.importorskip("pytestqt", reason="the app tests need pytest-qt")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


@pytest.fixture(autouse=True)
def _own_settings_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GAITLAB_SETTINGS_DIR", str(tmp_path / "settings"))
    yield


@pytest.fixture
def app_settings(tmp_path):
    from ui.settings import AppSettings

    return AppSettings(library_path=str(tmp_path / "library" / "library.sqlite"))


@pytest.fixture
def model(qtbot, app_settings):
    from ui.model import AppModel

    m = AppModel(app_settings)
    yield m
    m.close()


@pytest.fixture
def window(qtbot, model, tmp_path):
    from ui.main_window import MainWindow

    w = MainWindow(model, sample_dir=tmp_path / "no-samples")
    qtbot.addWidget(w)
    w.show()
    yield w
    w.recording_view.stop()
    w.compare_view.stop()


def open_window(qtbot, library_path, tmp_path):
    """The app's main window on an existing library file (no sample clips offered)."""
    from ui.main_window import MainWindow
    from ui.model import AppModel
    from ui.settings import AppSettings

    model = AppModel(AppSettings(library_path=str(library_path)))
    w = MainWindow(model, sample_dir=tmp_path / "none")
    qtbot.addWidget(w)
    w.show()
    return w


def close_window(w) -> None:
    """Stop the window's players and close its library (the counterpart of :func:`open_window`)."""
    w.recording_view.stop()
    w.compare_view.stop()
    w.model.close()
    w.hide()


def on_next_modal(handler: Callable, *, timeout_ms: int = 5000) -> None:
    """Call ``handler(dialog)`` on the next modal dialog that opens (a dialog's exec() blocks)."""
    waited = {"ms": 0}

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            handler(dialog)
            return
        waited["ms"] += 20
        if waited["ms"] < timeout_ms:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def real_user_dirs_untouched() -> bool:
    """True while the library and settings the tests use sit outside the user's home folders."""
    return all(os.environ.get(k) for k in ("GAITLAB_LIBRARY", "GAITLAB_SETTINGS_DIR", "GAITLAB_CACHE_DIR"))
