"""Interpolation of short gaps; long gaps stay missing."""

from __future__ import annotations

import numpy as np

from gaitlab.errors import ValidationError


def find_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start and end (exclusive) indices of every run of True in a 1-D boolean mask."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    d = np.diff(m.astype(np.int8))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), ends.tolist()))


def fill_short_gaps(values: np.ndarray, time_s: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Linearly interpolate missing stretches no longer than ``max_gap_s``.

    Parameters
    ----------
    values : (T, ...) float
        Any series aligned with ``time_s`` (e.g. (T, 33, 2) landmarks); each
        trailing column is treated on its own.  NaN marks a missing value.
    time_s : (T,) float
        Frame times in seconds, strictly increasing.
    max_gap_s : float
        Longest gap that is filled, seconds: the time between the last value
        before the gap and the first value after it, minus one frame interval, so
        that a single missing frame at 30 fps is a gap of 0.033 s.

    Returns
    -------
    ndarray
        A copy with short interior gaps filled; gaps at the start or end and
        longer gaps stay NaN.

    Raises
    ------
    ValidationError
        When the shapes disagree or ``max_gap_s`` is negative.
    """
    v = np.array(values, dtype=np.float64, copy=True)
    t = np.asarray(time_s, dtype=np.float64)
    if v.shape[:1] != t.shape:
        raise ValidationError("A series to gap-fill must have one value per frame time.")
    if max_gap_s < 0:
        raise ValidationError(f"The longest gap to fill must not be negative; got {max_gap_s:g} s.")
    if t.size < 3:
        return v
    flat = v.reshape(t.size, -1)
    frame_s = float(np.median(np.diff(t)))
    for j in range(flat.shape[1]):
        col = flat[:, j]
        missing = ~np.isfinite(col)
        if not missing.any() or missing.all():
            continue
        for start, end in find_runs(missing):
            if start == 0 or end == t.size:
                continue
            gap_s = t[end] - t[start - 1] - frame_s
            if gap_s > max_gap_s + 1e-9:
                continue
            col[start:end] = np.interp(t[start:end], [t[start - 1], t[end]], [col[start - 1], col[end]])
    return flat.reshape(v.shape)
