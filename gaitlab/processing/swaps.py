"""Left/right leg label correction.

In a sagittal video the pose model often attaches the labels of the two legs to
the wrong leg in the image: it knows which leg is nearer the camera, but not
which of the two legs it sees is that one.  On rendered walks with a known truth
the model exchanged the knees or feet in about a third of the frames, in runs of
one to ten frames anywhere in the gait cycle, and in about a tenth of the frames
put both labels of a joint on the same leg.  Published single-camera pipelines
corrected this by hand; gaitlab does it automatically.

Method (sagittal)
-----------------
The knees and the feet (ankle, heel and toe together) are read separately: in
every frame each of the two may be taken as labelled or exchanged, four readings
in all.  Points are in image pixels divided by the trunk length (shoulder
midpoint to hip midpoint).  A reading is judged by

* **motion**: how far each leg's points lie from where constant velocity over
  the two previous frames predicts them (a stance foot stands still and a swing
  foot moves fast, so even where the legs cross their velocities differ);
* **shank length**: the knee and ankle of each leg must lie a shank apart;
* **changes**: a small cost for each change of reading from frame to frame;
* **whole legs**: a smaller cost for a frame read with the knees exchanged and
  the feet not, or the other way round.

Each term is a truncated square, so a single wild point (both labels on one
leg) costs a bounded amount instead of dragging the whole solution.  A dynamic
programme (Viterbi over pairs of consecutive readings) finds the cheapest
reading of every frame.  The solution is unique only up to exchanging the legs
everywhere, so within each unbroken stretch the anatomical sides are those the
pose model gave in most frames where the legs are apart.  Finally points that
jump away from their own leg's track for a few frames (a label put on the other
leg) are blanked, so gap filling replaces them.

Footprints (where a foot stood still; they alternate between the legs) enter the
reading as a cost that motion cannot outweigh: a label seen on a footprint while
it is stood on, and the other label not, is that footprint's leg.  A standing
foot never moves backward and does not leave its footprint and come back, so
between the first and last frame it is seen on it, its points behind it or
nearer the other foot are blanked (:func:`stance_outliers`): there the pose model
dragged the hidden far foot onto the near one swinging past.

Whole legs: the knees and feet pass each other at different frames, so they
are read separately, but the pose model puts a whole leg's labels on the other
leg far more often than one joint's.  On the nine side clips with a known truth
(accuracy suite, test clips, samples; both pose models), in frames where both the
knees and the ankles are at least half a thigh apart, it exchanged knees and feet
together in 244 frames and only one of the two in 18.  A split reading therefore
costs :data:`LEG_SPLIT_COST`, half a change of reading: too little to overrule
motion, shank length or a footprint where they speak, enough to settle frames
where they do not.  The case that asked for it (heavy model, sag-left-540-far,
frames 155-159): the far knee hidden (visibility 0.23) and its label put on the
near knee at frame 159; knee motion through that point moved the knees' crossing
four frames early while the feet stayed right, so two frames with the legs apart
had the knees on the wrong legs.  Labels on the cleaned points, frames with the
legs apart, before -> after: heavy sag-left-540-far 98.7 -> 100 %, full
sag-right-720 98.8 -> 99.0 % (82/83 -> 95/96: fewer points blanked), full
post6w_sagittal 99.5 -> 100 %; no clip or model worse.  Angles against truth:
full sag-right-720 hip coverage left 61 -> 71 %, hip RMS error left/right
6.3/3.1 -> 5.9/2.9 deg, knee 8.5/5.5 -> 8.1/5.3 deg; heavy sag-left-540-far hip
right 5.3 -> 4.7 deg, knee 8.8/8.3 -> 8.6/7.1 deg; heavy sag-right-720 knee right
4.24 -> 4.25 deg.  Strike and toe-off errors within 0.01 frame of before.

What the correction cannot tell: full model, sag-right-720, the last frame
(134).  Over frames 128-134 the model sees the far knee poorly (visibility
0.17-0.50) and puts the labels of both knees, and at 132-134 of both feet,
within 10-25 px of each other where the true legs are 20-40 px apart; at 134
both legs' labels are exchanged.  With no later frame, the four readings of that
frame cost within 3 units of each other (motion of junk points, both feet on
the standing foot's footprint), and the cheapest keeps the knees.  Blanking such
an undecided last frame would cost one frame of hip and knee angle at the end
of the walk (after the last strike, so outside every measured cycle) but also
blanks frames that are right: knee readings with a margin below 3 units were
right in about twice as many frames as they were wrong over the side clips.

The hips are left as labelled: seen from the side they nearly coincide and the
model places them from the body's orientation, which it gets right.

Method (frontal)
----------------
Walking toward the camera the patient's left is on the image right, walking away
it is on the image left.  Frames in which both the hips and the shoulders are
the wrong way round are mirrored (every left/right landmark pair exchanged).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    LEG_PAIRS,
    MIRROR,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
)
from gaitlab.processing.gaps import find_runs
from gaitlab.processing.peaks import find_peaks

#: Landmark pairs read together: the knees, and the feet.
KNEE_PAIRS = ((LEFT_KNEE, RIGHT_KNEE),)
FOOT_PAIRS = ((LEFT_ANKLE, RIGHT_ANKLE), (LEFT_HEEL, RIGHT_HEEL), (LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX))
#: Typical deviation of a point from its constant-velocity prediction, trunk lengths.
MOTION_SD = 0.25
#: Typical deviation of the knee-ankle distance from the shank length, trunk lengths.
SHANK_SD = 0.12
#: Squared deviations (in units of their SD) are truncated at this value.
TRUNCATE = 9.0
#: Cost of changing the reading of the knees or of the feet between two frames.
SWITCH_COST = 1.0
#: Cost of a reading that exchanges the knees but not the feet, or the feet but not
#: the knees, in one frame: half a change of reading (see "Whole legs" in the
#: module description; 0.4-0.8 gave the same labels and strikes on the side clips).
LEG_SPLIT_COST = 0.5
#: Frames without information that break the continuity of the legs.
MAX_BLIND_FRAMES = 3
#: Footprints: half-width of a footprint along the walkway, trunk lengths ...
FOOTPRINT_HALF_WIDTH = 0.25
#: ... the least time a foot stands on it, s (a stance lasts 0.45 s or more even in
#: fast walking; a swinging foot passes a footprint in a few frames) ...
FOOTPRINT_MIN_S = 0.3
#: ... and the least share of the median time the feet stand on a footprint ...
FOOTPRINT_MIN_SHARE = 0.4
#: ... the least distance between two footprints, trunk lengths ...
FOOTPRINT_MIN_SPACING = 0.5
#: ... footprints closer than this share of the median spacing are one too many ...
CLOSE_FOOTPRINTS = 0.6
#: ... and the cost of a foot reading that puts a foot on the other leg's footprint:
#: more than the feet's motion can cost in the three frame triples a reading
#: enters (six points, each truncated), so that where the pose model's far foot
#: is hidden and its labels wander, motion through those frames cannot overrule a
#: foot seen standing where its leg stands.
FOOTPRINT_COST = 3 * 6 * TRUNCATE
#: The near foot's footprints must lie lower than the far foot's by this many
#: standard errors before they overrule the pose model's labels.
NEAR_FOOT_MIN_T = 3.0
#: Half-width of the window of the running median a point is compared with, frames.
OUTLIER_HALF_WINDOW = 3
#: A point this far (trunk lengths) from its leg's running median is blanked.
OUTLIER_DISTANCE = 0.3
#: Foot landmarks of the two legs, as (ankle, heel, toe) of the left, then the right.
_LEFT_FOOT = tuple(f[0] for f in FOOT_PAIRS)
_RIGHT_FOOT = tuple(f[1] for f in FOOT_PAIRS)


@dataclass(frozen=True)
class LegLabels:
    """The leg reading :func:`find_leg_labels` settled on.

    Attributes
    ----------
    knees_swapped, feet_swapped : (T,) bool
        Frames whose knee (feet: ankle, heel, toe) labels are to be exchanged.
    outliers : (T, 33) bool
        Leg landmarks, after the exchange, that lie off their leg's track and
        are to be treated as missing.
    """

    knees_swapped: np.ndarray
    feet_swapped: np.ndarray
    outliers: np.ndarray

    @property
    def frames(self) -> np.ndarray:
        """(T,) bool: frames in which any leg label was exchanged."""
        return self.knees_swapped | self.feet_swapped


def swap_legs(image_px: np.ndarray, frames: np.ndarray, pairs=LEG_PAIRS) -> np.ndarray:
    """A copy of ``image_px`` with the landmark ``pairs`` (default: whole legs) exchanged in ``frames``.

    ``image_px`` may be (T, 33, k) for any k (pixels, or metric landmarks).
    """
    out = np.array(image_px, copy=True)
    frames = np.asarray(frames, dtype=bool)
    for left, right in pairs:
        out[frames, left], out[frames, right] = image_px[frames, right], image_px[frames, left]
    return out


def apply_leg_labels(values: np.ndarray, labels: LegLabels, blank=np.nan) -> np.ndarray:
    """``values`` (T, 33, ...) with the knees and feet exchanged and outliers set to ``blank``."""
    out = swap_legs(values, labels.knees_swapped, KNEE_PAIRS)
    out = swap_legs(out, labels.feet_swapped, FOOT_PAIRS)
    out[labels.outliers] = blank
    return out


def mirror_sides(values: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """A copy with every left/right landmark pair (``MIRROR``) exchanged in ``frames``."""
    out = np.array(values, copy=True)
    frames = np.asarray(frames, dtype=bool)
    out[frames] = values[frames][:, list(MIRROR)]
    return out


def _trunk_scale(px: np.ndarray) -> float:
    hip_mid = 0.5 * (px[:, LEFT_HIP] + px[:, RIGHT_HIP])
    shoulder_mid = 0.5 * (px[:, LEFT_SHOULDER] + px[:, RIGHT_SHOULDER])
    trunk = np.linalg.norm(shoulder_mid - hip_mid, axis=1)
    trunk = trunk[np.isfinite(trunk) & (trunk > 0)]
    return float(np.median(trunk)) if trunk.size else 1.0


def _truncated(sq: np.ndarray) -> np.ndarray:
    """Truncated squared deviation; missing values cost nothing."""
    return np.where(np.isfinite(sq), np.minimum(sq, TRUNCATE), 0.0)


#: The four readings: (knee bit, foot bit); 1 = exchanged.
_STATES = ((0, 0), (0, 1), (1, 0), (1, 1))


def _group_motion(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Motion cost (T, 2, 2, 2) of one group for bit triples (t-2, t-1, t).

    ``a``/``b`` are (T, k, 2) points labelled left/right, in trunk lengths.
    Where the frame two back lacks a point, the first-order (constant position)
    deviation is used at twice the SD.
    """
    n = a.shape[0]
    reading = (np.concatenate([a, b], 1), np.concatenate([b, a], 1))  # track 0 then track 1
    cost = np.zeros((n, 2, 2, 2))
    for b1 in (0, 1):
        for b2 in (0, 1):
            d1 = np.full(reading[0].shape, np.nan)
            d1[1:] = reading[b2][1:] - reading[b1][:-1]
            first = _truncated((d1**2).sum(-1) / (2.0 * MOTION_SD) ** 2)
            for b0 in (0, 1):
                d2 = np.full(reading[0].shape, np.nan)
                d2[2:] = reading[b2][2:] - 2.0 * reading[b1][1:-1] + reading[b0][:-2]
                sq = (d2**2).sum(-1) / MOTION_SD**2
                use2 = np.isfinite(sq)
                cost[:, b0, b1, b2] = np.where(use2, _truncated(sq), first).sum(axis=1)
    return cost


