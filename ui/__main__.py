"""``python -m ui``: start the app, or the headless demo when there is no display."""

from __future__ import annotations

import os
import sys


def has_display(environ=None, platform: str | None = None) -> bool:
    """Whether a window can be shown: always on macOS/Windows; on Linux a display
    (``DISPLAY`` or ``WAYLAND_DISPLAY``) or an explicit off-screen/VNC Qt platform."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return True
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return True
    return env.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "vnc", "eglfs", "linuxfb")


def run_headless_demo() -> int:
    """Run ``gaitlab demo`` when the command exists; say so when it does not."""
    from gaitlab.cli import build_parser, main

    parser = build_parser()
    commands = next((a.choices for a in parser._subparsers._group_actions), {}) if parser._subparsers else {}
    if "demo" not in commands:
        print("gaitlab: the headless demo is not available in this version.", file=sys.stderr)
        return 1
    return main(["demo"])


def main() -> int:
    if not has_display():
        print(
            "gaitlab: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the window cannot "
            "open; running the headless demo instead.",
            file=sys.stderr,
        )
        return run_headless_demo()
    from ui.app import main as app_main

    return app_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
