"""Heel strike and toe off of each foot.

Method
------
A stance foot stands still on the floor, and a swing foot moves fast, so each
stride of a foot shows one burst of foot speed in the image (a static camera is
assumed).  For every burst (a peak of the foot's image speed, in body lengths per
second, inside a walking stretch):

* **toe off** is the moment, before the peak, at which the toe's speed rises
  through :data:`SPEED_SHARE` of the burst's peak;
* **heel strike** is the moment, after the peak, at which the heel's speed has
  fallen :data:`STRIKE_SHARE` of the way from the stance's noise floor (the
  pose model's jitter of a standing heel) to the peak, provided the heel then
  stands (its median speed stays low for :data:`STANCE_HOLD_S`); a dip of the
  speed in mid-swing is passed over.  A fixed share of the peak alone put the
  strike 1-2 frames early on sharp (720p-1080p) side views and late on noisy
  small ones.

Seen from the side, a heel often lands in two moves: in terminal swing the foot
reaches forward and nearly stops, then the heel drops to the floor, drawing back a
little, and the floor stops it at once (a heel strike is an impact).  The heel's
speed then dips, rises in a short last burst and falls suddenly to the stance's
floor.  The landmarks reach events low-pass filtered without lag, which spreads a
sudden stop evenly about its time: the speed's last crossing of a low level came
about a frame after the stop (sag-left-1080-slow, a slow walk filmed at 1080p:
every near-foot strike 1.0-1.1 frames late with both pose models).  Where such a
burst is found (:func:`_final_drop_time`), the strike is where the speed has
fallen halfway from the burst's top to the stance's floor (measured once the heel
has stood), the middle of the spread stop.  Strike MAE, frames, full / heavy:
sag-left-1080-slow 0.79 -> 0.24 / 1.20 -> 0.45, post6w_sagittal 0.86 -> 0.48 /
1.74 -> 1.40; every other side view unchanged within 0.02 (a heel that slows down
smoothly to the floor shows no burst).  A heel that stops at its furthest reach
and drops only after its speed has stayed low for a while is still taken as
standing there (its strike early); no sample walk shows that.

Crossing times are interpolated between frames.  In a sagittal view a heel
strike must also come with the foot in front of the other foot, and a toe off
with it behind, within :data:`LEAD_WINDOW_S`; a burst without that is not a
step (a shuffle, a turn, a jump of the landmarks).  A side-view heel strike
must also end a swing: the heel came forward :data:`SWING_TRAVEL_BL` or more
within :data:`SEARCH_S` before it (a foot standing when the clip begins, whose
points the pose model settles in the first frames, has no strike there).  In a
frontal view the foot speed comes from the vertical heel/ankle motion and the
change of the foot's image position as it approaches or recedes (perspective),
and a burst counts as a swing only when it carries the foot to a new place in
the picture (:func:`_image_steps`, at least :data:`MIN_STEP_SHARE` of the
foot's typical step): the pose model's points of a standing foot jump at the
other foot's landing and in stance, and such a jolt, taken for a swing, split a
stance from its toe off (toe offs 5-10 frames late, strikes early, cadence
118-131 against 100 on the sample clips).

Toe off seen from the front is found differently.  Walking toward or away from
the camera, a foot's image motion is mostly vertical, and the lift of the toe
and its travel in depth move the image point in opposite senses (toward the
camera the foot first drops in the picture, then rises as it clears the floor,
then drops again to land): the speed of the toe's image dips in early and
mid-swing and is small next to the landing.  Walking back from the burst's peak
stopped at such a dip, a third of a second after the true toe off on slow
walks.  So in a frontal view the toe off is searched **forward** from the
stance: from the stillest moment of the toe between the previous burst and
this one, it is the first time the toe's speed rises :data:`FRONTAL_TOE_OFF_SHARE`
of the way from that stance's noise floor to the burst's toe speed peak, provided
the toe then keeps moving (its median speed over :data:`FRONTAL_MOVE_HOLD_S`
stays above the level).  Walking toward the camera the toe's speed in early
swing is often no larger than the pose model's jitter of it (a walker 240 px
tall: the toe moves 2-3 px in the first tenth of a second), and that crossing
came 5-10 frames late on many steps.  There the toe off is the earlier of that
crossing and the moment the toe **leaves its place** (its image point lies
:data:`FRONTAL_DEPARTURE_BL` from where it stood when the other foot struck,
:func:`_frontal_toe_departure_time`), and never before the other foot's heel
strike (walking, a foot leaves the floor only once the other has landed).
Walking away, the speed crossing alone is kept: the heel's rise then moves the
toe's point the way the swing will, and the place is left too early.

Heel strikes walking **away** from the camera are timed by the pelvis.  Seen
from behind by a camera above the floor, a heel descending in late swing moves
down in the picture while its travel away moves it up toward the horizon; the
two cancel, and the pose model's heel stands still in the picture a quarter
second before it lands, so the heel's speed puts the strike in late swing (8
frames early on a 720p walk away, every strike missed).  The body is lowest in
early double support, just after a strike, so each strike of the heel's speed
is moved to the lowest point of the hip midpoint in the picture (its image
height less a slow quadratic trend that takes up the perspective drift) between
the peak of the foot's swing burst (the landing comes after it) and just before
the other foot's next strike
(:func:`_strikes_at_pelvis_low`).  This leans on a typical gait timing, the
pelvis being lowest within about a frame of the strike; a pelvis that does not
rise and fall by :data:`PELVIS_MIN_RISE_BL` leaves the strike where the heel put
it.  Walking **toward** the camera the pose model's heel often reaches its
footprint in the picture 3-5 frames before it lands, so the heel's strikes are
early; the pelvis's low times most walks better (0.5-1.4 frames on four of six
test walks), but in a slow walk with long double support the body stays low from
one foot's landing to the other's toe off and its lowest point wanders within that
time (the 6-week sample: 0.8 frames by the heel, 4-12 frames late by the pelvis).
So per walk, the set of strikes (the heel's or the pelvis's) whose step times
change less from step to step is kept (:func:`_toward_strikes`): walking keeps a
nearly even rhythm, so the more even set carries the smaller timing error.

A heel that is early by the same amount on every step keeps an even rhythm too, and
the rhythm alone kept such strikes, early (front-toward-720-nodrop, full model: every
strike 2.8-4.0 frames early, the pelvis's lows within a frame but a frame either way
from the pose model's jitter of the hips, so less even).  Looked at afresh, the 6-week
sample's pelvis does not wander in a long double support: the walker's true pelvis is
lowest 1.1 frames before each strike (spread 0.1 frame), but it rises and falls only
0.005 body lengths, no more than the pose model's jitter of the hips, whose picture
there dips about twice a step.  So the pelvis is first asked whether it follows the
steps (:func:`_step_rhythm`: the body is lowest once a step and highest half a step
later, so its height correlates with itself one step later and against itself half a
step later; 0 for jitter, 1 for a clean rise and fall): 0.34 on the 6-week sample with
both models, 0.47-0.93 on every other walk toward the camera.  Where it follows them
(:data:`PELVIS_MIN_RHYTHM`) and its lows lag the heel's strikes by a steady time
(spread within :data:`PELVIS_LAG_SPREAD_S`: both then mark the same landing), the
heel's strikes are moved by that lag before the rhythm choice: they keep their even
rhythm and lose their lead.  A lag that wanders (one of the two timings is noisy)
leaves the heel's strikes as found.  Strike MAE, frames: front-toward-720-nodrop full
3.49 -> 0.43 (step time 14 ms either way; the pelvis's lows alone gave 0.72 but 40 ms).
The rhythm's count of unevenness passes over a step one and a half typical steps
long or more (:data:`MISSED_STEP_SHARE`, a strike the heel missed), which said nothing
about either timing and made the two sets look alike on dev-front-toward-1080 (heavy:
278 against 271 ms; 140 against 59 without it).  There too the heel missed a landing,
so the search window of the strike before it ran over two lows and took the wrong one
(the missed landing's deeper low; that strike was then merged away): where the other
foot swings twice before its next strike the heel found, the low is first looked for
before the first of those swings, and in the whole window only if none lies there (a
jolt of the foot's points taken for a swing, as on the pre-op sample with the full
model, comes before the low).  dev-front-toward-1080 heavy 2.96 -> 0.78 frames (one
strike still missed, as before: the heel's speed finds no strike there and the pelvis
times only strikes the heel found), cadence 113.3 -> 109.6 (truth 108.7), step time
58 -> 10 ms, step-time SI -19.6 -> -1.8 % (truth +1.2 %).  Every other clip and model
unchanged.

A heel can be late too: at a
landing seen from the front the heel is hidden behind its own foot, and the pose
model places the hidden point with the rest of the foot, so it keeps moving down
in the picture while the forefoot lowers to the floor (foot flat, a tenth of a
second after the strike) and creeps on after that (front-toward-720-trend, heavy
model: its heel point stopped 20 px short of the true heel and crept on about half
a pixel a frame for 0.4 s while the true heel stood; at 0.08-0.12 body lengths per
second against a swing peak of 0.35 it stayed above the strike level, and the
strike came 6 frames late).  That is why the pelvis's low is searched from the
swing's speed peak, which comes before the landing however the heel's picture ends,
and not only from just before the heel's strike: a low before a late strike was cut
off there, and the late strike stayed.

The heel and toe points all this reads are the pose model's whether it sees them
or infers them: walking hides the feet at the moments events are timed by (the
heel behind its own foot at each landing seen from the front, the far foot behind
the near leg seen from the side), and a pose model may score such a point low while
placing it well (the heavy model: 0.2-0.5, hidden points 1.6-4.7 % of the body
length from the truth against 1.7-5.8 % for seen ones).  The visibility gate keeps
them (:func:`gaitlab.processing.gating.keep_hidden_feet`); blanked, the heavy
model's walks toward and away from the camera lost most strikes.

Events are then checked for plausibility: strikes of one foot closer than
:data:`MIN_STRIDE_S` are merged, and a toe off must fall inside a stance of its
foot (after a heel strike and before the next).
"""

