"""The synthetic gait lab's model and truth: physics, signs, determinism, contract shape.

These tests need no video and no pose model: they check the 3-D walk and its truth
against what the parameters say and against the spec's definitions.
"""

from __future__ import annotations

import numpy as np
import pytest

from gaitlab.contract import validate_document
from gaitlab.errors import InputError
from gaitlab.landmarks import INDEX, N_LANDMARKS
from gaitlab.synth import CameraSetup, GaitParams, compute_series, simulate_walk
from gaitlab.synth.walk import leg_reach_m, solve_knee

STEADY = GaitParams(variability=0.0)


@pytest.fixture(scope="module")
def walk():
    return simulate_walk(STEADY, CameraSetup(view="sagittal", walking="right"), duration_s=5.0, seed=3)


@pytest.fixture(scope="module")
def varied_walk():
    params = GaitParams(speed_m_s=0.9, cadence_steps_per_min=100, variability=0.03,
                        stance_pct_left=64, stance_pct_right=60, step_length_ratio_right=0.9,
                        pelvic_drop_deg_left=3.0, pelvic_drop_deg_right=8.0, markers=True)
    return simulate_walk(params, CameraSetup(view="frontal", walking="toward", horizontal_fov_deg=40.0),
                         duration_s=6.0, seed=21)


# -- parameters ---------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"speed_m_s": 0.0},
        {"cadence_steps_per_min": float("nan")},
        {"stance_pct_left": 50.0},
        {"lumbar_stiffness": 1.5},
        {"shirt_rgb": (300, 0, 0)},
        {"marker_diameter_m": 0.2},
        {"marker_sides": "front"},
        {"height_m": 3.0},
        {"speed_m_s": 2.4, "cadence_steps_per_min": 60.0},
    ],
)
def test_bad_gait_parameters_are_refused_with_one_sentence(kwargs):
    with pytest.raises(InputError) as err:
        GaitParams(**kwargs)
    assert str(err.value).endswith(".") and "\n" not in str(err.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"view": "sagittal", "walking": "toward"},
        {"view": "frontal", "walking": "left"},
        {"view": "top"},
        {"width": 641},
        {"fps": 0.0},
    ],
)
def test_bad_camera_set_ups_are_refused(kwargs):
    with pytest.raises(InputError):
        CameraSetup(**kwargs)


def test_step_lengths_follow_speed_cadence_and_ratio():
    p = GaitParams(speed_m_s=1.0, cadence_steps_per_min=100.0, step_length_ratio_right=0.8)
    assert p.mean_step_length_m == pytest.approx(0.6)
    assert p.step_length_m_right / p.step_length_m_left == pytest.approx(0.8)
    assert p.step_length_m_left + p.step_length_m_right == pytest.approx(1.2)


def test_a_camera_too_close_is_refused():
    with pytest.raises(InputError, match="leaves the frame"):
        simulate_walk(STEADY, CameraSetup(distance_m=1.5), duration_s=4.0, seed=0)


def test_a_duration_out_of_range_is_refused():
    with pytest.raises(InputError):
        simulate_walk(STEADY, CameraSetup(), duration_s=0.2, seed=0)


# -- the 3-D model --------------------------------------------------------------


def test_knee_solver_gives_segment_lengths_and_a_forward_knee():
    hip = np.array([[0.0, 0.1, 0.9], [0.2, 0.1, 0.85]])
    ankle = np.array([[0.1, 0.1, 0.1], [0.0, 0.1, 0.2]])
    fwd = np.array([[1.0, 0.0, 0.0]] * 2)
    knee = solve_knee(hip, ankle, fwd, 0.42, 0.41)
    assert np.linalg.norm(knee - hip, axis=1) == pytest.approx([0.42, 0.42])
    assert np.linalg.norm(ankle - knee, axis=1) == pytest.approx([0.41, 0.41])
    # the knee lies in front of the hip-ankle line
    mid = 0.5 * (hip + ankle)
    assert np.all(knee[:, 0] > mid[:, 0])
    assert leg_reach_m(0.42, 0.41, 0.0) == pytest.approx(0.83)


