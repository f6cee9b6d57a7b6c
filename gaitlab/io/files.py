"""Writing files so that a crash or a bad input never leaves half a file behind."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from gaitlab.errors import InputError


def cache_root() -> Path:
    """gaitlab's cache folder: ``GAITLAB_CACHE_DIR`` or the user's cache dir.

    Landmark caches, thumbnails and crash logs live in sub-folders of it.
    """
    import platformdirs

    env = os.environ.get("GAITLAB_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir("gaitlab", appauthor=False))


def check_writable_output(path: str | os.PathLike) -> Path:
    """Check that a file can be created at ``path`` without writing anything.

    Raises
    ------
    InputError
        When the folder does not exist, is not writable, or ``path`` is a folder.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(f"The output path {p} is a folder; give a file name.")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"The output folder {parent} does not exist.")
    if not os.access(parent, os.W_OK):
        raise InputError(f"The output folder {parent} is not writable.")
    if p.exists() and not os.access(p, os.W_OK):
        raise InputError(f"The output file {p} exists and is not writable.")
    return p


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    p = check_writable_output(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def write_json_atomic(path: str | os.PathLike, doc: dict) -> Path:
    """Write a JSON document atomically (UTF-8, indented, no NaN)."""
    text = json.dumps(doc, indent=1, allow_nan=False, ensure_ascii=False)
    return write_bytes_atomic(path, (text + "\n").encode("utf-8"))