from __future__ import annotations

import numpy as np

from gaitlab.landmarks import INDEX
from gaitlab.processing.gaps import find_runs
from gaitlab.processing.geometry import body_length_px, hip_midpoint_px
from gaitlab.processing.peaks import find_peaks
from gaitlab.types import SIDES

#: Share of a swing's peak foot speed that marks toe off and heel strike.
SPEED_SHARE = 0.2
#: Heel strike: share of the way from the stance's speed floor to the swing's peak ...
STRIKE_SHARE = 0.1
#: ... the floor being the median heel speed over this long after the rough strike, s.
FLOOR_S = 0.2
#: A heel has struck when its median speed over this long stays below this share
#: of the swing's peak.
STANCE_HOLD_S = 0.2
STANCE_SHARE = 0.35
#: Seen from the side, a foot must be the front foot within this long of its heel
#: strike, and the back foot within this long of its toe off, s.
LEAD_WINDOW_S = 0.1
#: Shortest plausible stride, s, and the shortest time between foot-speed bursts.
MIN_STRIDE_S = 0.55
#: Swing bursts smaller than this share of the foot's typical burst are ignored.
MIN_BURST_SHARE = 0.35
#: How far from a burst's peak the events are searched, s.
SEARCH_S = 0.6
#: Side view: a heel stands once its speed stays below :data:`STANCE_SHARE` of the
#: swing's peak for this long, s (a heel is flat on the floor for 0.3 s or more) ...
SAGITTAL_STAND_S = 0.12
#: ... and it lies within this many body lengths of its footprint, the median of its
#: position along the walk over the following this long, s.
FOOTPRINT_BL = 0.04
FOOTPRINT_S = 0.3
#: ... and its strike is where the speed last fell this share of the way from the
#: stance's floor to the swing's peak before it stood.
SAGITTAL_STRIKE_SHARE = 0.03
#: Side view: a heel strike ends a swing, so the heel must have come forward at least
#: this many body lengths within :data:`SEARCH_S` before it (a stride carries it
#: 0.5-1 body lengths); a foot standing when the clip begins has no strike there.
SWING_TRAVEL_BL = 0.2
#: Gaps of a foot's speed up to this long are bridged when its swing bursts are
#: looked for (the far foot is often hidden behind the near leg in mid-swing), s.
BRIDGE_S = 0.3
#: Side view: a swing's peak heel and toe speeds are the largest within this long
#: of the foot's burst peak, s.
PEAK_NEAR_S = 0.1
#: Frontal toe off: share of the way from the stance's toe-speed floor to the
#: swing's toe-speed peak at which the toe has left the floor ...
FRONTAL_TOE_OFF_SHARE = 0.1
#: ... provided its median speed over this long afterwards stays above that level, s.
FRONTAL_MOVE_HOLD_S = 0.2
#: How far before a burst's peak its stance is looked for, s (a slow swing lasts 0.5 s).
FRONTAL_STANCE_SEARCH_S = 0.8
#: Front view: a burst is a swing only when it carries the foot to a new place: the
#: foot's image position this long after the burst's peak ...
STEP_NEAR_S, STEP_FAR_S = 0.25, 0.45
#: ... differs from its position as long before by at least this share of the foot's
#: typical step (the pose model's foot points jump in stance and at the other foot's
#: landing, and such a burst split a swing's stance from its toe off).
MIN_STEP_SHARE = 0.6
#: Walking toward the camera, a toe has left the floor once its image point lies this
#: many body lengths from where it stood when the other foot struck ...
FRONTAL_DEPARTURE_BL = 0.012
#: ... and stays that far for this long, s; where it stood is its median image
#: position over this long up to the other foot's strike, s.
FRONTAL_DEPARTURE_HOLD_S = 0.1
FRONTAL_REFERENCE_S = 0.1
#: Walking away: the pelvis's height in the picture is its hip midpoint's image height
#: less a quadratic trend fitted over this long either side of each frame, s (about a
#: stride: the perspective drift of walking away is slow, the step's rise and fall is not).
PELVIS_TREND_S = 0.6
#: ... its lowest point after a heel-speed strike is looked for from the foot's swing
#: peak (or this long before that strike, if earlier) to this long before the other
#: foot's next one, s ...
PELVIS_SEARCH_BEFORE_S = 0.1
#: ... (or this long after the strike when the other foot has none), s ...
PELVIS_SEARCH_S = 0.45
#: ... and placed between frames by a parabola fitted over this long either side, s;
#: a low counts only when the pelvis there is this many body lengths lower than at its
#: highest in the window (the body rises and falls 0.01-0.03 body lengths over a step;
#: a pelvis held level leaves nothing but the pose model's jitter to time).
PELVIS_FIT_S = 0.1
PELVIS_MIN_RISE_BL = 0.004
#: Walking toward: the pelvis's lows are taken for the strikes when its height follows
#: the steps at least this clearly (:func:`_step_rhythm`, 0 for jitter, 1 for a clean
#: rise and fall once a step).
PELVIS_MIN_RHYTHM = 0.4
#: ... and where the pelvis's lows follow the heel's strikes by a lag that spreads no
#: more than this (s, a normal spread), the heel's strikes are moved by that lag.
PELVIS_LAG_SPREAD_S = 0.05
#: A step this many typical steps long or more is a missed strike, not a step.
MISSED_STEP_SHARE = 1.5
#: Side view: a heel that drops onto the floor after slowing in terminal swing makes a
#: last burst of speed; it counts when it rises this share of its height above the
#: stance's floor from the dip before it ...
DROP_RISE_SHARE = 0.3
#: ... and stands this share of the swing's peak speed above that floor ...
DROP_MIN_SHARE = 0.1
#: ... and the strike is where the speed has fallen this share of the way from the
#: burst's top to the floor (a low-pass filter spreads a sudden stop evenly about it).
DROP_SHARE = 0.5


