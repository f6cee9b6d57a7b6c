"""Minimal detectable change (MDC) of each metric gaitlab compares between visits.

A change between two visits is only called a change when it is larger than what
measurement error alone produces.  The usual threshold is the MDC at 95 %
confidence, ``MDC95 = 1.96 * sqrt(2) * SEM`` where SEM is the between-session
standard error of measurement (Weir 2005).

No published between-session SEM exists for gaitlab's own 2-D video measures
(angles from single-camera pose landmarks, events from landmark trajectories).
For those, gaitlab states an assumed SEM and says so in every entry (``kind`` is
``"gaitlab default"``): an assumption chosen from what is published for
marker-based 3-D gait analysis, which a single video camera is not expected to beat:

* McGinley JL, Baker R, Wolfe R, Morris ME. The reliability of three-dimensional
  kinematic gait measurements: a systematic review. Gait Posture 2009;29(3):360-369.
  Between-session errors of 2-5 degrees are usual; the lowest errors are in pelvic
  obliquity and hip abduction, the highest reliability in hip and knee flexion.
* Ferber R, McClay Davis I, Williams DS, Laughton C. A comparison of within- and
  between-day reliability of discrete 3D lower extremity variables in runners.
  J Orthop Res 2002;20(6):1139-1145.  Angular excursions (ranges) are more
  reliable between days than peak angles, so peaks get a larger assumed SEM here.

Where a published threshold exists for the same quantity (walking speed), it is
used and named, with its kind (a meaningful change is not an MDC).  The same table
is written out in ``docs/references.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from gaitlab.errors import InputError

MdcKind = Literal["published meaningful change", "gaitlab default"]

#: 1.96 * sqrt(2): turns a between-session SEM into the MDC at 95 % confidence.
MDC95_FACTOR = 1.96 * math.sqrt(2.0)

MCGINLEY_2009 = (
    "McGinley JL, Baker R, Wolfe R, Morris ME. The reliability of three-dimensional "
    "kinematic gait measurements: a systematic review. Gait Posture 2009;29(3):360-369"
)
FERBER_2002 = (
    "Ferber R, McClay Davis I, Williams DS, Laughton C. A comparison of within- and "
    "between-day reliability of discrete 3D lower extremity variables in runners. "
    "J Orthop Res 2002;20(6):1139-1145"
)
PERERA_2006 = (
    "Perera S, Mody SH, Woodman RC, Studenski SA. Meaningful change and responsiveness "
    "in common physical performance measures in older adults. J Am Geriatr Soc "
    "2006;54(5):743-749"
)
WEIR_2005 = (
    "Weir JP. Quantifying test-retest reliability using the intraclass correlation "
    "coefficient and the SEM. J Strength Cond Res 2005;19(1):231-240"
)

_NO_VIDEO_MDC = "No published MDC exists for this 2-D video measure; gaitlab assumes"


@dataclass(frozen=True)
class MdcEntry:
    """The change threshold of one metric.

    Attributes
    ----------
    metric : str
        Metric name of the analysis contract (or a derived metric of the comparison).
    mdc : float
        Smallest change, in ``unit``, that gaitlab reports as beyond measurement error.
    unit : str
        Unit of ``mdc`` (the metric's unit).
    kind : {"published meaningful change", "gaitlab default"}
        Where the number comes from.
    sem : float or None
        Assumed between-session SEM the default was computed from (``mdc = 2.77 * sem``);
        None for a published threshold.
    source : str
        The citation, or the statement that no published value applies and why the
        default was chosen.
    """

    metric: str
    mdc: float
    unit: str
    kind: MdcKind
    sem: float | None
    source: str

    def to_dict(self) -> dict:
        return {
            "metric": self.metric,
            "mdc": self.mdc,
            "unit": self.unit,
            "kind": self.kind,
            "sem": self.sem,
            "source": self.source,
        }


def mdc95_from_sem(sem: float) -> float:
    """MDC at 95 % confidence from a between-session SEM: ``1.96 * sqrt(2) * sem``.

    Same unit as ``sem``.  Weir 2005 gives the formula.
    """
    if not (sem > 0 and math.isfinite(sem)):
        raise InputError(f"A standard error of measurement must be a positive number; got {sem!r}.")
    return MDC95_FACTOR * sem


#: Why the stance and swing shares get a larger SEM than one frame per stride suggests:
#: measured on gaitlab's own synthetic side clips (the samples and the clips of
#: ``benchmarks/accuracy.py``), the stance share is off by 2.5 % (SD per clip and side,
#: 2026-11-24): a frame's error at the strike or the toe off tends to repeat on every
#: stride of a side, so it does not average out over the cycles of a clip.
_STANCE_WHY = (
    "one frame is 2-3 % of a 1.1 s stride at 30 frames/s, and the error of a side's events "
    "repeats from stride to stride: on gaitlab's synthetic side clips the stance share is off "
    "by 2.5 % (SD per clip and side, 2026-11-24)"
)


def _default(metric: str, sem: float, unit: str, why: str) -> MdcEntry:
    return MdcEntry(
        metric=metric,
        mdc=round(mdc95_from_sem(sem), 3),
        unit=unit,
        kind="gaitlab default",
        sem=sem,
        source=f"{_NO_VIDEO_MDC} a between-session SEM of {sem:g} {unit} ({why}); "
        f"MDC95 = 1.96 x sqrt(2) x SEM ({WEIR_2005}).",
    )


_ANGLE_RANGE_WHY = f"lower end of the 2-5 degree errors of 3-D gait analysis, {MCGINLEY_2009}"
_ANGLE_PEAK_WHY = (
    f"peak angles are less reliable between days than ranges, {FERBER_2002}; "
    f"errors of 3-D gait analysis, {MCGINLEY_2009}"
)
_FRONTAL_WHY = (
    f"pelvic obliquity and hip abduction have the lowest errors of 3-D gait analysis, "
    f"{MCGINLEY_2009}; frontal ranges are small, so the assumed error is 1 degree"
)
_STICKER_WHY = (
    "sagittal pelvic tilt from skin stickers on ASIS and PSIS; gaitlab measures it on "
    f"synthetic video to within about 1 degree, and the tilt range is small, {MCGINLEY_2009}"
)
_TIMING_WHY = (
    "gait events from video are placed within about one frame (33 ms at 30 frames/s); "
    "averaged over the cycles of a clip and between sessions, 20 ms is assumed"
)

#: The MDC table: one entry per metric the comparison judges.
MDC_TABLE: dict[str, MdcEntry] = {
    e.metric: e
    for e in (
        _default("hip_rom_deg", 2.0, "deg", _ANGLE_RANGE_WHY),
        _default("hip_flexion_max_deg", 2.5, "deg", _ANGLE_PEAK_WHY),
        _default("hip_extension_max_deg", 2.5, "deg", _ANGLE_PEAK_WHY),
        _default(
            "trunk_lean_sagittal_mean_deg",
            2.0,
            "deg",
            "a mean posture angle depends on camera height and tilt as much as on the "
            f"patient; errors of 3-D gait analysis, {MCGINLEY_2009}",
        ),
        _default("trunk_lean_sagittal_rom_deg", 1.0, "deg", "an excursion within one clip; " + _FRONTAL_WHY),
        _default("pelvic_obliquity_rom_deg", 1.0, "deg", _FRONTAL_WHY),
        _default("pelvic_tilt_rom_deg", 1.0, "deg", _STICKER_WHY),
        _default(
            "pelvic_tilt_mean_deg",
            1.5,
            "deg",
            "a mean posture angle from stickers: re-placing the stickers on the palpated "
            "ASIS and PSIS at the next visit adds to the sticker measurement error; " + _STICKER_WHY,
        ),
        _default("pelvic_drop_deg", 1.0, "deg", _FRONTAL_WHY),
        _default("trunk_lean_stance_deg", 1.0, "deg", _FRONTAL_WHY),
        _default("trunk_lean_lateral_rom_deg", 1.0, "deg", _FRONTAL_WHY),
        _default("hip_adduction_stance_max_deg", 1.5, "deg", "a peak angle; " + _FRONTAL_WHY),
        _default(
            "cadence_steps_per_min",
            2.0,
            "steps/min",
            "the day-to-day variation of a patient's self-chosen pace plus event timing "
            "from video; no video-specific value is published",
        ),
        _default("step_time_s", 0.02, "s", _TIMING_WHY),
        _default("stride_time_s", 0.02, "s", _TIMING_WHY),
        _default("stance_pct", 2.5, "%", _STANCE_WHY),
        _default("swing_pct", 2.5, "%", _STANCE_WHY),
        _default("double_support_pct", 4.0, "%", "four events per stride; gaitlab's double support "
                 "on its synthetic side clips is off by 4 % (SD per clip, 2026-11-24)"),
        _default("step_length_m", 0.03, "m", "the body-height scale of a single camera is "
                 "assumed good to about 2 % of a 1.5 m stride"),
        MdcEntry(
            metric="gait_speed_m_s",
            mdc=0.10,
            unit="m/s",
            kind="published meaningful change",
            sem=None,
            source=f"Substantial meaningful change of usual gait speed in older adults, "
            f"0.10 m/s ({PERERA_2006}); a meaningful change, not an MDC of video speed.",
        ),
    )
}


def look_up_mdc(metric: str) -> MdcEntry:
    """The MDC entry of a metric.

    Raises
    ------
    InputError
        When gaitlab has no change threshold for the metric.
    """
    try:
        return MDC_TABLE[metric]
    except KeyError:
        raise InputError(f"gaitlab has no minimal detectable change for the metric {metric!r}.") from None
