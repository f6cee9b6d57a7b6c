"""Visits → comparison and findings (core, no Qt, no storage).

The caller (command line, app, report) turns library visits into
:class:`VisitData` (the visit's details plus the analysis documents of its
recordings) and asks:

* :func:`compare_visits` — visit B against visit A, with the patient's baseline;
* :func:`trend` — chosen metrics over all visits;
* :func:`choose_baseline` — pre-op, else the first post-op visit;
* :func:`combine_visit_metrics` — one per-side metric set from a visit's views.

Sources of every minimal detectable change and reference value are in
:mod:`gaitlab.compare.mdc`, :mod:`gaitlab.compare.reference` and ``docs/references.md``.
"""

from gaitlab.compare.camera import CameraPlacement, estimate_camera_placement
from gaitlab.compare.comparability import Comparability, ComparabilityIssue, check_comparability
from gaitlab.compare.comparison import (
    COMPARISON_SCHEMA,
    DEFAULT_TREND_METRICS,
    Comparison,
    Trend,
    TrendPoint,
    TrendSeries,
    VisitSummary,
    compare_visits,
    trend,
)
from gaitlab.compare.findings import Finding, derive_findings
from gaitlab.compare.mdc import MDC_TABLE, MdcEntry, look_up_mdc, mdc95_from_sem
from gaitlab.compare.measures import (
    TERMINOLOGY_GUARD,
    BudgetComponent,
    CurveComparison,
    MetricDelta,
    MotionBudget,
    StanceProfile,
)
from gaitlab.compare.reference import POPULATION_BANDS, ReferenceBand, population_band
from gaitlab.compare.visits import (
    METRIC_SPECS,
    CombinedMetrics,
    MetricSpec,
    MetricValue,
    VisitData,
    choose_baseline,
    combine_visit_metrics,
)

__all__ = [
    "COMPARISON_SCHEMA",
    "DEFAULT_TREND_METRICS",
    "MDC_TABLE",
    "METRIC_SPECS",
    "POPULATION_BANDS",
    "TERMINOLOGY_GUARD",
    "BudgetComponent",
    "CameraPlacement",
    "CombinedMetrics",
    "Comparability",
    "ComparabilityIssue",
    "Comparison",
    "CurveComparison",
    "Finding",
    "MdcEntry",
    "MetricDelta",
    "MetricSpec",
    "MetricValue",
    "MotionBudget",
    "ReferenceBand",
    "StanceProfile",
    "Trend",
    "TrendPoint",
    "TrendSeries",
    "VisitData",
    "VisitSummary",
    "check_comparability",
    "choose_baseline",
    "combine_visit_metrics",
    "compare_visits",
    "derive_findings",
    "estimate_camera_placement",
    "look_up_mdc",
    "mdc95_from_sem",
    "population_band",
    "trend",
]
