"""Spatiotemporal metrics, angle summaries and symmetry indices (``spec/analysis-v1.md``)."""

from __future__ import annotations

import numpy as np

from gaitlab.kinematics.cycles import measured_through
from gaitlab.landmarks import INDEX
from gaitlab.processing.gaps import find_runs
from gaitlab.processing.geometry import body_length_px, hip_midpoint_px
from gaitlab.types import SIDES, GaitCycle

#: Shoulder-to-hip plus hip-to-ankle length of an adult as a share of body
#: height (segment proportions after Drillis and Contini: shoulder 0.818 H,
#: hip 0.530 H, ankle 0.039 H).
BODY_LENGTH_SHARE_OF_HEIGHT = 0.779
OTHER = {"left": "right", "right": "left"}


def _mean(values) -> float | None:
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=np.float64)
    return float(v.mean()) if v.size else None


def _sided(fn) -> dict:
    return {side: fn(side) for side in SIDES}


def steps_in_cycles(
    heel_strikes: dict[str, np.ndarray], cycles: dict[str, list[GaitCycle]]
) -> dict[str, list[tuple[float, float]]]:
    """Steps of each side as (start, end) times, s: the other side's strike → this side's next.

    Only steps inside a kept gait cycle of the other side count (so no step spans
    a turn or a gap).
    """
    out: dict[str, list[tuple[float, float]]] = {"left": [], "right": []}
    for side in SIDES:
        other = OTHER[side]
        own = np.sort(heel_strikes[side])
        for cy in cycles[other]:
            nxt = own[(own > cy.start_s) & (own < cy.end_s)]
            if nxt.size:
                out[side].append((float(cy.start_s), float(nxt[0])))
    return out


def cadence_steps_per_min(steps: list[tuple[float, float]]) -> float | None:
    """Cadence, steps/min, from steps given as (start, end) strike times in s.

    Steps that follow one another (one's end is the next one's start) form a run
    of strikes; cadence is 60 over the least-squares slope of the strikes' times
    against their count, one slope shared by all runs (each run keeps its own
    offset, so a gap or turn between runs does not count as walking).  The left and
    right steps of an uneven (e.g. antalgic) gait differ in time, which makes the
    strike times zigzag about a straight line; each run's zigzag is fitted too (a
    term that alternates from strike to strike), so that a run beginning and ending
    with the longer step does not tilt the slope.  With perfectly timed strikes this
    is 60 over the mean step time of whole strides.  It differs when strikes carry
    timing error: the mean step time of a run is its last strike less its first over
    the number of steps, so an error of one frame at either end of a short walk
    moves it fully, while the slope weighs every strike and takes about half as much
    from the two ends.  None without any step.
    """
    ordered = sorted((float(a), float(b)) for a, b in steps if b > a)
    if not ordered:
        return None
    runs: list[list[float]] = []
    for start, end in ordered:
        if runs and abs(runs[-1][-1] - start) < 1e-9:
            runs[-1].append(end)
        else:
            runs.append([start, end])
    slope_s = _shared_slope_s(runs, alternating=True)
    if slope_s is None:  # only single steps: no zigzag can be told from the slope
        slope_s = _shared_slope_s(runs, alternating=False)
    return 60.0 / slope_s if slope_s is not None and slope_s > 0 else None


def _shared_slope_s(runs: list[list[float]], *, alternating: bool) -> float | None:
    """Least-squares slope (s per step) of strike time on strike count shared by all
    runs, each run with its own offset and, if ``alternating``, its own left-right
    zigzag; None when the runs do not determine it."""
    moment = spread = 0.0
    for run in runs:
        times = np.asarray(run, dtype=np.float64)
        count = np.arange(times.size, dtype=np.float64)
        nuisance = [np.ones_like(count)]
        if alternating:
            nuisance.append((-1.0) ** count)
        basis = np.stack(nuisance, axis=1)
        # Residuals of count and times after the run's own offset (and zigzag), in one fit.
        both = np.stack([count, times], axis=1)
        coef, *_ = np.linalg.lstsq(basis, both, rcond=None)
        count_res, times_res = (both - basis @ coef).T
        moment += float(np.sum(count_res * times_res))
        spread += float(np.sum(count_res * count_res))
    if spread < 1e-9:
        return None
    return moment / spread


