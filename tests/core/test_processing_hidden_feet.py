"""Heel and toe points hidden by walking itself pass the visibility gate (issue #4).

Pose models score a point they infer rather than see with a low visibility; the
heavy model scores the heel hidden behind its own foot at every landing walking
toward the camera, and the far foot behind the near leg seen from the side, 0.2-0.5
while placing them as well as the points it sees.  These tests use the analytic
walker, whose points are exact, with such scores written over chosen frames.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_kinematics_walker import make_walk

from gaitlab.errors import ValidationError
from gaitlab.kinematics import analyze_gait
from gaitlab.landmarks import INDEX
from gaitlab.processing import clean_pose
from gaitlab.processing.gating import FOOT_POINTS, gate_landmarks, keep_hidden_feet
from gaitlab.types import SIDES

HIDDEN = 0.3  # the heavy model's typical score of a foot point hidden by walking


def _with_scores(pose, visibility=None, presence=None):
    vis = np.ones((pose.n_frames, 33)) if visibility is None else visibility
    pres = np.ones((pose.n_frames, 33)) if presence is None else presence
    return pose.replace(visibility=vis, presence=pres)


def _frames_near(times_s, fps: float, before_s: float, after_s: float, n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for t in times_s:
        mask[max(0, int(np.floor((t - before_s) * fps))) : min(n, int(np.ceil((t + after_s) * fps)) + 1)] = True
    return mask


def test_front_view_heels_hidden_at_every_landing_give_the_strikes_of_a_seen_walk():
    # Walking toward the camera the heel is behind its own foot from late swing into
    # loading: the gate alone blanked those frames, the very ones that time the strike
    # (the heavy model's walks toward the camera lost most strikes and exited 3).
    pose, truth = make_walk(view="frontal", direction="toward", duration_s=8.0, speed_m_s=1.0, stride_s=1.15,
                            stance_share=0.62, camera_distance_m=4.0)
    seen = analyze_gait(_with_scores(pose), view="frontal", direction="toward")
    vis = np.ones((pose.n_frames, 33))
    for side in SIDES:
        near = _frames_near(truth.heel_strike[side], pose.fps, 0.15, 0.15, pose.n_frames)
        vis[near, INDEX[f"{side}_heel"]] = HIDDEN
    hidden = analyze_gait(_with_scores(pose, visibility=vis), view="frontal", direction="toward")
    assert seen.enough_walking and hidden.enough_walking
    for kind in ("heel_strike", "toe_off"):
        for side in SIDES:
            assert len(seen.events[kind][side]) >= 5
            np.testing.assert_allclose(hidden.events[kind][side], seen.events[kind][side], atol=1e-9)


def test_front_view_keeps_every_hidden_foot_point_but_no_other_landmark_nor_one_outside_the_picture():
    pose, _ = make_walk(view="frontal", direction="toward", duration_s=2.0)
    vis = np.ones((pose.n_frames, 33))
    pres = np.ones((pose.n_frames, 33))
    vis[10:13, INDEX["left_heel"]] = HIDDEN  # hidden behind its foot: put back
    vis[20:40, INDEX["right_foot_index"]] = HIDDEN  # long: put back too
    vis[10:13, INDEX["left_hip"]] = HIDDEN  # not a foot point: stays gated
    vis[30:32, INDEX["left_heel"]] = HIDDEN
    pres[30:32, INDEX["left_heel"]] = 0.2  # the model doubts it is in the picture: stays gated
    scored = _with_scores(pose, visibility=vis, presence=pres)
    gated = gate_landmarks(scored, 0.5, 0.5)
    kept = keep_hidden_feet(gated, scored, view="frontal", min_presence=0.5, max_gap_s=0.15)
    np.testing.assert_array_equal(kept.image_px[10:13, INDEX["left_heel"]], pose.image_px[10:13, INDEX["left_heel"]])
    np.testing.assert_array_equal(kept.world_m[20:40, INDEX["right_foot_index"]],
                                  pose.world_m[20:40, INDEX["right_foot_index"]])
    assert np.isnan(kept.image_px[10:13, INDEX["left_hip"]]).all()
    assert np.isnan(kept.image_px[30:32, INDEX["left_heel"]]).all()
    # nothing else changed
    others = np.ones(33, dtype=bool)
    others[list(FOOT_POINTS)] = False
    np.testing.assert_array_equal(kept.image_px[:, others], gated.image_px[:, others])


def test_side_view_short_dropouts_stay_for_gap_filling_and_long_hidden_stretches_are_put_back():
    # The far foot passes behind the near leg for a few frames in each swing: gap
    # filling bridges that from the points seen either side.  A foot the gate would
    # leave unseen for longer (a whole stance behind the near leg) comes back.
    pose, _ = make_walk(direction="right", duration_s=3.0)
    heel, toe = INDEX["left_heel"], INDEX["left_foot_index"]
    vis = np.ones((pose.n_frames, 33))
    vis[20:24, heel] = HIDDEN  # 4 frames at 30 fps: a gap of 0.133 s <= 0.15 s
    vis[40:52, heel] = HIDDEN  # 12 frames: 0.4 s
    vis[0:3, toe] = HIDDEN  # at the clip's start: no seen point before it to bridge from
    scored = _with_scores(pose, visibility=vis)
    kept = keep_hidden_feet(gate_landmarks(scored, 0.5), scored, view="sagittal", min_presence=0.5, max_gap_s=0.15)
    assert np.isnan(kept.image_px[20:24, heel]).all()
    np.testing.assert_array_equal(kept.image_px[40:52, heel], pose.image_px[40:52, heel])
    np.testing.assert_array_equal(kept.image_px[0:3, toe], pose.image_px[0:3, toe])
    # after cleaning the short dropout is bridged, so the heel is known throughout
    cleaned = clean_pose(scored, view="sagittal", direction="right", lowpass_hz=6.0)
    assert np.isfinite(cleaned.pose.image_px[5:-5, heel]).all()


def test_hidden_feet_reject_an_unknown_view_and_poses_that_do_not_belong_together():
    pose, _ = make_walk(duration_s=1.0)
    gated = gate_landmarks(_with_scores(pose), 0.5)
    with pytest.raises(ValidationError, match="view"):
        keep_hidden_feet(gated, pose, view="overhead", min_presence=0.5, max_gap_s=0.15)
    short, _ = make_walk(duration_s=0.5)
    with pytest.raises(ValidationError, match="shape"):
        keep_hidden_feet(gated, short, view="sagittal", min_presence=0.5, max_gap_s=0.15)
    with pytest.raises(ValidationError, match="negative"):
        keep_hidden_feet(gated, pose, view="sagittal", min_presence=0.5, max_gap_s=-0.1)
