"""One per-side metric set for a visit, each metric from the view that measures it.

A visit usually has a sagittal pass (camera beside the walkway) and a frontal pass
(walking toward or away from the camera), recorded separately.  The sagittal view
measures hip flexion, step length and sagittal trunk lean; the frontal view
measures pelvic obliquity, pelvic drop and lateral trunk lean.  Gait timing
(cadence, step and stride time, stance and swing) can come from either view; the
side view sees heel strikes and toe offs best, so it is preferred and the frontal
pass fills in only when there is no usable sagittal one.

Per-side metrics (``{"left": …, "right": …}``) are always taken whole from one
recording, so a left value is never set against a right value of another pass.
Only complete analyses (status ``ok``) contribute.  When a visit has several
passes of one view, the one with the most gait cycles is used (the later one on a
tie).  Metric names, units and signs are those of ``spec/analysis-v1.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gaitlab.storage.records import Recording

_SAGITTAL = ("sagittal",)
_FRONTAL = ("frontal",)
_TIMING = ("sagittal", "frontal")

#: Views that measure each contract metric, best first.
METRIC_VIEWS: dict[str, tuple[str, ...]] = {
    "cadence_steps_per_min": _TIMING,
    "step_time_s": _TIMING,
    "stride_time_s": _TIMING,
    "stance_pct": _TIMING,
    "swing_pct": _TIMING,
    "double_support_pct": _TIMING,
    "n_cycles": _TIMING,
    "step_length_m": _SAGITTAL,
    "gait_speed_m_s": _SAGITTAL,
    "hip_rom_deg": _SAGITTAL,
    "hip_flexion_max_deg": _SAGITTAL,
    "hip_extension_max_deg": _SAGITTAL,
    "trunk_lean_sagittal_mean_deg": _SAGITTAL,
    "pelvic_obliquity_rom_deg": _FRONTAL,
    "pelvic_drop_deg": _FRONTAL,
    "trunk_lean_stance_deg": _FRONTAL,
    "trunk_lean_lateral_rom_deg": _FRONTAL,
}

#: Views that measure each entry of ``symmetry_index_pct``, best first.
SYMMETRY_VIEWS: dict[str, tuple[str, ...]] = {
    "step_time": _TIMING,
    "stance_time": _TIMING,
    "step_length": _SAGITTAL,
    "hip_rom": _SAGITTAL,
}


@dataclass(frozen=True)
class MetricSource:
    """Where a combined metric came from."""

    recording_id: int
    view: str


@dataclass(frozen=True)
class VisitMetrics:
    """The combined metrics of one visit.

    Attributes
    ----------
    metrics : dict
        Shaped like the contract's ``metrics`` block; metrics no recording measured
        are absent (never guessed).
    sources : dict of str to MetricSource
        For every metric in ``metrics`` (and ``"symmetry_index_pct.<name>"`` for the
        symmetry entries) the recording and view it came from.
    """

    metrics: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, MetricSource] = field(default_factory=dict)

    def source_of(self, name: str) -> MetricSource | None:
        return self.sources.get(name)


def _is_measured(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):
        return any(_is_measured(v) for v in value.values())
    return True


def _n_cycles(rec: Recording) -> int:
    counts = rec.metrics.get("n_cycles") or {}
    return sum(int(v) for v in counts.values() if isinstance(v, (int, float)))


def rank_recordings(recordings: Iterable[Recording]) -> dict[str, list[Recording]]:
    """Complete recordings per view, best first (most gait cycles, then latest)."""
    by_view: dict[str, list[Recording]] = {}
    for rec in recordings:
        if rec.status == "ok":
            by_view.setdefault(rec.view, []).append(rec)
    for recs in by_view.values():
        recs.sort(key=lambda r: (_n_cycles(r), r.analysed_at, r.recording_id), reverse=True)
    return by_view


def _pick(
    by_view: dict[str, list[Recording]], views: Sequence[str], get: Any
) -> tuple[Any, Recording] | None:
    for view in views:
        for rec in by_view.get(view, ()):
            value = get(rec)
            if _is_measured(value):
                return value, rec
    return None


def combine_visit_metrics(recordings: Iterable[Recording]) -> VisitMetrics:
    """Combine a visit's recordings into one metric set (see the module docstring).

    Parameters
    ----------
    recordings : iterable of Recording
        The visit's recordings (their ``metrics``; documents are not needed).

    Returns
    -------
    VisitMetrics
    """
    by_view = rank_recordings(recordings)
    metrics: dict[str, Any] = {}
    sources: dict[str, MetricSource] = {}
    names = list(METRIC_VIEWS)
    for recs in by_view.values():
        for rec in recs:
            names += [k for k in rec.metrics if k not in names and k != "symmetry_index_pct"]
    for name in names:
        views = METRIC_VIEWS.get(name, _TIMING)
        found = _pick(by_view, views, lambda r, name=name: r.metrics.get(name))
        if found is not None:
            value, rec = found
            metrics[name] = dict(value) if isinstance(value, dict) else value
            sources[name] = MetricSource(rec.recording_id, rec.view)
    symmetry: dict[str, Any] = {}
    keys = list(SYMMETRY_VIEWS)
    for recs in by_view.values():
        for rec in recs:
            keys += [k for k in (rec.metrics.get("symmetry_index_pct") or {}) if k not in keys]
    for key in keys:
        found = _pick(
            by_view,
            SYMMETRY_VIEWS.get(key, _TIMING),
            lambda r, key=key: (r.metrics.get("symmetry_index_pct") or {}).get(key),
        )
        if found is not None:
            symmetry[key], rec = found
            sources[f"symmetry_index_pct.{key}"] = MetricSource(rec.recording_id, rec.view)
    if symmetry:
        metrics["symmetry_index_pct"] = symmetry
    return VisitMetrics(metrics=metrics, sources=sources)