def _shank_cost(knee_a, knee_b, ankle_a, ankle_b, shank: float) -> np.ndarray:
    """Unary cost (T, 4) of each reading from the two legs' knee-ankle distances."""
    out = np.zeros((knee_a.shape[0], 4))
    for s, (kb, fb) in enumerate(_STATES):
        k0, k1 = (knee_a, knee_b) if kb == 0 else (knee_b, knee_a)
        f0, f1 = (ankle_a, ankle_b) if fb == 0 else (ankle_b, ankle_a)
        for k, f in ((k0, f0), (k1, f1)):
            d = np.linalg.norm(k - f, axis=1) - shank
            out[:, s] += _truncated(d**2 / SHANK_SD**2)
    return out


def _foot_centres(fa: np.ndarray, fb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2) mean of the present foot points (ankle, heel, toe) of each label; NaN if none."""

    def centre(points: np.ndarray) -> np.ndarray:
        ok = np.isfinite(points).all(axis=2)
        total = np.where(ok[..., None], points, 0.0).sum(axis=1)
        count = ok.sum(axis=1)[:, None]
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    return centre(fa), centre(fb)


def find_footprints(centres: np.ndarray, fps: float) -> list[tuple[float, int, int]]:
    """Where feet stood still, from the foot centres of both labels (static camera).

    A stance foot stays at one place on the floor while the other swings past,
    so along the walkway (image x) the positions of both labels' foot centres
    pile up at each footprint.  Footprints are the peaks of that pile-up; each
    is returned with the first and last frame (exclusive) of its longest run of
    frames with a foot on it.

    Parameters
    ----------
    centres : (T, 2, 2) float
        Foot centres (ankle, heel and toe averaged) of the two labels, trunk lengths.
    fps : float
        Frame rate, frames per second.

    Returns
    -------
    list of (x, start, end)
        Footprints ordered along the image x axis.
    """
    x = centres[..., 0]
    finite = x[np.isfinite(x)]
    if finite.size < 4:
        return []
    bin_w = FOOTPRINT_HALF_WIDTH / 2.0
    lo, hi = float(finite.min()), float(finite.max())
    n_bins = max(1, int(np.ceil((hi - lo) / bin_w)) + 1)
    counts = np.bincount(((finite - lo) / bin_w).astype(int), minlength=n_bins).astype(float)
    counts = np.convolve(counts, np.ones(3), mode="same")
    min_frames = max(3, int(round(FOOTPRINT_MIN_S * fps)))
    peaks = find_peaks(counts, height=min_frames, distance=max(1, int(FOOTPRINT_MIN_SPACING / bin_w)))
    prints = []
    for p in peaks:
        centre = lo + (p + 0.5) * bin_w
        near = (np.abs(x - centre) <= FOOTPRINT_HALF_WIDTH).any(axis=1)
        # bridge a few frames in which the model put the foot elsewhere, then
        # keep the longest run
        bridged = near.copy()
        for gap_start, gap_end in find_runs(~near):
            if gap_start > 0 and gap_end < near.size and gap_end - gap_start <= MAX_BLIND_FRAMES:
                bridged[gap_start:gap_end] = True
        runs = find_runs(bridged)
        if not runs:
            continue
        start, end = max(runs, key=lambda r: r[1] - r[0])
        if end - start >= min_frames:
            members = x[start:end][np.abs(x[start:end] - centre) <= FOOTPRINT_HALF_WIDTH]
            prints.append((float(np.median(members)), int(start), int(end)))
    if prints:
        typical = float(np.median([e - s for _, s, e in prints]))
        prints = [p for p in prints if p[2] - p[1] >= FOOTPRINT_MIN_SHARE * typical]
    prints.sort()
    # a peak much closer to its neighbour than steps usually are is a pause of a
    # swinging foot or noise: keep the footprint stood on longer
    while len(prints) >= 3:
        xs = np.array([p[0] for p in prints])
        gaps = np.diff(xs)
        i = int(np.argmin(gaps))
        if gaps[i] >= CLOSE_FOOTPRINTS * float(np.median(gaps)):
            break
        a, b = prints[i], prints[i + 1]
        prints.pop(i if a[2] - a[1] < b[2] - b[1] else i + 1)
    return prints


def footprint_legs(prints: list[tuple[float, int, int]]) -> np.ndarray:
    """Which leg (0 or 1) stood on each footprint: they alternate along the walkway.

    A gap of about two footprint spacings counts as a missed footprint, so the
    legs stay right across it.  Leg 0 stands on the first footprint.
    """
    if not prints:
        return np.zeros(0, dtype=int)
    xs = np.array([p[0] for p in prints])
    if xs.size < 2:
        return np.zeros(1, dtype=int)
    spacing = float(np.median(np.diff(xs)))
    parity = [0]
    for gap in np.diff(xs):
        parity.append(parity[-1] + max(1, int(round(gap / spacing))))
    return np.array(parity) % 2


def _footprint_cost(ca: np.ndarray, cb: np.ndarray, prints, legs: np.ndarray) -> np.ndarray:
    """Unary cost (T, 2) of the two foot readings (as labelled, exchanged) from footprints.

    Leg 0 stands on the footprints ``legs`` marks 0.  A label on a footprint of
    leg 1 speaks against reading it as leg 0 and vice versa.  Frames with no foot
    on a footprint cost nothing.
    """
    cost = np.zeros((ca.shape[0], 2))
    if len(prints) < 2:
        return cost
    for (x0, start, end), leg in zip(prints, legs):
        with np.errstate(invalid="ignore"):
            on_a = np.abs(ca[start:end, 0] - x0) <= FOOTPRINT_HALF_WIDTH
            on_b = np.abs(cb[start:end, 0] - x0) <= FOOTPRINT_HALF_WIDTH
        # label a on leg `leg`: reading 0 (a = leg 0) fits when leg == 0
        cost[start:end, 1 - leg] += FOOTPRINT_COST * on_a
        cost[start:end, leg] += FOOTPRINT_COST * on_b
    return cost


def stance_outliers(left: np.ndarray, right: np.ndarray, prints, legs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which frames' feet are off the footprint their leg stands on, and which are on it.

    A foot stands on its footprint from the frame it lands to the frame it
    leaves and cannot leave and come back in between.  So between the first and
    the last frame of a footprint's run in which its leg's foot is seen on it,
    that foot stands there; landing it may reach a little beyond it and settle
    back, and late in the stance it rolls forward over the toes, but it never
    moves backward.  Where its points lie behind the footprint, or nearer the
    other foot than the footprint, the pose model put them on or toward the other
    foot (a far foot hidden behind the near one swinging past, or a standing foot
    dragged after the swinging one), and they are to be treated as missing;
    where they lie on it they are right, however far the neighbouring frames'
    points stray.

    Parameters
    ----------
    left, right : (T, 2) float
        Foot centres of the left and right labels after the leg reading, trunk
        lengths; NaN where no foot point is present.
    prints : list of (x, start, end)
        Footprints from :func:`find_footprints`.
    legs : (len(prints),) int
        Which leg (0 or 1) stands on each footprint (:func:`footprint_legs`).

    Returns
    -------
    off, on : (T, 2) bool
        Per frame and side (left, right): the side's foot stands on a footprint
        but is seen behind it or toward the other foot (``off``), or is seen on
        the footprint (``on``).  Both are False outside the stances.
    """
    n = left.shape[0]
    off = np.zeros((n, 2), dtype=bool)
    on = np.zeros((n, 2), dtype=bool)
    if len(prints) < 2:
        return off, on
    centres = np.stack([left[:, 0], right[:, 0]], axis=1)
    near = np.zeros((n, len(prints), 2), dtype=bool)
    for i, (x0, start, end) in enumerate(prints):
        with np.errstate(invalid="ignore"):
            near[start:end, i] = np.abs(centres[start:end] - x0) <= FOOTPRINT_HALF_WIDTH
    # which side stands on the footprints of leg 0: the one seen on them more often
    # (its frames on leg 0's footprints plus the other side's on leg 1's)
    is0 = np.asarray(legs) == 0
    left_is_0 = near[:, is0, 0].sum() + near[:, ~is0, 1].sum()
    right_is_0 = near[:, is0, 1].sum() + near[:, ~is0, 0].sum()
    first_side = 0 if left_is_0 >= right_is_0 else 1
    # walking direction along image x: the feet stand on later footprints further on
    xs = np.array([p[0] for p in prints])
    starts = np.array([p[1] for p in prints], dtype=float)
    ahead = 1.0 if np.sum((xs - xs.mean()) * (starts - starts.mean())) >= 0 else -1.0
    for i, (x0, _, _) in enumerate(prints):
        side = first_side if legs[i] == 0 else 1 - first_side
        seen_on = np.flatnonzero(near[:, i, side])
        if seen_on.size < 2:
            continue
        first, last = int(seen_on[0]), int(seen_on[-1]) + 1
        stance = near[first:last, i, side]
        on[first:last, side] |= stance
        own, other = centres[first:last, side], centres[first:last, 1 - side]
        with np.errstate(invalid="ignore"):
            # behind its footprint, or nearer the other foot than its footprint; a
            # foot ahead of it may be landing beyond it or rolling over the toes
            behind = ahead * (own - x0) < 0
            nearer_other = np.abs(own - other) < np.abs(own - x0)
            off[first:last, side] |= ~stance & np.isfinite(own) & (behind | nearer_other)
    return off, on


