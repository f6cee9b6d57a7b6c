"""Running the real ``gaitlab`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_gaitlab(*args: str, timeout: float = 600, env: dict | None = None) -> Run:
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "gaitlab", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        stdin=subprocess.DEVNULL,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_one_clear_sentence(err: str) -> None:
    """stderr holds a single gaitlab sentence and no traceback."""
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert "Traceback" not in err, err
    assert len(lines) == 1, err
    assert lines[0].startswith("gaitlab: "), err
    assert lines[0].rstrip().endswith((".", ")")), err
