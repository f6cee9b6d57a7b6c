#!/usr/bin/env bash
# Create or update the project's virtual environment. Called by `make setup`.
set -euo pipefail
python="${1:-python3}"
venv="${2:-.venv}"

if [ ! -x "$venv/bin/python" ]; then
  echo "gaitlab setup: creating $venv"
  "$python" -m venv "$venv"
fi
pip_raw() { PYTHONWARNINGS=ignore "$venv/bin/python" -m pip "$@" 2> >(grep -v -E "is ignored: it is neither a file nor a directory|BuildBackendWarning|^\s*$" >&2); }
pip="pip_raw"
$pip install --quiet --upgrade pip >/dev/null
echo "gaitlab setup: installing gaitlab and its development tools"
$pip install --quiet -e ".[dev]"

# mediapipe depends on opencv-contrib-python, the GUI build of OpenCV that ships
# its own Qt plugins; they clash with PySide6.  gaitlab needs only the headless
# build, so the GUI build is removed and the headless one restored over it.
if $pip show --quiet opencv-contrib-python >/dev/null 2>&1 || $pip show --quiet opencv-python >/dev/null 2>&1; then
  $pip uninstall --quiet -y opencv-contrib-python opencv-python >/dev/null 2>&1 || true
  $pip install --quiet --force-reinstall --no-deps "opencv-python-headless>=4.10"
fi
"$venv/bin/python" - <<'PY'
import pathlib, cv2
qt = pathlib.Path(cv2.__file__).parent / "qt"
if qt.exists():
    raise SystemExit("gaitlab setup: OpenCV still ships Qt plugins; remove opencv-python/opencv-contrib-python from .venv")
PY
echo "gaitlab setup: environment ready"
