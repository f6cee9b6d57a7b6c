"""Small geometric helpers on image landmarks shared by the kinematics modules.

All positions are image pixels with x to the right and y **down**; NaN where a
landmark is missing.  Nothing here knows about anatomical sides beyond the
landmark indices it is given.
"""

from __future__ import annotations

import numpy as np

from gaitlab.landmarks import (
    LEFT_ANKLE,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)


def midpoint_px(image_px: np.ndarray, a: int, b: int) -> np.ndarray:
    """(T, 2) midpoint of landmarks ``a`` and ``b`` in pixels (NaN if either is missing)."""
    return 0.5 * (image_px[:, a, :] + image_px[:, b, :])


def hip_midpoint_px(image_px: np.ndarray) -> np.ndarray:
    """(T, 2) midpoint of the two hips, pixels."""
    return midpoint_px(image_px, LEFT_HIP, RIGHT_HIP)


def shoulder_midpoint_px(image_px: np.ndarray) -> np.ndarray:
    """(T, 2) midpoint of the two shoulders, pixels."""
    return midpoint_px(image_px, LEFT_SHOULDER, RIGHT_SHOULDER)


def body_length_px(image_px: np.ndarray) -> np.ndarray:
    """(T,) apparent body length in pixels: shoulder midpoint to hip midpoint to ankles.

    The sum of the trunk length (shoulder midpoint to hip midpoint) and the mean
    of both legs' hip-to-ankle distances.  It changes little over the gait cycle
    and scales with the inverse of the camera distance, so it serves as the
    per-frame image scale of the body.  NaN where a needed landmark is missing.
    """
    trunk = np.linalg.norm(shoulder_midpoint_px(image_px) - hip_midpoint_px(image_px), axis=1)
    leg_l = np.linalg.norm(image_px[:, LEFT_ANKLE] - image_px[:, LEFT_HIP], axis=1)
    leg_r = np.linalg.norm(image_px[:, RIGHT_ANKLE] - image_px[:, RIGHT_HIP], axis=1)
    return trunk + 0.5 * (leg_l + leg_r)


def heel_midpoint_px(image_px: np.ndarray) -> np.ndarray:
    """(T, 2) midpoint of the two heels, pixels."""
    return midpoint_px(image_px, LEFT_HEEL, RIGHT_HEEL)


def robust_end_values(values: np.ndarray, share: float = 0.15) -> tuple[float, float]:
    """Median of the first and of the last ``share`` of the finite values of a series.

    Returns NaN, NaN when fewer than two finite values exist.
    """
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        return float("nan"), float("nan")
    k = max(1, int(round(share * finite.size)))
    return float(np.median(finite[:k])), float(np.median(finite[-k:]))


def signed_angle_deg(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(T,) signed angle in degrees from 2-D vector ``u`` to vector ``v``.

    Measured in the image plane with the image's y axis pointing down, so a
    positive value is a **clockwise** turn as seen on screen.  Range (-180, 180];
    NaN where either vector is missing or has zero length.
    """
    cross = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    dot = u[:, 0] * v[:, 0] + u[:, 1] * v[:, 1]
    with np.errstate(invalid="ignore"):
        angle = np.degrees(np.arctan2(cross, dot))
    zero = (np.hypot(u[:, 0], u[:, 1]) == 0) | (np.hypot(v[:, 0], v[:, 1]) == 0)
    angle[zero] = np.nan
    return angle
