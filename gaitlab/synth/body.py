"""Body dimensions of the synthetic walker, from standard proportions of body height.

All lengths are in metres.  Segment lengths are fractions of body height as
tabulated in biomechanics textbooks for adults (hip joint at 0.53 H, knee at
0.285 H, ankle at 0.039 H, shoulder at 0.818 H, upper arm 0.186 H, forearm
0.146 H, hand 0.108 H, foot 0.152 H).
"""

from __future__ import annotations

from dataclasses import dataclass

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
