"""Visibility and presence gating of landmarks, and the foot points walking hides."""

from __future__ import annotations

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.landmarks import LEFT_FOOT_INDEX, LEFT_HEEL, RIGHT_FOOT_INDEX, RIGHT_HEEL
from gaitlab.processing.gaps import find_runs
from gaitlab.types import PoseSequence

#: The foot points gait events are timed by: the heel and the toe of each foot.
FOOT_POINTS = (LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX)


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


def keep_hidden_feet(
    gated: PoseSequence, pose: PoseSequence, *, view: str, min_presence: float, max_gap_s: float
) -> PoseSequence:
    """Put back the heel and toe points the visibility gate blanked where walking hides the feet.

    A visibility score tells whether the pose model sees a point or infers it
    from the body around it; it does not tell how well the point is placed.  The
    heel and the toe are hidden at moments that walking itself brings, and these
    are the moments gait events are timed by:

    * **frontal view**: the legs are side by side and nothing passes in front of
      the feet; a foot point scored hidden is hidden by its own foot (walking
      toward the camera the heel behind the foot at every landing, walking away
      the toe behind the heel at every push-off), and the model places it from
      the part of the foot it sees.  Every such point is put back;
    * **sagittal view**: the far foot passes behind the near leg in every swing
      and, seen with some models, stands half-hidden behind it through its
      stance.  A short dropout is better bridged between the points seen either
      side (gap filling does so), but where the gate would leave the foot unseen
      for longer than ``max_gap_s`` the far foot's landing or push-off would be
      lost; there the model's placement of the hidden foot is put back, and the
      side correction then checks it against its leg's track like any point.

    Only points blanked for their visibility are put back: a point whose presence
    score is below ``min_presence`` (the model's doubt that it lies in the
    picture at all) stays missing.  Other landmarks are left as gated.

    Parameters
    ----------
    gated : PoseSequence
        ``pose`` after :func:`gate_landmarks`.
    pose : PoseSequence
        The landmarks as the pose model gave them.
    view : {"sagittal", "frontal"}
        Camera view.
    min_presence : float
        The presence threshold the gate used (0..1).
    max_gap_s : float
        Longest gap that gap filling bridges, s (sagittal view).

    Returns
    -------
    PoseSequence
        ``gated`` with the heel and toe points put back where described.

    Raises
    ------
    ValidationError
        For an unknown view, or poses that do not belong together.
    """
    if view not in ("sagittal", "frontal"):
        raise ValidationError(f"The view must be 'sagittal' or 'frontal'; got {view!r}.")
    if gated.image_px.shape != pose.image_px.shape:
        raise ValidationError("The gated landmarks must have the same shape as the pose model's.")
    if max_gap_s < 0:
        raise ValidationError(f"The longest gap to fill must not be negative; got {max_gap_s:g} s.")
    feet = list(FOOT_POINTS)
    seen = np.asarray(np.isfinite(gated.image_px[:, feet]).all(axis=2), dtype=bool)
    placed = np.isfinite(pose.image_px[:, feet]).all(axis=2) & (np.nan_to_num(pose.presence[:, feet], nan=1.0) >= min_presence)
    restore: np.ndarray = ~seen & placed
    if view == "sagittal":
        t = gated.time_s
        frame_s = float(np.median(np.diff(t))) if t.size > 1 else 0.0
        for j in range(len(feet)):
            keep = np.zeros(t.size, dtype=bool)
            for start, end in find_runs(~seen[:, j]):
                # a gap gap filling would bridge (between seen points, short) stays a gap
                inside = start > 0 and end < t.size
                if inside and t[end] - t[start - 1] - frame_s <= max_gap_s + 1e-9:
                    continue
                keep[start:end] = True
            restore[:, j] &= keep
    if not restore.any():
        return gated
    image = gated.image_px.copy()
    world = gated.world_m.copy()
    for j, landmark in enumerate(feet):
        rows = restore[:, j]
        image[rows, landmark] = pose.image_px[rows, landmark]
        world[rows, landmark] = pose.world_m[rows, landmark]
    return gated.replace(image_px=image, world_m=world)
