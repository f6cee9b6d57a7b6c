"""Left/right leg swap correction.

In a sagittal video the pose model often exchanges the labels of the two legs,
mostly when they cross in mid-swing, and sometimes for long stretches.  Published
single-camera pipelines corrected this by hand; gaitlab does it automatically.

Method (sagittal)
-----------------
For every frame there are two ways to read the legs: as labelled, or exchanged.
The knee, ankle, heel and toe of both legs are taken relative to the hip midpoint
and in units of trunk length (shoulder midpoint to hip midpoint).  A swing foot and a stance foot move in opposite
directions relative to the pelvis, so at a crossing the two readings differ in
*velocity* even where they coincide in position.  The cost of a reading is the
distance of the points from where constant velocity over the two previous frames
predicts them; a dynamic programme (Viterbi over pairs of consecutive readings)
finds the cheapest reading of every frame, with a small cost for changing the
reading so noise cannot flip it.  The solution is unique only up to exchanging
the legs everywhere, so within each unbroken stretch of frames the anatomical
side is the one the pose model chose in most frames.

Method (frontal)
----------------
Walking toward the camera the patient's left is on the image right, walking away
it is on the image left.  Frames in which both the hips and the shoulders are
the wrong way round are mirrored (every left/right landmark pair exchanged).
"""

from __future__ import annotations

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.landmarks import (
    LEFT_HIP,
    LEFT_SHOULDER,
    LEG_PAIRS,
    MIRROR,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)
from gaitlab.processing.gaps import find_runs

#: Leg landmarks whose motion decides the reading (hips are nearly on top of each
#: other in a sagittal view and tell nothing).
_DISTAL_PAIRS = LEG_PAIRS[1:]
#: Cost of changing the reading between two frames, in squared trunk lengths.
SWITCH_COST = 0.05
#: Frames without information that break the continuity of the legs.
MAX_BLIND_FRAMES = 3


