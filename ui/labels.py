"""Names, units and caveats of the contract's series and metrics, as the app shows them.

Qt-free.  The wording follows ``spec/analysis-v1.md``: sides are the patient's,
hip flexion is a 2-D proxy (against the trunk line), and video pelvic obliquity or
tilt is a dynamic gait measure, not the radiographic spinopelvic PT/PI/SS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Shown wherever hip flexion is shown.
HIP_PROXY_NOTE = (
    "2-D proxy: hip flexion is measured against the trunk line in the image, not against "
    "the pelvis as in 3-D gait labs."
)

#: Shown wherever pelvic obliquity or tilt is shown.
TERMINOLOGY_GUARD = (
    "Video pelvic obliquity/tilt is a dynamic gait measure (the pelvis moving during walking, "
    "seen in 2-D), not the radiographic spinopelvic pelvic tilt (PT/PI/SS) read from X-rays."
)


@dataclass(frozen=True)
class SeriesLabel:
    """How a series (a contract base name, without side) is shown."""

    base: str
    title: str
    positive: str
    view: str
    sided: bool
    note: str = ""


SERIES_LABELS: dict[str, SeriesLabel] = {
    s.base: s
    for s in (
        SeriesLabel("hip_flexion", "Hip flexion (2-D proxy)", "+ flexion / − extension", "sagittal", True, HIP_PROXY_NOTE),
        SeriesLabel("knee_flexion", "Knee flexion", "+ knee bent", "sagittal", True),
        SeriesLabel("thigh_angle", "Thigh angle", "+ knee ahead of the hip", "sagittal", True),
        SeriesLabel("trunk_lean_sagittal", "Trunk lean, forward", "+ forward", "sagittal", False),
        SeriesLabel("pelvic_tilt", "Pelvic tilt (markers)", "+ anterior", "sagittal", False, TERMINOLOGY_GUARD),
        SeriesLabel("pelvic_obliquity", "Pelvic obliquity", "+ left hip higher", "frontal", False, TERMINOLOGY_GUARD),
        SeriesLabel("hip_adduction", "Hip adduction", "+ knee toward the midline", "frontal", True),
        SeriesLabel("trunk_lean_lateral", "Trunk lean, lateral", "+ toward the patient's left", "frontal", False),
    )
}

#: Series shown for each view, in order.
VIEW_SERIES: dict[str, tuple[str, ...]] = {
    "sagittal": ("hip_flexion", "knee_flexion", "trunk_lean_sagittal", "pelvic_tilt"),
    "frontal": ("pelvic_obliquity", "hip_adduction", "trunk_lean_lateral"),
}


def series_names(base: str) -> tuple[str, ...]:
    """Contract series names of a base name: ("hip_flexion_left", "hip_flexion_right") or ("pelvic_obliquity",)."""
    label = SERIES_LABELS.get(base)
    if label is not None and label.sided:
        return (f"{base}_left", f"{base}_right")
    return (base,)


def split_series_name(name: str) -> tuple[str, str | None]:
    """("hip_flexion", "left") from "hip_flexion_left"; (name, None) for unsided series."""
    for side in ("left", "right"):
        if name.endswith("_" + side):
            return name[: -len(side) - 1], side
    return name, None


def has_values(values) -> bool:
    """True when a series holds at least one measured (non-null, finite) value."""
    return any(v is not None and math.isfinite(v) for v in (values or ()))


@dataclass(frozen=True)
class MetricLabel:
    key: str
    title: str
    unit: str
    digits: int = 1
    note: str = ""


METRIC_LABELS: dict[str, MetricLabel] = {
    m.key: m
    for m in (
        MetricLabel("cadence_steps_per_min", "Cadence", "steps/min"),
        MetricLabel("gait_speed_m_s", "Gait speed", "m/s", 2),
        MetricLabel("step_time_s", "Step time", "s", 3),
        MetricLabel("stride_time_s", "Stride time", "s", 3),
        MetricLabel("stance_pct", "Stance", "% of cycle"),
        MetricLabel("swing_pct", "Swing", "% of cycle"),
        MetricLabel("double_support_pct", "Double support", "% of cycle"),
        MetricLabel("step_length_m", "Step length", "m", 2),
        MetricLabel("hip_rom_deg", "Hip flexion–extension range (2-D proxy)", "°", 1, HIP_PROXY_NOTE),
        MetricLabel("hip_flexion_max_deg", "Peak hip flexion (2-D proxy)", "°", 1, HIP_PROXY_NOTE),
        MetricLabel("hip_extension_max_deg", "Peak hip extension (2-D proxy)", "°", 1, HIP_PROXY_NOTE),
        MetricLabel("knee_flexion_max_deg", "Peak knee flexion", "°"),
        MetricLabel("pelvic_obliquity_rom_deg", "Pelvic obliquity range", "°", 1, TERMINOLOGY_GUARD),
        MetricLabel("pelvic_drop_deg", "Pelvic drop (of this side)", "°", 1, TERMINOLOGY_GUARD),
        MetricLabel("trunk_lean_stance_deg", "Trunk lean toward the stance side", "°"),
        MetricLabel("trunk_lean_sagittal_mean_deg", "Forward trunk lean, mean", "°"),
        MetricLabel("trunk_lean_lateral_rom_deg", "Lateral trunk lean range", "°"),
        MetricLabel("hip_adduction_stance_deg", "Hip adduction in stance", "°"),
        MetricLabel("n_cycles", "Gait cycles analysed", "", 0),
    )
}

#: Symmetry indices by the metric whose sides they compare.
SYMMETRY_KEYS = {"step_time_s": "step_time", "stance_pct": "stance_time", "step_length_m": "step_length",
                 "hip_rom_deg": "hip_rom"}


def metric_label(key: str) -> MetricLabel:
    if key in METRIC_LABELS:
        return METRIC_LABELS[key]
    return MetricLabel(key, key.replace("_", " ").capitalize(), "")


def format_value(value, digits: int = 1) -> str:
    """A number for a table cell ('—' when not measured)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:.{digits}f}"
    return str(value)


def metric_rows(metrics: dict) -> list[tuple[str, str, str, str, str]]:
    """Rows (metric, left, right, both/whole-body, symmetry index) of a document's metrics.

    Per-side metrics fill left/right; whole-body metrics fill the third column; the
    symmetry index (100·(L−R)/mean, positive = left larger) is shown beside the
    metric it compares.
    """
    rows = []
    symmetry = metrics.get("symmetry_index_pct") or {}
    for key, value in metrics.items():
        if key == "symmetry_index_pct":
            continue
        label = metric_label(key)
        title = f"{label.title} ({label.unit})" if label.unit else label.title
        if isinstance(value, dict):
            left = format_value(value.get("left"), label.digits)
            right = format_value(value.get("right"), label.digits)
            si = symmetry.get(SYMMETRY_KEYS.get(key, ""), None)
            rows.append((title, left, right, "", format_value(si, 1)))
        else:
            rows.append((title, "", "", format_value(value, label.digits), ""))
    return rows
