"""Cleaning of landmarks: gating, gaps, filtering, side correction, trimming."""

from __future__ import annotations

import numpy as np
import pytest
from test_kinematics_walker import make_walk

from gaitlab.errors import ValidationError
from gaitlab.landmarks import LEFT_ANKLE, LEFT_HIP, RIGHT_ANKLE
from gaitlab.processing import clean_pose
from gaitlab.processing.filtering import butterworth_lowpass_sos, filtfilt_sos, lowpass_filter
from gaitlab.processing.gaps import fill_short_gaps
from gaitlab.processing.gating import gate_landmarks
from gaitlab.processing.peaks import find_peaks
from gaitlab.processing.swaps import (
    apply_leg_labels,
    find_footprints,
    find_leg_labels,
    find_leg_swaps,
    find_mirrored_frames,
    mirror_sides,
    swap_legs,
)
from gaitlab.processing.trimming import find_walking_frames
from gaitlab.types import PoseSequence


def test_short_gaps_are_interpolated_and_long_gaps_stay_missing():
    t = np.arange(60) / 30.0
    v = 2.0 * t + 1.0
    v[10:14] = np.nan  # 4 frames: 0.133 s  -> filled
    v[30:36] = np.nan  # 6 frames: 0.2 s    -> kept
    v[:2] = np.nan  # at the start          -> kept
    out = fill_short_gaps(v, t, 0.15)
    np.testing.assert_allclose(out[10:14], 2.0 * t[10:14] + 1.0)
    assert np.isnan(out[30:36]).all()
    assert np.isnan(out[:2]).all()


def test_gap_filling_rejects_bad_arguments():
    with pytest.raises(ValidationError):
        fill_short_gaps(np.zeros(5), np.arange(4.0), 0.1)
    with pytest.raises(ValidationError):
        fill_short_gaps(np.zeros(5), np.arange(5.0), -1)


def test_lowpass_keeps_slow_motion_removes_jitter_and_respects_gaps():
    fps = 30.0
    t = np.arange(300) / fps
    slow = 10 * np.sin(2 * np.pi * 1.0 * t)
    fast = 3 * np.sin(2 * np.pi * 12.0 * t)
    v = slow + fast
    v[150:160] = np.nan
    out = lowpass_filter(v, fps, 6.0)
    assert np.isnan(out[150:160]).all()
    core = np.r_[20:130, 180:280]
    assert np.max(np.abs(out[core] - slow[core])) < 0.3  # jitter gone, no lag
    with pytest.raises(ValidationError, match="frames per"):
        lowpass_filter(v, 10.0, 6.0)


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
@pytest.mark.parametrize(("cutoff_hz", "fps"), [(6.0, 30.0), (2.0, 25.0), (12.0, 30.0), (6.0, 60.0), (14.0, 30.0)])
def test_butterworth_design_and_zero_phase_filter_match_the_signal_library(order, cutoff_hz, fps):
    # gaitlab writes both out in numpy (scipy.signal takes longer to import than an
    # analysis takes); the reference results come from scipy.signal itself
    from scipy.signal import butter, sosfiltfilt, sosfreqz

    ours = butterworth_lowpass_sos(order, cutoff_hz, fps)
    ref = butter(order, cutoff_hz, btype="low", fs=fps, output="sos")
    _, h_ours = sosfreqz(ours, worN=512, fs=fps)
    freqs, h_ref = sosfreqz(ref, worN=512, fs=fps)
    assert np.max(np.abs(h_ours - h_ref)) < 1e-12
    at_cutoff = np.interp(cutoff_hz, freqs, np.abs(h_ours))
    assert at_cutoff == pytest.approx(2 ** -0.5, abs=2e-3)  # -3 dB at the cut-off
    rng = np.random.default_rng(order)
    x = rng.normal(size=(240, 4)).cumsum(axis=0)
    padlen = 3 * (2 * order + 1)
    expected = np.stack([sosfiltfilt(ref, x[:, j], padlen=padlen) for j in range(4)], axis=1)
    assert np.max(np.abs(filtfilt_sos(ours, x, padlen) - expected)) < 1e-9


