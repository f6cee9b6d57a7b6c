"""Heel strikes of slow, short-stepped and glitchy side-view walks, and toe offs of front-view walks (the analytic walker)."""

from __future__ import annotations

import numpy as np
import pytest
from test_kinematics_walker import make_walk

from gaitlab.kinematics import analyze_gait
from gaitlab.kinematics.events import detect_gait_events
from gaitlab.landmarks import INDEX
from gaitlab.types import SIDES


def _inner(times, t_end: float, edge: float = 0.5) -> np.ndarray:
    times = np.asarray(times)
    return times[(times > edge) & (times < t_end - edge)]


def _check_strikes(found: dict, truth, t_end: float, fps: float) -> None:
    for side in SIDES:
        inner = _inner(found[side], t_end)
        true = _inner(truth.heel_strike[side], t_end)
        assert len(inner) == len(true), (side, inner, true)
        assert np.max(np.abs(inner - true)) <= 1.0 / fps, (side, inner, true)


@pytest.mark.parametrize(
    ("speed_m_s", "stride_s", "stance_share"),
    [(0.6, 1.45, 0.68), (0.8, 1.25, 0.64), (1.4, 0.95, 0.58)],
)
def test_heel_strikes_of_slow_and_fast_walks_are_within_one_frame(speed_m_s, stride_s, stance_share):
    pose, truth = make_walk(
        direction="left", duration_s=7.0, speed_m_s=speed_m_s, stride_s=stride_s, stance_share=stance_share,
        camera_distance_m=9.0,
    )
    assert ((pose.image_px >= 0) & (pose.image_px <= [1920, 1080])).all()  # always in the picture
    gait = analyze_gait(pose, view="sagittal", direction="left")
    assert gait.enough_walking
    _check_strikes(gait.events["heel_strike"], truth, pose.time_s[-1], pose.fps)


def test_a_heel_misplaced_for_a_few_frames_in_mid_swing_is_not_a_strike():
    # the model leaves the swinging heel behind for three frames: the heel's speed
    # dips and rises again; a strike needs the heel to stand afterwards
    pose, truth = make_walk(direction="right", duration_s=7.0)
    px = pose.image_px.copy()
    t = pose.time_s
    heel = INDEX["right_heel"]
    for hs in truth.heel_strike["right"][1:-1]:
        i = int(round((hs - 0.2) * pose.fps))  # mid-to-late swing
        px[i : i + 3, heel] = px[i - 1, heel]
    walking = np.ones(len(t), dtype=bool)
    events = detect_gait_events(px, t, fps=pose.fps, walking=walking, view="sagittal", direction="right")
    inner = _inner(events["heel_strike"]["right"], t[-1])
    true = _inner(truth.heel_strike["right"], t[-1])
    assert len(inner) == len(true)
    assert np.max(np.abs(inner - true)) <= 1.0 / pose.fps


def test_a_foot_that_lands_behind_the_other_is_not_a_heel_strike():
    # the left foot's labels put on the right foot's track, delayed by half a
    # stride: its speed bursts look like steps, but it lands behind the other foot
    pose, truth = make_walk(direction="right", duration_s=7.0)
    px = pose.image_px.copy()
    shift = int(round(0.25 * 1.1 * pose.fps))
    for part in ("ankle", "heel", "foot_index"):
        px[shift:, INDEX[f"left_{part}"]] = px[:-shift, INDEX[f"right_{part}"]]
        px[:shift, INDEX[f"left_{part}"]] = np.nan
    walking = np.ones(len(pose.time_s), dtype=bool)
    events = detect_gait_events(px, pose.time_s, fps=pose.fps, walking=walking, view="sagittal", direction="right")
    assert len(_inner(events["heel_strike"]["left"], pose.time_s[-1])) == 0
    assert len(_inner(events["heel_strike"]["right"], pose.time_s[-1])) >= 4


@pytest.mark.parametrize("direction", ["toward", "away"])
@pytest.mark.parametrize(
    ("speed_m_s", "stride_s", "stance_share"),
    [(0.7, 1.3, 0.64), (1.3, 1.0, 0.58)],
)
def test_front_view_toe_offs_are_within_one_frame(direction, speed_m_s, stride_s, stance_share):
    # Seen from the front, a toe leaving the floor toward the camera first barely
    # moves in the picture (lift and approach cancel); walking back from the swing's
    # peak put the toe off 4-6 frames late here.  Searched forward from the stance,
    # every toe off is within about a frame of the truth (at most 1.03 frames
    # measured, the slow walk away), slow and quick walks alike.
    pose, truth = make_walk(
        view="frontal", direction=direction, duration_s=8.0, speed_m_s=speed_m_s, stride_s=stride_s,
        stance_share=stance_share, camera_distance_m=4.0,
    )
    walking = np.ones(len(pose.time_s), dtype=bool)
    events = detect_gait_events(
        pose.image_px, pose.time_s, fps=pose.fps, walking=walking, view="frontal", direction=direction
    )
    t_end = pose.time_s[-1]
    for side in SIDES:
        found = _inner(events["toe_off"][side], t_end)
        true = _inner(truth.toe_off[side], t_end)
        assert len(found) == len(true) >= 4, (side, found, true)
        assert np.max(np.abs(found - true)) <= 1.25 / pose.fps, (side, found, true)

