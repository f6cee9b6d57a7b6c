"""Joint and segment angles from image landmarks, in degrees.

Sign conventions are those of ``spec/analysis-v1.md`` ("Sides and signs").  Every
angle is computed in the image plane, in a frame turned to the patient: for a
sagittal view the forward axis points in the walking direction, for a frontal
view the lateral axis points to the patient's left.  Up is always up in the
picture.  The angles are therefore the same whichever way the patient walks,
and do not change when the picture is mirrored, scaled or shifted.
"""

from __future__ import annotations

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.landmarks import INDEX
from gaitlab.processing.geometry import hip_midpoint_px, shoulder_midpoint_px
from gaitlab.types import SIDES

SAGITTAL_SERIES = (
    "hip_flexion_left",
    "hip_flexion_right",
    "thigh_angle_left",
    "thigh_angle_right",
    "knee_flexion_left",
    "knee_flexion_right",
    "trunk_lean_sagittal",
)
FRONTAL_SERIES = (
    "pelvic_obliquity",
    "hip_adduction_left",
    "hip_adduction_right",
    "trunk_lean_lateral",
)


def _to_patient_frame(vectors: np.ndarray, axis_sign: float) -> np.ndarray:
    """Image vectors (x right, y down) → (a, up), a = ``axis_sign`` · x."""
    return np.stack([axis_sign * vectors[..., 0], -vectors[..., 1]], axis=-1)


def _angle_from_down_deg(v: np.ndarray) -> np.ndarray:
    """Angle of a (a, up) vector from straight down, positive toward +a, degrees."""
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arctan2(v[..., 0], -v[..., 1]))


def _angle_from_up_deg(v: np.ndarray) -> np.ndarray:
    """Angle of a (a, up) vector from straight up, positive toward +a, degrees."""
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arctan2(v[..., 0], v[..., 1]))


def _wrap_deg(angle: np.ndarray) -> np.ndarray:
    return (angle + 180.0) % 360.0 - 180.0


def forward_sign(direction: str) -> float:
    """+1 when the patient walks to the image right, -1 to the image left."""
    if direction not in ("left", "right"):
        raise ValidationError(f"A sagittal walking direction is 'left' or 'right'; got {direction!r}.")
    return 1.0 if direction == "right" else -1.0


def left_sign(direction: str) -> float:
    """+1 when the patient's left is on the image right (walking toward), -1 when away."""
    if direction not in ("toward", "away"):
        raise ValidationError(f"A frontal walking direction is 'toward' or 'away'; got {direction!r}.")
    return 1.0 if direction == "toward" else -1.0


def compute_sagittal_angles(image_px: np.ndarray, direction: str) -> dict[str, np.ndarray]:
    """Sagittal series of the contract from (T, 33, 2) landmarks, degrees.

    * ``thigh_angle_<side>``: thigh (hip→knee) against the vertical; positive
      when the knee is in front of the hip, in the walking direction.
    * ``trunk_lean_sagittal``: trunk line (hip midpoint→shoulder midpoint)
      against the vertical; positive leaning forward, in the walking direction.
    * ``hip_flexion_<side>``: angle between the thigh and the trunk line extended
      downward (shoulder midpoint→hip midpoint); 0 when in line, positive when the
      knee is in front of the trunk line (flexion), negative = extension.  It
      equals thigh angle + trunk lean.
    * ``knee_flexion_<side>``: 180° minus the hip–knee–ankle angle; positive
      when the knee is bent (ankle behind the thigh's line), negative in
      hyperextension.

    Parameters
    ----------
    image_px : (T, 33, 2) float
        Landmarks in pixels, y down, on the patient's anatomical sides.
    direction : {"left", "right"}
        Image direction of travel.
    """
    f = forward_sign(direction)
    hip_mid = hip_midpoint_px(image_px)
    trunk_up = _to_patient_frame(shoulder_midpoint_px(image_px) - hip_mid, f)
    lean = _angle_from_up_deg(trunk_up)
    out = {"trunk_lean_sagittal": lean}
    for side in SIDES:
        hip = image_px[:, INDEX[f"{side}_hip"]]
        knee = image_px[:, INDEX[f"{side}_knee"]]
        ankle = image_px[:, INDEX[f"{side}_ankle"]]
        thigh = _angle_from_down_deg(_to_patient_frame(knee - hip, f))
        shank = _angle_from_down_deg(_to_patient_frame(ankle - knee, f))
        out[f"thigh_angle_{side}"] = thigh
        out[f"hip_flexion_{side}"] = _wrap_deg(thigh + lean)
        out[f"knee_flexion_{side}"] = _wrap_deg(thigh - shank)
    return {name: out[name] for name in SAGITTAL_SERIES}


def compute_frontal_angles(image_px: np.ndarray, direction: str) -> dict[str, np.ndarray]:
    """Frontal series of the contract from (T, 33, 2) landmarks, degrees.

    * ``pelvic_obliquity``: the line from the right hip to the left hip against
      the horizontal; positive when the left hip is higher than the right.
    * ``hip_adduction_<side>``: thigh (hip→knee) against the perpendicular to the
      pelvic line; positive when the knee points toward the midline.
    * ``trunk_lean_lateral``: trunk line (hip midpoint→shoulder midpoint) against
      the vertical; positive leaning toward the patient's left.

    Parameters
    ----------
    image_px : (T, 33, 2) float
        Landmarks in pixels, y down, on the patient's anatomical sides.
    direction : {"toward", "away"}
        Walking toward the camera (patient's left on the image right) or away.
    """
    s = left_sign(direction)
    lhip = image_px[:, INDEX["left_hip"]]
    rhip = image_px[:, INDEX["right_hip"]]
    pelvis = _to_patient_frame(lhip - rhip, s)  # (toward patient's left, up)
    with np.errstate(invalid="ignore"):
        obliquity = np.degrees(np.arctan2(pelvis[:, 1], pelvis[:, 0]))
        p = pelvis / np.linalg.norm(pelvis, axis=1, keepdims=True)
    down = np.stack([p[:, 1], -p[:, 0]], axis=1)  # pelvic line turned 90° downward
    trunk_up = _to_patient_frame(shoulder_midpoint_px(image_px) - hip_midpoint_px(image_px), s)
    out = {
        "pelvic_obliquity": obliquity,
        "trunk_lean_lateral": _angle_from_up_deg(trunk_up),
    }
    for side, toward_midline in (("left", -1.0), ("right", 1.0)):
        hip = image_px[:, INDEX[f"{side}_hip"]]
        knee = image_px[:, INDEX[f"{side}_knee"]]
        u = _to_patient_frame(knee - hip, s)
        along = (u * p).sum(axis=1)
        below = (u * down).sum(axis=1)
        with np.errstate(invalid="ignore"):
            out[f"hip_adduction_{side}"] = np.degrees(np.arctan2(toward_midline * along, below))
    return {name: out[name] for name in FRONTAL_SERIES}


def compute_angles(image_px: np.ndarray, view: str, direction: str) -> dict[str, np.ndarray]:
    """The contract's angle series for a view (see the two functions above)."""
    if view == "sagittal":
        return compute_sagittal_angles(image_px, direction)
    if view == "frontal":
        return compute_frontal_angles(image_px, direction)
    raise ValidationError(f"The view must be 'sagittal' or 'frontal'; got {view!r}.")
