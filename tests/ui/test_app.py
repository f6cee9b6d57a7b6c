"""Starting the app: in a subprocess after mediapipe and cv2 (no Qt plugin clash), without a
display (one clear line, then the headless demo), and the screenshot run under a real X server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.ui.samplekit import sample_description
from ui.__main__ import has_display

REPO = Path(__file__).resolve().parents[2]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(extra)
    env["PYTHONPATH"] = str(REPO)
    return env


def test_display_detection():
    assert has_display({}, "darwin")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert has_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not has_display({}, "linux")
    assert not has_display({"QT_QPA_PLATFORM": "xcb"}, "linux")


def test_app_starts_after_mediapipe_and_cv2_without_a_qt_plugin_clash(tmp_path):
    code = (
        "import mediapipe, cv2, sys\n"
        "from ui.app import main\n"
        "sys.exit(main(['--library', sys.argv[1], '--exit-after-ms', '1500']))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "lib.sqlite")],
        env=_env(QT_QPA_PLATFORM="offscreen", GAITLAB_SETTINGS_DIR=str(tmp_path / "settings")),
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    for clash in ("Could not load the Qt platform plugin", "cv2/qt/plugins", "Aborted", "Traceback"):
        assert clash not in run.stderr
    assert (tmp_path / "lib.sqlite").exists()  # the app really opened its library


def test_without_a_display_it_says_so_in_one_line_and_runs_the_demo(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui"],
        env=_env(GAITLAB_LIBRARY=str(tmp_path / "lib.sqlite"), GAITLAB_SETTINGS_DIR=str(tmp_path / "s")),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )
    try:
        first = proc.stderr.readline()
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert first.startswith("gaitlab: no display found") and "headless demo" in first


def _start_xvfb(display: str):
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (tools/test_setup.sh installs Debian's xvfb when run as root)")
    proc = subprocess.Popen([xvfb, display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    socket = Path(f"/tmp/.X11-unix/X{display.lstrip(':')}")
    for _ in range(50):
        if socket.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    if proc.poll() is not None or not socket.exists():
        err = proc.stderr.read().decode(errors="replace")[-300:] if proc.poll() is not None else ""
        proc.kill()
        proc.wait(5)
        proc.stderr.close()
        pytest.skip(f"Xvfb could not start on {display}: {err.strip() or 'no socket appeared'}")
    return proc


def _not_blank(path: Path, min_size: tuple[int, int] = (800, 500)) -> float:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not an image"
    image = image.convertToFormat(QImage.Format_RGB888)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    pixels = data.reshape(h, image.bytesPerLine())[:, : w * 3].reshape(h, w, 3)
    assert w >= min_size[0] and h >= min_size[1]
    return float(pixels.std())


@pytest.mark.model
@pytest.mark.slow
def test_screenshots_of_the_sample_patient_under_a_real_x_server(tmp_path):
    if sample_description() is None:
        pytest.skip("the sample clips are missing from sample_videos/ (run `gaitlab samples`)")
    display = ":99"
    xvfb = _start_xvfb(display)
    out = tmp_path / "screenshots"  # docs/screenshots is remade by the same command, by hand
    try:
        run = subprocess.run(
            [sys.executable, "-m", "ui", "--sample", "--screenshot-dir", str(out),
             "--library", str(tmp_path / "lib.sqlite")],
            env=_env(DISPLAY=display, QT_QPA_PLATFORM="xcb", GAITLAB_SETTINGS_DIR=str(tmp_path / "s")),
            capture_output=True, text=True, timeout=900, cwd=REPO,
        )
    finally:
        xvfb.terminate()
        xvfb.wait(10)
        xvfb.stderr.close()
    assert run.returncode == 0, run.stderr[-2000:]
    from ui.app import SCREENSHOT_SIZE, SCREENSHOTS

    assert {"compare.png", "recording.png"} <= set(SCREENSHOTS)  # the names the README shows
    for name in SCREENSHOTS:
        path = out / name
        assert path.is_file(), f"{name} was not written"
        assert path.stat().st_mtime > time.time() - 900
        if name == "export_dialog.png":  # the dialog alone, not the window
            assert _not_blank(path, (400, 200)) > 20.0, f"{name} looks blank"
            assert _size(path)[0] < SCREENSHOT_SIZE[0]
            continue
        assert _size(path) == SCREENSHOT_SIZE, f"{name} is not a {SCREENSHOT_SIZE} window"
        # a page of tables on white is quieter than the videos (the one-patient list: SD ~15); an empty
        # grey window is under 5
        assert _not_blank(path) > (20.0 if name.startswith(("compare", "recording")) else 10.0), \
            f"{name} looks blank"
    assert "screenshot run" not in run.stderr  # every shot was made (a missing one is said there)

    # the measurements were made through the app, on the library the run used
    from gaitlab.storage import Library

    with Library(tmp_path / "lib.sqlite") as lib:
        patient = lib.list_patients()[0]
        visits = sorted(lib.list_visits(patient.patient_id), key=lambda v: v.date)
        a, b = ([s.measurement for s in lib.list_measurements(v.visit_id)] for v in visits[-2:])
    assert [m.label for m in a] == ["knee angle at heel strike (right)"]
    assert [m.label for m in b] == ["knee angle at heel strike (right)", "trunk lean at heel strike (right)"]
    assert a[0].snapped == b[0].snapped == ("right_hip", "right_knee", "right_ankle")
    assert b[1].snapped == ("right_hip", "right_shoulder") and b[1].reference == "vertical"


def _size(path: Path) -> tuple[int, int]:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    return image.width(), image.height()