def test_segments_keep_their_lengths(walk):
    p = walk.points_m
    for side in ("left", "right"):
        for a, b in (("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist")):
            d = np.linalg.norm(p[f"{side}_{a}"] - p[f"{side}_{b}"], axis=1)
            assert np.ptp(d) < 1e-9


def test_heel_touches_the_floor_exactly_at_heel_strike(walk):
    for side in ("left", "right"):
        for t in walk.truth_document()["events"]["heel_strike"][side]:
            at = walk.points_at([t - 0.02, t - 0.004, t])
            heel = at[f"{side}_heel"][:, 2]
            assert heel[2] == pytest.approx(0.0, abs=1e-9)
            assert heel[0] > heel[1] > 1e-5  # descending, above the floor before the strike


def test_toe_leaves_the_floor_exactly_at_toe_off(walk):
    for side in ("left", "right"):
        for t in walk.truth_document()["events"]["toe_off"][side]:
            at = walk.points_at([t - 0.01, t, t + 0.004, t + 0.02])
            toe = at[f"{side}_foot_index"][:, 2]
            assert toe[0] == pytest.approx(0.0, abs=1e-9)
            assert toe[1] == pytest.approx(0.0, abs=1e-9)
            assert 1e-5 < toe[2] < toe[3]


def test_stance_foot_does_not_slide(walk):
    sched = walk.schedule
    for side in ("left", "right"):
        for hs, to in zip(sched.heel_strike_s[side], sched.toe_off_s[side]):
            if hs < 0.05 or not to <= walk.time_s[-1]:
                continue
            t = np.linspace(hs, to, 200)
            at = walk.points_at(t)
            heel, toe = at[f"{side}_heel"], at[f"{side}_foot_index"]
            on_floor_heel = heel[:, 2] < 1e-9
            on_floor_toe = toe[:, 2] < 1e-9
            assert on_floor_heel[0] and on_floor_toe[-1]
            # every point that is on the floor stays where it landed
            assert np.ptp(heel[on_floor_heel, :2], axis=0).max() < 1e-9
            assert np.ptp(toe[on_floor_toe, :2], axis=0).max() < 1e-9
            # some part of the foot touches the floor throughout stance
            assert np.all(on_floor_heel | on_floor_toe)


def test_swing_foot_clears_the_floor(walk):
    sched = walk.schedule
    side = "left"
    for to, hs in zip(sched.toe_off_s[side][:-1], sched.heel_strike_s[side][1:]):
        if to < 0 or hs > walk.time_s[-1]:
            continue
        t = np.linspace(to, hs, 102)[1:-1]
        at = walk.points_at(t)
        assert at["left_heel"][:, 2].min() > 0.0
        assert at["left_foot_index"][:, 2].min() > 0.0


def test_the_same_seed_gives_the_same_walk_and_another_seed_another():
    cam = CameraSetup()
    p = GaitParams(speed_m_s=1.0, cadence_steps_per_min=105)
    a = simulate_walk(p, cam, duration_s=3.0, seed=5)
    b = simulate_walk(p, cam, duration_s=3.0, seed=5)
    c = simulate_walk(p, cam, duration_s=3.0, seed=6)
    assert np.array_equal(a.landmarks_m(), b.landmarks_m())
    assert not np.allclose(a.landmarks_m(), c.landmarks_m())


# -- the truth -------------------------------------------------------------------


def test_truth_metrics_match_the_parameters(walk):
    m = walk.truth_document()["synthetic"]["metrics_all_views"]
    p = STEADY
    assert m["cadence_steps_per_min"] == pytest.approx(p.cadence_steps_per_min, rel=0.01)
    assert m["gait_speed_m_s"] == pytest.approx(p.speed_m_s, rel=0.03)
    for side in ("left", "right"):
        assert m["stance_pct"][side] == pytest.approx(61.0, abs=0.3)
        assert m["step_length_m"][side] == pytest.approx(p.mean_step_length_m, abs=1e-4)
        assert m["stride_time_s"][side] == pytest.approx(p.stride_time_s, abs=1e-4)
        assert m["pelvic_drop_deg"][side] == pytest.approx(4.0, abs=0.6)
    assert m["double_support_pct"] == pytest.approx(2 * 61.0 - 100.0, abs=0.5)
    assert m["trunk_lean_sagittal_mean_deg"] == pytest.approx(p.trunk_lean_sagittal_deg, abs=1.0)