def _speed_bl_s(points: np.ndarray, time_s: np.ndarray, scale_px: np.ndarray) -> np.ndarray:
    """Image speed of a (T, 2) track in body lengths per second (NaN where unknown)."""
    v = np.full(points.shape, np.nan)
    for start, end in find_runs(np.isfinite(points).all(axis=1)):
        if end - start >= 3:
            v[start:end] = np.gradient(points[start:end], time_s[start:end], axis=0)
    return np.hypot(v[:, 0], v[:, 1]) / scale_px


def _bridged(values: np.ndarray, time_s: np.ndarray, max_s: float) -> np.ndarray:
    """``values`` with every missing stretch of at most ``max_s`` seconds between two known
    values filled by linear interpolation in time; longer or open-ended stretches stay NaN."""
    out = np.array(values, dtype=np.float64, copy=True)
    for start, end in find_runs(~np.isfinite(out)):
        if start == 0 or end == out.size or time_s[end - 1] - time_s[start] > max_s + 1e-9:
            continue
        out[start:end] = np.interp(time_s[start:end], time_s[[start - 1, end]], out[[start - 1, end]])
    return out


def _image_scale_px(image_px: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """(T,) apparent body length, px, interpolated over frames where a point it needs is missing.

    The body length changes slowly, so a leg hidden for a few frames (and gated)
    must not leave the other foot's speed unknown.
    """
    scale = body_length_px(image_px)
    known = np.isfinite(scale)
    if known.sum() < 2:
        return scale
    return np.interp(time_s, time_s[known], scale[known])


def _crossing_time(
    time_s: np.ndarray, speed: np.ndarray, level: float, i0: int, i1: int, step: int, *, across_gaps: bool = False
):
    """First time walking from frame i0 toward i1 (step ±1) at which speed drops below level.

    Without ``across_gaps`` an unknown speed on the way ends the search (None);
    with it, unknown frames are stepped over and the crossing is interpolated
    between the known frames on either side.
    """
    prev = i0
    for i in range(i0 + step, i1 + step, step):
        if i < 0 or i >= speed.size:
            return None
        if not np.isfinite(speed[i]):
            if across_gaps:
                continue
            return None
        if not np.isfinite(speed[prev]):
            prev = i
            continue
        if speed[i] < level:
            a, b = speed[prev], speed[i]
            w = (a - level) / (a - b) if a != b else 0.0
            return float(time_s[prev] + w * (time_s[i] - time_s[prev]))
        prev = i
    return None


def _settled(speed: np.ndarray, i: int, hold: int, level: float) -> bool:
    """True when the speed from frame ``i`` on stays low: its median over ``hold`` frames is below ``level``."""
    window = speed[i : i + hold]
    window = window[np.isfinite(window)]
    return bool(window.size) and float(np.median(window)) < level


def _heel_strike_time(time_s: np.ndarray, speed: np.ndarray, peak: int, last: int, fps: float):
    """Heel strike after the swing peak at frame ``peak``: the heel's speed falls to
    :data:`STRIKE_SHARE` of the way from the stance's noise floor to the peak.

    The heel must then stand: a dip of the speed in mid-swing (a point the pose
    model misplaced for a frame or two) is passed over unless the median speed
    over the next :data:`STANCE_HOLD_S` stays below :data:`STANCE_SHARE` of the
    peak.  The floor is the median heel speed over :data:`FLOOR_S` seconds of the
    stance that follows (the pose model's jitter makes a standing heel seem to
    move), so the level sits at the same place of the deceleration whatever the
    jitter.
    """
    hold = max(2, int(round(STANCE_HOLD_S * fps)))
    start = peak
    rough = None
    while start < last:
        rough = _crossing_time(time_s, speed, SPEED_SHARE * speed[peak], start, last, 1)
        if rough is None:
            return None
        k = int(np.searchsorted(time_s, rough))
        if _settled(speed, k, hold, STANCE_SHARE * speed[peak]):
            break
        # skip past this dip to where the speed is high again
        start = k
        while start < last and np.isfinite(speed[start]) and speed[start] < SPEED_SHARE * speed[peak]:
            start += 1
        rough = None
    if rough is None:
        return None
    k = int(np.searchsorted(time_s, rough)) + 1
    floor_frames = speed[k : k + max(2, int(round(FLOOR_S * fps)))]
    floor_frames = floor_frames[np.isfinite(floor_frames)]
    floor = min(float(np.median(floor_frames)), SPEED_SHARE * speed[peak]) if floor_frames.size else 0.0
    begin = max(peak, int(np.searchsorted(time_s, rough)) - hold)
    return _crossing_time(time_s, speed, floor + STRIKE_SHARE * (speed[peak] - floor), begin, last, 1)


def _sagittal_heel_strike_time(
    time_s: np.ndarray,
    speed: np.ndarray,
    forward_px: np.ndarray,
    scale_px: np.ndarray,
    top: float,
    peak: int,
    last: int,
    fps: float,
):
    """Side-view heel strike after the swing peak at frame ``peak`` (time in s, or None).

    Seen from the side, a swinging heel slows to a near stop before it lands: the
    foot reaches forward, then the heel drops and draws back a little (terminal
    swing), so the heel's image speed dips and rises again one to three frames
    before the strike; and the pose model's heel of a standing far foot wobbles.
    So the strike is found from the footprint backward:

    1. the heel stands from the first frame after the peak at which its speed,
       and the median of its known speeds over the next :data:`SAGITTAL_STAND_S`,
       are below :data:`STANCE_SHARE` of the swing's peak speed ``top`` and the
       heel lies no more than :data:`FOOTPRINT_BL` ahead of its footprint (its median
       position along the walk over the next :data:`FOOTPRINT_S`): a heel drawing
       back before it lands is still ahead of its footprint (one the pose model
       puts behind it for a moment has landed);
    2. the level is :data:`SAGITTAL_STRIKE_SHARE` of the way from that stance's
       floor (the median speed over :data:`FLOOR_S` from there: the pose model's
       jitter of a standing heel) to ``top``;
    3. the strike is the last downward crossing of the level before the heel
       stood, interpolated between frames.

    ``speed`` is the heel's image speed in body lengths per second,
    ``forward_px`` its image position along the walking direction (px) and
    ``scale_px`` the body length (px) that turns a distance into body lengths;
    frames where the heel is unknown (hidden, gated) are stepped over.
    """
    stand_level = STANCE_SHARE * top
    hold = max(3, int(round(SAGITTAL_STAND_S * fps)))
    footprint_frames = max(hold, int(round(FOOTPRINT_S * fps)))
    stand = None
    for k in range(peak + 1, last + 1):
        if not (np.isfinite(speed[k]) and speed[k] < stand_level and np.isfinite(forward_px[k])):
            continue
        window = speed[k : k + hold]
        known = window[np.isfinite(window)]
        if known.size < (hold + 1) // 2 or float(np.median(known)) >= stand_level:
            continue
        ahead = forward_px[k : k + footprint_frames]
        ahead = ahead[np.isfinite(ahead)]
        if (forward_px[k] - float(np.median(ahead))) / scale_px[k] <= FOOTPRINT_BL:
            stand = k
            break
    if stand is None:
        return None
    floor_frames = speed[stand : stand + max(2, int(round(FLOOR_S * fps)))]
    floor_frames = floor_frames[np.isfinite(floor_frames)]
    floor = min(float(np.median(floor_frames)), SPEED_SHARE * top)
    level = floor + SAGITTAL_STRIKE_SHARE * (top - floor)
    if speed[stand] >= level:
        found = _crossing_time(time_s, speed, level, stand, min(stand + hold, speed.size - 1), 1, across_gaps=True)
        strike = float(time_s[stand]) if found is None else found
    else:
        strike = _last_crossing_before(time_s, speed, level, stand, peak)
        if strike is None:
            return None
    drop = _final_drop_time(time_s, speed, top, floor, peak, strike, fps)
    return strike if drop is None else drop


def _last_crossing_before(time_s: np.ndarray, speed: np.ndarray, level: float, stand: int, first: int):
    """Time (s) at which ``speed`` last fell below ``level`` going back from frame ``stand``
    (below the level) to frame ``first``, interpolated between frames; None when it never was above."""
    after = stand
    for i in range(stand - 1, first - 1, -1):
        if not np.isfinite(speed[i]):
            continue
        if speed[i] >= level:
            a, b = speed[i], speed[after]
            w = (a - level) / (a - b) if a != b else 0.0
            return float(time_s[i] + w * (time_s[after] - time_s[i]))
        after = i
    return None


def _final_drop_time(
    time_s: np.ndarray, speed: np.ndarray, top: float, floor: float, peak: int, strike_s: float, fps: float
):
    """Side view: where the heel's last drop onto the floor ends, s; None when the heel made none.

    In terminal swing the foot reaches forward and nearly stops; then the heel drops
    to the floor and draws back a little, and the floor stops it at once (the heel
    strike is an impact).  The heel's image speed then shows a dip below
    :data:`STANCE_SHARE` of the swing's peak ``top``, a short burst, and a sudden
    fall to the stance's ``floor``.  A zero-lag low-pass filter spreads a sudden stop
    evenly about its time, so the speed's last crossing of a low level comes about a
    frame after it; the stop is where the filtered speed has fallen halfway
    (:data:`DROP_SHARE`) from the burst's top to the floor.  The burst counts when
    it rises by :data:`DROP_RISE_SHARE` of its height above the floor from the dip
    before it and stands :data:`DROP_MIN_SHARE` of ``top`` above the floor (the pose
    model's jitter of a slowing heel makes smaller bumps).  It is looked for from
    the first frame after the swing's peak (frame ``peak``) at which the heel has
    slowed, up to ``strike_s``, the strike found by the low level; a heel that slows
    down smoothly to the floor shows no burst and keeps that strike.  ``speed`` is
    the heel's image speed and ``top``, ``floor`` speeds, all in body lengths per
    second.
    """
    k_end = int(np.searchsorted(time_s, strike_s))
    slow = next((k for k in range(peak + 1, k_end) if np.isfinite(speed[k]) and speed[k] < STANCE_SHARE * top), None)
    if slow is None or k_end - slow < 3 or not np.isfinite(speed[slow:k_end]).all():
        return None
    # the stance's floor once the heel has stood (a floor measured from an early
    # standing frame can take in the burst itself)
    after = speed[k_end : k_end + max(2, int(round(FLOOR_S * fps)))]
    after = after[np.isfinite(after)]
    floor = min(floor, float(np.median(after))) if after.size else floor
    # the last burst (a local maximum) after a dip, before the low level's strike
    for burst in range(k_end - 1, slow, -1):
        if speed[burst] < speed[burst - 1] or speed[burst] < speed[burst + 1]:
            continue
        if speed[burst] - floor < DROP_MIN_SHARE * top:
            continue
        dip = slow + int(np.argmin(speed[slow : burst + 1]))
        if dip < burst and speed[burst] - speed[dip] >= DROP_RISE_SHARE * (speed[burst] - floor):
            level = floor + DROP_SHARE * (speed[burst] - floor)
            return _crossing_time(time_s, speed, level, burst, k_end, 1)
    return None


def _frontal_toe_off_time(time_s: np.ndarray, speed: np.ndarray, peak: int, first: int, fps: float):
    """Toe off before the swing peak at frame ``peak``, searched forward from the stance.

    The stance is the stillest frame of the toe in ``first..peak``; the level is
    :data:`FRONTAL_TOE_OFF_SHARE` of the way from the stance's noise floor (median
    toe speed within :data:`FRONTAL_MOVE_HOLD_S` of that frame) to the toe's
    largest speed up to the peak.  The toe off is the first upward crossing of
    the level after which the median speed over :data:`FRONTAL_MOVE_HOLD_S`
    stays above it (a brief jerk of the landmark is not taken for a toe off).  Time
    in seconds, interpolated between frames; None when the toe is not tracked.
    """
    window = speed[first:peak]
    if window.size == 0 or not np.isfinite(window).any():
        return None
    still = first + int(np.nanargmin(window))
    hold = max(2, int(round(FRONTAL_MOVE_HOLD_S * fps)))
    around = speed[max(first, still - hold) : still + hold + 1]
    floor = float(np.median(around[np.isfinite(around)]))
    top = float(np.nanmax(speed[still : min(speed.size, peak + hold)]))
    level = floor + FRONTAL_TOE_OFF_SHARE * (top - floor)
    for i in range(still + 1, min(speed.size, peak + 1)):
        if not np.isfinite(speed[i]):
            return None
        if speed[i] < level:
            continue
        after = speed[i : i + hold]
        after = after[np.isfinite(after)]
        if after.size and float(np.median(after)) >= level:
            a, b = speed[i - 1], speed[i]
            w = (level - a) / (b - a) if b != a else 0.0
            return float(time_s[i - 1] + w * (time_s[i] - time_s[i - 1]))
    return None


def _came_forward(time_s: np.ndarray, forward_px: np.ndarray, scale_px: np.ndarray, t: float, back_s: float) -> bool:
    """True when the heel came forward by at least :data:`SWING_TRAVEL_BL` body lengths
    within ``back_s`` seconds before time ``t``, or when that cannot be told (heel unknown).

    ``forward_px`` is the heel's image position along the walking direction, px;
    its travel is its median position over the first frames from ``t`` on minus
    its rearmost known position in the window before ``t``.
    """
    k = int(np.searchsorted(time_s, t))
    at = forward_px[k : k + 4]
    before = forward_px[(time_s >= t - back_s) & (time_s <= t)]
    at, before = at[np.isfinite(at)], before[np.isfinite(before)]
    if not at.size or not before.size or not np.isfinite(scale_px[min(k, scale_px.size - 1)]):
        return True
    return bool((float(np.median(at)) - float(before.min())) / scale_px[min(k, scale_px.size - 1)] >= SWING_TRAVEL_BL)


def _image_steps(foot_px: np.ndarray, scale_px: np.ndarray, peaks: np.ndarray, fps: float) -> np.ndarray:
    """How far each burst carries the foot in the picture (NaN where it cannot be told).

    For the burst peaking at frame ``k`` it is the distance between the foot's median
    image position from :data:`STEP_NEAR_S` to :data:`STEP_FAR_S` after ``k`` and over
    the same span before ``k``, in px divided by the squared body length (px) at
    ``k``: walking toward or away from the camera a step's image length shrinks with
    the square of the distance and the body length with the distance, so the ratio
    stays about the same along the walk (a common factor does not matter).
    """
    near, far = int(round(STEP_NEAR_S * fps)), max(int(round(STEP_FAR_S * fps)), int(round(STEP_NEAR_S * fps)) + 1)
    out = np.full(peaks.size, np.nan)
    for n, k in enumerate(peaks):
        before = foot_px[max(0, k - far) : max(0, k - near)]
        after = foot_px[k + near : k + far]
        before = before[np.isfinite(before).all(axis=1)]
        after = after[np.isfinite(after).all(axis=1)]
        if before.size and after.size and np.isfinite(scale_px[k]):
            shift = np.median(after, axis=0) - np.median(before, axis=0)
            out[n] = float(np.hypot(shift[0], shift[1])) / scale_px[k] ** 2
    return out


def _frontal_toe_departure_time(
    time_s: np.ndarray, toe_px: np.ndarray, scale_px: np.ndarray, anchor: int, peak: int, fps: float
):
    """Toe off walking toward the camera: the toe leaves the place where it stood.

    While the other foot lands (frame ``anchor``, its heel strike) this foot stands
    flat or on its toe, so the toe's image point then marks its place on the floor:
    the median of its known positions over :data:`FRONTAL_REFERENCE_S` up to
    ``anchor``.  The toe off is the first time after ``anchor`` and up to the swing
    peak ``peak`` at which the toe lies :data:`FRONTAL_DEPARTURE_BL` body lengths or
    more from that place and stays so for :data:`FRONTAL_DEPARTURE_HOLD_S`,
    interpolated between frames.  A position needs no differencing, so the pose
    model's jitter of the toe does not add up as it does in its speed, and the lift
    and the approach of the toe, which cancel in the speed of its image for the
    first tenths of a second, both take it away from its place.  Time in seconds;
    None when the toe is unknown there or does not leave.

    ``toe_px`` is the toe's (T, 2) image track, px; ``scale_px`` the body length, px.
    """
    back = max(1, int(round(FRONTAL_REFERENCE_S * fps)))
    stood = toe_px[max(0, anchor - back) : anchor + 1]
    stood = stood[np.isfinite(stood).all(axis=1)]
    if not stood.size:
        return None
    place = np.median(stood, axis=0)
    away = np.hypot(toe_px[:, 0] - place[0], toe_px[:, 1] - place[1]) / scale_px
    hold = max(1, int(round(FRONTAL_DEPARTURE_HOLD_S * fps)))
    for i in range(anchor + 1, min(peak, away.size - 1) + 1):
        if not np.isfinite(away[i]):
            return None
        after = away[i : i + hold]
        if away[i] >= FRONTAL_DEPARTURE_BL and np.isfinite(after).all() and (after >= FRONTAL_DEPARTURE_BL).all():
            a, b = away[i - 1], away[i]
            w = (FRONTAL_DEPARTURE_BL - a) / (b - a) if np.isfinite(a) and b != a else 0.0
            return float(time_s[i - 1] + w * (time_s[i] - time_s[i - 1]))
    return None


def _pelvis_lowness_bl(image_px: np.ndarray, time_s: np.ndarray, scale_px: np.ndarray) -> np.ndarray:
    """(T,) how low the pelvis is in the picture, body lengths, positive = lower (NaN where unknown).

    It is the hip midpoint's image height (y, px, down) less a quadratic in time
    fitted to it over :data:`PELVIS_TREND_S` either side of the frame, divided by
    the body length ``scale_px`` (px).  Walking toward or away from the camera the
    hip midpoint drifts slowly in the picture with the distance (perspective);
    the quadratic takes up that drift and leaves the body's rise and fall over
    each step, lowest in early double support.
    """
    y = hip_midpoint_px(image_px)[:, 1]
    out = np.full(y.shape, np.nan)
    # time_s increases, so each frame's window is a slice (a long video stays linear in time)
    starts = np.searchsorted(time_s, time_s - PELVIS_TREND_S - 1e-9, side="left")
    ends = np.searchsorted(time_s, time_s + PELVIS_TREND_S + 1e-9, side="right")
    for i in range(y.size):
        if not np.isfinite(y[i]) or not np.isfinite(scale_px[i]):
            continue
        seg_t, seg_y = time_s[starts[i] : ends[i]], y[starts[i] : ends[i]]
        known = np.isfinite(seg_y)
        if known.sum() < 6:
            continue
        dt = seg_t[known] - time_s[i]
        design = np.stack([np.ones_like(dt), dt, dt * dt], axis=1)
        coef = np.linalg.lstsq(design, seg_y[known], rcond=None)[0]
        out[i] = (y[i] - coef[0]) / scale_px[i]
    return out


def _pelvis_low_time(time_s: np.ndarray, lowness: np.ndarray, start_s: float, end_s: float, fps: float):
    """Time (s) at which the pelvis is lowest in the picture between ``start_s`` and ``end_s``.

    The frame where ``lowness`` (body lengths, positive = lower; see
    :func:`_pelvis_lowness_bl`) is largest, moved by at most one frame to the vertex
    of a parabola fitted over :data:`PELVIS_FIT_S` either side of it.  None when the
    pelvis is unknown there, its largest value lies on the window's edge (no low
    inside the window) or it is less than :data:`PELVIS_MIN_RISE_BL` above the
    window's smallest (a pelvis that does not rise and fall has no low to time).
    """
    window = np.flatnonzero((time_s >= start_s) & (time_s < end_s) & np.isfinite(lowness))
    if window.size < 3:
        return None
    i = int(window[np.argmax(lowness[window])])
    if i in (window[0], window[-1]) or lowness[i] - float(np.min(lowness[window])) < PELVIS_MIN_RISE_BL:
        return None
    near = (np.abs(time_s - time_s[i]) <= PELVIS_FIT_S + 1e-9) & np.isfinite(lowness)
    dt = time_s[near] - time_s[i]
    if near.sum() < 3:
        return float(time_s[i])
    curve, slope, _ = np.polyfit(dt, lowness[near], 2)
    shift = -slope / (2.0 * curve) if curve < 0 else 0.0
    return float(time_s[i] + np.clip(shift, -1.0 / fps, 1.0 / fps))


def _strikes_at_pelvis_low(
    strikes: dict[str, np.ndarray],
    image_px: np.ndarray,
    time_s: np.ndarray,
    fps: float,
    swing_peaks: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Front-view heel strikes moved to the pelvis's low after each.

    Seen from behind by a camera above the floor, a heel descending in late swing
    moves down in the picture while its travel away moves it up toward the horizon;
    the two cancel, so the heel's picture stands still a quarter second before it
    lands and the heel's speed puts the strike in late swing (walking toward, the
    heel's picture often reaches its footprint a few frames early).  The body is
    lowest in early double support, just after a heel strike (gait mechanics: both
    legs reach the floor, spread), so each strike of the heel's speed is moved to
    the pelvis's lowest point (:func:`_pelvis_low_time`) from the peak of the
    foot's swing burst before the strike (the landing comes after it; or
    :data:`PELVIS_SEARCH_BEFORE_S` before the strike, if that is earlier) to
    :data:`PELVIS_SEARCH_BEFORE_S` before the other foot's next strike (or
    :data:`PELVIS_SEARCH_S` after the strike): the one low between this foot's
    landing and the other's, whether the heel's strike came early or late.  A strike
    without a clear low there is kept as found.  ``strikes`` holds each foot's strike
    times, s; ``swing_peaks`` each foot's swing burst peak times, s (without them the
    search starts :data:`PELVIS_SEARCH_BEFORE_S` before each strike).
    """
    lowness = _pelvis_lowness_bl(image_px, time_s, _image_scale_px(image_px, time_s))
    out: dict[str, np.ndarray] = {}
    for side, other in zip(SIDES, SIDES[::-1]):
        moved = []
        peaks = np.empty(0) if swing_peaks is None else np.asarray(swing_peaks[side], dtype=np.float64)
        other_peaks = np.empty(0) if swing_peaks is None else np.asarray(swing_peaks[other], dtype=np.float64)
        for hs in strikes[side]:
            later = strikes[other][strikes[other] > hs]
            end = later[0] - PELVIS_SEARCH_BEFORE_S if later.size else hs + PELVIS_SEARCH_S
            # the landing comes after the swing's speed peak, whether the heel's strike is early or late
            swing = peaks[peaks < hs]
            start = hs - PELVIS_SEARCH_BEFORE_S if not swing.size else min(swing[-1], hs - PELVIS_SEARCH_BEFORE_S)
            # ... and where the other foot swung twice before its next strike found by the
            # heel (a landing the heel's speed missed), before the first of those swings:
            # the low of the missed landing comes after it and would take this one's place
            # (a jolt of the other foot's points taken for a swing ends that window before
            # the low: no low inside it, and the whole window is searched)
            next_swings = other_peaks[(other_peaks > start + PELVIS_SEARCH_BEFORE_S) & (other_peaks < end)]
            low = None
            if next_swings.size >= 2:
                low = _pelvis_low_time(time_s, lowness, start, float(next_swings[0]), fps)
            if low is None:
                low = _pelvis_low_time(time_s, lowness, start, end, fps)
            moved.append(hs if low is None else low)
        out[side] = _merge_close(np.array(moved))
    return out


def _step_time_unevenness_s(strikes: dict[str, np.ndarray]) -> float:
    """How unevenly the strikes of both feet follow each other, s (inf when fewer than four).

    The root mean square of the change of the step time (the time from one strike to
    the next, either foot) from one step to the next.  Walking keeps a nearly even
    rhythm (step times vary by a few hundredths of a second from step to step), so
    of two timings of the same strikes the one with the more even steps has the
    smaller timing error; a slow change of pace along the walk barely counts.
    """
    seq = np.sort(np.concatenate([np.asarray(strikes[side], dtype=np.float64) for side in SIDES]))
    steps = np.diff(seq)
    change = np.diff(steps)
    if steps.size:
        # a step of one and a half typical steps or more is a strike missed, not the rhythm
        usual = steps < MISSED_STEP_SHARE * float(np.median(steps))
        change = change[usual[:-1] & usual[1:]]
    return float(np.sqrt(np.mean(change**2))) if change.size >= 2 else np.inf


def _toward_strikes(
    strikes: dict[str, np.ndarray],
    image_px: np.ndarray,
    time_s: np.ndarray,
    fps: float,
    swing_peaks: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Heel strikes walking toward the camera: the heel's or the pelvis's, whichever keeps the rhythm.

    Walking toward the camera the pose model's heel often reaches its footprint in
    the picture a few frames before it lands, so the heel's speed puts the strike
    early, and where the hidden heel point follows the forefoot down to the floor,
    late.  The pelvis's low just after each strike
    (:func:`_strikes_at_pelvis_low`) then times the landing better.  But in a slow walk with long double support the body stays
    low from one foot's landing until the other's toe off, and its lowest point
    wanders within that time from step to step; there the heel's strikes are the
    better ones.  Which timing holds for a walk shows in its rhythm: the set whose
    steps follow each other more evenly (:func:`_step_time_unevenness_s`) is kept.
    A heel early by the same lead on every step is as even as the landings: where the
    pelvis rises and falls with the steps (:func:`_step_rhythm` at least
    :data:`PELVIS_MIN_RHYTHM`) and its lows follow the heel's strikes by a steady lag
    (spread at most :data:`PELVIS_LAG_SPREAD_S`), the heel's strikes are first moved
    by that lag.
    ``strikes`` holds each foot's heel-speed strike times, s, ``swing_peaks`` the peak
    times of its swing bursts, s.
    """
    moved = _strikes_at_pelvis_low(strikes, image_px, time_s, fps, swing_peaks)
    lowness = _pelvis_lowness_bl(image_px, time_s, _image_scale_px(image_px, time_s))
    if _step_rhythm(lowness, time_s, strikes) >= PELVIS_MIN_RHYTHM:
        lag, spread = _lag_s(strikes, moved)
        if spread <= PELVIS_LAG_SPREAD_S:
            strikes = {side: np.asarray(strikes[side], dtype=np.float64) + lag for side in SIDES}
    return moved if _step_time_unevenness_s(moved) < _step_time_unevenness_s(strikes) else strikes


