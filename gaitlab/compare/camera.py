"""Where the camera stood, estimated from the patient's own landmarks.

Two visits can only be compared when the camera was placed alike: a camera further
away, higher or turned off the perpendicular changes the 2-D angles gaitlab
measures.  The patient is the same person at both visits, so body proportions
cancel out and the landmarks themselves tell how the set-up changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.errors import InputError
from gaitlab.landmarks import (
    LEFT_ANKLE,
    LEFT_HIP,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)
from gaitlab.types import PoseSequence

#: Fewer detected frames than this and the estimate is refused.
MIN_FRAMES = 10


@dataclass(frozen=True)
class CameraPlacement:
    """Pose-based estimate of the camera set-up of one recording.

    Attributes
    ----------
    view : {"sagittal", "frontal"}
        The recording's view.
    body_height_frac : float
        Median shoulder-midpoint to ankle-midpoint distance as a share of the frame
        height (0..1): a larger share means a closer camera (or more zoom).
    hip_level_frac : float
        Median height of the hip midpoint in the frame, from the top (0) to the
        bottom (1): it moves with camera height and tilt.
    body_yaw_deg : float or None
        Median angle, in degrees, between the patient's left-right axis (right hip
        to left hip, in the pose model's metric landmarks) and the camera's optical
        axis (sagittal view) or the image plane (frontal view): 0 is a square set-up.
        None when the metric landmarks are missing.
    n_frames : int
        Frames the estimate rests on.
    """

    view: str
    body_height_frac: float
    hip_level_frac: float
    body_yaw_deg: float | None
    n_frames: int

    def to_dict(self) -> dict:
        return {
            "view": self.view,
            "body_height_frac": self.body_height_frac,
            "hip_level_frac": self.hip_level_frac,
            "body_yaw_deg": self.body_yaw_deg,
            "n_frames": self.n_frames,
        }


def _midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 0.5 * (a + b)


def estimate_camera_placement(pose: PoseSequence, view: str) -> CameraPlacement:
    """Estimate distance, height and angle of the camera from a recording's landmarks.

    Parameters
    ----------
    pose : PoseSequence
        The analysed person's landmarks (image pixels, y down; metric landmarks).
    view : {"sagittal", "frontal"}
        The recording's view.

    Returns
    -------
    CameraPlacement
        Shares of the frame height (dimensionless) and an angle in degrees.

    Raises
    ------
    InputError
        When ``view`` is unknown or fewer than ``MIN_FRAMES`` frames show the
        shoulders, hips and ankles.
    """
    if view not in ("sagittal", "frontal"):
        raise InputError(f"The view must be 'sagittal' or 'frontal'; got {view!r}.")
    px = pose.image_px
    shoulders = _midpoint(px[:, LEFT_SHOULDER], px[:, RIGHT_SHOULDER])
    hips = _midpoint(px[:, LEFT_HIP], px[:, RIGHT_HIP])
    ankles = _midpoint(px[:, LEFT_ANKLE], px[:, RIGHT_ANKLE])
    ok = np.isfinite(shoulders).all(axis=1) & np.isfinite(hips).all(axis=1) & np.isfinite(ankles).all(axis=1)
    n = int(ok.sum())
    if n < MIN_FRAMES:
        raise InputError(
            f"Only {n} frames show the shoulders, hips and ankles; the camera placement "
            "cannot be estimated."
        )
    frame_height = float(pose.image_size_px[1])
    body = np.linalg.norm(shoulders[ok] - ankles[ok], axis=1) / frame_height
    level = hips[ok, 1] / frame_height

    world = pose.world_m
    hip_axis = world[:, LEFT_HIP] - world[:, RIGHT_HIP]  # right hip -> left hip, metres
    good = np.isfinite(hip_axis).all(axis=1) & (np.linalg.norm(hip_axis[:, [0, 2]], axis=1) > 1e-6)
    yaw: float | None = None
    if good.sum() >= MIN_FRAMES:
        dx = np.abs(hip_axis[good, 0])
        dz = np.abs(hip_axis[good, 2])
        # Sagittal: the hip axis should point along the optical axis (z); frontal: across (x).
        angles = np.degrees(np.arctan2(dx, dz) if view == "sagittal" else np.arctan2(dz, dx))
        yaw = round(float(np.median(angles)), 1)
    return CameraPlacement(
        view=view,
        body_height_frac=round(float(np.median(body)), 4),
        hip_level_frac=round(float(np.median(level)), 4),
        body_yaw_deg=yaw,
        n_frames=n,
    )