def _viterbi(motion: np.ndarray, unary: np.ndarray) -> np.ndarray:
    """Cheapest reading (index into _STATES) per frame of one stretch.

    ``motion`` is (T, 4, 4, 4) over state triples, ``unary`` (T, 4).
    """
    n = unary.shape[0]
    if n == 1:
        return np.array([int(np.argmin(unary[0]))])
    bits = np.array(_STATES)
    switch = SWITCH_COST * np.abs(bits[:, None, :] - bits[None, :, :]).sum(-1)  # (4, 4)
    # cost[s1, s2]: best path ending with states s1 at t-1 and s2 at t
    first_motion = motion[1].min(axis=0)  # no frame t-2 yet
    cost = unary[0][:, None] + unary[1][None, :] + switch + first_motion
    back = np.zeros((n, 4, 4), dtype=np.int8)
    for t in range(2, n):
        # total[s0, s1, s2] = cost[s0, s1] + motion[t, s0, s1, s2]
        total = cost[:, :, None] + motion[t]
        back[t] = np.argmin(total, axis=0)
        cost = np.min(total, axis=0) + switch + unary[t][None, :]
    s1, s2 = np.unravel_index(int(np.argmin(cost)), (4, 4))
    states = np.zeros(n, dtype=np.int64)
    states[-1], states[-2] = s2, s1
    for t in range(n - 1, 1, -1):
        states[t - 2] = back[t, states[t - 1], states[t]]
    return states