def _lag_s(strikes: dict[str, np.ndarray], moved: dict[str, np.ndarray]) -> tuple[float, float]:
    """Median and spread (s) of the time from each strike in ``strikes`` to the nearest one of
    the same foot in ``moved``; the spread is 1.4826 times the median absolute deviation
    (the standard deviation of a normal spread).  (0, inf) when there are fewer than three."""
    lags = []
    for side in SIDES:
        later = np.asarray(moved[side], dtype=np.float64)
        if later.size:
            for hs in np.asarray(strikes[side], dtype=np.float64):
                lags.append(float(later[np.argmin(np.abs(later - hs))] - hs))
    if len(lags) < 3:
        return 0.0, np.inf
    middle = float(np.median(lags))
    return middle, 1.4826 * float(np.median(np.abs(np.array(lags) - middle)))


def _step_rhythm(lowness: np.ndarray, time_s: np.ndarray, strikes: dict[str, np.ndarray]) -> float:
    """How clearly the pelvis rises and falls once a step, -1 to 1 (NaN when it cannot be told).

    The body is lowest once every step (early double support) and highest half a step
    later (mid-stance), so the pelvis's height ``lowness`` (body lengths, positive =
    lower; see :func:`_pelvis_lowness_bl`) repeats itself one step later and is its
    own opposite half a step later.  This is the mean of its correlation with itself
    one step time later and minus its correlation half a step time later, the step time
    being the median time between successive ``strikes`` (either foot, s), which
    keep the walk's rhythm even where they are early or late.  A pelvis whose picture
    is mostly the pose model's jitter scores near 0, one that follows the steps near 1.
    """
    seq = np.sort(np.concatenate([np.asarray(strikes[side], dtype=np.float64) for side in SIDES]))
    if seq.size < 3 or time_s.size < 3:
        return np.nan
    step_s = float(np.median(np.diff(seq)))
    frame_s = float(np.median(np.diff(time_s)))
    x = lowness - np.nanmean(lowness) if np.isfinite(lowness).any() else lowness

    def correlation(lag: int) -> float:
        if lag < 1 or lag >= x.size:
            return np.nan
        a, b = x[:-lag], x[lag:]
        both = np.isfinite(a) & np.isfinite(b)
        if both.sum() < 3 or np.std(a[both]) == 0 or np.std(b[both]) == 0:
            return np.nan
        return float(np.corrcoef(a[both], b[both])[0, 1])

    return 0.5 * (correlation(int(round(step_s / frame_s))) - correlation(int(round(0.5 * step_s / frame_s))))


