"""Leg identity over a whole side-view walk, footprints and in-picture frames.

The analytic walker of ``test_kinematics_walker`` is filmed by a pinhole camera
0.9 m above the floor, so the near leg's footprints lie lower in the picture than
the far leg's by a known amount; the tests damage its labels the way the pose
model does and check that the legs come back to the patient's sides.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_kinematics_walker import make_walk

from gaitlab.errors import ValidationError
from gaitlab.landmarks import LEFT_KNEE, LEG_PAIRS, RIGHT_KNEE
from gaitlab.processing import clean_pose, correct_sides
from gaitlab.processing.gating import gate_landmarks
from gaitlab.processing.swaps import (
    apply_leg_labels,
    find_footprints,
    find_leg_labels,
    footprint_legs,
    near_foot_offset,
    stance_outliers,
    swap_legs,
)
from gaitlab.processing.trimming import find_in_frame

FOOT = [27, 29, 31]
FOOT_R = [28, 30, 32]


def _centres(px: np.ndarray, scale: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    return px[:, FOOT].mean(1) / scale, px[:, FOOT_R].mean(1) / scale


def _apart(px: np.ndarray, left: int, right: int, min_px: float = 20.0) -> np.ndarray:
    return np.linalg.norm(px[:, left] - px[:, right], axis=1) > min_px


@pytest.mark.parametrize("direction", ["right", "left"])
def test_the_near_foots_footprints_lie_lower_in_the_picture(direction):
    pose, _ = make_walk(direction=direction, duration_s=6.0)
    left, right = _centres(pose.image_px)
    prints = find_footprints(np.stack([left, right], axis=1), pose.fps)
    offset, error = near_foot_offset(left, right, prints, direction)
    # feet 0.18 m apart at 4 m, camera 0.86 m above the ankles: about 8.5 px lower
    assert offset * 100.0 == pytest.approx(8.5, abs=1.0)
    assert error < 0.2 * offset
    # the same points with the labels exchanged say the opposite
    swapped, _ = near_foot_offset(right, left, prints, direction)
    assert swapped == pytest.approx(-offset)


@pytest.mark.parametrize(("seed", "direction"), [(21, "right"), (22, "left")])
def test_a_walk_labelled_the_wrong_way_round_throughout_is_put_right(seed, direction):
    # the model's labels exchanged in most frames: its majority cannot be trusted,
    # the footprints' heights decide
    rng = np.random.default_rng(seed)
    pose, _ = make_walk(direction=direction, duration_s=7.0)
    frames = rng.random(len(pose.time_s)) < 0.8
    damaged = swap_legs(pose.image_px, frames) + rng.normal(0.0, 2.0, pose.image_px.shape)
    apart = _apart(pose.image_px, LEFT_KNEE, RIGHT_KNEE)
    without = find_leg_labels(damaged, pose.fps)
    assert (without.knees_swapped == frames)[apart].mean() < 0.5  # majority vote gets it wrong
    labels = find_leg_labels(damaged, pose.fps, direction)
    assert (labels.knees_swapped == frames)[apart].mean() >= 0.98
    assert (labels.feet_swapped == frames)[_apart(pose.image_px, 27, 28)].mean() >= 0.98


def test_stretches_the_legs_cannot_be_followed_through_keep_one_identity():
    # legs lost for 0.3 s in three places: each stretch used to decide its sides on
    # its own; the footprints tie them together
    rng = np.random.default_rng(5)
    pose, _ = make_walk(direction="right", duration_s=8.0)
    px = pose.image_px.copy()
    frames = np.zeros(len(px), dtype=bool)
    for start in (50, 110, 170):
        px[start : start + 9, [25, 26, 27, 28, 29, 30, 31, 32]] = np.nan
        frames[start + 9 : start + 60] = True  # the stretch after each blind spell, relabelled
    frames[170 + 9 :] = False
    damaged = swap_legs(px, frames) + rng.normal(0.0, 2.0, px.shape)
    labels = find_leg_labels(damaged, pose.fps, "right")
    fixed = apply_leg_labels(damaged, labels)
    ok = np.isfinite(fixed[:, LEFT_KNEE, 0]) & _apart(pose.image_px, LEFT_KNEE, RIGHT_KNEE)
    err_own = np.linalg.norm(fixed[ok, LEFT_KNEE] - pose.image_px[ok, LEFT_KNEE], axis=1)
    err_other = np.linalg.norm(fixed[ok, LEFT_KNEE] - pose.image_px[ok, RIGHT_KNEE], axis=1)
    assert (err_own < err_other).mean() >= 0.98


def test_a_swinging_foot_passing_a_place_is_not_a_footprint():
    pose, _ = make_walk(direction="right", duration_s=6.0)
    left, right = _centres(pose.image_px)
    clean = find_footprints(np.stack([left, right], axis=1), pose.fps)
    # a foot label that the model leaves for 5 frames at a place between footprints
    right = right.copy()
    place = 0.5 * (clean[5][0] + clean[6][0])
    right[100:105, 0] = place
    prints = find_footprints(np.stack([left, right], axis=1), pose.fps)
    assert len(prints) == len(clean)
    assert min(abs(p[0] - place) for p in prints) > 0.3
    assert np.all(np.diff(footprint_legs(prints)) != 0)  # footprints alternate between the legs


def test_footprint_legs_count_a_missed_footprint():
    prints = [(0.0, 0, 10), (1.0, 10, 20), (3.0, 30, 40), (4.0, 40, 50)]
    assert footprint_legs(prints).tolist() == [0, 1, 1, 0]
    assert footprint_legs([]).size == 0


def test_leg_labels_reject_an_unknown_direction():
    pose, _ = make_walk(duration_s=2.0)
    with pytest.raises(ValidationError, match="sagittal walking direction"):
        find_leg_labels(pose.image_px, pose.fps, "toward")


def test_a_hidden_leg_does_not_put_a_frame_out_of_the_picture():
    pose, _ = make_walk(duration_s=2.0)
    px = pose.image_px.copy()
    px[10, [25, 27, 29, 31]] = np.nan  # the far leg's knee and foot gated away
    px[20, 27, 0] = -5.0  # a foot outside the picture
    px[30, [i for pair in LEG_PAIRS for i in pair]] = np.nan  # no legs at all
    inside = find_in_frame(px, pose.image_size_px)
    assert inside[10] and not inside[20] and not inside[30]
    assert inside[[0, 5, 15, 25]].all()


def test_legs_are_read_from_the_points_before_gating():
    # the far leg's points are unsure (low visibility) while it passes behind the
    # near one; gated, the legs could not be followed; read before gating, they are
    rng = np.random.default_rng(9)
    pose, _ = make_walk(direction="right", duration_s=6.0)
    px = pose.image_px
    frames = np.zeros(len(px), dtype=bool)
    frames[60:120] = True
    damaged = swap_legs(px, frames) + rng.normal(0.0, 2.0, px.shape)
    vis = np.ones(px.shape[:2])
    vis[:, [25, 27, 29, 31]] = np.where(rng.random((len(px), 1)) < 0.5, 0.2, 0.9)
    noisy = pose.replace(image_px=damaged, visibility=vis)
    gated = gate_landmarks(noisy, 0.5)
    corrected, changed = correct_sides(gated, "sagittal", "right", reference_px=noisy.image_px)
    assert (changed == frames).mean() >= 0.97
    with pytest.raises(ValidationError, match="shape"):
        correct_sides(gated, "sagittal", "right", reference_px=noisy.image_px[:10])
    cleaned = clean_pose(noisy, view="sagittal", direction="right")
    knee = cleaned.pose.image_px[:, LEFT_KNEE]
    ok = np.isfinite(knee[:, 0]) & _apart(px, LEFT_KNEE, RIGHT_KNEE)
    assert ok.sum() > 0.5 * len(px)
    assert np.median(np.linalg.norm(knee[ok] - px[ok, LEFT_KNEE], axis=1)) < 5.0


def _hide_the_far_foot_at_crossings(px: np.ndarray, crossings, pattern: str) -> np.ndarray:
    """The walk's labels as the pose model gives them while the near foot swings past the far one.

    In the frames before each crossing, "B" drags both foot labels onto the
    swinging left foot (the standing right one is hidden behind it), "X" exchanges
    the feet, "O" leaves them right.
    """
    out = px.copy()
    for c in crossings:
        for k, kind in zip(range(c - len(pattern) + 1, c + 1), pattern):
            left, right = px[k, FOOT], px[k, FOOT_R]
            if kind == "B":
                out[k, FOOT_R] = left + 0.15 * (right - left)
                out[k, FOOT] = left + 0.3 * (right - left)
            elif kind == "X":
                out[k, FOOT], out[k, FOOT_R] = right, left
    return out


@pytest.mark.parametrize("seed", [3, 4])
def test_a_standing_foot_stays_on_its_footprint_while_the_other_swings_past(seed):
    # walking left the right foot is the far one; while the left swings past it the
    # model drags the right foot's labels onto the left foot and exchanges the feet
    # now and then.  Motion through those frames made the correction follow the
    # swinging foot (the right heel left its footprint by half a trunk for five
    # frames, so its strike came late); the footprint the right foot is seen on
    # before and after says where it stands.
    rng = np.random.default_rng(seed)
    pose, _ = make_walk(direction="left", duration_s=6.0)
    px = pose.image_px
    crossings = (67, 132)  # the left foot passes the standing right one
    assert all((px[c - 1, 27, 0] - px[c - 1, 28, 0]) * (px[c, 27, 0] - px[c, 28, 0]) < 0 for c in crossings)
    damaged = _hide_the_far_foot_at_crossings(px, crossings, "BBXBOBXBO") + rng.normal(0.0, 1.5, px.shape)
    cleaned = clean_pose(pose.replace(image_px=damaged), view="sagittal", direction="left")
    trunk = float(np.median(np.linalg.norm(px[:, 11] - px[:, 23], axis=1)))
    heel = cleaned.pose.image_px[:, 30, 0]
    for c in crossings:
        window = slice(c - 9, c + 2)
        assert np.isfinite(heel[window]).all()
        assert np.max(np.abs(heel[window] - px[window, 30, 0])) < 0.1 * trunk


def test_stance_outliers_know_landing_beyond_the_footprint_from_a_foot_put_behind_it():
    # walking right (x grows): left stands at 0 (frames 0-20), right at 1 (10-30),
    # left at 2 (20-40); trunk lengths
    n = 40
    left = np.full((n, 2), np.nan)
    right = np.full((n, 2), np.nan)
    left[:, 1] = right[:, 1] = 5.0
    left[0:22, 0] = 0.0
    left[22:, 0] = np.linspace(0.2, 2.0, 18)
    right[0:10, 0] = np.linspace(-1.0, 0.9, 10)
    right[10:30, 0] = 1.0
    right[30:, 0] = np.linspace(1.2, 3.0, 10)
    right[11, 0] = 1.35  # landing: reaches beyond its footprint and settles back
    right[15, 0] = 0.6  # behind its footprint: the model dragged it back
    right[24, 0] = 1.4  # ahead, rolling over the toes while the left foot is far behind
    right[27, 0] = 1.35  # ahead, but nearer the swinging left foot than its footprint
    left[27, 0] = 1.45
    prints = [(0.0, 0, 20), (1.0, 10, 30), (2.0, 20, 40)]
    off, on = stance_outliers(left, right, prints, footprint_legs(prints))
    assert np.flatnonzero(off[:, 1]).tolist() == [15, 27]
    assert not off[:, 0].any()
    assert on[12:15, 1].all() and not on[[11, 15, 24, 27], 1].any()
    assert not on[:10, 1].any()  # before the right foot is first seen on its footprint
    # the same walk with the sides named the other way round
    off_swapped, _ = stance_outliers(right, left, prints, 1 - footprint_legs(prints))
    assert np.flatnonzero(off_swapped[:, 0]).tolist() == [15, 27]
    # fewer than two footprints say nothing
    off_none, on_none = stance_outliers(left, right, prints[:1], footprint_legs(prints[:1]))
    assert not off_none.any() and not on_none.any()


def test_a_hidden_knee_put_on_the_near_one_does_not_move_the_crossing(monkeypatch):
    # at every knee crossing the far knee, hidden, gets the near knee's place for a
    # frame, and then the model gives both whole legs the other leg's labels for two
    # frames; knee motion through the misplaced point alone pulls the knees' reading
    # away from the feet's, the whole-leg cost keeps them together
    import gaitlab.processing.swaps as swaps

    rng = np.random.default_rng(2)
    pose, _ = make_walk(direction="right", duration_s=6.0)
    px = pose.image_px
    ahead = np.sign(px[:, LEFT_KNEE, 0] - px[:, RIGHT_KNEE, 0])
    crossings = np.flatnonzero(ahead[1:] != ahead[:-1])
    damaged = px.copy()
    frames = np.zeros(len(px), dtype=bool)
    for c in crossings[1:-1]:
        damaged[c + 2, LEFT_KNEE] = damaged[c + 2, RIGHT_KNEE]
        frames[c + 3 : c + 5] = True
    damaged = swap_legs(damaged, frames) + rng.normal(0.0, 2.0, px.shape)
    apart = _apart(px, LEFT_KNEE, RIGHT_KNEE)

    def wrong_knee_frames() -> int:
        labels = find_leg_labels(damaged, pose.fps, "right")
        assert np.array_equal(labels.feet_swapped, frames)
        return int(((labels.knees_swapped != frames) & apart).sum())

    with_cost = wrong_knee_frames()
    assert with_cost <= 3  # a frame with both knee labels on one knee may go either way
    monkeypatch.setattr(swaps, "LEG_SPLIT_COST", 0.0)
    assert wrong_knee_frames() > with_cost