def test_asymmetric_parameters_show_on_the_right_side(varied_walk):
    m = varied_walk.truth_document()["synthetic"]["metrics_all_views"]
    assert m["pelvic_drop_deg"]["right"] == pytest.approx(8.0, abs=1.2)
    assert m["pelvic_drop_deg"]["left"] == pytest.approx(3.0, abs=1.0)
    assert m["stance_pct"]["left"] > m["stance_pct"]["right"] + 2.0
    assert m["step_length_m"]["right"] < m["step_length_m"]["left"]
    assert m["symmetry_index_pct"]["step_length"] > 5.0


def test_series_signs_follow_the_spec(walk):
    doc = walk.truth_document()
    s = {k: np.array(v, dtype=float) for k, v in doc["series"].items()}
    t = np.array(doc["time_s"])
    for side in ("left", "right"):
        hs = doc["events"]["heel_strike"][side]
        to = doc["events"]["toe_off"][side]
        # flexed (knee ahead of the trunk line) at heel strike, extended before toe off
        assert np.interp(hs, t, s[f"hip_flexion_{side}"]).min() > 10.0
        assert np.interp(np.array(to) - 0.1, t, s[f"thigh_angle_{side}"]).max() < 0.0
        assert s[f"knee_flexion_{side}"].min() >= 0.0
        assert 45.0 < s[f"knee_flexion_{side}"].max() < 70.0
    assert 1.0 < s["trunk_lean_sagittal"].mean() < 5.0


def test_series_are_computed_from_the_projected_joint_centres():
    # a hand-made pose: trunk upright, left thigh 30 deg forward, right thigh 10 deg back,
    # pelvis tilted so the left hip is 2 cm higher
    n = 1
    pts = {
        "left_shoulder": np.array([[0.0, 0.18, 1.45]]),
        "right_shoulder": np.array([[0.0, -0.18, 1.45]]),
        "left_hip": np.array([[0.0, 0.1, 0.92]]),
        "right_hip": np.array([[0.0, -0.1, 0.90]]),
    }
    for side, ang in (("left", 30.0), ("right", -10.0)):
        a = np.radians(ang)
        hip = pts[f"{side}_hip"][0]
        knee = hip + 0.4 * np.array([np.sin(a), 0.0, -np.cos(a)])
        pts[f"{side}_knee"] = knee[None]
        pts[f"{side}_ankle"] = (knee + np.array([0.0, 0.0, -0.4]))[None]
    s = compute_series(pts)
    assert s["thigh_angle_left"][0] == pytest.approx(30.0, abs=1e-6)
    assert s["thigh_angle_right"][0] == pytest.approx(-10.0, abs=1e-6)
    assert s["knee_flexion_left"][0] == pytest.approx(30.0, abs=1e-6)
    assert s["pelvic_obliquity"][0] == pytest.approx(np.degrees(np.arctan2(0.02, 0.2)), abs=1e-6)
    trunk = np.degrees(np.arctan2(0.0, 1.45 - 0.91))
    assert s["trunk_lean_sagittal"][0] == pytest.approx(trunk, abs=1e-6)
    assert s["hip_flexion_left"][0] == pytest.approx(30.0, abs=1e-6)
    # thighs straight down in the frontal plane: adduction is the pelvic tilt, toward the
    # midline on the high (left) side and away on the low side
    obl = s["pelvic_obliquity"][0]
    assert s["hip_adduction_left"][0] == pytest.approx(obl, abs=1e-6)
    assert s["hip_adduction_right"][0] == pytest.approx(-obl, abs=1e-6)
    assert n == 1


