"""Quality gates: the core stays Qt-free, layers point one way, the code is linted."""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import gaitlab

ROOT = Path(__file__).resolve().parents[2]

_BLOCK_QT = """
import importlib.abc, sys
class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6'):
            raise ImportError(f'{name} is blocked: the core must not need Qt')
        return None
sys.meta_path.insert(0, BlockQt())
import importlib, pkgutil, gaitlab
failed = []
for m in pkgutil.walk_packages(gaitlab.__path__, 'gaitlab.'):
    importlib.import_module(m.name)
print('imported', len(list(pkgutil.walk_packages(gaitlab.__path__, 'gaitlab.'))))
"""


def test_every_core_module_imports_without_qt_installed():
    proc = subprocess.run(
        [sys.executable, "-c", _BLOCK_QT], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "imported" in proc.stdout


def test_core_has_no_qt_import_in_its_source():
    for module in pkgutil.walk_packages(gaitlab.__path__, "gaitlab."):
        spec = module.module_finder.find_spec(module.name)  # type: ignore[union-attr]
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        text = Path(spec.origin).read_text(encoding="utf-8")
        for banned in ("import PySide6", "from PySide6", "import pyqtgraph", "from pyqtgraph", "from ui", "import ui"):
            assert banned not in text, f"{spec.origin} contains '{banned}'"


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / name
    return str(exe) if exe.exists() else (shutil.which(name) or name)


def test_import_contracts_hold():
    proc = subprocess.run(
        [_tool("lint-imports"), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_ruff_finds_nothing():
    targets = [p for p in ("gaitlab", "ui", "tests", "benchmarks", "tools") if (ROOT / p).exists()]
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *targets],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_mypy_finds_nothing_in_the_core():
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "gaitlab"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
