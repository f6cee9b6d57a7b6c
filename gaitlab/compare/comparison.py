"""Compare two visits of a patient, and follow metrics over all visits.

:func:`compare_visits` answers the clinician's question "what changed since last
time, and is it the compensation we worry about after fusion?": comparability
first, then metric deltas judged against their minimal detectable change, curves
per gait-cycle %, the patient's own baseline beside the healthy-adult references,
the frontal compensation profile per stance side, the lumbo-pelvic-hip motion
budget, findings and a narrative.  :func:`trend` follows chosen metrics over all
visits against the baseline.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from gaitlab.compare.comparability import Comparability, check_comparability
from gaitlab.compare.findings import Finding, derive_findings
from gaitlab.compare.mdc import MDC_TABLE, look_up_mdc
from gaitlab.compare.measures import (
    TERMINOLOGY_GUARD,
    CurveComparison,
    MetricDelta,
    MotionBudget,
    StanceProfile,
    budget_motion,
    compare_curves,
    compute_deltas,
    profile_compensation,
)
from gaitlab.compare.narrative import write_narrative
from gaitlab.compare.reference import NO_POPULATION_BAND, POPULATION_BANDS
from gaitlab.compare.visits import (
    SIDES,
    SPECS,
    CombinedMetrics,
    VisitData,
    choose_baseline,
    combine_visit_metrics,
)
from gaitlab.errors import InputError

#: Version of the comparison's JSON shape (``Comparison.to_dict``).
COMPARISON_SCHEMA = "gaitlab.comparison/1"


@dataclass(frozen=True)
class VisitSummary:
    """Who and when: the identity of a visit inside a comparison."""

    visit_id: str | int
    label: str
    date: datetime.date
    days_since_surgery: int | None
    walking_aid: str
    footwear: str
    pain_at_test: float | None
    red_flags: tuple[str, ...]
    views: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.label} ({self.date.isoformat()})"

    @classmethod
    def of(cls, v: VisitData) -> VisitSummary:
        return cls(
            visit_id=v.visit_id,
            label=v.label,
            date=v.date,
            days_since_surgery=v.days_since_surgery,
            walking_aid=v.walking_aid,
            footwear=v.footwear,
            pain_at_test=v.pain_at_test,
            red_flags=v.red_flags,
            views=v.views,
        )

    def to_dict(self) -> dict:
        return {
            "visit_id": self.visit_id,
            "label": self.label,
            "date": self.date.isoformat(),
            "days_since_surgery": self.days_since_surgery,
            "walking_aid": self.walking_aid,
            "footwear": self.footwear,
            "pain_at_test": self.pain_at_test,
            "red_flags": list(self.red_flags),
            "views": list(self.views),
        }


@dataclass(frozen=True)
class Comparison:
    """Everything gaitlab says about visit B against visit A.

    Attributes
    ----------
    visit_a, visit_b : VisitSummary
        The earlier and the later visit.
    baseline : VisitSummary or None
        The patient's own reference visit (pre-op, else first post-op).
    comparability : Comparability
        The check made before any change is shown.
    metrics_a, metrics_b : CombinedMetrics
        Each visit's combined per-side metric set.
    deltas : tuple of MetricDelta
        Every metric's change, judged against its MDC, with the baseline band and the
        population band.
    curves : tuple of CurveComparison
        Gait-cycle curves compared per side.
    compensation : (StanceProfile, StanceProfile)
        Visit B's frontal compensation profile for left and right stance.
    motion_budget : MotionBudget
        Hip range, pelvic obliquity range and trunk excursion with their changes.
    findings : tuple of Finding
        Rule-based findings, red flags first.
    narrative : str
        One paragraph for a referral letter.
    terminology_note : str
        Video pelvic tilt/obliquity is not radiographic spinopelvic tilt.
    """

    visit_a: VisitSummary
    visit_b: VisitSummary
    baseline: VisitSummary | None
    comparability: Comparability
    metrics_a: CombinedMetrics
    metrics_b: CombinedMetrics
    deltas: tuple[MetricDelta, ...]
    curves: tuple[CurveComparison, ...]
    compensation: tuple[StanceProfile, StanceProfile]
    motion_budget: MotionBudget
    findings: tuple[Finding, ...]
    narrative: str
    terminology_note: str = TERMINOLOGY_GUARD

    def delta(self, name: str, side: str | None = None) -> MetricDelta | None:
        """The change of a metric (and side), or None when it is not compared."""
        return next((d for d in self.deltas if d.name == name and d.side == side), None)

    def findings_of(self, kind: str) -> tuple[Finding, ...]:
        """The findings of one kind."""
        return tuple(f for f in self.findings if f.kind == kind)

    def profile(self, stance_side: str) -> StanceProfile:
        """The compensation profile of one stance side."""
        return next(p for p in self.compensation if p.stance_side == stance_side)

    def to_dict(self) -> dict:
        """JSON-ready dictionary (dates as ISO strings)."""
        used = {d.name for d in self.deltas}
        return {
            "schema": COMPARISON_SCHEMA,
            "visit_a": self.visit_a.to_dict(),
            "visit_b": self.visit_b.to_dict(),
            "baseline": self.baseline.to_dict() if self.baseline else None,
            "comparability": self.comparability.to_dict(),
            "metrics_a": self.metrics_a.to_dict(),
            "metrics_b": self.metrics_b.to_dict(),
            "deltas": [d.to_dict() for d in self.deltas],
            "curves": [c.to_dict() for c in self.curves],
            "compensation": [p.to_dict() for p in self.compensation],
            "motion_budget": self.motion_budget.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "narrative": self.narrative,
            "terminology_note": self.terminology_note,
            "mdc_table": [MDC_TABLE[n].to_dict() for n in MDC_TABLE if n in used],
            "population_references": [POPULATION_BANDS[n].to_dict() for n in POPULATION_BANDS],
            "no_population_reference": dict(NO_POPULATION_BAND),
        }


def compare_visits(a: VisitData, b: VisitData, *, baseline: VisitData | None = None) -> Comparison:
    """Compare visit B (later) with visit A (earlier).

    Parameters
    ----------
    a, b : VisitData
        The visits, each with at least one analysed recording.  Changes are
        ``b - a`` in the contract's units and signs.
    baseline : VisitData, optional
        The patient's own reference visit (see :func:`~gaitlab.compare.visits.choose_baseline`);
        it gives the baseline band and "partial recovery" findings.  It may be ``a``.

    Returns
    -------
    Comparison
        Frozen; ``.to_dict()`` is JSON-ready.

    Raises
    ------
    InputError
        When a visit has no analysed recording, or A and B are the same visit.
    ValidationError
        When a document is not a ``gaitlab.analysis/1`` document.
    """
    if a.visit_id == b.visit_id:
        raise InputError(f"A visit cannot be compared with itself ({a.name}).")
    for v in (a, b):
        if not v.documents:
            raise InputError(f"The visit {v.name} has no analysed recording to compare.")
    ma, mb = combine_visit_metrics(a.documents), combine_visit_metrics(b.documents)
    mbase: CombinedMetrics | None = None
    if baseline is not None:
        if not baseline.documents:
            raise InputError(f"The baseline visit {baseline.name} has no analysed recording.")
        mbase = ma if baseline.visit_id == a.visit_id else combine_visit_metrics(baseline.documents)
    comparability = check_comparability(a, b, ma, mb)
    deltas = compute_deltas(ma, mb, mbase)
    curves = compare_curves(ma, mb, mbase)
    reference, reference_name = (mbase, baseline.name) if baseline is not None else (ma, a.name)
    compensation = profile_compensation(mb, reference, reference_name)
    budget = budget_motion(ma, mb, mbase, reference_name)
    findings: tuple[Finding, ...]
    if comparability.status == "not comparable":
        # Nothing is compared silently: only red flags are reported for such a pair.
        findings = derive_findings(a, b, (), (), budget, baseline=baseline)
    else:
        findings = derive_findings(a, b, deltas, compensation, budget, baseline=baseline)
    narrative = write_narrative(a, b, findings, comparability, budget)
    return Comparison(
        visit_a=VisitSummary.of(a),
        visit_b=VisitSummary.of(b),
        baseline=VisitSummary.of(baseline) if baseline is not None else None,
        comparability=comparability,
        metrics_a=ma,
        metrics_b=mb,
        deltas=deltas,
        curves=curves,
        compensation=compensation,
        motion_budget=budget,
        findings=findings,
        narrative=narrative,
    )


#: Metrics the trend follows when none are named.
DEFAULT_TREND_METRICS: tuple[str, ...] = (
    "cadence_steps_per_min",
    "gait_speed_m_s",
    "step_length_m",
    "hip_rom_deg",
    "pelvic_drop_deg",
    "pelvic_obliquity_rom_deg",
    "trunk_lean_sagittal_mean_deg",
    "trunk_lean_sagittal_rom_deg",
    "trunk_lean_lateral_rom_deg",
)


@dataclass(frozen=True)
class TrendPoint:
    """One visit's value of a metric in a trend.

    ``change_from_baseline`` is ``value - baseline value`` in the metric's unit;
    ``beyond_mdc`` says whether it reaches the metric's MDC.
    """

    visit_id: str | int
    label: str
    date: datetime.date
    days_since_surgery: int | None
    value: float | None
    change_from_baseline: float | None
    beyond_mdc: bool

    def to_dict(self) -> dict:
        return {
            "visit_id": self.visit_id,
            "label": self.label,
            "date": self.date.isoformat(),
            "days_since_surgery": self.days_since_surgery,
            "value": self.value,
            "change_from_baseline": self.change_from_baseline,
            "beyond_mdc": self.beyond_mdc,
        }


@dataclass(frozen=True)
class TrendSeries:
    """One metric (one side) over all visits, in date order."""

    metric: str
    label: str
    side: str | None
    unit: str
    mdc: float
    points: tuple[TrendPoint, ...]
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "metric": self.metric,
            "label": self.label,
            "side": self.side,
            "unit": self.unit,
            "mdc": self.mdc,
            "points": [p.to_dict() for p in self.points],
            "note": self.note,
        }


@dataclass(frozen=True)
class Trend:
    """Chosen metrics of a patient over all visits, against the patient's baseline."""

    baseline: VisitSummary | None
    series: tuple[TrendSeries, ...]

    def get(self, metric: str, side: str | None = None) -> TrendSeries | None:
        return next((s for s in self.series if s.metric == metric and s.side == side), None)

    def to_dict(self) -> dict:
        return {
            "baseline": self.baseline.to_dict() if self.baseline else None,
            "series": [s.to_dict() for s in self.series],
        }


