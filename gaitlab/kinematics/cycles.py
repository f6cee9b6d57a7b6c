"""Gait cycles and cycle-normalised curves."""

from __future__ import annotations

import numpy as np

from gaitlab.types import SIDES, GaitCycle

#: Points of a cycle-normalised curve (0, 1, ..., 100 % of the cycle).
N_POINTS = 101
#: A cycle whose duration differs from the side's median by more than this share is dropped.
MAX_STRIDE_DEVIATION = 0.35
#: A cycle is dropped from a curve when more than this share of its frames lack the value.
MAX_MISSING_SHARE = 0.1
#: A window (cycle, single support) gives no range or peak when more than this share
#: of its frames lack the value (see :func:`measured_through`).  Measured on the
#: synthetic side clips of both pose models (hip range and peaks against truth):
#: without the rule one far leg seen in a third of its cycle read a hip range of
#: 15° for 43° (largest error 32°, RMS 5.5°); with half, RMS 3.6° and only that leg
#: goes unmeasured; stricter shares leave more legs unmeasured and are no more
#: accurate (a tenth: RMS 4.0°, six legs unmeasured).
MAX_METRIC_MISSING_SHARE = 0.5


def build_cycles(
    heel_strikes: dict[str, np.ndarray],
    toe_offs: dict[str, np.ndarray],
    time_s: np.ndarray,
    walking: np.ndarray,
) -> dict[str, list[GaitCycle]]:
    """Gait cycles of each side from consecutive heel strikes of that side.

    A cycle runs from one heel strike to the next of the same foot.  It is kept
    when every frame between the two lies in a walking stretch and its duration
    is within :data:`MAX_STRIDE_DEVIATION` of the side's median stride; its toe
    off is the first toe off of the same foot inside it (None if not seen).
    """
    out: dict[str, list[GaitCycle]] = {}
    t = np.asarray(time_s, dtype=np.float64)
    for side in SIDES:
        hs = np.sort(np.asarray(heel_strikes.get(side, ()), dtype=np.float64))
        to = np.sort(np.asarray(toe_offs.get(side, ()), dtype=np.float64))
        pairs = []
        for a, b in zip(hs[:-1], hs[1:]):
            inside = (t >= a) & (t <= b)
            if inside.any() and walking[inside].all():
                pairs.append((a, b))
        if pairs:
            median = float(np.median([b - a for a, b in pairs]))
            pairs = [(a, b) for a, b in pairs if abs((b - a) - median) <= MAX_STRIDE_DEVIATION * median]
        cycles = []
        for a, b in pairs:
            inner = to[(to > a) & (to < b)]
            cycles.append(GaitCycle(side=side, start_s=float(a), end_s=float(b),
                                    toe_off_s=float(inner[0]) if inner.size else None))
        out[side] = cycles
    return out


def measured_through(values: np.ndarray, time_s: np.ndarray, start_s: float, end_s: float) -> bool:
    """True when a series has a value in all but :data:`MAX_METRIC_MISSING_SHARE` of the frames from ``start_s`` to ``end_s``.

    Short gaps are already filled by the cleaning, so a window failing this has
    lost a stretch long enough to hide a peak: ranges and peaks over it would be
    too small.
    """
    inside = (time_s >= start_s - 1e-9) & (time_s <= end_s + 1e-9)
    n = int(inside.sum())
    if n < 2:
        return False
    have = int(np.isfinite(values[inside]).sum())
    return have >= 2 and (n - have) <= MAX_METRIC_MISSING_SHARE * n


def normalise_cycle(values: np.ndarray, time_s: np.ndarray, cycle: GaitCycle) -> np.ndarray | None:
    """One series resampled over one cycle to :data:`N_POINTS` points (0..100 %).

    Linear interpolation in time between the frames; None when more than
    :data:`MAX_MISSING_SHARE` of the cycle's frames lack a value.
    """
    inside = (time_s >= cycle.start_s - 1e-9) & (time_s <= cycle.end_s + 1e-9)
    lo = max(int(np.argmax(inside)) - 1, 0)
    hi = min(int(len(inside) - np.argmax(inside[::-1])) + 1, len(time_s))
    t, v = time_s[lo:hi], values[lo:hi]
    ok = np.isfinite(v)
    if inside.sum() == 0 or (~np.isfinite(values[inside])).mean() > MAX_MISSING_SHARE or ok.sum() < 2:
        return None
    grid = np.linspace(cycle.start_s, cycle.end_s, N_POINTS)
    if grid[0] < t[ok][0] - 1e-9 or grid[-1] > t[ok][-1] + 1e-9:
        return None
    return np.interp(grid, t[ok], v[ok])