def _state_motion(knee_cost: np.ndarray, foot_cost: np.ndarray) -> np.ndarray:
    """(T, 4, 4, 4) motion cost of state triples from the two groups' bit-triple costs."""
    kb = np.array([s[0] for s in _STATES])
    fb = np.array([s[1] for s in _STATES])
    return (
        knee_cost[:, kb[:, None, None], kb[None, :, None], kb[None, None, :]]
        + foot_cost[:, fb[:, None, None], fb[None, :, None], fb[None, None, :]]
    )


def _running_median(values: np.ndarray, half: int) -> np.ndarray:
    """Running median over ±``half`` frames of a (T, 2) track; NaN unless the whole window is present.

    Only full windows count: at the ends of a stretch a one-sided median of a
    moving point would lag behind it.
    """
    n = values.shape[0]
    pad = np.full((n + 2 * half, 2), np.nan)
    pad[half : half + n] = values
    windows = np.stack([pad[i : i + n] for i in range(2 * half + 1)], axis=0)
    out = np.full(values.shape, np.nan)
    enough = np.isfinite(windows[..., 0]).all(axis=0)
    if enough.any():
        out[enough] = np.median(windows[:, enough], axis=0)
    return out


def near_foot_offset(
    left: np.ndarray, right: np.ndarray, prints, direction: str
) -> tuple[float, float]:
    """How much lower in the picture the near foot's footprints lie than the far foot's.

    Seen from a camera above the floor, floor points nearer the camera appear
    lower in the picture, so the footprints of the leg facing the camera (the
    patient's right when walking to the image right, the left when walking to
    the image left) lie a little lower than those of the other leg: a few pixels
    for a 10-15 cm step width.  The footprint heights are fitted with a straight
    line along the walkway (camera tilt and perspective) plus an offset between
    the legs.

    Parameters
    ----------
    left, right : (T, 2) float
        Foot centres of the labels as read, trunk lengths (y down).
    prints : list of (x, start, end)
        Footprints from :func:`find_footprints`.
    direction : {"left", "right"}
        Image direction of travel.

    Returns
    -------
    offset, standard_error : float
        Near foot's footprint height minus the far foot's, trunk lengths
        (positive when the labels put the near leg nearer), and the standard
        error of that offset; NaN, NaN when fewer than four footprints of both
        legs are seen.
    """
    xs, ys, is_left = [], [], []
    for x0, start, end in prints:
        with np.errstate(invalid="ignore"):
            on_l = np.abs(left[start:end, 0] - x0) <= FOOTPRINT_HALF_WIDTH
            on_r = np.abs(right[start:end, 0] - x0) <= FOOTPRINT_HALF_WIDTH
        if on_l.sum() == on_r.sum():
            continue
        side_left = bool(on_l.sum() > on_r.sum())
        foot = (left if side_left else right)[start:end]
        on = on_l if side_left else on_r
        xs.append(x0)
        ys.append(float(np.median(foot[on, 1])))
        is_left.append(1.0 if side_left else 0.0)
    flags = np.array(is_left)
    if flags.size < 4 or flags.sum() < 2 or (1 - flags).sum() < 2:
        return float("nan"), float("nan")
    design = np.stack([np.ones(flags.size), np.array(xs), flags], axis=1)
    coef, *_ = np.linalg.lstsq(design, np.array(ys), rcond=None)
    dof = flags.size - 3
    if dof < 1:
        return float("nan"), float("nan")
    resid = np.array(ys) - design @ coef
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    left_lower = float(coef[2])  # left footprints' y minus right's (y down: positive = lower)
    near_lower = left_lower if direction == "left" else -left_lower
    return near_lower, float(np.sqrt(max(cov[2, 2], 0.0)))