def _keep_apart(peaks: np.ndarray, heights: np.ndarray, min_frames: int) -> np.ndarray:
    """The highest peaks such that no two kept ones are closer than ``min_frames``, in frame order."""
    kept: list[int] = []
    for n in np.argsort(-heights, kind="stable"):
        if all(abs(int(peaks[n]) - k) >= min_frames for k in kept):
            kept.append(int(peaks[n]))
    return np.array(sorted(kept), dtype=int)


def _ever_positive(time_s: np.ndarray, values: np.ndarray, t: float, half_s: float) -> bool:
    """True when ``values`` is positive somewhere within ``half_s`` of time ``t``, or unknown there."""
    near = np.abs(time_s - t) <= half_s
    known = values[near][np.isfinite(values[near])]
    return not known.size or bool((known > 0).any())


def detect_side_events(
    image_px: np.ndarray,
    time_s: np.ndarray,
    fps: float,
    walking: np.ndarray,
    side: str,
    view: str,
    direction: str,
    other_strikes: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Heel strike and toe off times (s, video time) of one foot; see the module notes.

    ``other_strikes`` (s), the other foot's heel strikes, are needed for toe offs
    walking toward the camera; without them these come from the toe's speed.
    """
    strikes, offs, _ = _side_events(image_px, time_s, fps, walking, side, view, direction, other_strikes)
    return strikes, offs


def _side_events(
    image_px: np.ndarray,
    time_s: np.ndarray,
    fps: float,
    walking: np.ndarray,
    side: str,
    view: str,
    direction: str,
    other_strikes: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`detect_side_events`, and the peak times (s) of the foot's swing bursts."""
    heel = image_px[:, INDEX[f"{side}_heel"]]
    toe = image_px[:, INDEX[f"{side}_foot_index"]]
    scale = _image_scale_px(image_px, time_s)
    heel_speed = _speed_bl_s(heel, time_s, scale)
    toe_speed = _speed_bl_s(toe, time_s, scale)
    foot_speed = 0.5 * (heel_speed + toe_speed)
    if view == "sagittal":
        foot_speed = _bridged(foot_speed, time_s, BRIDGE_S)
    burst = np.where(walking & np.isfinite(foot_speed), foot_speed, 0.0)
    if not np.any(burst > 0):
        return np.empty(0), np.empty(0), np.empty(0)
    apart = max(1, int(MIN_STRIDE_S * fps))
    peaks = find_peaks(burst, distance=apart)
    if peaks.size == 0:
        return np.empty(0), np.empty(0), np.empty(0)
    typical = float(np.median(burst[peaks][burst[peaks] >= np.percentile(burst[peaks], 50)]))
    peaks = peaks[burst[peaks] >= MIN_BURST_SHARE * typical]
    if view == "frontal":
        # bursts that leave the foot where it was are dropped before bursts are kept
        # apart, so that such a jolt cannot hide the swing next to it
        peaks = find_peaks(burst)
        peaks = peaks[burst[peaks] >= MIN_BURST_SHARE * typical]
        steps = _image_steps(0.5 * (heel + toe), scale, peaks, fps)
        known = steps[np.isfinite(steps)]
        if known.size:
            typical_step = float(np.median(known[known >= np.percentile(known, 50)]))
            peaks = peaks[~(steps < MIN_STEP_SHARE * typical_step)]
        peaks = _keep_apart(peaks, burst[peaks], apart)
    lead_heel = lead_toe = None
    if view == "sagittal":
        f = 1.0 if direction == "right" else -1.0
        other = "right" if side == "left" else "left"
        lead_heel = f * (heel[:, 0] - image_px[:, INDEX[f"{other}_heel"], 0])
        lead_toe = f * (toe[:, 0] - image_px[:, INDEX[f"{other}_foot_index"], 0])
    span = max(1, int(round(SEARCH_S * fps)))
    stance_span = max(1, int(round(FRONTAL_STANCE_SEARCH_S * fps)))
    strikes, offs = [], []
    previous = -1
    bridged_heel = _bridged(heel_speed, time_s, BRIDGE_S)
    bridged_toe = _bridged(toe_speed, time_s, BRIDGE_S)
    near = max(1, int(round(PEAK_NEAR_S * fps)))
    heel_forward = (1.0 if direction == "right" else -1.0) * heel[:, 0]
    for p in peaks:
        last = min(p + span, len(time_s) - 1)
        if view == "frontal":
            hs = _heel_strike_time(time_s, heel_speed, p, last, fps)
            first = max(p - stance_span, previous + 1, 0)
            to = _frontal_toe_off_time(time_s, toe_speed, p, first, fps)
            landed = np.empty(0) if other_strikes is None or direction != "toward" else \
                other_strikes[(other_strikes >= time_s[first]) & (other_strikes < time_s[p])]
            if landed.size:
                # walking toward the camera: the earlier of the toe's speed rise and its
                # leaving its place, not before the other foot has landed
                anchor = int(np.searchsorted(time_s, landed[-1]))  # first frame with the other foot down
                left_place = _frontal_toe_departure_time(time_s, toe, scale, anchor, p, fps)
                candidates = [x for x in (to, left_place) if x is not None and x >= time_s[anchor]]
                to = min(candidates) if candidates else None
        else:
            around = slice(max(p - near, 0), p + near + 1)
            heel_top = float(np.nanmax(bridged_heel[around])) if np.isfinite(bridged_heel[around]).any() else np.nan
            toe_top = float(np.nanmax(bridged_toe[around])) if np.isfinite(bridged_toe[around]).any() else np.nan
            hs = None if not np.isfinite(heel_top) else _sagittal_heel_strike_time(
                time_s, heel_speed, heel_forward, scale, heel_top, p, last, fps)
            to = None if not np.isfinite(toe_top) else _crossing_time(
                time_s, toe_speed, SPEED_SHARE * toe_top, p, max(p - span, 0), -1, across_gaps=True)
        previous = p
        # seen from the side, a foot strikes in front of the other foot, after a swing that
        # carried it forward, and leaves the floor behind the other foot
        if hs is not None and view == "sagittal" and not _came_forward(time_s, heel_forward, scale, hs, SEARCH_S):
            hs = None
        if hs is not None and (lead_heel is None or _ever_positive(time_s, lead_heel, hs, LEAD_WINDOW_S)):
            strikes.append(hs)
        if to is not None and (lead_toe is None or _ever_positive(time_s, -lead_toe, to, LEAD_WINDOW_S)):
            offs.append(to)
    return _merge_close(np.array(strikes)), _merge_close(np.array(offs)), time_s[peaks]


def _merge_close(times: np.ndarray) -> np.ndarray:
    """Sorted times with any time closer than MIN_STRIDE_S to the previous kept one dropped."""
    kept: list[float] = []
    for t in np.sort(times):
        if not kept or t - kept[-1] >= MIN_STRIDE_S:
            kept.append(float(t))
    return np.array(kept)


def keep_toe_offs_in_stance(heel_strikes: np.ndarray, toe_offs: np.ndarray) -> np.ndarray:
    """Toe offs that follow a heel strike of the same foot, at most one per stance.

    A toe off before the first heel strike is kept (its stance began before the
    video); after that, each interval between heel strikes keeps its first toe off.
    """
    kept: list[float] = []
    for to in np.sort(toe_offs):
        before = heel_strikes[heel_strikes < to]
        if before.size == 0:
            if not kept:
                kept.append(float(to))
            continue
        last = before[-1]
        if kept and kept[-1] > last:
            continue
        kept.append(float(to))
    return np.array(kept)


def detect_gait_events(
    image_px: np.ndarray,
    time_s: np.ndarray,
    *,
    fps: float,
    walking: np.ndarray,
    view: str,
    direction: str,
) -> dict[str, dict[str, np.ndarray]]:
    """Heel strikes and toe offs of both feet, seconds of video time.

    Parameters
    ----------
    image_px : (T, 33, 2) float
        Cleaned landmarks in pixels (y down) on the patient's sides.
    time_s : (T,) float
        Frame times, s.
    fps : float
        Frame rate, frames per second.
    walking : (T,) bool
        Frames inside walking stretches; events are only looked for there.
    view, direction : str
        Camera view and walking direction.

    Returns
    -------
    dict
        ``{"heel_strike": {"left": times, "right": times}, "toe_off": {...}}``,
        each an increasing array of seconds.
    """
    out: dict[str, dict[str, np.ndarray]] = {"heel_strike": {}, "toe_off": {}}
    t = np.asarray(time_s, dtype=np.float64)
    walking = np.asarray(walking, bool)
    found: dict[str, tuple[np.ndarray, ...]] = {
        side: _side_events(image_px, t, fps, walking, side, view, direction) for side in SIDES
    }
    swing_peaks: dict[str, np.ndarray] = {side: found[side][2] for side in SIDES}
    if view == "frontal" and direction == "toward":
        strikes = _toward_strikes({side: found[side][0] for side in SIDES}, image_px, t, fps, swing_peaks)
        # a toe off seen from the front is where the toe leaves its place, which it marks
        # while the other foot lands
        found = {
            side: (found[side][0], detect_side_events(
                image_px, t, fps, walking, side, view, direction, other_strikes=found[other][0])[1])
            for side, other in zip(SIDES, SIDES[::-1])
        }
        found = {side: (strikes[side], found[side][1]) for side in SIDES}
    if view == "frontal" and direction == "away":
        moved = _strikes_at_pelvis_low({side: found[side][0] for side in SIDES}, image_px, t, fps, swing_peaks)
        found = {side: (moved[side], found[side][1]) for side in SIDES}
    for side in SIDES:
        hs, to = found[side][0], found[side][1]
        out["heel_strike"][side] = hs
        out["toe_off"][side] = keep_toe_offs_in_stance(hs, to)
    return out