def average_cycles(values: np.ndarray, time_s: np.ndarray, cycles: list[GaitCycle]) -> dict | None:
    """Mean and SD (across cycles, ddof=1; 0 for one cycle) of a series over cycles.

    Returns ``{"mean": (101,), "sd": (101,), "n": k}`` or None without a usable cycle.
    """
    curves = [c for c in (normalise_cycle(values, time_s, cy) for cy in cycles) if c is not None]
    if not curves:
        return None
    stack = np.vstack(curves)
    sd = stack.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros(N_POINTS)
    return {"mean": stack.mean(axis=0), "sd": sd, "n": len(curves)}


def cycle_side_of(series_name: str) -> str:
    """The side whose cycles normalise a series.

    Series of one side use that side's cycles; whole-body series (trunk lean,
    pelvic obliquity) use the left leg's cycles (left heel strike = 0 %).
    """
    return "right" if series_name.endswith("_right") else "left"


def compute_cycle_curves(
    series: dict[str, np.ndarray], time_s: np.ndarray, cycles: dict[str, list[GaitCycle]]
) -> dict[str, dict]:
    """Cycle-normalised mean and SD of every series (see :func:`cycle_side_of`)."""
    out = {}
    for name, values in series.items():
        avg = average_cycles(values, time_s, cycles.get(cycle_side_of(name), []))
        if avg is not None:
            out[name] = avg
    return out


def normalise_cycle_with_gaps(
    values: np.ndarray, time_s: np.ndarray, cycle: GaitCycle, max_step_s: float
) -> np.ndarray:
    """One series over one cycle at :data:`N_POINTS` points, NaN where it was not measured.

    Unlike :func:`normalise_cycle` a cycle is kept when part of it is missing (a
    sticker hidden by the arm at the same moment of every stride): points of the
    cycle that fall between two measured frames more than ``max_step_s`` apart are
    NaN, never bridged.
    """
    grid = np.linspace(cycle.start_s, cycle.end_s, N_POINTS)
    ok = np.isfinite(values)
    t, v = time_s[ok], values[ok]
    out = np.full(N_POINTS, np.nan)
    if t.size < 2:
        return out
    right = np.searchsorted(t, grid, side="left")
    exact = (right < t.size) & (np.abs(t[np.minimum(right, t.size - 1)] - grid) <= 1e-9)
    inner = (right > 0) & (right < t.size)
    left_t = t[np.maximum(right - 1, 0)]
    right_t = t[np.minimum(right, t.size - 1)]
    bridged = inner & ((right_t - left_t) <= max_step_s + 1e-9)
    use = exact | bridged
    out[use] = np.interp(grid[use], t, v)
    return out


def average_cycles_with_gaps(
    values: np.ndarray, time_s: np.ndarray, cycles: list[GaitCycle], max_step_s: float
) -> dict | None:
    """Mean and SD per cycle point over the cycles that measured that point.

    ``n`` counts the cycles measured over at least half of their points; None when
    no cycle is.  Points no cycle measured are NaN (null in the document).
    """
    curves = [normalise_cycle_with_gaps(values, time_s, c, max_step_s) for c in cycles]
    curves = [c for c in curves if np.isfinite(c).mean() >= 0.5]
    if not curves:
        return None
    stack = np.vstack(curves)
    counts = np.isfinite(stack).sum(axis=0)
    mean = np.full(N_POINTS, np.nan)
    sd = np.full(N_POINTS, np.nan)
    have = counts > 0
    mean[have] = np.nansum(np.where(np.isfinite(stack), stack, 0.0), axis=0)[have] / counts[have]
    many = counts > 1
    dev = np.where(np.isfinite(stack), stack - mean, 0.0)
    sd[many] = np.sqrt((dev**2).sum(axis=0)[many] / (counts[many] - 1))
    sd[have & ~many] = 0.0
    return {"mean": mean, "sd": sd, "n": len(curves)}
