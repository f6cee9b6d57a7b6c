"""Camera view (sagittal or frontal) and walking direction, decided from the motion.

The view is read from how the body moves through the image:

* **sagittal** (camera beside the walkway): the body travels across the image
  while its apparent size stays about the same;
* **frontal** (walking toward or away from the camera): the body stays near the
  same image column while its apparent size grows (toward) or shrinks (away).

Travel is measured in body lengths (shoulder midpoint → hip midpoint → ankles,
see :func:`gaitlab.processing.geometry.body_length_px`), so the decision does not
depend on the frame size or on the camera distance.  When the person hardly moves
(standing, turning on the spot) the view falls back to the body's width in the
image (shoulders and hips seen side by side in a frontal view, one behind the
other in a sagittal view) and the direction to where the face points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.errors import NoPersonError
from gaitlab.landmarks import (
    INDEX,
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)
from gaitlab.processing.geometry import body_length_px, hip_midpoint_px
from gaitlab.types import Direction, PoseSequence, View

#: Below this much travel (in body lengths, either across the image or as twice
#: the change of log apparent size) the person is taken as not walking and the
#: view is decided from the body's width in the image.
MIN_TRAVEL_BODY_LENGTHS = 0.4
#: Shoulder/hip width in body lengths above which a still person faces the camera.
FRONTAL_WIDTH_RATIO = 0.1
#: Depth travel counts twice: a change of log apparent size of 0.5 (a walk from
#: 6 m to 3.6 m from the camera) weighs as much as one body length of sideways travel.
DEPTH_WEIGHT = 2.0
#: Time over which image motion is differenced to average out landmark jitter, s.
MOTION_LAG_S = 0.5


@dataclass(frozen=True)
class ViewEvidence:
    """The measurements :func:`detect_view` decides from.

    Attributes
    ----------
    sideways_travel : float
        Range of the hip midpoint's image x (5th to 95th percentile), in body lengths.
    sideways_drift : float
        Net share of sideways motion toward the image right, -1..1 (+1 all rightward).
    depth_travel : float
        Range of the log apparent body length (5th to 95th percentile), unitless.
    depth_drift : float
        Net share of size change that is growth, -1..1 (+1 always approaching).
    width_ratio : float
        Median shoulder and hip width in the image, in body lengths.
    """

    sideways_travel: float
    sideways_drift: float
    depth_travel: float
    depth_drift: float
    width_ratio: float


def _lagged_net_share(values: np.ndarray, lag: int) -> float:
    """Net share of positive change of a series over ``lag`` frames, -1..1 (0 if unknown)."""
    if values.size <= lag:
        return 0.0
    d = values[lag:] - values[:-lag]
    d = d[np.isfinite(d)]
    total = np.abs(d).sum()
    if total == 0:
        return 0.0
    return float(d.sum() / total)


def _range(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        return 0.0
    lo, hi = np.percentile(finite, [5, 95])
    return float(hi - lo)


def measure_view_evidence(pose: PoseSequence) -> ViewEvidence:
    """Measure sideways and depth travel and body width of the person in ``pose``.

    Raises
    ------
    NoPersonError
        When the person is detected in fewer than two frames, or the body's
        shoulders, hips and ankles are never seen together.
    """
    px = pose.image_px
    length = body_length_px(px)
    ok = np.isfinite(length) & (length > 0)
    if ok.sum() < 2:
        raise NoPersonError(
            "The person's shoulders, hips and ankles are seen together in fewer than two "
            "frames, so the walking cannot be measured."
        )
    scale = float(np.median(length[ok]))
    hip_x = np.where(ok, hip_midpoint_px(px)[:, 0], np.nan)
    log_len = np.where(ok, np.log(np.where(ok, length, 1.0)), np.nan)
    lag = max(1, int(round(MOTION_LAG_S * pose.fps)))
    shoulder_w = np.abs(px[:, LEFT_SHOULDER, 0] - px[:, RIGHT_SHOULDER, 0])
    hip_w = np.abs(px[:, LEFT_HIP, 0] - px[:, RIGHT_HIP, 0])
    width = 0.5 * (shoulder_w + hip_w)
    width = width[ok & np.isfinite(width)]
    width_ratio = float(np.median(width) / scale) if width.size else 0.0
    return ViewEvidence(
        sideways_travel=_range(hip_x) / scale,
        sideways_drift=_lagged_net_share(hip_x, lag),
        depth_travel=_range(log_len),
        depth_drift=_lagged_net_share(log_len, lag),
        width_ratio=width_ratio,
    )


def _facing_sideways(pose: PoseSequence) -> Direction:
    """Image direction a still, side-on person faces: where the nose is, from the ears."""
    px = pose.image_px
    ears_x = 0.5 * (px[:, INDEX["left_ear"], 0] + px[:, INDEX["right_ear"], 0])
    d = px[:, NOSE, 0] - ears_x
    d = d[np.isfinite(d)]
    return "right" if d.size == 0 or np.median(d) >= 0 else "left"


def _facing_camera(pose: PoseSequence) -> Direction:
    """Whether a still person faces the camera ("toward") or turns their back ("away").

    Uses the pose model's metric depth (nose nearer the camera than the ears when
    the face is toward it) where available, otherwise how visible the nose is.
    """
    w = pose.world_m
    nose_z = w[:, NOSE, 2]
    ears_z = 0.5 * (w[:, INDEX["left_ear"], 2] + w[:, INDEX["right_ear"], 2])
    dz = nose_z - ears_z
    dz = dz[np.isfinite(dz)]
    if dz.size:
        return "toward" if np.median(dz) < 0 else "away"
    vis = pose.visibility[:, NOSE]
    vis = vis[np.isfinite(vis)]
    return "toward" if vis.size == 0 or np.median(vis) >= 0.5 else "away"


def decide_view(evidence: ViewEvidence) -> View:
    """Sagittal or frontal from the evidence (see the module description)."""
    sideways = evidence.sideways_travel
    depth = DEPTH_WEIGHT * evidence.depth_travel
    if max(sideways, depth) >= MIN_TRAVEL_BODY_LENGTHS:
        return "sagittal" if sideways >= depth else "frontal"
    return "frontal" if evidence.width_ratio >= FRONTAL_WIDTH_RATIO else "sagittal"


def detect_direction(pose: PoseSequence, view: View, evidence: ViewEvidence | None = None) -> Direction:
    """Walking direction within a view.

    Returns "left"/"right" (image direction of travel) for a sagittal view and
    "toward"/"away" (relative to the camera) for a frontal view.  The direction of
    the larger share of motion wins, so a walk with a turn reports its longer pass.
    A person who hardly moves gets the direction their face points.
    """
    ev = evidence if evidence is not None else measure_view_evidence(pose)
    if view == "sagittal":
        if ev.sideways_travel >= MIN_TRAVEL_BODY_LENGTHS and ev.sideways_drift != 0:
            return "right" if ev.sideways_drift > 0 else "left"
        return _facing_sideways(pose)
    if DEPTH_WEIGHT * ev.depth_travel >= MIN_TRAVEL_BODY_LENGTHS and ev.depth_drift != 0:
        return "toward" if ev.depth_drift > 0 else "away"
    return _facing_camera(pose)


def detect_view(pose: PoseSequence) -> tuple[View, Direction]:
    """Decide the camera view and the walking direction from the person's motion.

    Parameters
    ----------
    pose : PoseSequence
        One person's landmarks.

    Returns
    -------
    view : {"sagittal", "frontal"}
        "sagittal" when the camera is beside the walkway, "frontal" when the
        person walks toward or away from it.
    direction : {"left", "right", "toward", "away"}
        Image direction of travel ("left"/"right") for a sagittal view, or
        "toward"/"away" from the camera for a frontal view.

    Raises
    ------
    NoPersonError
        When the body is seen in fewer than two frames.
    """
    evidence = measure_view_evidence(pose)
    view = decide_view(evidence)
    return view, detect_direction(pose, view, evidence)