def stance_shares(cycles: list[GaitCycle]) -> list[float]:
    """Stance of each cycle with a toe off, as % of the stride."""
    return [100.0 * (c.toe_off_s - c.start_s) / c.duration_s for c in cycles if c.toe_off_s is not None]


def double_support_shares(cycles: dict[str, list[GaitCycle]], toe_offs: dict, heel_strikes: dict) -> list[float]:
    """Double support of each cycle, % of the stride.

    Within a cycle of one foot: from its heel strike to the other foot's toe off
    (loading response), plus from the other foot's heel strike to this foot's toe off.
    """
    shares = []
    for side in SIDES:
        other = OTHER[side]
        o_to, o_hs = np.sort(toe_offs[other]), np.sort(heel_strikes[other])
        for cy in cycles[side]:
            if cy.toe_off_s is None:
                continue
            first_to = o_to[(o_to > cy.start_s) & (o_to < cy.toe_off_s)]
            other_hs = o_hs[(o_hs > cy.start_s) & (o_hs < cy.toe_off_s)]
            if first_to.size and other_hs.size:
                ds = (first_to[0] - cy.start_s) + (cy.toe_off_s - other_hs[-1])
                shares.append(100.0 * ds / cy.duration_s)
    return shares


def metric_position_m(image_px: np.ndarray, index: int, height_cm: float, image_size_px) -> np.ndarray:
    """(T,) position of a landmark along the image's x axis in metres (sagittal view).

    Perspective-aware scale: each frame's pixels-per-metre at the body's depth is
    the apparent body length (shoulder→hip→ankle, px) divided by the body length
    expected from the height (:data:`BODY_LENGTH_SHARE_OF_HEIGHT` × height).
    Under a pinhole camera with the principal point at the image centre, x − c
    = f X / Z and the scale is f / Z, so X = (x − c) / scale: positions of
    frames at different depths are comparable, as along an oblique walkway.
    """
    scale = body_length_px(image_px) / (BODY_LENGTH_SHARE_OF_HEIGHT * height_cm / 100.0)
    cx = image_size_px[0] / 2.0
    return (image_px[:, index, 0] - cx) / scale


#: Longest stance a heel's footprint is looked for in, s, when its toe off is unknown
#: (a stance lasts 0.5-0.8 s at usual walking speeds).
FOOTPRINT_MAX_S = 0.6


def footprint_m(position_m: np.ndarray, time_s: np.ndarray, strike_s: float, stance_end_s: float | None = None) -> float:
    """Where a heel stood during its stance, m (NaN when unknown).

    The median metric position over the stiller half of the stance's frames (those
    whose speed is at most the stance's median speed), from ``strike_s`` to
    ``stance_end_s`` (the foot's toe off; :data:`FOOTPRINT_MAX_S` after the strike
    when unknown or later).  The heel stands still from the strike to heel off, about
    half the stance, and rolls forward after it; the pose model's heel wobbles while
    it stands, and a strike found a few frames early starts the stance while the heel
    still moves.  The stiller half keeps the moving frames out, and the median over
    it keeps the wobble out of the step length.
    """
    end = strike_s + FOOTPRINT_MAX_S
    if stance_end_s is not None and strike_s < stance_end_s < end:
        end = stance_end_s
    inside = np.flatnonzero((time_s >= strike_s) & (time_s <= end) & np.isfinite(position_m))
    if inside.size == 0:
        return float("nan")
    x = position_m[inside]
    if inside.size < 3:
        return float(np.median(x))
    speed = np.abs(np.gradient(x, time_s[inside]))
    return float(np.median(x[speed <= np.median(speed)]))


def _toe_off_after(strike_s: float, toe_offs: np.ndarray, strikes: np.ndarray) -> float | None:
    """The foot's toe off ending the stance that begins at ``strike_s`` (None if not found)."""
    later = strikes[strikes > strike_s]
    next_strike = float(later[0]) if later.size else np.inf
    offs = toe_offs[(toe_offs > strike_s) & (toe_offs < next_strike)]
    return float(offs[0]) if offs.size else None