def test_lowpass_with_gaps_matches_the_signal_library_stretch_by_stretch():
    # every column has its own gaps, so the stretches (filtered together in one pass
    # over time) have different lengths, down to the shortest that is filtered
    from scipy.signal import butter, sosfiltfilt

    from gaitlab.processing.filtering import MIN_FILTER_FRAMES
    from gaitlab.processing.gaps import find_runs

    rng = np.random.default_rng(11)
    v = rng.normal(size=(400, 5, 2)).cumsum(axis=0)
    for j in range(5):
        for start in rng.integers(0, 390, size=6):
            v[start : start + int(rng.integers(1, 9)), j, int(rng.integers(0, 2))] = np.nan
    v[100:108, 0, 0] = np.nan
    v[108 : 108 + MIN_FILTER_FRAMES, 0, 0] = 5.0  # a stretch exactly as short as filtered
    v[108 + MIN_FILTER_FRAMES, 0, 0] = np.nan
    out = lowpass_filter(v, 30.0, 6.0, order=2)
    sos = butter(2, 6.0, btype="low", fs=30.0, output="sos")
    expected = v.reshape(400, -1).copy()
    for j in range(expected.shape[1]):
        col = expected[:, j]
        for start, end in find_runs(np.isfinite(col)):
            if end - start >= MIN_FILTER_FRAMES:
                col[start:end] = sosfiltfilt(sos, col[start:end], padlen=min(15, end - start - 1))
    np.testing.assert_array_equal(np.isnan(out), np.isnan(v))
    assert np.nanmax(np.abs(out.reshape(400, -1) - expected)) < 1e-9


def test_zero_phase_filter_passes_a_straight_line_and_rejects_bad_input():
    sos = butterworth_lowpass_sos(2, 6.0, 30.0)
    line = np.linspace(-3.0, 7.0, 50)[:, None]
    assert np.allclose(filtfilt_sos(sos, line, 15), line, atol=1e-9)
    with pytest.raises(ValidationError):
        filtfilt_sos(sos, line, 50)
    with pytest.raises(ValidationError):
        butterworth_lowpass_sos(2, 15.0, 30.0)
    with pytest.raises(ValidationError):
        butterworth_lowpass_sos(0, 6.0, 30.0)


def test_peaks_match_the_signal_library_with_flat_tops_ties_and_gaps():
    from scipy.signal import find_peaks as reference

    rng = np.random.default_rng(7)
    for trial in range(600):
        n = int(rng.integers(3, 250))
        if trial % 3 == 0:
            x = rng.normal(size=n)
        elif trial % 3 == 1:
            x = np.round(rng.normal(size=n) * 2) / 2  # flat tops and equal heights
        else:
            x = np.convolve((rng.random(n) < 0.2).astype(float), np.ones(3), mode="same")  # counts
        if trial % 5 == 0:
            x[rng.random(n) < 0.1] = np.nan
        height = None if trial % 2 else float(rng.normal())
        distance = int(rng.integers(1, 30))
        expected, _ = reference(x, height=height, distance=distance)
        np.testing.assert_array_equal(find_peaks(x, height=height, distance=distance), expected)
    # a flat top's peak is its middle; the ends are never peaks
    np.testing.assert_array_equal(find_peaks(np.array([3.0, 1, 2, 2, 2, 1, 5])), [3])
    with pytest.raises(ValidationError):
        find_peaks(np.zeros(5), distance=0)


def test_gating_blanks_unsure_landmarks():
    pose, _ = make_walk(duration_s=1.0)
    vis = np.ones((pose.n_frames, 33))
    vis[5, LEFT_HIP] = 0.2
    gated = gate_landmarks(pose.replace(visibility=vis), 0.5)
    assert np.isnan(gated.image_px[5, LEFT_HIP]).all()
    assert np.isfinite(gated.image_px[6, LEFT_HIP]).all()
    with pytest.raises(ValidationError):
        gate_landmarks(pose, 1.5)


