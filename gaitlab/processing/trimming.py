"""Which frames show walking that can be measured.

Frames are *measurable* when the whole body is inside the picture and the person
is not turning (their body seen from the wrong side for the view).  Frames are
*walking* when, in addition, the person moves in the walking direction at a
walking pace.  Series are measured on measurable frames; gait events and cycles
only inside walking stretches.
"""

from __future__ import annotations

import numpy as np

from gaitlab.landmarks import LEFT_SHOULDER, LEG_PAIRS, RIGHT_SHOULDER
from gaitlab.processing.gaps import find_runs
from gaitlab.processing.geometry import body_length_px, hip_midpoint_px, shoulder_midpoint_px

#: Margin of the picture (share of its width/height) a landmark must stay inside.
EDGE_MARGIN = 0.005
#: Least share of the shoulder and leg landmarks present for a frame to be measured.
MIN_PRESENT_SHARE = 0.5
#: Slowest walking, body lengths per second across the image (sagittal) ...
MIN_SIDEWAYS_SPEED_BL_S = 0.15
#: ... and change of log apparent size per second (frontal).
MIN_DEPTH_RATE_PER_S = 0.03
#: A walking stretch must last this long, s; shorter pauses inside walking are bridged.
MIN_WALK_S = 0.6
MAX_PAUSE_S = 0.3
#: Shoulder width in trunk lengths above which a sagittal view sees the chest (turning).
SAGITTAL_TURN_WIDTH = 0.55
#: In a frontal view, shoulder width below this share of its median means side-on (turning).
FRONTAL_TURN_SHARE = 0.45
#: Window of the moving average applied to motion before it is differenced, s.
SMOOTH_S = 0.4


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average of a 1-D series that ignores NaN; NaN stays NaN."""
    v = np.asarray(values, dtype=np.float64)
    if window <= 1 or v.size == 0:
        return v.copy()
    ok = np.isfinite(v)
    kernel = np.ones(window)
    num = np.convolve(np.where(ok, v, 0.0), kernel, mode="same")
    den = np.convolve(ok.astype(float), kernel, mode="same")
    out = np.full_like(v, np.nan)
    good = ok & (den > 0)
    out[good] = num[good] / den[good]
    return out


def find_in_frame(image_px: np.ndarray, image_size_px: tuple[int, int]) -> np.ndarray:
    """(T,) True where the shoulders and leg landmarks are inside the picture.

    A missing landmark (NaN: a leg hidden behind the other, gated for its low
    visibility) does not put a frame out of the picture: gap filling deals with
    it.  A frame is out when any present landmark lies outside the picture's
    margin, or when fewer than :data:`MIN_PRESENT_SHARE` of them are present.
    """
    width, height = image_size_px
    idx = [LEFT_SHOULDER, RIGHT_SHOULDER] + [i for pair in LEG_PAIRS for i in pair]
    pts = image_px[:, idx]
    mx, my = EDGE_MARGIN * width, EDGE_MARGIN * height
    present = np.isfinite(pts).all(axis=2)
    with np.errstate(invalid="ignore"):
        outside = (
            (pts[..., 0] < mx) | (pts[..., 0] > width - mx) | (pts[..., 1] < my) | (pts[..., 1] > height - my)
        )
    return ~(outside & present).any(axis=1) & (present.mean(axis=1) >= MIN_PRESENT_SHARE)


def find_turning(image_px: np.ndarray, view: str) -> np.ndarray:
    """(T,) True where the body is seen from the wrong side for the view (turning)."""
    trunk = np.linalg.norm(shoulder_midpoint_px(image_px) - hip_midpoint_px(image_px), axis=1)
    width = np.abs(image_px[:, LEFT_SHOULDER, 0] - image_px[:, RIGHT_SHOULDER, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = width / trunk
    if view == "sagittal":
        return ratio > SAGITTAL_TURN_WIDTH
    finite = ratio[np.isfinite(ratio)]
    if finite.size == 0:
        return np.zeros(image_px.shape[0], dtype=bool)
    return ratio < FRONTAL_TURN_SHARE * np.median(finite)


def directed_speed(image_px: np.ndarray, time_s: np.ndarray, fps: float, view: str, direction: str) -> np.ndarray:
    """(T,) speed of the person in the walking direction (NaN where unknown).

    Sagittal: hip-midpoint travel across the image in body lengths per second,
    positive toward ``direction`` ("left"/"right").  Frontal: rate of change of
    the log apparent body length per second, positive when approaching for
    "toward" and when receding for "away".
    """
    length = body_length_px(image_px)
    window = max(1, int(round(SMOOTH_S * fps)))
    if view == "sagittal":
        scale = np.nanmedian(length) if np.isfinite(length).any() else np.nan
        pos = moving_average(hip_midpoint_px(image_px)[:, 0], window) / scale
        sign = 1.0 if direction == "right" else -1.0
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            pos = moving_average(np.log(length), window)
        sign = 1.0 if direction == "toward" else -1.0
    if pos.size < 2:
        return np.full(pos.shape, np.nan)
    return sign * np.gradient(pos, time_s)


def _bridge_and_prune(mask: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    out = mask.copy()
    n = out.size
    for start, end in find_runs(~out):
        if start > 0 and end < n and time_s[end] - time_s[start - 1] <= MAX_PAUSE_S:
            out[start:end] = True
    for start, end in find_runs(out):
        if time_s[end - 1] - time_s[start] < MIN_WALK_S:
            out[start:end] = False
    return out


def find_walking_frames(
    image_px: np.ndarray,
    time_s: np.ndarray,
    *,
    fps: float,
    image_size_px: tuple[int, int],
    view: str,
    direction: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Measurable and walking frames of one person.

    Returns
    -------
    measurable : (T,) bool
        Body inside the picture and not turning.
    walking : (T,) bool
        Measurable, and moving in the walking direction at least at a slow
        walking pace, in stretches of at least :data:`MIN_WALK_S` seconds.
    """
    measurable = find_in_frame(image_px, image_size_px) & ~find_turning(image_px, view)
    speed = directed_speed(image_px, time_s, fps, view, direction)
    floor = MIN_SIDEWAYS_SPEED_BL_S if view == "sagittal" else MIN_DEPTH_RATE_PER_S
    moving = measurable & np.isfinite(speed) & (speed >= floor)
    return measurable, _bridge_and_prune(moving, np.asarray(time_s, dtype=np.float64))
