"""A visit as the comparison sees it, and one metric set per visit from its recordings.

A visit usually has a sagittal (side) and a frontal (front) recording, each analysed
into its own contract document (``spec/analysis-v1.md``).  :func:`combine_visit_metrics`
merges them into one per-side metric set, taking each metric from the view that
measures it, and remembers where every number came from.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from gaitlab.contract import SCHEMA_ID
from gaitlab.errors import InputError, ValidationError
from gaitlab.types import PoseSequence

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")
#: Which view a metric is taken from: one view, or "temporal" (the view with more valid
#: cycles, because both views see the feet strike and leave the floor).
Source = Literal["sagittal", "frontal", "temporal", "spatial"]
#: Which way of change is the post-fusion concern.
Concern = Literal["increase", "decrease", "none"]


@dataclass(frozen=True)
class MetricSpec:
    """What gaitlab knows about a metric it compares.

    Attributes
    ----------
    name : str
        Contract metric name, or a derived metric (``derived`` True).
    label : str
        Plain words for the clinician.
    unit : str
        Unit of the values.
    sided : bool
        True for a left/right pair.
    source : {"sagittal", "frontal", "temporal", "spatial"}
        The view that measures it; "temporal": the sagittal view when it has a cycle
        of each leg, else the view with more valid cycles;
        "spatial": the sagittal view when it has a value, else the frontal one.
    concern : {"increase", "decrease", "none"}
        The direction of change that matters after a lumbar fusion.
    measure : {"angle", "2-D proxy", "time", "length", "speed", "rate", "share"}
        "angle": a segment angle against the vertical in the camera plane;
        "2-D proxy": stands in for a different clinical (3-D) angle.
    derived : bool
        Computed by the comparison from the document's cycles or series.
    """

    name: str
    label: str
    unit: str
    sided: bool
    source: Source
    concern: Concern
    measure: str
    derived: bool = False


#: The metrics a visit's combined set holds, in table order.
METRIC_SPECS: tuple[MetricSpec, ...] = (
    MetricSpec("gait_speed_m_s", "walking speed", "m/s", False, "spatial", "decrease", "speed"),
    MetricSpec("cadence_steps_per_min", "cadence", "steps/min", False, "temporal", "decrease", "rate"),
    MetricSpec("step_length_m", "step length", "m", True, "spatial", "decrease", "length"),
    MetricSpec("step_time_s", "step time", "s", True, "temporal", "none", "time"),
    MetricSpec("stride_time_s", "stride time", "s", True, "temporal", "increase", "time"),
    MetricSpec("stance_pct", "stance", "%", True, "temporal", "none", "share"),
    MetricSpec("swing_pct", "swing", "%", True, "temporal", "none", "share"),
    MetricSpec("double_support_pct", "double support", "%", False, "temporal", "increase", "share"),
    MetricSpec("hip_rom_deg", "hip flexion-extension range", "deg", True, "sagittal", "increase", "2-D proxy"),
    MetricSpec("hip_flexion_max_deg", "peak hip flexion", "deg", True, "sagittal", "none", "2-D proxy"),
    MetricSpec("hip_extension_max_deg", "peak hip extension", "deg", True, "sagittal", "none", "2-D proxy"),
    MetricSpec("trunk_lean_sagittal_mean_deg", "forward trunk lean", "deg", False, "sagittal", "increase", "angle"),
    MetricSpec("trunk_lean_sagittal_rom_deg", "trunk sagittal excursion", "deg", False, "sagittal", "none", "angle", True),
    MetricSpec("pelvic_obliquity_rom_deg", "pelvic obliquity range", "deg", False, "frontal", "increase", "2-D proxy"),
    MetricSpec("pelvic_tilt_rom_deg", "pelvic tilt range (skin stickers)", "deg", False, "sagittal", "increase", "angle"),
    MetricSpec("pelvic_tilt_mean_deg", "mean anterior pelvic tilt (skin stickers)", "deg", False, "sagittal", "none", "angle"),
    MetricSpec("pelvic_drop_deg", "pelvic drop", "deg", True, "frontal", "increase", "2-D proxy"),
    MetricSpec("trunk_lean_stance_deg", "trunk lean toward the stance side", "deg", True, "frontal", "increase", "angle"),
    MetricSpec("trunk_lean_lateral_rom_deg", "trunk lateral excursion", "deg", False, "frontal", "increase", "angle"),
    MetricSpec("hip_adduction_stance_max_deg", "peak hip adduction in stance", "deg", True, "frontal", "increase", "2-D proxy", True),
)
SPECS: dict[str, MetricSpec] = {s.name: s for s in METRIC_SPECS}


@dataclass(frozen=True)
class VisitData:
    """One visit of a patient, with the analysis documents of its recordings.

    Built by the caller from the patient library (or from files); the comparison
    never reads storage itself.

    Attributes
    ----------
    visit_id : str or int
        The library's id of the visit (any stable identifier).
    date : datetime.date
        Day of the visit.
    label : str
        The clinician's name for the visit ("pre-op", "6 weeks", ...).
    days_since_surgery : int or None
        Negative before the operation; None when the surgery date is unknown.
    scores : mapping
        Patient-reported scores (hip pain NRS left/right, back pain NRS, ODI), by key.
    treatments : tuple of str
        Current treatments (keys such as "nsaids", "pelvic_belt").
    walking_aid : str
        Walking aid or orthosis at the recording ("none", "cane", ...).
    footwear : str
        Footwear at the recording.
    pain_at_test : float or None
        Pain (NRS 0-10) while walking for the recording.
    red_flags : tuple of str
        Red-flag symptoms recorded at the visit (keys such as "new_numbness_or_weakness").
    documents : tuple of dict
        Analysis documents (schema ``gaitlab.analysis/1``) of the visit's recordings.
    poses : tuple of PoseSequence or None
        Optional landmarks behind each document (same order), used only to check that
        the camera was placed alike at both visits.
    """

    visit_id: str | int
    date: datetime.date
    label: str
    days_since_surgery: int | None = None
    scores: Mapping[str, float | None] = field(default_factory=dict)
    treatments: tuple[str, ...] = ()
    walking_aid: str = "none"
    footwear: str = ""
    pain_at_test: float | None = None
    red_flags: tuple[str, ...] = ()
    documents: tuple[dict, ...] = ()
    poses: tuple[PoseSequence | None, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.date, datetime.date):
            raise ValidationError(f"The date of visit {self.label!r} must be a calendar date.")
        for i, doc in enumerate(self.documents):
            check_document(doc, where=f"recording {i + 1} of visit {self.label!r}")
        if self.poses and len(self.poses) != len(self.documents):
            raise ValidationError(
                f"Visit {self.label!r} has {len(self.poses)} pose sequences for "
                f"{len(self.documents)} analysis documents."
            )
        # Tuples keep the frozen visit immutable even when lists were passed.
        object.__setattr__(self, "treatments", tuple(self.treatments))
        object.__setattr__(self, "red_flags", tuple(self.red_flags))
        object.__setattr__(self, "documents", tuple(self.documents))
        object.__setattr__(self, "poses", tuple(self.poses))

    @property
    def name(self) -> str:
        """Label and date, as the clinician reads it: "6 weeks (2026-04-13)"."""
        return f"{self.label} ({self.date.isoformat()})"

    @property
    def views(self) -> tuple[str, ...]:
        return tuple(sorted({d["view"] for d in self.documents}))


def check_document(doc: object, *, where: str = "the recording") -> None:
    """Raise :class:`ValidationError` unless ``doc`` has the parts the comparison reads.

    The full JSON Schema check belongs to :func:`gaitlab.contract.validate_document`;
    this checks the version, the view and the metrics block, so that a document
    from elsewhere fails with a clear sentence instead of a KeyError.
    """
    if not isinstance(doc, Mapping):
        raise ValidationError(f"The analysis of {where} is not a JSON object.")
    if doc.get("schema") != SCHEMA_ID:
        raise ValidationError(
            f"The analysis of {where} has schema {doc.get('schema')!r}; gaitlab compares "
            f"{SCHEMA_ID} documents only."
        )
    if doc.get("view") not in ("sagittal", "frontal"):
        raise ValidationError(f"The analysis of {where} has no sagittal or frontal view.")
    if not isinstance(doc.get("metrics"), Mapping):
        raise ValidationError(f"The analysis of {where} has no metrics block.")


@dataclass(frozen=True)
class MetricValue:
    """One number of a visit's combined metric set.

    Attributes
    ----------
    name : str
        Metric name.
    side : {"left", "right"} or None
        The patient's side for a sided metric; None for a whole-body metric.
    value : float or None
        The value in ``unit``; None when the visit's recordings do not measure it.
    unit : str
        Unit of ``value``.
    view : str or None
        View of the recording the value was taken from.
    n_cycles : int
        Valid gait cycles behind the value (of that side; the smaller of the two sides
        for a whole-body metric).
    """

    name: str
    side: Side | None
    value: float | None
    unit: str
    view: str | None
    n_cycles: int

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "side": self.side,
            "value": self.value,
            "unit": self.unit,
            "view": self.view,
            "n_cycles": self.n_cycles,
        }


@dataclass(frozen=True)
class CombinedMetrics:
    """One per-side metric set for a visit, each value from the view that measures it.

    Attributes
    ----------
    values : tuple of MetricValue
        Every metric of :data:`METRIC_SPECS` (sided metrics once per side).
    documents : mapping of view to dict
        The document used for each view (the one with most valid cycles).
    n_cycles : mapping of view to {"left": int, "right": int}
        Valid cycles per side in each view's document.
    temporal_view : str or None
        The view the temporal metrics came from.
    side_documents : mapping of view to {"left": dict, "right": dict}
        The document each leg's measures of a view were taken from, where it is not
        the view's document: with side recordings of both walking directions, each
        leg is measured in the one where it is nearer the camera (see
        :func:`pick_document`).
    """

    values: tuple[MetricValue, ...]
    documents: Mapping[str, dict]
    n_cycles: Mapping[str, Mapping[str, int]]
    temporal_view: str | None
    side_documents: Mapping[str, Mapping[str, dict]] = field(default_factory=dict)

    def document_for(self, view: str, side: Side | None = None) -> dict | None:
        """The document a view's measures of ``side`` come from (the view's document
        for whole-body measures), or None when the visit has no recording of the view."""
        if side is not None:
            doc = (self.side_documents.get(view) or {}).get(side)
            if doc is not None:
                return doc
        return self.documents.get(view)

    def documents_used(self, view: str) -> tuple[dict, ...]:
        """Every document of ``view`` some measure was taken from (the view's own first)."""
        out: list[dict] = []
        for side in (None, *SIDES):
            doc = self.document_for(view, side)
            if doc is not None and all(doc is not d for d in out):
                out.append(doc)
        return tuple(out)

    def get(self, name: str, side: Side | None = None) -> MetricValue | None:
        """The value of a metric (and side), or None when the set has no such metric."""
        for v in self.values:
            if v.name == name and v.side == side:
                return v
        return None

    def value(self, name: str, side: Side | None = None) -> float | None:
        """The number of a metric (and side), or None when not measured."""
        v = self.get(name, side)
        return None if v is None else v.value

    def to_dict(self) -> dict:
        return {
            "values": [v.to_dict() for v in self.values],
            "n_cycles": {k: dict(v) for k, v in self.n_cycles.items()},
            "temporal_view": self.temporal_view,
        }


def _finite(x: object) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _cycles_of(doc: dict) -> dict[str, int]:
    n = doc["metrics"].get("n_cycles") or {}
    return {s: int(n.get(s) or 0) for s in SIDES}


def near_leg(doc: dict) -> Side | None:
    """The leg nearer the camera in a side (sagittal) recording, else None.

    A patient walking toward the image's right shows the camera the right side of
    the body, so the right leg is the near one; walking toward the left, the left.
    The near leg is measured better: the far leg passes behind it in every swing
    and its points are then guessed or left out by the pose model (over ten of
    gaitlab's synthetic side walks hip flexion RMSE 4.3° near against 5.2° far with
    the full model, 3.4° against 4.0° with heavy; the far leg is seen in 64-94 % of
    frames with full, 29-89 % with heavy).
    """
    if doc.get("view") != "sagittal":
        return None
    direction = doc.get("walking_direction")
    return direction if direction in SIDES else None  # type: ignore[return-value]


def pick_document(documents: Sequence[dict], view: str, side: Side | None = None) -> dict | None:
    """The recording of ``view`` that measures ``side`` (or the whole body) best.

    Without a side, the one with the most valid gait cycles (the first on a tie).
    With a side in the side view, a recording in which that leg is nearer the
    camera comes first (a therapist films the walk both ways so that each leg is
    once the near one), then the most valid cycles of that leg, then of both.
    None when no document has ``view``.
    """
    docs = [d for d in documents if d.get("view") == view]
    if not docs:
        return None
    if side is None or view != "sagittal":
        return max(docs, key=lambda d: (sum(_cycles_of(d).values()), -docs.index(d)))
    return max(docs, key=lambda d: (near_leg(d) == side and _cycles_of(d)[side] >= 1, _cycles_of(d)[side],
                                    sum(_cycles_of(d).values()), -docs.index(d)))


def cycle_curve(doc: dict, series: str) -> np.ndarray | None:
    """The mean gait-cycle curve (101 points, 0..100 %) of a series, or None.

    Missing points are NaN.  A curve with fewer than half its points present, or
    with zero cycles behind it, counts as absent.
    """
    entry = (doc.get("cycles") or {}).get(series)
    if not isinstance(entry, Mapping) or not entry.get("n"):
        return None
    mean = np.array([np.nan if v is None else float(v) for v in entry.get("mean") or []])
    if mean.size != 101 or np.isfinite(mean).sum() < 51:
        return None
    return mean


def cycle_sd(doc: dict, series: str) -> np.ndarray | None:
    """The between-cycle SD curve (101 points) of a series, or None."""
    entry = (doc.get("cycles") or {}).get(series)
    if not isinstance(entry, Mapping) or not entry.get("sd"):
        return None
    sd = np.array([np.nan if v is None else float(v) for v in entry["sd"]])
    return sd if sd.size == 101 else None


def per_cycle_range(doc: dict, series: str, side: Side) -> float | None:
    """Mean over ``side``'s gait cycles of the range (max - min) of a series, in its unit.

    Cycles run from one heel strike of ``side`` to the next (``events.heel_strike``).
    Cycles with fewer than half their frames measured are skipped; None when no cycle
    is left.
    """
    values = (doc.get("series") or {}).get(series)
    strikes = ((doc.get("events") or {}).get("heel_strike") or {}).get(side) or []
    if not values or len(strikes) < 2:
        return None
    t = np.asarray(doc["time_s"], dtype=float)
    y = np.array([np.nan if v is None else float(v) for v in values])
    ranges = []
    for start, end in zip(strikes, strikes[1:]):
        inside = (t >= start) & (t <= end)
        part = y[inside]
        if part.size and np.isfinite(part).sum() * 2 >= part.size:
            ranges.append(float(np.nanmax(part) - np.nanmin(part)))
    return float(np.mean(ranges)) if ranges else None


def _derived(doc: dict, name: str, side: Side | None) -> float | None:
    if name == "trunk_lean_sagittal_rom_deg":
        curve = cycle_curve(doc, "trunk_lean_sagittal")
        if curve is not None:
            return float(np.nanmax(curve) - np.nanmin(curve))
        found = [r for s in SIDES if (r := per_cycle_range(doc, "trunk_lean_sagittal", s)) is not None]
        return float(np.mean(found)) if found else None
    if name == "hip_adduction_stance_max_deg" and side is not None:
        curve = cycle_curve(doc, f"hip_adduction_{side}")
        if curve is None:
            return None
        stance = _finite((doc["metrics"].get("stance_pct") or {}).get(side))
        end = int(round(stance)) if stance is not None and 30 <= stance <= 90 else 60
        part = curve[: end + 1]
        return float(np.nanmax(part)) if np.isfinite(part).any() else None
    raise InputError(f"gaitlab cannot derive the metric {name!r}.")


def _raw(doc: dict, spec: MetricSpec, side: Side | None) -> float | None:
    if spec.derived:
        return _derived(doc, spec.name, side)
    raw = doc["metrics"].get(spec.name)
    if spec.sided:
        return _finite(raw.get(side)) if isinstance(raw, Mapping) else None
    return _finite(raw)


def combine_visit_metrics(documents: Sequence[dict]) -> CombinedMetrics:
    """Merge a visit's analysis documents into one per-side metric set.

    Each metric is taken from the view that measures it: hip, knee and sagittal trunk
    measures from the sagittal recording; pelvic obliquity and drop, lateral trunk
    lean and hip adduction from the frontal one; temporal measures (cadence, step,
    stride, stance, swing, double support) from the sagittal view when it has a
    valid cycle of each leg (it times heel strike and toe off best), else from the
    view with more valid cycles; step length and speed from the sagittal view when it has
    them, else the frontal one.  With two recordings of one view, the one with more
    valid cycles is used, except for a leg's own side-view angles (hip range and
    peaks, knee): with side recordings of both walking directions each leg is
    measured in the one where it is nearer the camera (:func:`pick_document`), as
    a therapist films the walk both ways for.  Timing and step measures stay with one
    recording, so that both legs' figures come from the same walk.

    Parameters
    ----------
    documents : sequence of dict
        Analysis documents (``gaitlab.analysis/1``) of one visit.

    Returns
    -------
    CombinedMetrics
        Values in the contract's units and signs; None where no recording measures it.

    Raises
    ------
    InputError
        When ``documents`` is empty.
    ValidationError
        When a document is not a ``gaitlab.analysis/1`` document.
    """
    if not documents:
        raise InputError("The visit has no analysed recording to compare.")
    for i, doc in enumerate(documents):
        check_document(doc, where=f"recording {i + 1}")
    chosen: dict[str, dict] = {}
    side_docs: dict[str, dict[str, dict]] = {}
    for view in dict.fromkeys(d["view"] for d in documents):
        primary = pick_document(documents, view)
        if primary is None:
            continue
        chosen[view] = primary
        for s in SIDES:
            own = pick_document(documents, view, s)
            if own is not None and own is not primary:
                side_docs.setdefault(view, {})[s] = own
    cycles = {view: _cycles_of(doc) for view, doc in chosen.items()}
    for view, per_side in side_docs.items():
        cycles[view] = {s: _cycles_of(per_side[s])[s] if s in per_side else cycles[view][s] for s in SIDES}
    # The side view times gait events best (heel and toe are seen along the walkway),
    # so it gives the temporal measures whenever it has a cycle of each leg.
    if "sagittal" in chosen and min(_cycles_of(chosen["sagittal"]).values()) >= 1:
        temporal_view = "sagittal"
    else:
        temporal_view = max(
            sorted(chosen, key=lambda v: v != "sagittal"),
            key=lambda v: sum(_cycles_of(chosen[v]).values()),
        )
    values: list[MetricValue] = []
    for spec in METRIC_SPECS:
        for side in SIDES if spec.sided else (None,):
            if spec.source == "temporal":
                candidates = [temporal_view]
            elif spec.source == "spatial":
                candidates = [v for v in ("sagittal", "frontal") if v in chosen]
            else:
                candidates = [spec.source] if spec.source in chosen else []
            value, used = None, None
            for view in candidates:
                # A leg's own angles come from the recording that sees that leg best;
                # timing and step measures stay with one recording (both legs' events
                # from the same walk, so that their asymmetry is the walk's).
                own = side_docs.get(view, {}).get(side) if side is not None and spec.source == view else None
                docs = [chosen[view]] if own is None else [own, chosen[view]]
                for doc in docs:
                    value = _raw(doc, spec, side)
                    if value is not None:
                        used = (view, doc)
                        break
                if used is not None:
                    break
            if used is None:
                view, n = None, 0
            else:
                view, per_side_cycles = used[0], _cycles_of(used[1])
                n = min(per_side_cycles.values()) if side is None else per_side_cycles[side]
            values.append(MetricValue(spec.name, side, value, spec.unit, view, n))
    return CombinedMetrics(
        values=tuple(values),
        documents=dict(chosen),
        n_cycles=cycles,
        temporal_view=temporal_view,
        side_documents=side_docs,
    )


def choose_baseline(visits: Sequence[VisitData]) -> VisitData | None:
    """The patient's own reference visit: the last pre-op visit, else the first post-op one.

    A visit counts as pre-op when ``days_since_surgery`` is negative, or, without a
    surgery date, when its label says "pre-op"/"preop"/"before surgery".  Only
    visits with at least one analysed recording qualify.  None when no visit qualifies.
    """
    usable = sorted((v for v in visits if v.documents), key=lambda v: v.date)
    if not usable:
        return None

    def is_preop(v: VisitData) -> bool:
        if v.days_since_surgery is not None:
            return v.days_since_surgery < 0
        label = v.label.lower().replace("-", "").replace(" ", "")
        return "preop" in label or "beforesurgery" in label

    preop = [v for v in usable if is_preop(v)]
    return preop[-1] if preop else usable[0]