def _inject_crossing_swaps(px, rng):
    dx = px[:, LEFT_ANKLE, 0] - px[:, RIGHT_ANKLE, 0]
    crossings = np.flatnonzero(np.sign(dx[1:]) != np.sign(dx[:-1]))
    frames = np.zeros(len(px), dtype=bool)
    for c in crossings[::3]:
        frames[c + rng.integers(-2, 3) : c + rng.integers(4, 25)] = True
    return frames


@pytest.mark.parametrize(("seed", "direction", "noise_px"), [(1, "right", 0.0), (2, "left", 3.0), (3, "right", 5.0)])
def test_leg_swaps_at_crossings_are_found(seed, direction, noise_px):
    rng = np.random.default_rng(seed)
    pose, _ = make_walk(direction=direction, duration_s=8.0, stride_s=1.0 + 0.05 * seed)
    injected = _inject_crossing_swaps(pose.image_px, rng)
    assert 0 < injected.sum() < 0.5 * len(injected)
    noisy = swap_legs(pose.image_px, injected) + rng.normal(0, noise_px, pose.image_px.shape)
    found = find_leg_swaps(noisy)
    assert (found == injected).mean() >= 0.99


def test_clean_pose_reports_corrected_frames_and_restores_labels():
    rng = np.random.default_rng(7)
    pose, _ = make_walk(duration_s=6.0)
    injected = _inject_crossing_swaps(pose.image_px, rng)
    bad = pose.replace(image_px=swap_legs(pose.image_px, injected))
    cleaned = clean_pose(bad, view="sagittal", direction="right", lowpass_hz=12.0)
    assert cleaned.side_swaps_corrected == injected.sum()
    err = np.nanmax(np.abs(cleaned.pose.image_px[:, LEFT_ANKLE] - pose.image_px[:, LEFT_ANKLE]))
    assert err < 3.0  # pixels; only the filter differs


def test_frontal_mirrored_frames_are_found():
    pose, _ = make_walk(view="frontal", direction="toward", duration_s=3.0)
    frames = np.zeros(pose.n_frames, dtype=bool)
    frames[20:35] = True
    bad = mirror_sides(pose.image_px, frames)
    np.testing.assert_array_equal(find_mirrored_frames(bad, "toward"), frames)
    assert find_mirrored_frames(bad, "away").sum() == pose.n_frames - frames.sum()
    with pytest.raises(ValidationError):
        find_mirrored_frames(bad, "left")


def test_standing_has_no_walking_frames_and_leaving_the_picture_is_not_measurable():
    pose, _ = make_walk(duration_s=3.0, speed_m_s=0.0)
    measurable, walking = find_walking_frames(
        pose.image_px, pose.time_s, fps=pose.fps, image_size_px=pose.image_size_px, view="sagittal", direction="right"
    )
    assert measurable.all() and not walking.any()
    walk, _ = make_walk(duration_s=6.0, focal_px=1500.0)
    measurable, walking = find_walking_frames(
        walk.image_px, walk.time_s, fps=walk.fps, image_size_px=walk.image_size_px, view="sagittal", direction="right"
    )
    outside = (walk.image_px[..., 0] < 0).any(axis=1) | (walk.image_px[..., 0] > walk.image_size_px[0]).any(axis=1)
    assert outside.any() and not (measurable & outside).any()
    assert walking[~outside].mean() > 0.8


def test_clean_pose_warns_when_the_frame_rate_is_too_low_for_the_filter():
    pose, _ = make_walk(duration_s=4.0, fps=12.0)
    cleaned = clean_pose(pose, view="sagittal", direction="right", lowpass_hz=6.0)
    assert cleaned.lowpass_hz == pytest.approx(5.4)
    assert any("frame rate" in w for w in cleaned.warnings)


def test_clean_pose_rejects_an_unknown_view():
    pose, _ = make_walk(duration_s=1.0)
    with pytest.raises(ValidationError):
        clean_pose(pose, view="overhead", direction="right")


