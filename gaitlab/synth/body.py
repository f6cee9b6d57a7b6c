"""Body dimensions of the synthetic walker, from standard proportions of body height.

All lengths are in metres.  Segment lengths are fractions of body height as
tabulated in biomechanics textbooks for adults (hip joint at 0.53 H, knee at
0.285 H, ankle at 0.039 H, shoulder at 0.818 H, upper arm 0.186 H, forearm
0.146 H, hand 0.108 H, foot 0.152 H).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.synth.params import GaitParams


@dataclass(frozen=True)
class BodyDims:
    """Segment lengths, joint offsets and thicknesses of one walker, metres."""

    height_m: float
    thigh_m: float
    shank_m: float
    ankle_height_m: float
    hip_half_width_m: float
    heel_to_ankle_m: float
    foot_length_m: float
    spine_base_up_m: float
    trunk_m: float
    shoulder_half_width_m: float
    neck_m: float
    upper_arm_m: float
    forearm_m: float
    hand_m: float
    head_radii_m: tuple[float, float, float]
    girth: float

    @property
    def leg_m(self) -> float:
        """Thigh plus shank, metres."""
        return self.thigh_m + self.shank_m


def body_dims(params: GaitParams) -> BodyDims:
    """Segment dimensions for the walker described by ``params`` (metres)."""
    h = params.height_m
    s = h / 1.70
    return BodyDims(
        height_m=h,
        thigh_m=0.245 * h,
        shank_m=0.246 * h,
        ankle_height_m=0.039 * h,
        hip_half_width_m=0.052 * h * params.hip_width_scale,
        heel_to_ankle_m=0.045 * s,
        foot_length_m=0.152 * h,
        spine_base_up_m=0.09 * s,
        trunk_m=(0.818 - 0.53) * h - 0.09 * s,
        shoulder_half_width_m=0.108 * h * params.shoulder_width_scale,
        neck_m=0.075 * s,
        upper_arm_m=0.186 * h,
        forearm_m=0.146 * h,
        hand_m=0.108 * h,
        head_radii_m=(0.098 * s, 0.077 * s, 0.115 * s),
        girth=params.girth_scale,
    )


#: Bony pelvic landmarks in the pelvis frame (x forward, y to the walker's left,
#: z up; origin at the pelvis centre between the hip joints), metres for a walker
#: of 1.70 m, on the left side (the right side mirrors y).
PELVIC_LANDMARKS_M: dict[str, tuple[float, float, float]] = {
    "asis": (0.085, 0.105, 0.085),
    "psis": (-0.105, 0.040, 0.115),
}


@dataclass(frozen=True)
class PelvisShape:
    """The ellipsoid that is the walker's pelvis and buttocks, in the pelvis frame.

    Attributes
    ----------
    centre_m : (float, float, float)
        Centre of the ellipsoid relative to the pelvis centre (x forward, y left,
        z up), metres.
    radii_m : (float, float, float)
        Half-depth (x), half-width (y) and half-height (z), metres.
    """

    centre_m: tuple[float, float, float]
    radii_m: tuple[float, float, float]


def pelvis_shape(params: GaitParams) -> PelvisShape:
    """The pelvis ellipsoid of the walker described by ``params`` (metres)."""
    s = params.height_m / 1.70
    g = params.girth_scale * s
    return PelvisShape(
        centre_m=(-0.01 * s, 0.0, 0.045 * s),
        radii_m=(0.115 * g, 0.168 * params.hip_width_scale * s, 0.12 * s),
    )


def sticker_site(params: GaitParams, side: str, site: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where a ball sticker on a palpated pelvic landmark sits, in the pelvis frame.

    The bony landmark (``PELVIC_LANDMARKS_M`` scaled to the body height) is moved
    onto the skin along the line from the pelvis ellipsoid's centre, and the ball
    rests on the skin there: its centre is the skin point plus the ball radius
    along the outward surface normal.

    Parameters
    ----------
    side : {"left", "right"}
    site : {"asis", "psis"}

    Returns
    -------
    bone_m, skin_m, centre_m : (3,) float
        The bony landmark, the skin point under the sticker and the centre of
        the ball, metres in the pelvis frame.
    """
    s = params.height_m / 1.70
    sign = 1.0 if side == "left" else -1.0
    bx, by, bz = PELVIC_LANDMARKS_M[site]
    bone = np.array([bx, sign * by, bz]) * s
    shape = pelvis_shape(params)
    c, r = np.array(shape.centre_m), np.array(shape.radii_m)
    u = (bone - c) / r
    u = u / np.linalg.norm(u)
    skin = c + u * r
    normal = u / r
    normal = normal / np.linalg.norm(normal)
    centre = skin + 0.5 * params.marker_diameter_m * normal
    return bone, skin, centre