def swap_legs(image_px: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """A copy of ``image_px`` with the leg landmarks (``LEG_PAIRS``) exchanged in ``frames``.

    ``image_px`` may be (T, 33, k) for any k (pixels, or metric landmarks).
    """
    out = np.array(image_px, copy=True)
    frames = np.asarray(frames, dtype=bool)
    for left, right in LEG_PAIRS:
        out[frames, left], out[frames, right] = image_px[frames, right], image_px[frames, left]
    return out


def mirror_sides(values: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """A copy with every left/right landmark pair (``MIRROR``) exchanged in ``frames``."""
    out = np.array(values, copy=True)
    frames = np.asarray(frames, dtype=bool)
    out[frames] = values[frames][:, list(MIRROR)]
    return out


def _leg_points(image_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distal leg points relative to the hip midpoint, in trunk lengths: (T, 4, 2) per label."""
    hip_mid = 0.5 * (image_px[:, LEFT_HIP] + image_px[:, RIGHT_HIP])
    shoulder_mid = 0.5 * (image_px[:, LEFT_SHOULDER] + image_px[:, RIGHT_SHOULDER])
    trunk = np.linalg.norm(shoulder_mid - hip_mid, axis=1)
    trunk = trunk[np.isfinite(trunk) & (trunk > 0)]
    scale = float(np.median(trunk)) if trunk.size else 1.0
    a = (image_px[:, [p[0] for p in _DISTAL_PAIRS]] - hip_mid[:, None]) / scale
    b = (image_px[:, [p[1] for p in _DISTAL_PAIRS]] - hip_mid[:, None]) / scale
    return a, b


def _transition_costs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Costs of every reading triple (s[t-2], s[t-1], s[t]) and pair (s[t-1], s[t]).

    Returns ``second`` of shape (T, 2, 2, 2) (constant-velocity prediction error)
    and ``first`` of shape (T, 2, 2) (constant-position error, used where the
    frame two back is missing).  Missing points add nothing.
    """
    n = a.shape[0]
    reading = np.stack([np.concatenate([a, b], 1), np.concatenate([b, a], 1)], axis=1)  # (T,2,8,2)
    second = np.zeros((n, 2, 2, 2))
    first = np.zeros((n, 2, 2))
    for s1 in (0, 1):
        for s2 in (0, 1):
            d = reading[1:, s2] - reading[:-1, s1]
            e = (np.where(np.isfinite(d), d, 0.0) ** 2).sum(axis=(1, 2))
            first[1:, s1, s2] = e
            for s0 in (0, 1):
                d2 = reading[2:, s2] - 2 * reading[1:-1, s1] + reading[:-2, s0]
                second[2:, s0, s1, s2] = (np.where(np.isfinite(d2), d2, 0.0) ** 2).sum(axis=(1, 2))
    return second, first


def _viterbi(second: np.ndarray, first: np.ndarray, has2: np.ndarray) -> np.ndarray:
    """Cheapest reading per frame (0 = as labelled, 1 = exchanged) for one stretch."""
    n = second.shape[0]
    if n == 1:
        return np.zeros(1, dtype=np.int8)
    switch = SWITCH_COST * np.array([[0.0, 1.0], [1.0, 0.0]])
    # cost[s_prev, s_cur] of the best path ending with that pair at frame t
    cost = first[1] + switch
    back = np.zeros((n, 2, 2), dtype=np.int8)
    for t in range(2, n):
        new = np.empty((2, 2))
        for s1 in (0, 1):
            for s2 in (0, 1):
                if has2[t]:
                    cand = cost[:, s1] + second[t, :, s1, s2]
                else:
                    cand = cost[:, s1] + first[t, s1, s2]
                k = int(np.argmin(cand))
                back[t, s1, s2] = k
                new[s1, s2] = cand[k] + switch[s1, s2]
        cost = new
    s1, s2 = np.unravel_index(int(np.argmin(cost)), (2, 2))
    states = np.zeros(n, dtype=np.int8)
    states[-1], states[-2] = s2, s1
    for t in range(n - 1, 1, -1):
        states[t - 2] = back[t, states[t - 1], states[t]]
    return states


def find_leg_swaps(image_px: np.ndarray) -> np.ndarray:
    """Frames (T,) bool whose leg labels should be exchanged, for a sagittal video.

    See the module description for the method.  Frames without leg landmarks are
    never marked.

    Raises
    ------
    ValidationError
        When ``image_px`` is not (T, 33, 2).
    """
    px = np.asarray(image_px, dtype=np.float64)
    if px.ndim != 3 or px.shape[1:] != (33, 2):
        raise ValidationError(f"Landmarks for side correction must be (T, 33, 2); got {px.shape}.")
    a, b = _leg_points(px)
    seen = (np.isfinite(a).all(axis=2) & np.isfinite(b).all(axis=2)).any(axis=1)
    swapped = np.zeros(px.shape[0], dtype=bool)
    # stretches of frames with leg points, bridging at most MAX_BLIND_FRAMES blind frames
    blind_runs = [(s, e) for s, e in find_runs(~seen) if e - s > MAX_BLIND_FRAMES]
    cuts = [0] + [x for run in blind_runs for x in run] + [px.shape[0]]
    for start, end in zip(cuts[::2], cuts[1::2]):
        if end - start < 2:
            continue
        sa, sb = a[start:end], b[start:end]
        second, first = _transition_costs(sa, sb)
        valid = np.isfinite(sa).all(axis=2).any(axis=1)
        has2 = np.zeros(end - start, dtype=bool)
        has2[2:] = valid[2:] & valid[1:-1] & valid[:-2]
        states = _viterbi(second, first, has2).astype(bool)
        local_seen = seen[start:end]
        # unique up to a global exchange: keep the model's majority labelling
        if states[local_seen].sum() * 2 > local_seen.sum():
            states = ~states
        swapped[start:end] = states & local_seen
    return swapped


def find_mirrored_frames(image_px: np.ndarray, direction: str) -> np.ndarray:
    """Frames (T,) bool of a frontal video whose left/right labels are the wrong way round.

    Walking ``"toward"`` the camera the patient's left hip and shoulder must be on
    the image right of the right ones; walking ``"away"``, on the image left.  A
    frame is marked when both hips and shoulders contradict this.

    Raises
    ------
    ValidationError
        When ``direction`` is not "toward" or "away".
    """
    if direction not in ("toward", "away"):
        raise ValidationError(f"A frontal walking direction is 'toward' or 'away'; got {direction!r}.")
    sign = 1.0 if direction == "toward" else -1.0
    hips = sign * (image_px[:, LEFT_HIP, 0] - image_px[:, RIGHT_HIP, 0])
    shoulders = sign * (image_px[:, LEFT_SHOULDER, 0] - image_px[:, RIGHT_SHOULDER, 0])
    return (hips < 0) & (shoulders < 0)
