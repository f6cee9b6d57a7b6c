"""An analytic walker for the kinematics tests: a figure whose answer is known.

The feet are placed first (each stance foot stays still on the floor from its
heel strike to its toe off; each swing foot travels to the next footprint), the
pelvis moves at constant speed, and the knees follow by two-link inverse
kinematics.  The heel strike and toe off times, the thigh and knee angles, the
trunk lean and the pelvic obliquity are therefore known exactly, and the figure
is projected through a pinhole camera beside the walkway (sagittal) or in front
of / behind it (frontal).

This module also checks the walker itself, so a broken fixture cannot make the
kinematics tests pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gaitlab.landmarks import INDEX, N_LANDMARKS
from gaitlab.types import PoseSequence

THIGH_M = 0.45
SHANK_M = 0.45
ANKLE_HEIGHT_M = 0.08
HIP_HALF_WIDTH_M = 0.09
SHOULDER_HALF_WIDTH_M = 0.18
TRUNK_M = 0.52


@dataclass
class WalkTruth:
    """Known answers of one analytic walk (angles in degrees, times in seconds)."""

    heel_strike: dict
    toe_off: dict
    thigh_angle: dict
    hip_flexion: dict
    knee_flexion: dict
    trunk_lean_deg: float
    pelvic_obliquity: np.ndarray
    stride_time_s: dict
    extra: dict = field(default_factory=dict)


def _smooth_step(u):
    u = np.clip(u, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def _foot_track(t, first_hs, stride_s, stance_share, speed, lead_m):
    """Ankle X (forward) and height over time of one foot; heel strikes at first_hs + k*stride."""
    x = np.empty_like(t)
    y = np.empty_like(t)
    k = np.floor((t - first_hs) / stride_s)
    phase = (t - first_hs) / stride_s - k  # 0..1 from this foot's heel strike
    hs_time = first_hs + k * stride_s
    land_x = speed * hs_time + lead_m
    stance = phase < stance_share
    x[stance] = land_x[stance]
    y[stance] = ANKLE_HEIGHT_M
    u = (phase - stance_share) / (1 - stance_share)
    sw = ~stance
    x[sw] = land_x[sw] + speed * stride_s * _smooth_step(u[sw])
    y[sw] = ANKLE_HEIGHT_M + 0.09 * np.sin(np.pi * u[sw])
    return x, y


def _knee_ik(hip, ankle):
    """Knee position (X, Y) with the knee bent forward, by two-link inverse kinematics."""
    d = ankle - hip
    dist = np.linalg.norm(d, axis=1)
    dist = np.minimum(dist, THIGH_M + SHANK_M - 1e-9)
    a = (THIGH_M**2 - SHANK_M**2 + dist**2) / (2 * dist)
    h = np.sqrt(np.maximum(THIGH_M**2 - a**2, 0.0))
    unit = d / dist[:, None]
    base = hip + unit * a[:, None]
    # perpendicular pointing forward (+X) for a downward leg
    perp = np.stack([-unit[:, 1], unit[:, 0]], axis=1)
    perp *= np.where(perp[:, :1] >= 0, 1.0, -1.0)
    return base + perp * h[:, None]


def make_walk(
    *,
    view: str = "sagittal",
    direction: str = "right",
    fps: float = 30.0,
    duration_s: float = 6.0,
    stride_s: float = 1.1,
    stride_s_right: float | None = None,
    speed_m_s: float = 1.2,
    stance_share: float = 0.6,
    trunk_lean_deg: float = 4.0,
    obliquity_amp_deg: float = 5.0,
    drop_bias_deg: float = 0.0,
    camera_distance_m: float = 4.0,
    focal_px: float = 900.0,
    image_size_px: tuple[int, int] = (1920, 1080),
    first_hs_left_s: float = 0.23,
    step_share_left: float = 0.5,
) -> tuple[PoseSequence, WalkTruth]:
    """One analytic walk and its truth.

    ``step_share_left`` moves the right heel strike within the left stride (0.5 is
    symmetric; 0.55 makes the left step time 10 % shorter than the right's? no: the
    right heel strike comes at ``first_hs_left + step_share_left * stride``, so the
    right step time is ``step_share_left * stride`` and the left one the rest).
    ``drop_bias_deg`` adds a larger pelvic drop on the right side during left stance.
    """
    stride_r = stride_s if stride_s_right is None else stride_s_right
    t = np.arange(int(round(duration_s * fps))) / fps
    lead = 0.5 * stance_share * speed_m_s * stride_s
    hs_l0 = first_hs_left_s
    hs_r0 = first_hs_left_s + step_share_left * stride_s - stride_s
    ax_l, ay_l = _foot_track(t, hs_l0, stride_s, stance_share, speed_m_s, lead)
    ax_r, ay_r = _foot_track(t, hs_r0, stride_r, stance_share, speed_m_s, lead)
    hip_h = 0.86
    pelvis_x = speed_m_s * t
    hip = np.stack([pelvis_x, np.full_like(t, hip_h)], axis=1)
    ankles = {"left": np.stack([ax_l, ay_l], 1), "right": np.stack([ax_r, ay_r], 1)}
    knees = {s: _knee_ik(hip, ankles[s]) for s in ankles}

    # pelvic obliquity (deg, + = left hip higher); larger right drop in left stance
    phase_l = ((t - hs_l0) / stride_s) % 1.0
    obliq = obliquity_amp_deg * np.sin(2 * np.pi * phase_l) + drop_bias_deg * np.clip(
        np.sin(2 * np.pi * phase_l), 0, None
    )
    dy = HIP_HALF_WIDTH_M * np.tan(np.radians(obliq))

    lam = np.radians(trunk_lean_deg)
    sh = hip + TRUNK_M * np.stack([np.full_like(t, np.sin(lam)), np.full_like(t, np.cos(lam))], 1)

    # 3-D points: (X forward, Y up, L toward the patient's left)
    pts = np.full((t.size, N_LANDMARKS, 3), np.nan)

    def put(name, xy, lat, dy_extra=0.0):
        pts[:, INDEX[name], 0] = xy[:, 0]
        pts[:, INDEX[name], 1] = xy[:, 1] + dy_extra
        pts[:, INDEX[name], 2] = lat

    for side, sgn in (("left", 1.0), ("right", -1.0)):
        put(f"{side}_hip", hip, sgn * HIP_HALF_WIDTH_M, sgn * dy)
        put(f"{side}_knee", knees[side], sgn * HIP_HALF_WIDTH_M)
        put(f"{side}_ankle", ankles[side], sgn * HIP_HALF_WIDTH_M)
        put(f"{side}_heel", ankles[side] + np.array([-0.06, -0.06]), sgn * HIP_HALF_WIDTH_M)
        put(f"{side}_foot_index", ankles[side] + np.array([0.15, -0.07]), sgn * HIP_HALF_WIDTH_M)
        put(f"{side}_shoulder", sh, sgn * SHOULDER_HALF_WIDTH_M)
        put(f"{side}_elbow", sh + np.array([0.0, -0.28]), sgn * SHOULDER_HALF_WIDTH_M)
        put(f"{side}_wrist", sh + np.array([0.02, -0.52]), sgn * SHOULDER_HALF_WIDTH_M)
        for part in ("pinky", "index", "thumb"):
            put(f"{side}_{part}", sh + np.array([0.03, -0.6]), sgn * SHOULDER_HALF_WIDTH_M)
        put(f"{side}_ear", sh + np.array([0.0, 0.2]), sgn * 0.07)
        for part in ("eye_inner", "eye", "eye_outer"):
            put(f"{side}_{part}", sh + np.array([0.09, 0.24]), sgn * 0.035)
    put("nose", sh + np.array([0.11, 0.21]), 0.0)
    put("mouth_left", sh + np.array([0.1, 0.16]), 0.02)
    put("mouth_right", sh + np.array([0.1, 0.16]), -0.02)

    width, height = image_size_px
    X, Y, L = pts[..., 0], pts[..., 1], pts[..., 2]
    x_mid = speed_m_s * duration_s / 2
    if view == "sagittal":
        sgn = 1.0 if direction == "right" else -1.0
        depth = camera_distance_m + sgn * L  # walking right: the left side is far
        img_x = width / 2 + sgn * focal_px * (X - x_mid) / depth
    else:
        if direction == "toward":
            cam_x = speed_m_s * duration_s + camera_distance_m
            depth = cam_x - X
            img_x = width / 2 + focal_px * L / depth  # patient's left on image right
        else:
            cam_x = -camera_distance_m
            depth = X - cam_x
            img_x = width / 2 - focal_px * L / depth
    img_y = height * 0.55 - focal_px * (Y - 0.9) / depth
    image_px = np.stack([img_x, img_y], axis=2)
    pose = PoseSequence.create(t, image_px, image_size_px=image_size_px, fps=fps)

    def thigh(side):
        d = knees[side] - hip
        return np.degrees(np.arctan2(d[:, 0], -d[:, 1]))

    def knee_flex(side):
        a = hip - knees[side]
        b = ankles[side] - knees[side]
        cosang = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        return 180.0 - np.degrees(np.arccos(np.clip(cosang, -1, 1)))

    def events(first, stride, offset):
        k = np.arange(-5, 50)
        times = first + offset + k * stride
        return times[(times >= 0) & (times <= t[-1])]

    truth = WalkTruth(
        heel_strike={
            "left": events(hs_l0, stride_s, 0.0),
            "right": events(hs_r0, stride_r, 0.0),
        },
        toe_off={
            "left": events(hs_l0, stride_s, stance_share * stride_s),
            "right": events(hs_r0, stride_r, stance_share * stride_r),
        },
        thigh_angle={s: thigh(s) for s in ("left", "right")},
        hip_flexion={s: thigh(s) + trunk_lean_deg for s in ("left", "right")},
        knee_flexion={s: knee_flex(s) for s in ("left", "right")},
        trunk_lean_deg=trunk_lean_deg,
        pelvic_obliquity=obliq,
        stride_time_s={"left": stride_s, "right": stride_r},
    )
    return pose, truth


def test_stance_foot_stays_still_between_heel_strike_and_toe_off():
    pose, truth = make_walk()
    heel = pose.image_px[:, INDEX["left_heel"]]
    hs, to = truth.heel_strike["left"][0], truth.toe_off["left"][0]
    inside = (pose.time_s > hs + 1e-9) & (pose.time_s < to - 1e-9)
    assert inside.sum() >= 15
    assert np.ptp(heel[inside], axis=0).max() < 1e-6


def test_walker_legs_keep_their_length_and_bend_forward():
    pose, truth = make_walk()
    for side in ("left", "right"):
        assert np.all(truth.knee_flexion[side] >= -1e-6)
        assert truth.knee_flexion[side].max() > 20
        assert np.ptp(truth.thigh_angle[side]) > 25


def test_walker_heel_strikes_alternate():
    _, truth = make_walk(step_share_left=0.5)
    both = sorted([(t, "L") for t in truth.heel_strike["left"]] + [(t, "R") for t in truth.heel_strike["right"]])
    sides = [s for _, s in both]
    assert all(a != b for a, b in zip(sides, sides[1:]))
