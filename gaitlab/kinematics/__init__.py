"""Gait kinematics: view, events, angles, cycles, spatiotemporal metrics, quality.

:func:`analyze_gait` is the one entry point: it cleans the landmarks
(:mod:`gaitlab.processing`), measures the angle series of the view, finds heel
strikes and toe offs, builds gait cycles, averages cycle-normalised curves and
computes the metrics and warnings of ``spec/analysis-v1.md``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.kinematics.angles import compute_angles
from gaitlab.kinematics.cycles import build_cycles, compute_cycle_curves
from gaitlab.kinematics.events import detect_gait_events
from gaitlab.kinematics.quality import (
    count_warnings,
    estimate_camera_obliquity_deg,
    event_consistency_warning,
    frame_rate_warning,
    obliquity_warning,
    unmeasured_hip_warnings,
)
from gaitlab.kinematics.spatiotemporal import compute_metrics
from gaitlab.processing import clean_pose
from gaitlab.types import SIDES, Direction, GaitCycle, PoseSequence, View

__all__ = ["GaitAnalysis", "KinematicsSettings", "analyze_gait"]

_DIRECTIONS = {"sagittal": ("left", "right"), "frontal": ("toward", "away")}


@dataclass(frozen=True)
class KinematicsSettings:
    """Settings of the measurement (they go into the document's ``settings``).

    Attributes
    ----------
    lowpass_hz : float
        Cut-off of the zero-lag Butterworth low-pass filter on landmarks, Hz.
    max_gap_s : float
        Longest run of missing frames that is interpolated, s; longer gaps stay null.
    min_visibility, min_presence : float
        Landmarks the pose model scores lower (0..1) are treated as missing.
    """

    lowpass_hz: float = 6.0
    max_gap_s: float = 0.15
    min_visibility: float = 0.5
    min_presence: float = 0.5

    def __post_init__(self) -> None:
        if not (self.lowpass_hz > 0):
            raise ValidationError(f"The low-pass cut-off must be positive; got {self.lowpass_hz:g} Hz.")
        if not (0 <= self.max_gap_s <= 2):
            raise ValidationError(f"The longest gap to fill must lie between 0 and 2 s; got {self.max_gap_s:g}.")
        for name in ("min_visibility", "min_presence"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValidationError(f"{name} must lie between 0 and 1; got {value:g}.")

    def to_contract(self) -> dict:
        """The settings as plain JSON values."""
        return {k: float(v) for k, v in asdict(self).items()}


def _none_for_nan(values: np.ndarray) -> list:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(values, dtype=np.float64)]


def _json_metrics(value):
    if isinstance(value, dict):
        return {k: _json_metrics(v) for k, v in value.items()}
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    return value


@dataclass(frozen=True)
class GaitAnalysis:
    """The measured gait of one walk (the contract's series, events, cycles, metrics).

    Attributes
    ----------
    series : dict of str to (T,) float
        Angle series by contract name, degrees, aligned with the pose's ``time_s``;
        NaN where not measured.
    events : dict
        ``{"heel_strike": {"left": [...], "right": [...]}, "toe_off": {...}}``,
        seconds of video time.
    cycles : dict
        ``{series name: {"mean": [101], "sd": [101], "n": k}}``, degrees.
    metrics : dict
        The contract's metrics for the view.
    side_swaps_corrected : int
        Frames whose left/right labels were corrected.
    warnings : list of str
        Plain-language quality warnings.
    enough_walking : bool
        False when there is not at least one full gait cycle of each leg.
    gait_cycles : dict of str to list of GaitCycle
        The cycles behind the curves and metrics.
    """

    series: dict[str, np.ndarray]
    events: dict
    cycles: dict
    metrics: dict
    side_swaps_corrected: int
    warnings: list[str]
    enough_walking: bool
    gait_cycles: dict[str, list[GaitCycle]] = field(default_factory=dict)

    def to_contract(self) -> dict:
        """``{"series", "events", "cycles", "metrics"}`` as JSON values (None for NaN)."""
        return {
            "series": {name: _none_for_nan(v) for name, v in self.series.items()},
            "events": {
                kind: {side: [round(float(t), 4) for t in self.events[kind][side]] for side in SIDES}
                for kind in ("heel_strike", "toe_off")
            },
            "cycles": {
                name: {"mean": _none_for_nan(c["mean"]), "sd": _none_for_nan(c["sd"]), "n": int(c["n"])}
                for name, c in self.cycles.items()
            },
            "metrics": _json_metrics(self.metrics),
        }


#: Said with every frontal analysis whose pelvic obliquity comes from the pose model's
#: hip points (docs/accuracy.md has the figures behind it).
LANDMARK_OBLIQUITY_WARNING = (
    "Pelvic obliquity and pelvic drop come from the pose model's hip points, whose line "
    "tilts with the trunk's sideways lean more than with the pelvis (on gaitlab's synthetic "
    "test walks they did not follow the true pelvic drop); for a trustworthy measure, put "
    "stickers on both ASIS (filming from the front) or both PSIS (from behind)."
)


def analyze_gait(
    pose: PoseSequence,
    *,
    view: View,
    direction: Direction,
    height_cm: float | None = None,
    settings: KinematicsSettings = KinematicsSettings(),
    pelvic_obliquity_deg: np.ndarray | None = None,
) -> GaitAnalysis:
    """Measure the gait of one person.

    Parameters
    ----------
    pose : PoseSequence
        The person's landmarks as the pose model gave them.
    view : {"sagittal", "frontal"}
        Camera view (see :func:`gaitlab.kinematics.view.detect_view`).
    direction : {"left", "right"} or {"toward", "away"}
        Walking direction within the view.
    height_cm : float, optional
        The patient's body height, cm; the scale for step length and speed
        (sagittal only).  Without it those metrics are null.
    settings : KinematicsSettings
        Filtering, gap and gating settings.
    pelvic_obliquity_deg : (T,) float, optional
        Frontal view only: pelvic obliquity measured another way (skin stickers on
        both ASIS or both PSIS, :mod:`gaitlab.markers`), aligned with
        ``pose.time_s``, degrees, positive when the left side is higher.  It takes
        precedence over the obliquity of the pose model's hip points, and the
        obliquity metrics (range, pelvic drop) follow it.

    Returns
    -------
    GaitAnalysis
        ``enough_walking`` is False when fewer than one full gait cycle per leg
        was found; the series are still measured and the warnings say why.

    Raises
    ------
    ValidationError
        For a view or direction that does not belong together, or a body height
        outside 50..250 cm.
    """
    if view not in _DIRECTIONS or direction not in _DIRECTIONS[view]:
        raise ValidationError(f"A {view} view cannot have the walking direction {direction!r}.")
    if height_cm is not None and not (50.0 <= float(height_cm) <= 250.0):
        raise ValidationError(f"The body height must be between 50 and 250 cm; got {height_cm:g}.")
    cleaned = clean_pose(
        pose,
        view=view,
        direction=direction,
        min_visibility=settings.min_visibility,
        min_presence=settings.min_presence,
        max_gap_s=settings.max_gap_s,
        lowpass_hz=settings.lowpass_hz,
    )
    px = cleaned.pose.image_px
    t = cleaned.pose.time_s
    series = compute_angles(px, view, direction)
    if view == "frontal" and pelvic_obliquity_deg is not None:
        obliquity = np.asarray(pelvic_obliquity_deg, dtype=float)
        if obliquity.shape != t.shape:
            raise ValidationError("The sticker obliquity must have one value per analysed frame.")
        series["pelvic_obliquity"] = obliquity
    events = detect_gait_events(px, t, fps=pose.fps, walking=cleaned.walking, view=view, direction=direction)
    gait_cycles = build_cycles(events["heel_strike"], events["toe_off"], t, cleaned.walking)
    enough = all(len(gait_cycles[s]) >= 1 for s in SIDES)
    warnings = list(cleaned.warnings)
    if not cleaned.walking.any():
        warnings.insert(0, "No walking was found in the video: the person stands, turns or is not fully in the picture.")
    warnings += count_warnings(gait_cycles)
    warnings += event_consistency_warning(events["heel_strike"], view)
    warnings += frame_rate_warning(pose.fps)
    if view == "sagittal":
        warnings += obliquity_warning(estimate_camera_obliquity_deg(px, cleaned.walking))
        warnings += unmeasured_hip_warnings(series, t, gait_cycles)
    elif pelvic_obliquity_deg is None:
        warnings.append(LANDMARK_OBLIQUITY_WARNING)
    if not enough:
        return GaitAnalysis(
            series=series,
            events={"heel_strike": {s: [] for s in SIDES}, "toe_off": {s: [] for s in SIDES}},
            cycles={},
            metrics={},
            side_swaps_corrected=cleaned.side_swaps_corrected,
            warnings=warnings,
            enough_walking=False,
            gait_cycles=gait_cycles,
        )
    metrics = compute_metrics(
        view=view,
        series=series,
        image_px=px,
        time_s=t,
        walking=cleaned.walking,
        events=events,
        cycles=gait_cycles,
        height_cm=height_cm,
        image_size_px=pose.image_size_px,
    )
    return GaitAnalysis(
        series=series,
        events={k: {s: [float(x) for x in events[k][s]] for s in SIDES} for k in events},
        cycles=compute_cycle_curves(series, t, gait_cycles),
        metrics=metrics,
        side_swaps_corrected=cleaned.side_swaps_corrected,
        warnings=warnings,
        enough_walking=True,
        gait_cycles=gait_cycles,
    )