def trend(
    visits: Sequence[VisitData],
    metrics: Sequence[str] = DEFAULT_TREND_METRICS,
    *,
    baseline: VisitData | None = None,
) -> Trend:
    """Follow metrics over all visits of a patient.

    Parameters
    ----------
    visits : sequence of VisitData
        The patient's visits, any order; visits without analysed recordings are left out.
    metrics : sequence of str
        Metric names (sided metrics give one series per side).
    baseline : VisitData, optional
        The reference visit; by default :func:`~gaitlab.compare.visits.choose_baseline`.

    Raises
    ------
    InputError
        For an unknown metric name, or when no visit has an analysed recording.
    """
    for name in metrics:
        if name not in SPECS:
            raise InputError(
                f"gaitlab cannot follow the metric {name!r}; known metrics: {', '.join(SPECS)}."
            )
    usable = sorted((v for v in visits if v.documents), key=lambda v: v.date)
    if not usable:
        raise InputError("None of the patient's visits has an analysed recording.")
    base = baseline if baseline is not None else choose_baseline(usable)
    combined = {id(v): combine_visit_metrics(v.documents) for v in usable}
    base_metrics = combined.get(id(base)) if base is not None else None
    if base is not None and base_metrics is None:
        base_metrics = combine_visit_metrics(base.documents)
    series = []
    for name in metrics:
        spec = SPECS[name]
        mdc = look_up_mdc(name).mdc
        for side in SIDES if spec.sided else (None,):
            base_value = base_metrics.value(name, side) if base_metrics is not None else None
            points = []
            for v in usable:
                value = combined[id(v)].value(name, side)
                change = None if value is None or base_value is None else value - base_value
                points.append(
                    TrendPoint(
                        visit_id=v.visit_id,
                        label=v.label,
                        date=v.date,
                        days_since_surgery=v.days_since_surgery,
                        value=value,
                        change_from_baseline=change,
                        beyond_mdc=change is not None and abs(change) >= mdc - 1e-9,
                    )
                )
            series.append(
                TrendSeries(
                    metric=name,
                    label=spec.label,
                    side=side,
                    unit=spec.unit,
                    mdc=mdc,
                    points=tuple(points),
                    note=TERMINOLOGY_GUARD if name.startswith("pelvic") else "",
                )
            )
    return Trend(baseline=VisitSummary.of(base) if base is not None else None, series=tuple(series))
