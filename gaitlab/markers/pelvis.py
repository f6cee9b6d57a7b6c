"""Pelvic angles from sticker positions, and their metrics.

Sign conventions are those of the analysis contract (``spec/analysis-v1.md``):

* ``pelvic_tilt`` (sagittal, with pelvic markers only): the line from PSIS to
  ASIS against the horizontal, degrees; **positive = anterior tilt** (ASIS lower
  than PSIS).  A neutral standing pelvis typically reads about +5 to +15 degrees
  with skin stickers, because the ASIS sits lower than the PSIS.
* ``pelvic_obliquity`` (frontal): the line from the right hip marker to the left
  hip marker against the horizontal, degrees; **positive = left side higher**.

Image y points **down**; both functions turn it up before measuring, and take
the walking direction so that "forward" and "patient's left" are known.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.types import GaitCycle

#: A cycle counts toward the range of motion when at least this share of its
#: frames has a measured angle.
MIN_CYCLE_COVERAGE = 0.8
#: Without a usable cycle the range over the clip is taken between these
#: percentiles of the measured angles, so one noisy reading does not widen it
#: (a steady oscillation keeps 99 % of its range).
CLIP_RANGE_PERCENTILES = (5.0, 95.0)


def _xy(a, name: str) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValidationError(f"{name} positions must have shape (T, 2) in pixels; got {arr.shape}.")
    return arr


def pelvic_tilt_deg(asis_px, psis_px, direction: str) -> np.ndarray:
    """Sagittal pelvic tilt from the ASIS and PSIS stickers of one side, degrees.

    Parameters
    ----------
    asis_px, psis_px : (T, 2) or (2,) float
        Sticker centres in image pixels (x right, y down).
    direction : {"left", "right"}
        Image direction the patient walks (the ASIS is in front).

    Returns
    -------
    (T,) float
        Angle of the PSIS→ASIS line against the horizontal, in (-180, 180];
        positive when the ASIS is lower than the PSIS (anterior tilt), negative
        for posterior tilt.  NaN where either sticker is missing.

    Raises
    ------
    ValidationError
        For a direction other than "left" or "right", or malformed positions.
    """
    if direction not in ("left", "right"):
        raise ValidationError(f"A sagittal walking direction is 'left' or 'right'; got {direction!r}.")
    forward = 1.0 if direction == "right" else -1.0
    a, p = _xy(asis_px, "ASIS"), _xy(psis_px, "PSIS")
    if a.shape != p.shape:
        raise ValidationError("ASIS and PSIS positions need one entry per frame each.")
    d = a - p
    # forward component along the walking direction; "down" = image y (ASIS lower = anterior)
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arctan2(d[:, 1], forward * d[:, 0]))


def pelvic_obliquity_deg(left_px, right_px, direction: str) -> np.ndarray:
    """Frontal pelvic obliquity from the left and right hip stickers, degrees.

    Parameters
    ----------
    left_px, right_px : (T, 2) or (2,) float
        Centres of the patient's left and right sticker (both ASIS from the
        front, both PSIS from behind), image pixels (x right, y down).
    direction : {"toward", "away"}
        Walking toward the camera (the patient's left is on the image right) or
        away from it.

    Returns
    -------
    (T,) float
        Angle of the right→left line against the horizontal; positive when the
        left side is higher.  NaN where either sticker is missing.

    Raises
    ------
    ValidationError
        For a direction other than "toward" or "away", or malformed positions.
    """
    if direction not in ("toward", "away"):
        raise ValidationError(f"A frontal walking direction is 'toward' or 'away'; got {direction!r}.")
    to_left = 1.0 if direction == "toward" else -1.0
    left, right = _xy(left_px, "Left marker"), _xy(right_px, "Right marker")
    if left.shape != right.shape:
        raise ValidationError("Left and right marker positions need one entry per frame each.")
    d = left - right
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arctan2(-d[:, 1], to_left * d[:, 0]))


def cycle_ranges_deg(angle_deg, time_s, cycles: Iterable[GaitCycle]) -> list[float]:
    """Range (max − min) of an angle within each gait cycle, degrees.

    Cycles in which fewer than ``MIN_CYCLE_COVERAGE`` of the frames carry a
    measured angle are left out (a range over a gap would be too small).
    """
    a = np.asarray(angle_deg, dtype=np.float64)
    t = np.asarray(time_s, dtype=np.float64)
    if a.shape != t.shape:
        raise ValidationError("An angle series needs one value per frame time.")
    out = []
    for c in cycles:
        inside = (t >= c.start_s) & (t <= c.end_s)
        values = a[inside]
        if values.size < 3:
            continue
        ok = np.isfinite(values)
        if ok.mean() < MIN_CYCLE_COVERAGE:
            continue
        out.append(float(values[ok].max() - values[ok].min()))
    return out


def pelvic_tilt_metrics(tilt_deg, time_s, cycles: Iterable[GaitCycle] = ()) -> dict[str, float | None]:
    """Summary metrics of the sagittal pelvic tilt.

    Returns
    -------
    dict
        ``pelvic_tilt_rom_deg``: mean over the gait cycles of the range of
        ``pelvic_tilt`` within each cycle, degrees; when no cycle is usable
        (stickers hidden by the arm in more than a fifth of every cycle, as is
        common in side views), the range between the 5th and 95th percentiles
        of the measured tilt over the clip.  ``pelvic_tilt_mean_deg``: mean tilt over the measured
        frames, degrees (positive = anterior).  Both None without measurements.
    """
    a = np.asarray(tilt_deg, dtype=np.float64)
    ok = np.isfinite(a)
    if not ok.any():
        return {"pelvic_tilt_rom_deg": None, "pelvic_tilt_mean_deg": None}
    ranges = cycle_ranges_deg(a, time_s, list(cycles))
    if ranges:
        rom = float(np.mean(ranges))
    else:
        low, high = np.percentile(a[ok], CLIP_RANGE_PERCENTILES)
        rom = float(high - low)
    return {"pelvic_tilt_rom_deg": rom, "pelvic_tilt_mean_deg": float(a[ok].mean())}
