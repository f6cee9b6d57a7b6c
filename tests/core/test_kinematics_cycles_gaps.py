"""Cycle averages of a series with gaps (a sticker hidden at the same moment of every stride)."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.kinematics.cycles import N_POINTS, average_cycles_with_gaps, normalise_cycle_with_gaps
from gaitlab.types import GaitCycle

FPS = 30.0


def _walk(n_cycles=4, stride_s=1.0, hide=(0.3, 0.45)):
    t = np.arange(0, n_cycles * stride_s + 1e-9, 1 / FPS)
    phase = (t % stride_s) / stride_s
    values = 10 + 3 * np.sin(2 * np.pi * phase)  # a known curve, degrees
    hidden = (phase >= hide[0]) & (phase < hide[1])
    values[hidden] = np.nan
    cycles = [GaitCycle("left", k * stride_s, (k + 1) * stride_s) for k in range(n_cycles)]
    return t, values, cycles


def test_hidden_part_of_every_cycle_stays_null_and_the_rest_is_exact():
    t, values, cycles = _walk()
    curve = average_cycles_with_gaps(values, t, cycles, max_step_s=2.5 / FPS)
    assert curve is not None and curve["n"] == 4
    pct = np.arange(N_POINTS)
    truth = 10 + 3 * np.sin(2 * np.pi * pct / 100)
    seen = np.isfinite(curve["mean"])
    assert not seen[33:43].any()  # 30-45 % hidden: never bridged
    assert seen[:29].all() and seen[47:].all()
    np.testing.assert_allclose(curve["mean"][seen], truth[seen], atol=0.15)
    np.testing.assert_allclose(curve["sd"][seen], 0.0, atol=0.05)


def test_short_dropouts_are_bridged_and_a_cycle_mostly_missing_is_left_out():
    t, values, cycles = _walk(hide=(0.5, 0.5))
    values[40] = np.nan  # one frame: within the step limit
    one = normalise_cycle_with_gaps(values, t, cycles[1], max_step_s=2.5 / FPS)
    assert np.isfinite(one).all()
    values[(t >= 2.0) & (t < 2.8)] = np.nan  # 80 % of the third cycle hidden
    curve = average_cycles_with_gaps(values, t, cycles, max_step_s=2.5 / FPS)
    assert curve["n"] == 3


def test_nothing_measured_gives_no_curve():
    t, values, cycles = _walk()
    assert average_cycles_with_gaps(np.full_like(values, np.nan), t, cycles, 0.1) is None


@pytest.mark.parametrize("n_cycles", [1, 2])
def test_one_cycle_has_zero_spread(n_cycles):
    t, values, cycles = _walk(n_cycles=n_cycles)
    curve = average_cycles_with_gaps(values, t, cycles[:1], 2.5 / FPS)
    assert curve["n"] == 1
    assert np.nanmax(curve["sd"]) == 0.0
