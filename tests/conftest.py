"""Test isolation: no test touches the user's real cache, library or settings.

The pose model folder is shared read-only with the user's (``make setup``
provisions it once); everything gaitlab writes goes to a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO_ROOT / "sample_videos"


@pytest.fixture(autouse=True, scope="session")
def _isolated_user_dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("gaitlab-user")
    saved = {k: os.environ.get(k) for k in ("GAITLAB_CACHE_DIR", "GAITLAB_LIBRARY", "GAITLAB_SETTINGS_DIR")}
    os.environ["GAITLAB_CACHE_DIR"] = str(base / "cache")
    os.environ["GAITLAB_LIBRARY"] = str(base / "library" / "library.sqlite")
    os.environ["GAITLAB_SETTINGS_DIR"] = str(base / "settings")
    yield base
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
