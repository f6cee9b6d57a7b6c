"""Plain-language warnings about the events of a recording."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.kinematics.quality import event_consistency_warning


def _strikes(times, sides):
    out = {"left": [], "right": []}
    for t, s in zip(times, sides):
        out[{"l": "left", "r": "right"}[s]].append(t)
    return out


def test_an_even_walk_gives_no_warning():
    rng = np.random.default_rng(3)
    times = np.cumsum(0.55 + rng.normal(0.0, 0.03, 14))  # step-time CV about 5 %
    assert event_consistency_warning(_strikes(times, "lr" * 7), "sagittal") == []


def test_an_irregular_but_real_walk_gives_no_warning():
    # a limp: long and short steps in turn (0.45 / 0.75 s), CV 25 %
    times = np.cumsum([0.45, 0.75] * 6)
    assert event_consistency_warning(_strikes(times, "lr" * 6), "frontal") == []


def test_strikes_of_one_side_in_a_row_are_flagged_with_their_count():
    times = np.arange(10) * 0.55
    (warning,) = event_consistency_warning(_strikes(times, "llrrllrlrl"), "sagittal")
    assert "3 of 9 follow one of the same side" in warning
    assert "film again" in warning


def test_strikes_found_where_there_were_none_are_flagged_with_the_spread():
    # the front-view pattern seen on a sample clip: true strikes plus doubled ones
    times = [0.20, 0.29, 1.10, 1.71, 2.32, 2.39, 2.94, 3.52, 3.94, 4.54, 4.79, 5.73]
    (warning,) = event_consistency_warning(_strikes(times, "lrlrlrrlrlrl"), "frontal")
    assert "varies by" in warning and "pelvic drop" in warning and "side view" in warning


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_too_few_strikes_to_judge_give_no_warning(n):
    assert event_consistency_warning(_strikes(np.arange(n) * 0.1, "lrl"[:n]), "frontal") == []
