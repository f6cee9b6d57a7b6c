"""Pelvic tilt and marker obliquity: signs, agreement with the landmark code, metrics."""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.errors import ValidationError
from gaitlab.kinematics.angles import compute_frontal_angles
from gaitlab.landmarks import INDEX, N_LANDMARKS
from gaitlab.markers import (
    cycle_ranges_deg,
    pelvic_obliquity_deg,
    pelvic_tilt_deg,
    pelvic_tilt_metrics,
)
from gaitlab.types import GaitCycle


@pytest.mark.parametrize(
    "direction, asis, psis, expected",
    [
        ("right", (140.0, 110.0), (100.0, 100.0), np.degrees(np.arctan2(10, 40))),  # ASIS lower: anterior
        ("right", (140.0, 90.0), (100.0, 100.0), -np.degrees(np.arctan2(10, 40))),  # ASIS higher: posterior
        ("left", (60.0, 110.0), (100.0, 100.0), np.degrees(np.arctan2(10, 40))),
        ("left", (60.0, 90.0), (100.0, 100.0), -np.degrees(np.arctan2(10, 40))),
        ("right", (130.0, 130.0), (100.0, 100.0), 45.0),
        ("right", (140.0, 100.0), (100.0, 100.0), 0.0),
    ],
)
def test_pelvic_tilt_is_positive_when_the_asis_is_lower(direction, asis, psis, expected):
    assert pelvic_tilt_deg(asis, psis, direction)[0] == pytest.approx(expected)


def test_pelvic_tilt_does_not_depend_on_which_way_the_patient_walks():
    rng = np.random.default_rng(3)
    psis = rng.uniform(100, 200, (20, 2))
    asis = psis + np.column_stack([rng.uniform(20, 60, 20), rng.uniform(-15, 15, 20)])
    mirrored = lambda p: np.column_stack([640.0 - p[:, 0], p[:, 1]])  # noqa: E731
    np.testing.assert_allclose(
        pelvic_tilt_deg(asis, psis, "right"), pelvic_tilt_deg(mirrored(asis), mirrored(psis), "left")
    )


def test_missing_sticker_gives_nan_not_a_guess():
    asis = np.array([[140.0, 110.0], [np.nan, np.nan]])
    psis = np.array([[100.0, 100.0], [100.0, 100.0]])
    tilt = pelvic_tilt_deg(asis, psis, "right")
    assert np.isfinite(tilt[0]) and np.isnan(tilt[1])


@pytest.mark.parametrize("direction", ["toward", "away"])
def test_marker_obliquity_matches_the_landmark_definition(direction):
    # the same points as hip landmarks and as stickers must give the same angle
    rng = np.random.default_rng(5)
    n = 25
    s = 1.0 if direction == "toward" else -1.0
    right = rng.uniform(250, 300, (n, 2))
    left = right + np.column_stack([s * rng.uniform(40, 80, n), rng.uniform(-12, 12, n)])
    px = np.full((n, N_LANDMARKS, 2), 50.0)
    px[:, INDEX["left_hip"]] = left
    px[:, INDEX["right_hip"]] = right
    px[:, INDEX["left_knee"]] = left + [0, 100]
    px[:, INDEX["right_knee"]] = right + [0, 100]
    landmark = compute_frontal_angles(px, direction)["pelvic_obliquity"]
    np.testing.assert_allclose(pelvic_obliquity_deg(left, right, direction), landmark)


def test_marker_obliquity_is_positive_when_the_left_is_higher():
    # walking toward the camera: the patient's left is on the image right
    assert pelvic_obliquity_deg((340.0, 195.0), (260.0, 200.0), "toward")[0] > 0
    # walking away: the patient's left is on the image left
    assert pelvic_obliquity_deg((260.0, 195.0), (340.0, 200.0), "away")[0] > 0
    assert pelvic_obliquity_deg((260.0, 205.0), (340.0, 200.0), "away")[0] < 0


def test_wrong_directions_and_shapes_are_refused():
    with pytest.raises(ValidationError, match="'left' or 'right'"):
        pelvic_tilt_deg((1, 2), (0, 0), "toward")
    with pytest.raises(ValidationError, match="'toward' or 'away'"):
        pelvic_obliquity_deg((1, 2), (0, 0), "left")
    with pytest.raises(ValidationError, match="shape"):
        pelvic_tilt_deg(np.zeros((3, 3)), np.zeros((3, 3)), "right")
    with pytest.raises(ValidationError, match="one entry per frame"):
        pelvic_tilt_deg(np.zeros((3, 2)), np.zeros((2, 2)), "right")


