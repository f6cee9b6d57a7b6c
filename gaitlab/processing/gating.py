"""Visibility and presence gating of landmarks."""

from __future__ import annotations

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.types import PoseSequence


def gate_landmarks(pose: PoseSequence, min_visibility: float, min_presence: float = 0.0) -> PoseSequence:
    """Blank (set to NaN) landmarks the pose model is unsure of.

    Parameters
    ----------
    pose : PoseSequence
        Landmarks with the model's visibility and presence scores (0..1).
    min_visibility : float
        Landmarks whose visibility score is below this value become NaN.
    min_presence : float
        Landmarks whose presence score is below this value become NaN.

    Returns
    -------
    PoseSequence
        A copy in which gated landmarks are missing in ``image_px`` and ``world_m``.
        A landmark with no score (NaN) is kept as it is.

    Raises
    ------
    ValidationError
        When a threshold lies outside 0..1.
    """
    for name, value in (("visibility", min_visibility), ("presence", min_presence)):
        if not 0.0 <= value <= 1.0:
            raise ValidationError(f"The minimum landmark {name} must lie between 0 and 1; got {value:g}.")
    vis = np.nan_to_num(pose.visibility, nan=1.0)
    pres = np.nan_to_num(pose.presence, nan=1.0)
    drop = (vis < min_visibility) | (pres < min_presence)
    if not drop.any():
        return pose
    image = pose.image_px.copy()
    world = pose.world_m.copy()
    image[drop] = np.nan
    world[drop] = np.nan
    return pose.replace(image_px=image, world_m=world)