def test_truth_documents_validate_against_the_contract(walk, varied_walk):
    for w in (walk, varied_walk):
        doc = w.truth_document()
        validate_document(doc)
        assert doc["model"]["variant"] == "truth"
        assert len(doc["time_s"]) == w.n_frames
    sag = walk.truth_document()
    fro = varied_walk.truth_document()
    assert "hip_flexion_left" in sag["series"] and "pelvic_obliquity" not in sag["series"]
    assert "pelvic_obliquity" in fro["series"] and "hip_flexion_left" not in fro["series"]
    assert "pelvic_drop_deg" not in sag["metrics"] and "hip_rom_deg" not in fro["metrics"]
    assert sag["synthetic"]["params"]["speed_m_s"] == STEADY.speed_m_s


def test_markers_add_pelvic_tilt_to_the_sagittal_truth():
    p = GaitParams(markers=True, lumbar_stiffness=1.0, variability=0.0)
    doc = simulate_walk(p, CameraSetup(), duration_s=3.0, seed=2).truth_document()
    tilt = np.array(doc["series"]["pelvic_tilt"], dtype=float)
    # anterior tilt of the ASIS-PSIS line at rest, moving a few degrees each stride
    assert 5.0 < tilt.mean() < 15.0
    assert 3.0 < np.ptp(tilt) < 12.0
    assert doc["synthetic"]["stickers"] == {"sides": ["right"], "diameter_m": 0.025, "pelvic_tilt_side": "right"}


def test_a_stiffer_lumbar_spine_tilts_the_pelvis_more():
    def tilt_range(stiffness):
        p = GaitParams(markers=True, lumbar_stiffness=stiffness, variability=0.0)
        doc = simulate_walk(p, CameraSetup(), duration_s=3.0, seed=2).truth_document()
        return np.ptp(np.array(doc["series"]["pelvic_tilt"], dtype=float))

    assert tilt_range(1.0) > tilt_range(0.0) + 4.0


def test_the_lab_sticker_colour_is_gaitlabs_default():
    from gaitlab.markers import DEFAULT_MARKER_COLOUR, MARKER_COLOURS

    assert GaitParams().marker_rgb == MARKER_COLOURS[DEFAULT_MARKER_COLOUR].rgb


@pytest.mark.parametrize(
    "view, walking, sides",
    [("sagittal", "right", ("right",)), ("sagittal", "left", ("left",)),
     ("frontal", "toward", ("left", "right")), ("frontal", "away", ("left", "right"))],
)
def test_stickers_go_where_the_guide_tells_therapists(view, walking, sides):
    p = GaitParams(markers=True, variability=0.0)
    walk = simulate_walk(p, CameraSetup(view=view, walking=walking, horizontal_fov_deg=40.0), duration_s=1.0, seed=1)
    assert walk.sticker_sides == sides
    assert set(walk.markers_px()) == {f"{s}_{site}" for s in sides for site in ("asis", "psis")}
    both = simulate_walk(GaitParams(markers=True, marker_sides="both"), CameraSetup(view=view, walking=walking,
                         horizontal_fov_deg=40.0), duration_s=1.0, seed=1)
    assert both.sticker_sides == ("left", "right")
    bare = simulate_walk(GaitParams(), CameraSetup(view=view, walking=walking, horizontal_fov_deg=40.0),
                         duration_s=1.0, seed=1)
    assert bare.sticker_sides == () and bare.markers_px() == {}