def _sine_tilt(n_cycles=4, period_s=1.1, fps=30.0, mean=10.0, amp=3.0):
    t = np.arange(int(n_cycles * period_s * fps) + 1) / fps
    return t, mean + amp * np.sin(2 * np.pi * t / period_s)


def test_tilt_rom_is_the_mean_range_per_cycle_and_mean_is_the_mean():
    t, tilt = _sine_tilt()
    cycles = [GaitCycle("left", k * 1.1, (k + 1) * 1.1) for k in range(4)]
    m = pelvic_tilt_metrics(tilt, t, cycles)
    assert m["pelvic_tilt_rom_deg"] == pytest.approx(6.0, abs=0.05)
    assert m["pelvic_tilt_mean_deg"] == pytest.approx(10.0, abs=0.1)


def test_tilt_rom_over_the_clip_without_cycles_and_none_without_data():
    t, tilt = _sine_tilt()
    assert pelvic_tilt_metrics(tilt, t)["pelvic_tilt_rom_deg"] == pytest.approx(6.0, abs=0.1)
    # a third of the frames hidden here and there, and two noisy readings: the range
    # still reads the oscillation, not the outliers
    gappy = tilt.copy()
    gappy[np.random.default_rng(5).random(t.size) < 0.33] = np.nan
    gappy[[3, 50]] = [tilt[3] + 2.5, tilt[50] - 2.5]
    assert pelvic_tilt_metrics(gappy, t)["pelvic_tilt_rom_deg"] == pytest.approx(6.0, abs=0.4)
    empty = pelvic_tilt_metrics(np.full_like(t, np.nan), t)
    assert empty == {"pelvic_tilt_rom_deg": None, "pelvic_tilt_mean_deg": None}


def test_a_cycle_mostly_in_a_gap_does_not_count():
    t, tilt = _sine_tilt()
    cycles = [GaitCycle("right", k * 1.1, (k + 1) * 1.1) for k in range(4)]
    holed = tilt.copy()
    holed[(t > 0.1) & (t < 1.0)] = np.nan  # most of the first cycle hidden
    holed[(t > 1.2) & (t < 1.4)] = 12.0 + 20.0  # would give a large range if counted ...
    holed[(t > 1.2) & (t < 1.4)] = np.nan  # ... but is hidden too (18 % of the second cycle)
    ranges = cycle_ranges_deg(holed, t, cycles)
    assert len(ranges) == 3
    assert ranges[1:] == pytest.approx([6.0, 6.0], abs=0.05)


def test_marker_angles_are_smoothed_without_filling_gaps():
    from gaitlab.markers import smooth_angle_deg

    fps = 30.0
    t = np.arange(120) / fps
    truth = 8.0 + 3.0 * np.sin(2 * np.pi * 0.9 * t)  # pelvic tilt moves about once a stride
    rng = np.random.default_rng(1)
    noisy = truth + 0.6 * rng.standard_normal(t.size)
    noisy[40:52] = np.nan  # the arm hid a sticker
    out = smooth_angle_deg(noisy, fps, 6.0)
    assert np.isnan(out[40:52]).all() and np.isfinite(out[:40]).all() and np.isfinite(out[52:]).all()
    ok = np.isfinite(out)
    raw_err = np.sqrt(np.mean((noisy[ok] - truth[ok]) ** 2))
    err = np.sqrt(np.mean((out[ok] - truth[ok]) ** 2))
    assert err < 0.6 * raw_err
    # the stride motion itself passes the filter (no lag, little loss)
    clean = smooth_angle_deg(truth, fps, 6.0)
    assert np.abs(clean[10:-10] - truth[10:-10]).max() < 0.05
    # a video too coarse for the cut-off is left as it is
    assert np.array_equal(smooth_angle_deg(noisy, 10.0, 6.0), noisy, equal_nan=True)


def test_a_bad_smoothing_cut_off_is_refused():
    from gaitlab.markers import smooth_angle_deg

    with pytest.raises(ValidationError, match="cut-off"):
        smooth_angle_deg(np.zeros(10), 30.0, 0.0)
