"""Plain-language quality warnings about an analysis."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from gaitlab.kinematics.cycles import measured_through
from gaitlab.landmarks import LEFT_SHOULDER, RIGHT_SHOULDER
from gaitlab.processing.geometry import body_length_px, hip_midpoint_px, shoulder_midpoint_px
from gaitlab.types import SIDES, GaitCycle

#: Frame rate below which event timing is coarse, frames per second.
MIN_GOOD_FPS = 25.0
#: Sagittal camera obliquity above which angles are reported as foreshortened, degrees.
MAX_OBLIQUITY_DEG = 10.0
#: Typical shoulder width as a share of the shoulder→hip trunk length in a frontal view.
SHOULDER_TO_TRUNK = 0.75


def count_warnings(cycles: dict[str, list[GaitCycle]]) -> list[str]:
    """Warnings about too few strides of either leg."""
    out = []
    for side in SIDES:
        n = len(cycles[side])
        if n == 0:
            out.append(f"No full gait cycle of the {side} leg was found: there is too little walking to measure.")
        elif n == 1:
            out.append(f"Only one stride of the {side} leg is visible; its values rest on a single cycle.")
    return out


def unmeasured_hip_warnings(
    series: Mapping[str, np.ndarray], time_s: np.ndarray, cycles: dict[str, list[GaitCycle]]
) -> list[str]:
    """Side view: warnings for a leg whose hip angle is missing in too much of its gait cycles.

    Hip range and peaks are taken only over cycles the angle is seen through
    (:func:`gaitlab.kinematics.cycles.measured_through`); a leg hidden from the
    camera for most of every cycle has none, and its figures stay empty.
    """
    out = []
    for side in SIDES:
        values = series.get(f"hip_flexion_{side}")
        n = len(cycles.get(side, []))
        if values is None or n == 0:
            continue
        seen = sum(measured_through(values, time_s, c.start_s, c.end_s) for c in cycles[side])
        if seen == 0:
            out.append(
                f"The {side} hip angle is missing in more than half of every {side} gait cycle "
                f"(the pose model does not see that leg well): its range and peaks are not "
                f"measured; film the {side} side too (the patient walks the other way past the camera)."
            )
        elif seen < n:
            out.append(
                f"The {side} hip angle is seen through only {seen} of the {n} {side} gait cycles; "
                "its range and peaks rest on those."
            )
    return out


#: Share of consecutive heel strikes of the same side (instead of left, right,
#: left…) above which the events are reported as unreliable.
MAX_SAME_SIDE_SHARE = 0.2
#: Coefficient of variation of step times above which the events are reported as
#: unreliable: walking keeps it near 0.02–0.05, and even very irregular
#: pathological gait stays well under this.
MAX_STEP_TIME_CV = 0.3


def event_consistency_warning(heel_strikes: Mapping[str, Iterable[float]], view: str) -> list[str]:
    """Warn when the heel strikes found cannot be those of a walk.

    In walking, strikes alternate left and right at a nearly even rhythm.  Two
    of one side in a row mean a step was missed or found twice; step times that
    vary wildly mean strikes were found where there were none.  Either makes the
    step-based figures of the recording (and, from the front, the pelvic drop,
    measured between these events) unreliable.
    """
    seq = sorted((float(t), side) for side in SIDES for t in heel_strikes.get(side, ()))
    pairs = len(seq) - 1
    if pairs < 3:
        return []
    repeats = sum(1 for a, b in zip(seq, seq[1:]) if a[1] == b[1])
    steps = np.diff([t for t, _ in seq])
    cv = float(np.std(steps) / np.mean(steps)) if np.mean(steps) > 0 else np.inf
    if repeats <= MAX_SAME_SIDE_SHARE * pairs and cv <= MAX_STEP_TIME_CV:
        return []
    why = (
        f"{repeats} of {pairs} follow one of the same side"
        if repeats > MAX_SAME_SIDE_SHARE * pairs
        else f"the time from one to the next varies by {100 * cv:.0f} %"
    )
    if view == "frontal":
        figures, advice = "step times, cadence, stance and pelvic drop", "the side view of the visit measures the steps better"
    else:
        figures, advice = "step times, cadence and stance", "film again with the whole walk in view"
    return [
        f"The heel strikes found do not follow the rhythm of walking ({why}): steps were missed or "
        f"counted twice, so the {figures} figures of this recording are unreliable; {advice}."
    ]


def frame_rate_warning(fps: float) -> list[str]:
    """Warn when the frame rate limits event timing (half a frame interval, ms)."""
    if fps < MIN_GOOD_FPS:
        return [
            f"The frame rate is below {MIN_GOOD_FPS:g} fps ({fps:g} fps): event timing is "
            f"uncertain by about ±{500.0 / fps:.0f} ms."
        ]
    return []


def estimate_camera_obliquity_deg(image_px: np.ndarray, walking: np.ndarray) -> float | None:
    """How far a sagittal camera looks away from perpendicular to the walkway, degrees.

    Two cues of a turned body are combined and the larger is kept: the apparent
    median signed shoulder width against the trunk length (zero when seen
    exactly side-on; the shoulders open up as ``sin(angle)``), and the change of apparent body size
    along the walk (a walkway not parallel to the image plane brings the person
    closer or further).  None without walking frames.
    """
    if not walking.any():
        return None
    px = image_px[walking]
    trunk = np.linalg.norm(shoulder_midpoint_px(px) - hip_midpoint_px(px), axis=1)
    # signed: perspective opens the shoulders one way left of the image centre and
    # the other way right of it, which cancels out; a turned camera does not
    width = px[:, LEFT_SHOULDER, 0] - px[:, RIGHT_SHOULDER, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = width / (SHOULDER_TO_TRUNK * trunk)
    ratio = ratio[np.isfinite(ratio)]
    if ratio.size == 0:
        return None
    from_width = float(np.degrees(np.arcsin(np.clip(abs(np.median(ratio)), 0.0, 1.0))))
    length = body_length_px(px)
    x = hip_midpoint_px(px)[:, 0]
    ok = np.isfinite(length) & np.isfinite(x)
    from_depth = 0.0
    if ok.sum() >= 10 and np.ptp(x[ok]) > 0:
        # d(log size)/d(x in body lengths) ≈ tan(angle) · body length / distance; take distance ≈ 3 body lengths
        slope = np.polyfit(x[ok] / np.median(length[ok]), np.log(length[ok]), 1)[0]
        from_depth = float(np.degrees(np.arctan(abs(slope) * 3.0)))
    return max(from_width, from_depth)


def obliquity_warning(angle_deg: float | None) -> list[str]:
    """Warn that sagittal angles shrink when the camera is not perpendicular to the walkway.

    An angle θ in a plane turned by α away from the image plane appears about
    as atan(tan θ · cos α); for a 30° hip excursion the loss is reported.
    """
    if angle_deg is None or angle_deg <= MAX_OBLIQUITY_DEG:
        return []
    loss = 30.0 - np.degrees(np.arctan(np.tan(np.radians(30.0)) * np.cos(np.radians(angle_deg))))
    return [
        f"The camera is not perpendicular to the walkway (about {angle_deg:.0f}° off): sagittal "
        f"angles are foreshortened by about {loss:.0f}° at 30° of hip flexion."
    ]