def step_lengths_m(
    image_px, time_s, heel_strikes, toe_offs, cycles, height_cm, image_size_px
) -> dict[str, list[float]]:
    """Step lengths of each side, m: along the line of progression from the other
    heel's footprint to this heel's (:func:`footprint_m` of each heel over its stance)."""
    out: dict[str, list[float]] = {"left": [], "right": []}
    for side in SIDES:
        other = OTHER[side]
        own_x = metric_position_m(image_px, INDEX[f"{side}_heel"], height_cm, image_size_px)
        oth_x = metric_position_m(image_px, INDEX[f"{other}_heel"], height_cm, image_size_px)
        own = np.sort(heel_strikes[side])
        own_to, oth_to = np.sort(toe_offs[side]), np.sort(toe_offs[other])
        oth_hs = np.sort(heel_strikes[other])
        for cy in cycles[other]:
            nxt = own[(own > cy.start_s) & (own < cy.end_s)]
            if not nxt.size:
                continue
            strike = float(nxt[0])
            here = footprint_m(own_x, time_s, strike, _toe_off_after(strike, own_to, own))
            there = footprint_m(oth_x, time_s, cy.start_s, _toe_off_after(cy.start_s, oth_to, oth_hs))
            d = abs(here - there)
            if np.isfinite(d):
                out[side].append(float(d))
    return out


def gait_speed_m_s(image_px, time_s, walking, height_cm, image_size_px) -> float | None:
    """Mean walking speed, m/s: slope of the hip midpoint's metric position over each
    walking stretch (least squares), weighted by the stretch's duration."""
    hips = hip_midpoint_px(image_px)
    scale = body_length_px(image_px) / (BODY_LENGTH_SHARE_OF_HEIGHT * height_cm / 100.0)
    x = (hips[:, 0] - image_size_px[0] / 2.0) / scale
    num = den = 0.0
    for start, end in find_runs(walking & np.isfinite(x)):
        if end - start < 5:
            continue
        slope = np.polyfit(time_s[start:end], x[start:end], 1)[0]
        dur = time_s[end - 1] - time_s[start]
        num += abs(slope) * dur
        den += dur
    return num / den if den > 0 else None


def symmetry_index_pct(left: float | None, right: float | None) -> float | None:
    """100 · (left − right) / (0.5 · (left + right)); positive = left larger; None if unknown."""
    if left is None or right is None or not (np.isfinite(left) and np.isfinite(right)):
        return None
    mean = 0.5 * (left + right)
    if mean == 0:
        return None
    return 100.0 * (left - right) / mean


def _window_stat(values, time_s, windows, fn):
    """``fn`` of the values inside each window that the series covers (see :func:`measured_through`)."""
    out = []
    for a, b in windows:
        if measured_through(values, time_s, a, b):
            inside = (time_s >= a - 1e-9) & (time_s <= b + 1e-9) & np.isfinite(values)
            out.append(float(fn(values[inside])))
    return out


def single_support_windows(side: str, cycles, toe_offs, heel_strikes) -> list[tuple[float, float]]:
    """Single support windows of ``side``'s leg: other toe off → other heel strike, inside a cycle."""
    other = OTHER[side]
    o_to, o_hs = np.sort(toe_offs[other]), np.sort(heel_strikes[other])
    windows = []
    for cy in cycles[side]:
        to = o_to[(o_to > cy.start_s) & (o_to < cy.end_s)]
        if not to.size:
            continue
        hs = o_hs[(o_hs > to[0]) & (o_hs < cy.end_s)]
        if hs.size:
            windows.append((float(to[0]), float(hs[0])))
    return windows


def cycle_ranges(values, time_s, cycles: list[GaitCycle]) -> list[float]:
    """Range (max − min) of a series over each cycle."""
    return _window_stat(values, time_s, [(c.start_s, c.end_s) for c in cycles], np.ptp)


