"""Which blob is which sticker, frame after frame.

Two stickers are followed at a time:

* sagittal view: the ASIS and PSIS on the side facing the camera (walking to the
  image right shows the patient's right side).  The ASIS is the one further in
  the walking direction.
* frontal view: both ASIS when the patient walks toward the camera, both PSIS
  when walking away.  Left and right are the patient's sides: walking toward the
  camera, the patient's left is on the image right.

Both cases are one rule: the *leading* sticker lies further along an image axis
sign (``axis_sign`` · x larger) than the *trailing* one.

Tracking is done relative to the pose model's hip midpoint and in units of the
body length, so the whole body walking across the frame does not count as
marker motion.  A sticker is accepted only when it is near where it was (a jump
is rejected), keeps its size and roundness (a sticker partly hidden by the arm is
smaller and cut straight, and its centre would be wrong, so it becomes a gap) and, with its partner, forms a
plausible pelvic line (closer to horizontal than 45 degrees, in the right order,
at a pelvic distance).  Gaps are never guessed; gaps of at most
``max_interpolated_gap_s`` are bridged linearly and flagged.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.markers.detect import MarkerCandidate
from gaitlab.types import FloatArray

#: A sticker's position relative to the hip midpoint may change by this share of
#: the body length between consecutive frames (the pose model's hip jitter plus
#: pelvic motion) ...
GATE_SHARE = 0.045
#: ... plus this share of the body length per second since it was last seen.
GATE_GROWTH_SHARE_PER_S = 0.25
#: After this long unseen, a sticker is found again only as part of a full pair,
#: and its remembered size and shape are forgotten (they may stem from a few
#: frames in which it was partly hidden).
REACQUIRE_AFTER_S = 0.5
#: Both stickers of a pair have the same size: a sticker found again (alone or
#: in a fresh pair) whose area differs from its partner's by more than this
#: factor is a fragment of a hidden sticker or a stray blob.
FRESH_PAIR_AREA_RATIO_MAX = 2.0
#: Distance between the two stickers, as a share of the body length (ASIS–PSIS
#: about 0.15, ASIS–ASIS about 0.18, PSIS–PSIS about 0.07 on an adult).
PAIR_DISTANCE_SHARE = (0.03, 0.4)
#: A sticker whose area (relative to the body length squared) falls outside this
#: share of its recent median is partly hidden or merged with something.
AREA_RATIO_RANGE = (0.75, 1.35)
#: A sticker more elongated than its recent median by more than this is partly
#: hidden (cut by an edge).
ELONGATION_INCREASE_LIMIT = 0.25
#: A small sticker's measured area and outline waver from frame to frame with
#: the pixel grid and compression.  Where this sticker's own recent values
#: scatter more than the fixed limits allow, the limits widen to this many
#: robust standard deviations (1.4826 median absolute deviations) of them, so
#: the limits fit the video: strict for sharp, large stickers, looser for
#: stickers a few pixels wide.
SHAPE_SPREAD_SDS = 3.0
#: The widest the limits get however much the values scatter: a sticker at
#: 60 % of its usual area or less is always partly hidden.
AREA_RATIO_WIDEST = (0.6, 2.0)
ELONGATION_INCREASE_WIDEST = 0.75
#: Number of recent accepted frames the reference area is taken from.
AREA_HISTORY = 15
#: Gaps up to this long are bridged by linear interpolation (and flagged).
MAX_INTERPOLATED_GAP_S = 0.1


@dataclass(frozen=True)
class MarkerTrack:
    """One sticker over the analysed frames.

    Attributes
    ----------
    name : str
        Anatomical name, e.g. ``"right_asis"``.
    position_px : (T, 2) float
        Sub-pixel centre per frame, pixels (y down); NaN where the sticker was
        not seen (and the gap was too long to bridge).
    interpolated : (T,) bool
        True where the position was bridged over a short gap.
    area_px : (T,) float
        Measured sticker area, square pixels (NaN where not measured).
    """

    name: str
    position_px: FloatArray
    interpolated: np.ndarray
    area_px: FloatArray

    @property
    def n_seen(self) -> int:
        """Frames in which the sticker was measured (not bridged)."""
        return int((np.isfinite(self.position_px[:, 0]) & ~self.interpolated).sum())

    @property
    def n_bridged(self) -> int:
        """Frames bridged by interpolation over short gaps."""
        return int(self.interpolated.sum())


def tracked_marker_names(view: str, direction: str) -> tuple[tuple[str, str], float]:
    """The (leading, trailing) sticker names and the image axis sign for a view.

    Returns
    -------
    names : (str, str)
        Sagittal: (``"<side>_asis"``, ``"<side>_psis"``) of the side facing the
        camera.  Frontal: (``"left_asis"``, ``"right_asis"``) walking toward the
        camera, (``"left_psis"``, ``"right_psis"``) walking away.
    axis_sign : float
        +1 when the leading sticker has the larger image x, -1 when the smaller.

    Raises
    ------
    ValidationError
        For a view or direction gaitlab does not know.
    """
    if view == "sagittal":
        if direction == "right":
            return ("right_asis", "right_psis"), 1.0
        if direction == "left":
            return ("left_asis", "left_psis"), -1.0
        raise ValidationError(f"A sagittal walking direction is 'left' or 'right'; got {direction!r}.")
    if view == "frontal":
        if direction == "toward":
            return ("left_asis", "right_asis"), 1.0
        if direction == "away":
            return ("left_psis", "right_psis"), -1.0
        raise ValidationError(f"A frontal walking direction is 'toward' or 'away'; got {direction!r}.")
    raise ValidationError(f"The view is 'sagittal' or 'frontal'; got {view!r}.")


class _RoleState:
    """What the tracker remembers about one sticker."""

    def __init__(self) -> None:
        self.rel: np.ndarray | None = None  # last position relative to the hips, body lengths
        self.time_s = -np.inf
        self.areas: deque[float] = deque(maxlen=AREA_HISTORY)
        self.elongations: deque[float] = deque(maxlen=AREA_HISTORY)

    def active(self, t: float) -> bool:
        return self.rel is not None and t - self.time_s <= REACQUIRE_AFTER_S

    def forget_shape(self) -> None:
        """Drop the remembered size and roundness (after a long absence)."""
        self.areas.clear()
        self.elongations.clear()

    def shape_ok(self, area_rel: float, elongation: float) -> bool:
        """The candidate keeps the size and roundness this sticker has had recently."""
        if len(self.areas) < 3:
            return True
        areas = np.asarray(self.areas)
        ref = float(np.median(areas))
        spread = SHAPE_SPREAD_SDS * _robust_sd(areas) / ref
        low = max(AREA_RATIO_WIDEST[0], min(AREA_RATIO_RANGE[0], 1.0 - spread))
        high = min(AREA_RATIO_WIDEST[1], max(AREA_RATIO_RANGE[1], 1.0 + spread))
        if not (low * ref <= area_rel <= high * ref):
            return False
        elongations = np.asarray(self.elongations)
        limit = min(
            ELONGATION_INCREASE_WIDEST,
            max(ELONGATION_INCREASE_LIMIT, SHAPE_SPREAD_SDS * _robust_sd(elongations)),
        )
        return elongation <= float(np.median(elongations)) + limit


def _robust_sd(values: np.ndarray) -> float:
    """1.4826 times the median absolute deviation (the SD of normal scatter)."""
    return 1.4826 * float(np.median(np.abs(values - np.median(values))))


def _pair_ok(lead: np.ndarray, trail: np.ndarray, axis_sign: float) -> bool:
    """Plausible pelvic line between two relative positions (body lengths)."""
    d = lead - trail
    along = axis_sign * d[0]
    dist = float(np.hypot(d[0], d[1]))
    return along > 0 and abs(d[1]) < along and PAIR_DISTANCE_SHARE[0] <= dist <= PAIR_DISTANCE_SHARE[1]


def _assign_frame(
    rel: np.ndarray,
    area_rel: np.ndarray,
    elongation: np.ndarray,
    states: tuple[_RoleState, _RoleState],
    t: float,
    axis_sign: float,
) -> tuple[int | None, int | None]:
    """Indices of the candidates taken as (leading, trailing) sticker, or None.

    ``rel`` are positions relative to the hips in body lengths, ``area_rel``
    areas over the squared body length.
    """
    n = rel.shape[0]
    options: list[int | None] = [None, *range(n)]
    best: tuple[float, tuple[int | None, int | None]] = (np.inf, (None, None))
    active = [s.active(t) for s in states]
    gates = [
        GATE_SHARE + GATE_GROWTH_SHARE_PER_S * max(0.0, t - s.time_s) if s.rel is not None else 0.0
        for s in states
    ]
    for i, j in itertools.product(options, options):
        if i is not None and i == j:
            continue
        picks = (i, j)
        cost = 0.0
        valid = True
        for role, k in enumerate(picks):
            if k is None:
                cost += 1.0
                continue
            state = states[role]
            if not state.shape_ok(float(area_rel[k]), float(elongation[k])):
                valid = False
                break
            if active[role]:
                assert state.rel is not None
                dist = float(np.linalg.norm(rel[k] - state.rel))
                if dist > gates[role]:
                    valid = False
                    break
                cost += (dist / gates[role]) ** 2
            elif picks[1 - role] is None:
                # a sticker not followed recently is only taken together with its partner
                valid = False
                break
        if not valid:
            continue
        if i is not None and j is not None:
            if not _pair_ok(rel[i], rel[j], axis_sign):
                continue
            # both stickers have the same size: one much smaller than its partner is a
            # fragment of a sticker partly hidden (by the arm) or a stray blob
            a, b = float(area_rel[i]), float(area_rel[j])
            if not (a > 0 and b > 0) or max(a / b, b / a) > FRESH_PAIR_AREA_RATIO_MAX:
                continue
            if not active[0] and not active[1]:
                cost += abs(np.log(a / b))  # a fresh pair: the more equal the better
        elif i is not None or j is not None:
            # one sticker alone must still sit on the right side of the other's last place
            role = 0 if i is not None else 1
            k = i if i is not None else j
            other = states[1 - role]
            if other.active(t):
                assert other.rel is not None and k is not None
                lead, trail = (rel[k], other.rel) if role == 0 else (other.rel, rel[k])
                if not _pair_ok(lead, trail, axis_sign):
                    continue
        if cost < best[0]:
            best = (cost, picks)
    return best[1]


def bridge_short_gaps(
    position_px: np.ndarray, time_s: np.ndarray, max_gap_s: float = MAX_INTERPOLATED_GAP_S
) -> tuple[np.ndarray, np.ndarray]:
    """Linearly bridge gaps of at most ``max_gap_s`` seconds of missing frames.

    The length of a gap is the time from the last frame before it to the first
    frame after it, less one frame period (so three missing frames at 30 fps are
    0.1 s).  Gaps at the start or end of the clip, and longer gaps, stay NaN.

    Returns
    -------
    position_px : (T, 2) float
        Positions with short gaps filled.
    interpolated : (T,) bool
        True where a position was filled.
    """
    pos = np.array(position_px, dtype=np.float64, copy=True)
    t = np.asarray(time_s, dtype=np.float64)
    seen = np.isfinite(pos).all(axis=1)
    filled = np.zeros(t.shape[0], dtype=bool)
    idx = np.flatnonzero(seen)
    if idx.size < 2:
        return pos, filled
    period = float(np.median(np.diff(t))) if t.size > 1 else 0.0
    for a, b in zip(idx[:-1], idx[1:]):
        if b - a <= 1:
            continue
        if t[b] - t[a] - period > max_gap_s + 1e-9:
            continue
        share = (t[a + 1 : b] - t[a]) / (t[b] - t[a])
        pos[a + 1 : b] = pos[a] + share[:, None] * (pos[b] - pos[a])
        filled[a + 1 : b] = True
    return pos, filled


def track_marker_pair(
    candidates: Sequence[Sequence[MarkerCandidate]],
    time_s: np.ndarray,
    anchor_px: np.ndarray,
    body_length_px: np.ndarray,
    *,
    names: tuple[str, str],
    axis_sign: float,
    max_interpolated_gap_s: float = MAX_INTERPOLATED_GAP_S,
) -> tuple[MarkerTrack, MarkerTrack]:
    """Follow the leading and trailing sticker through the frames.

    Parameters
    ----------
    candidates : sequence of sequences of MarkerCandidate
        Sticker-like blobs found in each frame.
    time_s : (T,) float
        Frame times, seconds.
    anchor_px : (T, 2) float
        Hip midpoint from the pose model, pixels (NaN where not detected).
    body_length_px : (T,) float
        Apparent body length, pixels (the unit of every distance limit).
    names : (str, str)
        Names of the leading and trailing sticker (see :func:`tracked_marker_names`).
    axis_sign : float
        +1 when the leading sticker lies at larger image x, -1 at smaller.
    max_interpolated_gap_s : float
        Longest gap bridged by interpolation, seconds (0 bridges none).

    Returns
    -------
    (MarkerTrack, MarkerTrack)
        The leading and the trailing sticker.

    Raises
    ------
    ValidationError
        When the per-frame inputs do not have one entry per frame.
    """
    t = np.asarray(time_s, dtype=np.float64)
    n = t.shape[0]
    anchor = np.asarray(anchor_px, dtype=np.float64)
    scale = np.asarray(body_length_px, dtype=np.float64)
    if len(candidates) != n or anchor.shape != (n, 2) or scale.shape != (n,):
        raise ValidationError("Sticker candidates, hip positions and body lengths need one entry per frame.")
    if axis_sign not in (1.0, -1.0):
        raise ValidationError("The sticker axis sign must be +1 or -1.")
    pos = np.full((2, n, 2), np.nan)
    area = np.full((2, n), np.nan)
    states = (_RoleState(), _RoleState())
    for f in range(n):
        cands = candidates[f]
        if not cands or not (np.isfinite(anchor[f]).all() and np.isfinite(scale[f]) and scale[f] > 0):
            continue
        xy = np.array([[c.x_px, c.y_px] for c in cands], dtype=np.float64)
        rel = (xy - anchor[f]) / scale[f]
        area_rel = np.array([c.area_px for c in cands], dtype=np.float64) / scale[f] ** 2
        elong = np.array([c.elongation for c in cands], dtype=np.float64)
        for state in states:
            if not state.active(float(t[f])):
                state.forget_shape()
        picks = _assign_frame(rel, area_rel, elong, states, float(t[f]), axis_sign)
        for role, k in enumerate(picks):
            if k is None:
                continue
            pos[role, f] = xy[k]
            area[role, f] = cands[k].area_px
            state = states[role]
            state.rel = rel[k]
            state.time_s = float(t[f])
            state.areas.append(float(area_rel[k]))
            state.elongations.append(float(elong[k]))
    tracks = []
    for role in range(2):
        bridged, flags = bridge_short_gaps(pos[role], t, max_interpolated_gap_s)
        for a in (bridged, flags, area[role]):
            a.flags.writeable = False
        tracks.append(MarkerTrack(names[role], bridged, flags, area[role]))
    return tracks[0], tracks[1]
