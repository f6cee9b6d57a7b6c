"""Zero-lag low-pass filtering that respects gaps.

The Butterworth design and the forward-backward filtering are written out here
in numpy (bilinear transform with a pre-warped cut-off; second-order sections in
transposed direct form II; odd extension at the ends and steady-state initial
conditions): the analysis needs only these two operations, and the signal
processing library they would come from takes longer to import than gaitlab's
whole analysis of a clip.  ``tests/core/test_processing.py`` checks both against
that library's results.
"""

from __future__ import annotations

import numpy as np

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
    sos = butterworth_lowpass_sos(order, cutoff_hz, fps)
    flat = v.reshape(v.shape[0], -1)
    where = [
        (j, start, end)
        for j in range(flat.shape[1])
        for start, end in find_runs(np.isfinite(flat[:, j]))
        if end - start >= MIN_FILTER_FRAMES
    ]
    pieces = [flat[start:end, j] for j, start, end in where]
    padlens = [min(3 * (2 * order + 1), end - start - 1) for _, start, end in where]
    for (j, start, end), smooth in zip(where, _filtfilt_pieces(sos, pieces, padlens)):
        flat[start:end, j] = smooth
    return flat.reshape(v.shape)


def butterworth_lowpass_sos(order: int, cutoff_hz: float, fps: float) -> np.ndarray:
    """Digital Butterworth low-pass filter as second-order sections.

    The analog prototype's poles, scaled to the pre-warped cut-off
    2·fps·tan(π·cutoff/fps), are mapped by the bilinear transform; the zeros sit
    at z = −1.  Each section has unit gain at 0 Hz, so the filter passes a
    constant unchanged.

    Parameters
    ----------
    order : int
        Filter order (1 or more).
    cutoff_hz : float
        -3 dB cut-off, Hz; 0 < cutoff_hz < fps / 2.
    fps : float
        Sampling rate, frames per second.

    Returns
    -------
    (ceil(order / 2), 6) float
        Rows ``[b0, b1, b2, 1, a1, a2]``, the pole pair nearest the unit circle last.
    """
    if order < 1:
        raise ValidationError(f"The filter order must be at least 1; got {order}.")
    if not (0.0 < cutoff_hz < 0.5 * fps):
        raise ValidationError(f"The cut-off must lie between 0 and half the frame rate; got {cutoff_hz:g} Hz.")
    warped = 2.0 * fps * np.tan(np.pi * cutoff_hz / fps)
    k = np.arange(order)
    analog = warped * np.exp(1j * np.pi * (2 * k + order + 1) / (2 * order))
    digital = (2.0 * fps + analog) / (2.0 * fps - analog)
    sections = []
    for z in digital[digital.imag > 1e-12]:  # one of each conjugate pair
        a1, a2 = -2.0 * z.real, abs(z) ** 2
        gain = (1.0 + a1 + a2) / 4.0
        sections.append([gain, 2.0 * gain, gain, 1.0, a1, a2])
    if order % 2:
        z = float(digital[np.argmin(np.abs(digital.imag))].real)
        gain = (1.0 - z) / 2.0
        sections.append([gain, gain, 0.0, 1.0, -z, 0.0])
    sos = np.array(sections, dtype=np.float64)
    return sos[np.argsort(sos[:, 5])]


def _section_steady_state(section: np.ndarray) -> np.ndarray:
    """(2,) state of one section after a long run of ones (transposed direct form II)."""
    b0, b1, b2, _, a1, a2 = section
    lhs = np.array([[1.0 + a1, -1.0], [a2, 1.0]])
    return np.linalg.solve(lhs, np.array([b1 - a1 * b0, b2 - a2 * b0]))


def _filter_sos(sos: np.ndarray, x: np.ndarray, start_level: np.ndarray) -> np.ndarray:
    """Run the sections over the rows of ``x`` (T, C), starting as if each column
    had stood at ``start_level`` (C,) for ever."""
    y = x
    for section in sos:
        b0, b1, b2, _, a1, a2 = section
        z = _section_steady_state(section)[:, None] * start_level[None, :]
        z0, z1 = z[0].copy(), z[1].copy()
        out = np.empty_like(y)
        for t in range(y.shape[0]):
            xt = y[t]
            yt = b0 * xt + z0
            z0 = b1 * xt - a1 * yt + z1
            z1 = b2 * xt - a2 * yt
            out[t] = yt
        y = out
    return y


def filtfilt_sos(sos: np.ndarray, x: np.ndarray, padlen: int) -> np.ndarray:
    """Zero-phase filtering of the columns of ``x`` (T, C): forward, then backward.

    The ends are extended by ``padlen`` samples of odd reflection (2·x[0] − x[k])
    and each pass starts in the steady state of its first sample, so a constant
    or a straight line comes through unchanged and the ends do not ring.

    Parameters
    ----------
    sos : (S, 6) float
        Second-order sections (:func:`butterworth_lowpass_sos`).
    x : (T, C) float
        Finite samples, one series per column.
    padlen : int
        Samples of extension at each end, 0 <= padlen < T.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or not (0 <= padlen < x.shape[0]):
        raise ValidationError("The series to filter must be (frames, columns) with fewer pad frames than frames.")
    out = _filtfilt_pieces(sos, [x[:, j] for j in range(x.shape[1])], [padlen] * x.shape[1])
    return np.stack(out, axis=1) if out else x.copy()


def _filtfilt_pieces(sos: np.ndarray, pieces: list[np.ndarray], padlens: list[int]) -> list[np.ndarray]:
    """:func:`filtfilt_sos` of series of different lengths, all in one pass over time.

    Each series, extended at both ends, becomes a column of one array (columns
    shorter than the longest hold their last value after their end, which the
    causal filter reads only after that column's own samples), so the time loop
    runs once for all of them.
    """
    if not pieces:
        return []
    exts = []
    for piece, pad in zip(pieces, padlens):
        if pad:
            piece = np.concatenate([2.0 * piece[0] - piece[pad:0:-1], piece, 2.0 * piece[-1] - piece[-2 : -pad - 2 : -1]])
        exts.append(piece)
    lengths = np.array([e.size for e in exts])
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    flat = np.concatenate(exts)
    rows = np.arange(int(lengths.max()))[:, None]
    columns = np.arange(lengths.size)[None, :]
    ext = flat[offsets[None, :] + np.minimum(rows, lengths[None, :] - 1)]
    forward = _filter_sos(sos, ext, ext[0])
    # each column backward over its own length: row r holds its sample length - 1 - r
    reverse_rows = np.clip(lengths[None, :] - 1 - rows, 0, None)
    backward_in = forward[reverse_rows, columns]
    backward = _filter_sos(sos, backward_in, backward_in[0])
    out = []
    for k, (n, pad) in enumerate(zip(lengths, padlens)):
        series = backward[: int(n), k][::-1]
        out.append(series[pad : int(n) - pad])
    return out
