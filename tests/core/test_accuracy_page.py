"""docs/accuracy.md says what its own raw figures say, in the benchmark's current words.

The page is written by ``benchmarks/accuracy.py --write`` (minutes: it runs the pose
model).  Its figures are kept in the page as JSON; re-rendering them with today's
bars, table layout and findings must give the page back, so a findings text or a bar
changed without the page, or a page edited by hand, fails here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _benchmark():
    spec = importlib.util.spec_from_file_location("gaitlab_accuracy_page", ROOT / "benchmarks" / "accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_accuracy_page_is_what_its_raw_figures_render_to():
    acc = _benchmark()
    page = (ROOT / "docs" / "accuracy.md").read_text(encoding="utf-8")
    assert acc.rerender(page) == page, (
        "docs/accuracy.md differs from its raw figures rendered by benchmarks/accuracy.py: "
        "after a change of wording run `.venv/bin/python benchmarks/accuracy.py --rerender`, "
        "after a change of measurement `--write`"
    )


def test_held_out_clips_have_their_own_table_and_a_tally():
    acc = _benchmark()
    page = (ROOT / "docs" / "accuracy.md").read_text(encoding="utf-8")
    assert "## Held-out clips" in page and "Bars met on the held-out clips:" in page
    tuned, held = page.split("## Held-out clips", 1)
    for spec in acc.HELD_OUT:
        assert f"| {spec.name} |" in held and f"| {spec.name} |" not in tuned
    assert not {s.name for s in acc.HELD_OUT} & {s.name for s in acc.CLIPS}


def test_a_label_share_just_under_the_bar_is_not_printed_as_the_bar():
    acc = _benchmark()
    spec = acc.ClipSpec("x", "sagittal", "right", 1280, 720, 5.0, 1)
    hip = {"rmse": 3.0, "r": 0.98, "coverage": 1.0}

    def labels(correct):
        r = {"view": "sagittal", "hip_flexion_left": hip, "hip_flexion_right": hip,
             "labels": {"correct": correct, "frames": 96}, "heel_strike_mae_frames": 0.5,
             "n_strides_truth": 3, "heel_strike_missed": 0, "heel_strike_extra": 0}
        return acc.verdicts(spec, r)["labels correct"]

    assert labels(95 / 96) == ("98.96 % of 96 frames", False)
    assert labels(0.99) == ("99.0 % of 96 frames", True)
    assert labels(0.95) == ("95.0 % of 96 frames", False)