def test_sagittal_truth_has_no_tilt_when_the_camera_side_has_no_stickers():
    p = GaitParams(markers=True, marker_sides="left")
    doc = simulate_walk(p, CameraSetup(walking="right"), duration_s=2.0, seed=1).truth_document()
    assert "pelvic_tilt" not in doc["series"]


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("site", ["asis", "psis"])
def test_each_ball_sticker_rests_on_the_skin_over_its_bony_point(side, site):
    from gaitlab.synth.body import PELVIC_LANDMARKS_M, pelvis_shape, sticker_site

    p = GaitParams(markers=True, marker_diameter_m=0.03, height_m=1.85, hip_width_scale=1.1)
    bone, skin, ball = sticker_site(p, side, site)
    shape = pelvis_shape(p)
    c, r = np.array(shape.centre_m), np.array(shape.radii_m)
    assert np.sum(((skin - c) / r) ** 2) == pytest.approx(1.0)  # the skin point is on the pelvis surface
    assert np.linalg.norm(ball - skin) == pytest.approx(0.015)  # the ball touches it ...
    normal = (skin - c) / r**2
    normal /= np.linalg.norm(normal)
    assert np.allclose((ball - skin) / 0.015, normal)  # ... from outside, along the surface normal
    assert np.linalg.norm(skin - bone) < 0.02  # over the palpated point
    assert np.sign(bone[1]) == (1.0 if side == "left" else -1.0)
    assert np.sign(bone[0]) == np.sign(PELVIC_LANDMARKS_M[site][0])  # ASIS in front, PSIS behind


def test_truth_tilt_is_the_line_between_the_camera_side_ball_centres():
    p = GaitParams(markers=True, lumbar_stiffness=0.5)
    walk = simulate_walk(p, CameraSetup(walking="left"), duration_s=2.0, seed=5)
    tilt = np.array(walk.truth_document()["series"]["pelvic_tilt"], dtype=float)
    a, q = walk.points_m["left_asis_sticker"], walk.points_m["left_psis_sticker"]
    expected = np.degrees(np.arctan2(q[:, 2] - a[:, 2], a[:, 0] - q[:, 0]))
    assert np.allclose(tilt, expected, atol=1e-3)
    # the stickers move rigidly with the pelvis: their distance never changes
    d = np.linalg.norm(a - q, axis=1)
    assert np.ptp(d) < 1e-9


def test_truth_pose_projects_the_landmarks(walk):
    pose = walk.truth_pose()
    assert pose.image_px.shape == (walk.n_frames, N_LANDMARKS, 2)
    assert pose.detection_rate == 1.0
    px = pose.image_px
    assert px[..., 0].min() > 0 and px[..., 0].max() < walk.camera.width
    assert px[..., 1].min() > 0 and px[..., 1].max() < walk.camera.height
    mid = 0.5 * (pose.world_m[:, INDEX["left_hip"]] + pose.world_m[:, INDEX["right_hip"]])
    assert np.abs(mid).max() < 1e-9
    # head above the feet in the image (y down), walking right: hips move right
    assert np.all(px[:, INDEX["nose"], 1] < px[:, INDEX["left_heel"], 1])
    hip_x = px[:, INDEX["left_hip"], 0]
    assert hip_x[-1] - hip_x[0] > 200


def test_views_and_directions_place_the_camera_as_named():
    p = GaitParams(variability=0.0)
    left = simulate_walk(p, CameraSetup(walking="left"), duration_s=3.0, seed=1)
    right = simulate_walk(p, CameraSetup(walking="right"), duration_s=3.0, seed=1)
    assert np.array_equal(left.landmarks_m(), right.landmarks_m())
    hx = lambda w: w.landmarks_px()[:, INDEX["left_hip"], 0]  # noqa: E731
    assert hx(left)[-1] < hx(left)[0] and hx(right)[-1] > hx(right)[0]
    # the near side is the camera's side: walking right shows the right side
    r = right.cam.to_camera(right.points_m["right_hip"])[:, 2]
    l_ = right.cam.to_camera(right.points_m["left_hip"])[:, 2]
    assert np.all(r < l_)
    size = lambda w: np.ptp(w.landmarks_px()[:, :, 1], axis=1)  # noqa: E731
    toward = simulate_walk(p, CameraSetup(view="frontal", walking="toward", horizontal_fov_deg=40), duration_s=3.0, seed=1)
    away = simulate_walk(p, CameraSetup(view="frontal", walking="away", horizontal_fov_deg=40), duration_s=3.0, seed=1)
    assert size(toward)[-1] > 1.3 * size(toward)[0]
    assert size(away)[-1] < size(away)[0] / 1.3
