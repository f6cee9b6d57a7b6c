"""Peaks of a sampled series: local maxima, by height, kept apart by a distance.

Written out in numpy for the two uses in the analysis (gait bursts of a foot,
footprints along the walkway); ``tests/core/test_processing.py`` checks it
against the signal processing library's ``find_peaks`` with the same options.
"""

from __future__ import annotations

import numpy as np

from gaitlab.errors import ValidationError


def local_maxima(values: np.ndarray) -> np.ndarray:
    """Indices of the local maxima of a 1-D series.

    A sample is a maximum when it is larger than its left neighbour and larger than
    the first different sample to its right; on a flat top of several equal samples
    the maximum is the middle one (the left of the two middle ones for an even
    count).  The first and last samples are never maxima.  NaN compares false, so
    no maximum touches a NaN.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValidationError("Peaks are found in a one-dimensional series.")
    out = []
    i, last = 1, x.size - 1
    while i < last:
        if x[i - 1] < x[i]:
            ahead = i + 1
            while ahead < last and x[ahead] == x[i]:
                ahead += 1
            if x[ahead] < x[i]:
                out.append((i + ahead - 1) // 2)
                i = ahead
        i += 1
    return np.array(out, dtype=np.intp)


def find_peaks(values: np.ndarray, *, height: float | None = None, distance: int = 1) -> np.ndarray:
    """Indices of the peaks of a 1-D series, in increasing order.

    Parameters
    ----------
    values : (T,) float
        The series.
    height : float, optional
        Keep the maxima at least this high.
    distance : int
        Keep peaks at least this many samples apart: the highest peaks are kept
        first and the lower ones closer than ``distance`` to a kept peak dropped
        (equal heights are taken in the order of numpy's default ``argsort``, as
        the signal processing library does, so both give the same peaks).

    Returns
    -------
    (K,) int
        Indices of the peaks.
    """
    if distance < 1:
        raise ValidationError(f"The distance between peaks must be at least 1 sample; got {distance}.")
    x = np.asarray(values, dtype=np.float64)
    peaks = local_maxima(x)
    if height is not None:
        peaks = peaks[x[peaks] >= height]
    if distance == 1 or peaks.size < 2:
        return peaks
    keep = np.ones(peaks.size, dtype=bool)
    for k in np.argsort(x[peaks])[::-1]:
        if not keep[k]:
            continue
        j = k - 1
        while j >= 0 and peaks[k] - peaks[j] < distance:
            keep[j] = False
            j -= 1
        j = k + 1
        while j < peaks.size and peaks[j] - peaks[k] < distance:
            keep[j] = False
            j += 1
    return peaks[keep]