def compute_metrics(
    *,
    view: str,
    series: dict[str, np.ndarray],
    image_px: np.ndarray,
    time_s: np.ndarray,
    walking: np.ndarray,
    events: dict,
    cycles: dict[str, list[GaitCycle]],
    height_cm: float | None,
    image_size_px: tuple[int, int],
) -> dict:
    """All metrics of the contract for one view (see ``spec/analysis-v1.md``).

    Sagittal-only metrics are absent in a frontal analysis and vice versa.
    Step length and speed need ``height_cm`` and a sagittal view; otherwise null.
    Times in seconds, shares in % of the stride, angles in degrees.
    """
    hs, to = events["heel_strike"], events["toe_off"]
    step_spans = steps_in_cycles(hs, cycles)
    steps = {side: [end - start for start, end in step_spans[side]] for side in SIDES}
    stride = _sided(lambda s: _mean(c.duration_s for c in cycles[s]))
    stance = _sided(lambda s: _mean(stance_shares(cycles[s])))
    swing = _sided(lambda s: None if stance[s] is None else 100.0 - stance[s])
    step_t = _sided(lambda s: _mean(steps[s]))
    cadence = cadence_steps_per_min(step_spans["left"] + step_spans["right"])
    stance_time = _sided(
        lambda s: _mean((c.toe_off_s - c.start_s) for c in cycles[s] if c.toe_off_s is not None)
    )
    metrics: dict = {
        "cadence_steps_per_min": cadence,
        "step_time_s": step_t,
        "stride_time_s": stride,
        "stance_pct": stance,
        "swing_pct": swing,
        "double_support_pct": _mean(double_support_shares(cycles, to, hs)),
    }
    symmetry = {
        "step_time": symmetry_index_pct(step_t["left"], step_t["right"]),
        "stance_time": symmetry_index_pct(stance_time["left"], stance_time["right"]),
    }
    if view == "sagittal":
        if height_cm is not None:
            lengths = step_lengths_m(image_px, time_s, hs, to, cycles, height_cm, image_size_px)
            step_len = _sided(lambda s: _mean(lengths[s]))
            speed = gait_speed_m_s(image_px, time_s, walking, height_cm, image_size_px)
        else:
            step_len, speed = {"left": None, "right": None}, None
        rom = _sided(lambda s: _mean(cycle_ranges(series[f"hip_flexion_{s}"], time_s, cycles[s])))
        flex_max = _sided(lambda s: _mean(_window_stat(
            series[f"hip_flexion_{s}"], time_s, [(c.start_s, c.end_s) for c in cycles[s]], np.max)))
        ext_max = _sided(lambda s: _mean(_window_stat(
            series[f"hip_flexion_{s}"], time_s, [(c.start_s, c.end_s) for c in cycles[s]], np.min)))
        lean = series["trunk_lean_sagittal"][walking]
        lean = lean[np.isfinite(lean)]
        metrics.update({
            "step_length_m": step_len,
            "gait_speed_m_s": speed,
            "hip_rom_deg": rom,
            "hip_flexion_max_deg": flex_max,
            "hip_extension_max_deg": ext_max,
            "trunk_lean_sagittal_mean_deg": float(lean.mean()) if lean.size else None,
        })
        symmetry["step_length"] = symmetry_index_pct(step_len["left"], step_len["right"])
        symmetry["hip_rom"] = symmetry_index_pct(rom["left"], rom["right"])
    else:
        obl = series["pelvic_obliquity"]
        lat = series["trunk_lean_lateral"]
        all_cycles = cycles["left"] or cycles["right"]
        # .right: the right hip's drop in the left leg's single support, and vice versa
        drop = {
            "right": _mean(_window_stat(obl, time_s, single_support_windows("left", cycles, to, hs), np.max)),
            "left": _mean(_window_stat(-obl, time_s, single_support_windows("right", cycles, to, hs), np.max)),
        }
        lean_stance = {
            "left": _mean(_window_stat(lat, time_s, single_support_windows("left", cycles, to, hs), np.mean)),
            "right": _mean(_window_stat(-lat, time_s, single_support_windows("right", cycles, to, hs), np.mean)),
        }
        metrics.update({
            "step_length_m": {"left": None, "right": None},
            "gait_speed_m_s": None,
            "pelvic_obliquity_rom_deg": _mean(cycle_ranges(obl, time_s, all_cycles)),
            "pelvic_drop_deg": drop,
            "trunk_lean_stance_deg": lean_stance,
            "trunk_lean_lateral_rom_deg": _mean(cycle_ranges(lat, time_s, all_cycles)),
        })
        symmetry["step_length"] = None
    metrics["symmetry_index_pct"] = symmetry
    metrics["n_cycles"] = {s: len(cycles[s]) for s in SIDES}
    return metrics