def find_leg_labels(image_px: np.ndarray, fps: float = 30.0, direction: str | None = None) -> LegLabels:
    """The reading of the legs of a sagittal video (see the module description).

    Parameters
    ----------
    image_px : (T, 33, 2) float
        Landmarks in pixels as the pose model labelled them; NaN where missing.
    fps : float
        Frame rate, frames per second.
    direction : {"left", "right"}, optional
        Image direction of travel.  With it, the footprints' heights in the
        picture (the near leg's lie lower, see :func:`near_foot_offset`) decide
        which leg is which when they say so clearly; without it, or when they do
        not, the pose model's own labels decide by majority.

    Returns
    -------
    LegLabels
        Which frames' knees and feet to exchange, and which points to blank.
        Frames without leg landmarks are never exchanged.

    Raises
    ------
    ValidationError
        When ``image_px`` is not (T, 33, 2) or ``direction`` is not a side direction.
    """
    px = np.asarray(image_px, dtype=np.float64)
    if px.ndim != 3 or px.shape[1:] != (33, 2):
        raise ValidationError(f"Landmarks for side correction must be (T, 33, 2); got {px.shape}.")
    if direction not in (None, "left", "right"):
        raise ValidationError(f"A sagittal walking direction is 'left' or 'right'; got {direction!r}.")
    n = px.shape[0]
    scale = _trunk_scale(px)
    p = px / scale
    ka = p[:, [k[0] for k in KNEE_PAIRS]]
    kb = p[:, [k[1] for k in KNEE_PAIRS]]
    fa = p[:, [f[0] for f in FOOT_PAIRS]]
    fb = p[:, [f[1] for f in FOOT_PAIRS]]
    shank_all = np.concatenate([
        np.linalg.norm(p[:, LEFT_KNEE] - p[:, LEFT_ANKLE], axis=1),
        np.linalg.norm(p[:, RIGHT_KNEE] - p[:, RIGHT_ANKLE], axis=1),
    ])
    shank_all = shank_all[np.isfinite(shank_all)]
    shank = float(np.median(shank_all)) if shank_all.size else 0.0
    seen: np.ndarray = np.asarray(
        (np.isfinite(ka).all(axis=(1, 2)) & np.isfinite(kb).all(axis=(1, 2)))
        | (np.isfinite(fa).all(axis=(1, 2)) & np.isfinite(fb).all(axis=(1, 2))),
        dtype=bool,
    )
    # footprints over the whole walk: they tie the legs' identity together
    # across stretches the legs cannot be followed through
    ca, cb = _foot_centres(fa, fb)
    prints = find_footprints(np.stack([ca, cb], axis=1), fps)
    legs = footprint_legs(prints)
    foot = _footprint_cost(ca, cb, prints, legs)
    anchored = foot[:, 0] != foot[:, 1]
    knees_swapped = np.zeros(n, dtype=bool)
    feet_swapped = np.zeros(n, dtype=bool)
    blind_runs = [(s, e) for s, e in find_runs(~seen) if e - s > MAX_BLIND_FRAMES]
    cuts = [0] + [x for run in blind_runs for x in run] + [n]
    tied_votes = 0.0  # separation-weighted frames the tied stretches' reading exchanges, minus those it keeps
    tied: list[slice] = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        if end - start < 1 or not seen[start:end].any():
            continue
        sl = slice(start, end)
        motion = _state_motion(_group_motion(ka[sl], kb[sl]), _group_motion(fa[sl], fb[sl]))
        unary = _shank_cost(ka[sl, 0], kb[sl, 0], fa[sl, 0], fb[sl, 0], shank)
        unary += foot[sl][:, [s[1] for s in _STATES]]
        unary += LEG_SPLIT_COST * np.array([float(kb != fb) for kb, fb in _STATES])
        states = np.array(_STATES)[_viterbi(motion, unary)]
        k_bits, f_bits = states[:, 0].astype(bool), states[:, 1].astype(bool)
        # unique up to exchanging the legs everywhere: keep the model's majority,
        # counting frames by how far apart the legs are (crossing legs say nothing)
        k_sep = np.nan_to_num(np.linalg.norm(ka[sl, 0] - kb[sl, 0], axis=1))
        f_sep = np.nan_to_num(np.linalg.norm(fa[sl, 0] - fb[sl, 0], axis=1))
        exchanged = (k_sep * k_bits).sum() + (f_sep * f_bits).sum()
        kept = (k_sep * ~k_bits).sum() + (f_sep * ~f_bits).sum()
        local_seen = seen[sl]
        knees_swapped[sl] = k_bits & local_seen
        feet_swapped[sl] = f_bits & local_seen
        if anchored[sl].any():
            tied.append(sl)
            tied_votes += exchanged - kept
        elif exchanged > kept:
            knees_swapped[sl] = ~k_bits & local_seen
            feet_swapped[sl] = ~f_bits & local_seen
    flip_tied = tied_votes > 0
    if direction is not None and tied:
        lf = np.where(feet_swapped[:, None], cb, ca)
        rf = np.where(feet_swapped[:, None], ca, cb)
        if flip_tied:
            lf, rf = rf, lf
        offset, error = near_foot_offset(lf, rf, prints, direction)
        if np.isfinite(offset) and error > 0 and offset < -NEAR_FOOT_MIN_T * error:
            flip_tied = not flip_tied
    if flip_tied:
        for sl in tied:
            local_seen = seen[sl]
            knees_swapped[sl] = ~knees_swapped[sl] & local_seen
            feet_swapped[sl] = ~feet_swapped[sl] & local_seen
    labels = LegLabels(knees_swapped, feet_swapped, np.zeros((n, 33), dtype=bool))
    relabelled = apply_leg_labels(p, labels)
    outliers = np.zeros((n, 33), dtype=bool)
    for pair in KNEE_PAIRS + FOOT_PAIRS:
        for j in pair:
            track = relabelled[:, j]
            median = _running_median(track, OUTLIER_HALF_WINDOW)
            with np.errstate(invalid="ignore"):
                outliers[:, j] = np.linalg.norm(track - median, axis=1) > OUTLIER_DISTANCE
    # a standing foot: on its footprint it is right, off it the model misplaced it
    off, on = stance_outliers(
        *_foot_centres(relabelled[:, list(_LEFT_FOOT)], relabelled[:, list(_RIGHT_FOOT)]), prints, legs
    )
    for side, joints in enumerate((_LEFT_FOOT, _RIGHT_FOOT)):
        for j in joints:
            outliers[:, j] = (outliers[:, j] & ~on[:, side]) | off[:, side]
    return LegLabels(knees_swapped, feet_swapped, outliers)


def find_leg_swaps(image_px: np.ndarray) -> np.ndarray:
    """Frames (T,) bool in which any leg label should be exchanged, for a sagittal video.

    See :func:`find_leg_labels`, which also says which joints and which points
    to blank.
    """
    return find_leg_labels(image_px).frames


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