def test_gaps_longer_than_the_limit_stay_missing_after_cleaning():
    pose, _ = make_walk(duration_s=4.0)
    px = pose.image_px.copy()
    px[40:43] = np.nan  # 0.1 s
    px[80:90] = np.nan  # 0.33 s
    holed = PoseSequence.create(pose.time_s, px, image_size_px=pose.image_size_px, fps=pose.fps)
    cleaned = clean_pose(holed, view="sagittal", direction="right")
    assert np.isfinite(cleaned.pose.image_px[40:43]).all()
    assert np.isnan(cleaned.pose.image_px[80:90]).all()


def _model_like_label_errors(px, rng, share=0.3, duplicate_share=0.08, noise_px=8.0):
    """Label errors as the pose model makes them on side views (measured on rendered walks).

    Knees and feet are exchanged independently in runs of 1-8 frames anywhere in
    the gait cycle (about ``share`` of the frames), in some frames both labels of
    the feet sit on one foot, and every point is jittered (8 px against a
    117 px trunk: the model's foot error on a 540p side view).  Motion alone does
    not untangle this; the footprints do.  Returns the damaged
    landmarks and the truly exchanged frames of knees and feet.
    """
    n = len(px)
    swapped = {}
    out = px.copy()
    for name, pairs in (("knee", [(25, 26)]), ("foot", [(27, 28), (29, 30), (31, 32)])):
        mask = np.zeros(n, dtype=bool)
        while mask.mean() < share:
            start = int(rng.integers(0, n))
            mask[start : start + int(rng.integers(1, 9))] = True
        swapped[name] = mask
        for left, right in pairs:
            out[mask, left], out[mask, right] = px[mask, right], px[mask, left]
    dup = rng.random(n) < duplicate_share
    for left, right in [(27, 28), (29, 30), (31, 32)]:
        out[dup, right] = out[dup, left]
    out = out + rng.normal(0.0, noise_px, out.shape)
    return out, swapped, dup


@pytest.mark.parametrize(("seed", "direction"), [(11, "right"), (12, "left"), (13, "right")])
def test_leg_labels_are_restored_from_model_like_errors(seed, direction):
    rng = np.random.default_rng(seed)
    pose, _ = make_walk(direction=direction, duration_s=8.0, stride_s=1.0 + 0.05 * (seed - 10))
    damaged, swapped, dup = _model_like_label_errors(pose.image_px, rng)
    labels = find_leg_labels(damaged, pose.fps)
    # where the legs are apart the answer is known; where they cross either reading is right
    true_px = pose.image_px
    apart_knee = np.linalg.norm(true_px[:, 25] - true_px[:, 26], axis=1) > 20
    apart_foot = np.linalg.norm(true_px[:, 27] - true_px[:, 28], axis=1) > 20
    assert (labels.knees_swapped == swapped["knee"])[apart_knee].mean() >= 0.97
    assert (labels.feet_swapped == swapped["foot"])[apart_foot & ~dup].mean() >= 0.97
    # a foot label put on the other foot is blanked in most frames
    fixed = apply_leg_labels(damaged, labels)
    wrong = np.linalg.norm(fixed[:, 28] - true_px[:, 28], axis=1) > 20
    assert (wrong & dup & apart_foot).sum() <= 0.25 * (dup & apart_foot).sum()


def test_footprints_alternate_along_the_walkway():
    pose, truth = make_walk(direction="right", duration_s=6.0)
    px = pose.image_px
    scale = 100.0
    centres = np.stack([px[:, [27, 29, 31]].mean(1), px[:, [28, 30, 32]].mean(1)], axis=1) / scale
    prints = find_footprints(centres, pose.fps)
    heel_strikes = sorted(t for side in ("left", "right") for t in truth.heel_strike[side] if 0.2 < t < 5.5)
    assert len(prints) >= len(heel_strikes) - 1
    xs = [p[0] for p in prints]
    assert np.all(np.diff(xs) > 0.5)
