"""Zero-lag low-pass filtering that respects gaps."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfiltfilt

from gaitlab.errors import ValidationError
from gaitlab.processing.gaps import find_runs

#: Segments shorter than this many frames are left unfiltered (too short to pad).
MIN_FILTER_FRAMES = 7


def max_cutoff_hz(fps: float) -> float:
    """Highest usable low-pass cut-off at a frame rate ``fps``, in Hz.

    The Butterworth design needs the cut-off strictly below half the frame rate;
    gaitlab keeps a margin and allows at most 0.9 × fps / 2.
    """
    return 0.45 * float(fps)


def lowpass_filter(values: np.ndarray, fps: float, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Zero-lag Butterworth low-pass filter applied to each unbroken stretch of data.

    The filter runs forward and backward (``sosfiltfilt``), so it adds no delay
    and the effective order is twice ``order``.  Missing values (NaN) split the
    series into stretches that are filtered separately, so no value is smeared
    across a gap and gaps stay missing.  Stretches shorter than
    :data:`MIN_FILTER_FRAMES` frames are returned unfiltered.

    Parameters
    ----------
    values : (T, ...) float
        Series sampled at ``fps``; each trailing column is filtered on its own.
    fps : float
        Sampling rate, frames per second.
    cutoff_hz : float
        -3 dB cut-off frequency of one filter pass, Hz.
    order : int
        Butterworth order of one pass.

    Raises
    ------
    ValidationError
        When ``cutoff_hz`` is not positive or not below :func:`max_cutoff_hz`.
    """
    if not (cutoff_hz > 0 and np.isfinite(cutoff_hz)):
        raise ValidationError(f"The low-pass cut-off must be a positive frequency; got {cutoff_hz:g} Hz.")
    if cutoff_hz > max_cutoff_hz(fps):
        raise ValidationError(
            f"A {cutoff_hz:g} Hz low-pass filter needs at least {cutoff_hz / 0.45:.0f} frames per "
            f"second; this video has {fps:g}."
        )
    v = np.array(values, dtype=np.float64, copy=True)
    if v.shape[0] == 0:
        return v
    sos = butter(order, cutoff_hz, btype="low", fs=fps, output="sos")
    flat = v.reshape(v.shape[0], -1)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        for start, end in find_runs(np.isfinite(col)):
            n = end - start
            if n < MIN_FILTER_FRAMES:
                continue
            padlen = min(3 * (2 * order + 1), n - 1)
            col[start:end] = sosfiltfilt(sos, col[start:end], padlen=padlen)
    return flat.reshape(v.shape)
