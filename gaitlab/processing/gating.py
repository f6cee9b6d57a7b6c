"""Visibility and presence gating of landmarks, and the foot points walking hides.

A far heel that seems stuck behind the near leg
-----------------------------------------------
In a side view the raw heel label of the far foot can read a point behind the
near leg for 3-5 frames of late swing and jump to the footprint after the
landing (full model, sag-left-540-far, frames 146-148: x about 250 px while the
far heel passes 196 -> 184 px).  The gate has no rule for it, and needs none:

* those points are scored seen (visibility 0.84-0.94), and no foot point of
  that clip is put back by :func:`keep_hidden_feet` (its gated gaps are all
  short), so neither the gate nor putting hidden feet back is involved;
* they are the near heel under exchanged leg labels (the near heel stands at
  253 px there), which the side correction undoes: the far heel then reads
  195.5, 199.4, 185.8 px against 196.4, 189.0, 183.8 px;
* what is left is one or two frames per far-foot landing, up to 4 frames
  before it, where the far heel lags its true place by 10-21 px (visibility
  0.62-0.94).
  Blanking every heel point more than 6 % of the body length from the truth
  (an oracle no rule can beat) took that clip's strike MAE from 0.99 to 0.88
  frames and its step-time error from 35 to 31 ms, and made
  dev-sag-left-1080-antalgic worse (0.78 -> 1.18 frames, 13 -> 45 ms); with
  every heel point exact its strikes came 1.0-1.2 frames late on both feet.
  The rest of the step-time error is shared by both feet (strike errors
  -0.98 to +0.99 frames near, -1.74 to +1.86 far) and is not the gate's to remove.

Rules tried on the side views (cached landmarks of both pose models) and left
out because they made some walk worse: a heel further from its own ankle than
the foot allows (8 % of the body length beyond its usual distance: strike MAE
test-sag-left-540 0.55 -> 0.82, dev-sag-left-1080-antalgic 0.78 -> 0.87 frames,
full model), a heel lying behind the midpoint of its neighbours in the previous
and next frame (5-8 % of the body length: post6m_sagittal 1.18 -> 1.40-1.42,
dev-sag-left-1080-antalgic 0.78 -> 1.09 frames, full model), and dropping the
hidden points put back in side views (heavy sag-left-1080-slow: a strike
missed, 0.45 -> 1.19 frames).  A point "standing still while its leg moves on"
cannot tell a stuck swing heel from a stance heel: the knee moves on over a
standing foot too.
"""

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
