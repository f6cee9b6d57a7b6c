"""The measured parts of a comparison: metric deltas, curves, compensation, motion budget.

All changes are ``later - earlier`` in the metric's unit and sign convention
(``spec/analysis-v1.md``).  A change counts only when it is at least the metric's
minimal detectable change (:mod:`gaitlab.compare.mdc`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from gaitlab.compare.mdc import look_up_mdc
from gaitlab.compare.reference import ReferenceBand, population_band
from gaitlab.compare.visits import (
    SIDES,
    SPECS,
    CombinedMetrics,
    Side,
    cycle_curve,
    cycle_sd,
)

#: What gaitlab says wherever pelvic tilt or obliquity appears.
TERMINOLOGY_GUARD = (
    "Pelvic tilt and obliquity measured from video are dynamic gait measures (the pelvis "
    "moving during walking, seen in 2-D); they are not the radiographic spinopelvic "
    "parameters (pelvic tilt PT, pelvic incidence PI, sacral slope SS) read from standing X-rays."
)
PELVIC_METRICS = frozenset({
    "pelvic_obliquity_rom_deg", "pelvic_drop_deg", "pelvic_tilt", "pelvic_obliquity",
    "pelvic_tilt_rom_deg", "pelvic_tilt_mean_deg",
})

Direction = Literal["higher", "lower", "no detectable change", "not measured"]


def judge_change(delta: float | None, mdc: float) -> Direction:
    """Direction word of a change judged against its MDC.

    "higher"/"lower" when ``|delta| >= mdc``; "no detectable change" below it;
    "not measured" when ``delta`` is None.
    """
    if delta is None:
        return "not measured"
    if abs(delta) < mdc - 1e-9:
        return "no detectable change"
    return "higher" if delta > 0 else "lower"


def _sub(b: float | None, a: float | None) -> float | None:
    return None if a is None or b is None else b - a


@dataclass(frozen=True)
class MetricDelta:
    """The change of one metric (one side) between two visits.

    Attributes
    ----------
    name, label, side, unit : str, str, str or None, str
        The metric, in plain words, the patient's side (None: whole body), its unit.
    a, b : float or None
        Values at the earlier and the later visit.
    delta : float or None
        ``b - a`` in ``unit``.
    mdc : float
        Minimal detectable change, in ``unit``.
    mdc_kind, mdc_source : str
        Where the MDC comes from (published or a stated gaitlab default) and its source.
    beyond_mdc : bool
        ``|delta| >= mdc``.
    direction : {"higher", "lower", "no detectable change", "not measured"}
        The change in words, judged against the MDC.
    concern : {"increase", "decrease", "none"}
        Which direction is the post-fusion concern for this metric.
    measure : str
        "angle", "2-D proxy", "time", "length", "speed", "rate" or "share".
    view_a, view_b : str or None
        Views the values came from.
    n_cycles_a, n_cycles_b : int
        Valid cycles behind the values.
    baseline : float or None
        The patient's own baseline value (pre-op, or the first post-op visit).
    baseline_low, baseline_high : float or None
        The baseline band: baseline plus or minus the MDC.
    delta_from_baseline : float or None
        ``b - baseline``.
    beyond_mdc_from_baseline : bool
        ``|b - baseline| >= mdc``.
    population : ReferenceBand or None
        Healthy-adult reference, when gaitlab cites one.
    note : str
        Terminology guard for pelvic measures; empty otherwise.
    """

    name: str
    label: str
    side: Side | None
    unit: str
    a: float | None
    b: float | None
    delta: float | None
    mdc: float
    mdc_kind: str
    mdc_source: str
    beyond_mdc: bool
    direction: Direction
    concern: str
    measure: str
    view_a: str | None
    view_b: str | None
    n_cycles_a: int
    n_cycles_b: int
    baseline: float | None
    baseline_low: float | None
    baseline_high: float | None
    delta_from_baseline: float | None
    beyond_mdc_from_baseline: bool
    population: ReferenceBand | None
    note: str = ""

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "population"}
        d["population"] = self.population.to_dict() if self.population else None
        return d


def compute_deltas(
    ma: CombinedMetrics, mb: CombinedMetrics, baseline: CombinedMetrics | None = None
) -> tuple[MetricDelta, ...]:
    """Every metric's change from visit A to visit B, judged against its MDC.

    Parameters
    ----------
    ma, mb : CombinedMetrics
        The earlier and later visit's metrics.
    baseline : CombinedMetrics, optional
        The patient's baseline visit's metrics, for the baseline band.

    Returns
    -------
    tuple of MetricDelta
        In the order of :data:`gaitlab.compare.visits.METRIC_SPECS`, sided metrics
        left then right.  Values missing at either visit give ``delta`` None.
    """
    out = []
    for va in ma.values:
        spec = SPECS[va.name]
        vb = mb.get(va.name, va.side)
        assert vb is not None  # both sets are built from the same specs
        entry = look_up_mdc(va.name)
        delta = _sub(vb.value, va.value)
        base = baseline.value(va.name, va.side) if baseline is not None else None
        from_base = _sub(vb.value, base)
        out.append(
            MetricDelta(
                name=va.name,
                label=spec.label,
                side=va.side,
                unit=spec.unit,
                a=va.value,
                b=vb.value,
                delta=delta,
                mdc=entry.mdc,
                mdc_kind=entry.kind,
                mdc_source=entry.source,
                beyond_mdc=delta is not None and abs(delta) >= entry.mdc - 1e-9,
                direction=judge_change(delta, entry.mdc),
                concern=spec.concern,
                measure=spec.measure,
                view_a=va.view,
                view_b=vb.view,
                n_cycles_a=va.n_cycles,
                n_cycles_b=vb.n_cycles,
                baseline=base,
                baseline_low=None if base is None else base - entry.mdc,
                baseline_high=None if base is None else base + entry.mdc,
                delta_from_baseline=from_base,
                beyond_mdc_from_baseline=from_base is not None and abs(from_base) >= entry.mdc - 1e-9,
                population=population_band(va.name),
                note=TERMINOLOGY_GUARD if va.name in PELVIC_METRICS else "",
            )
        )
    return tuple(out)


#: Curves compared per gait-cycle %, with the view that measures them and the kind of measure.
CURVE_SERIES: tuple[tuple[str, str, str], ...] = (
    ("hip_flexion", "sagittal", "2-D proxy"),
    ("knee_flexion", "sagittal", "angle"),
    ("thigh_angle", "sagittal", "angle"),
    ("trunk_lean_sagittal", "sagittal", "angle"),
    ("pelvic_tilt", "sagittal", "angle"),
    ("hip_adduction", "frontal", "2-D proxy"),
    ("pelvic_obliquity", "frontal", "2-D proxy"),
    ("trunk_lean_lateral", "frontal", "angle"),
)
#: Key values that stand in for a healthy-adult curve (no published curve is cited).
_CURVE_KEY_VALUES = {
    "hip_flexion": ("hip_flexion_max_deg", "hip_extension_max_deg", "hip_rom_deg"),
    "knee_flexion": ("knee_flexion_max_deg",),
    "pelvic_obliquity": ("pelvic_drop_deg",),
}


@dataclass(frozen=True)
class CurveComparison:
    """Two visits' mean gait-cycle curves of one series (one side), compared point by point.

    Attributes
    ----------
    series : str
        Contract series name ("hip_flexion_left", "pelvic_obliquity", ...).
    side : {"left", "right"} or None
        Side of the series (None for a whole-body series).
    view : str
        View that measures it.
    measure : str
        "angle" or "2-D proxy".
    n_cycles_a, n_cycles_b : int
        Cycles averaged at each visit.
    mean_difference_deg : float
        Mean over 0..100 % of the cycle of ``b - a``.
    rms_difference_deg : float
        Root mean square of ``b - a`` over the cycle.
    max_difference_deg, max_difference_at_pct : float, int
        Largest absolute difference (signed) and where in the cycle it is.
    rom_a_deg, rom_b_deg, rom_change_deg : float
        Range (max - min) of each mean curve and its change.
    mean_a, mean_b : tuple of float or None
        The two mean curves, 101 points.
    baseline_mean, baseline_sd : tuple of float or None, or None
        The patient's baseline curve and its between-cycle SD (the baseline band).
    outside_baseline_pct : float or None
        Share of the cycle (%) where visit B's mean lies outside baseline mean +/- SD.
    population : tuple of ReferenceBand
        Healthy-adult key values for this curve (no published curve is drawn).
    note : str
        Terminology guard for pelvic series; the 2-D proxy caveat for hip flexion.
    """

    series: str
    side: Side | None
    view: str
    measure: str
    n_cycles_a: int
    n_cycles_b: int
    mean_difference_deg: float
    rms_difference_deg: float
    max_difference_deg: float
    max_difference_at_pct: int
    rom_a_deg: float
    rom_b_deg: float
    rom_change_deg: float
    mean_a: tuple[float | None, ...]
    mean_b: tuple[float | None, ...]
    baseline_mean: tuple[float | None, ...] | None
    baseline_sd: tuple[float | None, ...] | None
    outside_baseline_pct: float | None
    population: tuple[ReferenceBand, ...]
    note: str = ""

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "population"}
        for k in ("mean_a", "mean_b", "baseline_mean", "baseline_sd"):
            d[k] = None if d[k] is None else list(d[k])
        d["population"] = [b.to_dict() for b in self.population]
        return d


def _as_tuple(curve: np.ndarray) -> tuple[float | None, ...]:
    return tuple(None if not np.isfinite(v) else round(float(v), 3) for v in curve)


def _n(doc: dict, series: str) -> int:
    return int(((doc.get("cycles") or {}).get(series) or {}).get("n") or 0)


def compare_curves(
    ma: CombinedMetrics, mb: CombinedMetrics, baseline: CombinedMetrics | None = None
) -> tuple[CurveComparison, ...]:
    """Compare the visits' mean gait-cycle curves per series and side.

    Differences are ``b - a`` in degrees at each 1 % of the gait cycle, over the
    points both curves have.  Only series present in both visits' documents of the
    series' view are compared.
    """
    out = []
    for base_name, view, measure in CURVE_SERIES:
        if view not in ma.documents or view not in mb.documents:
            continue
        candidates: list[tuple[str, Side | None]] = [(f"{base_name}_{s}", s) for s in SIDES]
        candidates.append((base_name, None))
        for series, side in candidates:
            # Each leg's curve from the recording its measures come from (the one
            # where it is nearer the camera when the walk was filmed both ways).
            doc_a, doc_b = ma.document_for(view, side), mb.document_for(view, side)
            if doc_a is None or doc_b is None:
                continue
            ca, cb = cycle_curve(doc_a, series), cycle_curve(doc_b, series)
            if ca is None or cb is None:
                continue
            both = np.isfinite(ca) & np.isfinite(cb)
            if both.sum() < 51:
                continue
            diff = np.where(both, cb - ca, np.nan)
            at = int(np.nanargmax(np.abs(diff)))
            rom_a = float(np.nanmax(ca) - np.nanmin(ca))
            rom_b = float(np.nanmax(cb) - np.nanmin(cb))
            base_mean = base_sd = outside = None
            base_doc = baseline.document_for(view, side) if baseline is not None else None
            if base_doc is not None:
                bm = cycle_curve(base_doc, series)
                bs = cycle_sd(base_doc, series)
                if bm is not None:
                    base_mean = _as_tuple(bm)
                    if bs is not None:
                        base_sd = _as_tuple(bs)
                        ok = np.isfinite(bm) & np.isfinite(bs) & np.isfinite(cb)
                        if ok.any():
                            out_of_band = np.abs(cb[ok] - bm[ok]) > bs[ok]
                            outside = round(100.0 * float(out_of_band.mean()), 1)
            note = ""
            if base_name in ("pelvic_obliquity", "pelvic_tilt"):
                note = TERMINOLOGY_GUARD
            elif base_name == "hip_flexion":
                note = (
                    "Hip flexion is measured against the trunk line in the side view, a 2-D "
                    "proxy of the pelvis-relative hip angle of laboratory gait analysis."
                )
            bands = tuple(b for k in _CURVE_KEY_VALUES.get(base_name, ()) if (b := population_band(k)))
            out.append(
                CurveComparison(
                    series=series,
                    side=side,
                    view=view,
                    measure=measure,
                    n_cycles_a=_n(doc_a, series),
                    n_cycles_b=_n(doc_b, series),
                    mean_difference_deg=round(float(np.nanmean(diff)), 3),
                    rms_difference_deg=round(float(np.sqrt(np.nanmean(diff**2))), 3),
                    max_difference_deg=round(float(diff[at]), 3),
                    max_difference_at_pct=at,
                    rom_a_deg=round(rom_a, 3),
                    rom_b_deg=round(rom_b, 3),
                    rom_change_deg=round(rom_b - rom_a, 3),
                    mean_a=_as_tuple(ca),
                    mean_b=_as_tuple(cb),
                    baseline_mean=base_mean,
                    baseline_sd=base_sd,
                    outside_baseline_pct=outside,
                    population=bands,
                    note=note,
                )
            )
    return tuple(out)


Pattern = Literal["trendelenburg", "trunk_lurch", "none", "not_measured"]
PATTERN_WORDS: dict[str, str] = {
    "trendelenburg": "uncompensated drop (Trendelenburg pattern)",
    "trunk_lurch": "trunk lurch (compensated Trendelenburg / Duchenne pattern)",
    "none": "no drop pattern beyond measurement error",
    "not_measured": "not measured (no frontal recording)",
}


def other_side(side: Side) -> Side:
    return "right" if side == "left" else "left"


@dataclass(frozen=True)
class StanceProfile:
    """Frontal-plane compensation during one leg's single support, at the later visit.

    Attributes
    ----------
    stance_side : {"left", "right"}
        The leg in stance.
    drop_side : {"left", "right"}
        The swing side, whose hip drops (the other side).
    contralateral_drop_deg : float or None
        How far the swing-side hip falls below the stance-side hip
        (``pelvic_drop_deg[drop_side]``), degrees, positive = dropping.
    other_stance_drop_deg : float or None
        The same measure during the other leg's stance, for side comparison.
    trunk_lean_toward_stance_deg : float or None
        Mean lateral trunk lean toward the stance side (``trunk_lean_stance_deg``).
    hip_adduction_stance_deg : float or None
        Peak hip adduction of the stance leg during its stance (2-D proxy).
    reference_label : str or None
        The visit the pattern is judged against (the baseline, else the earlier visit).
    drop_change_deg, lean_change_deg, adduction_change_deg : float or None
        Changes from the reference visit.
    pattern : {"trendelenburg", "trunk_lurch", "none", "not_measured"}
        "trendelenburg": the contralateral drop grew beyond its MDC (or exceeds the other
        stance's drop by more than the MDC) without a matching trunk lean toward the
        stance side; "trunk_lurch": the lean toward the stance side grew (or exceeds the
        other side's) beyond its MDC.
    label : str
        The pattern in words.
    sentence : str
        The numbers behind the label.
    """

    stance_side: Side
    drop_side: Side
    contralateral_drop_deg: float | None
    other_stance_drop_deg: float | None
    trunk_lean_toward_stance_deg: float | None
    hip_adduction_stance_deg: float | None
    reference_label: str | None
    drop_change_deg: float | None
    lean_change_deg: float | None
    adduction_change_deg: float | None
    pattern: Pattern
    label: str
    sentence: str
    note: str = TERMINOLOGY_GUARD

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _fmt_deg(x: float | None) -> str:
    return "not measured" if x is None else f"{x:.1f} deg"


def profile_compensation(
    mb: CombinedMetrics, reference: CombinedMetrics | None, reference_label: str | None
) -> tuple[StanceProfile, StanceProfile]:
    """Side-resolved frontal compensation profile of the later visit (left, right stance).

    Parameters
    ----------
    mb : CombinedMetrics
        The visit profiled.
    reference : CombinedMetrics, optional
        The visit it is judged against (the patient's baseline, else the earlier visit).
    reference_label : str, optional
        That visit's name, for the sentences.
    """
    drop_mdc = look_up_mdc("pelvic_drop_deg").mdc
    lean_mdc = look_up_mdc("trunk_lean_stance_deg").mdc
    profiles = []
    for stance in SIDES:
        swing = other_side(stance)
        drop = mb.value("pelvic_drop_deg", swing)
        other_drop = mb.value("pelvic_drop_deg", stance)
        lean = mb.value("trunk_lean_stance_deg", stance)
        other_lean = mb.value("trunk_lean_stance_deg", swing)
        add = mb.value("hip_adduction_stance_max_deg", stance)
        ref = reference
        drop_change = _sub(drop, ref.value("pelvic_drop_deg", swing)) if ref else None
        lean_change = _sub(lean, ref.value("trunk_lean_stance_deg", stance)) if ref else None
        add_change = _sub(add, ref.value("hip_adduction_stance_max_deg", stance)) if ref else None
        if drop is None and lean is None:
            pattern: Pattern = "not_measured"
        else:
            drop_flag = (drop_change is not None and drop_change >= drop_mdc) or (
                drop is not None and other_drop is not None and drop - other_drop >= drop_mdc
            )
            lean_flag = (lean_change is not None and lean_change >= lean_mdc) or (
                lean is not None and other_lean is not None and lean - other_lean >= lean_mdc
            )
            pattern = "trunk_lurch" if lean_flag else "trendelenburg" if drop_flag else "none"
        parts = [
            f"{swing} hip drop {_fmt_deg(drop)} (during the {swing} leg's swing; "
            f"{_fmt_deg(other_drop)} on the other side)",
            f"trunk lean toward the {stance} side {_fmt_deg(lean)}",
            f"peak {stance} hip adduction in stance {_fmt_deg(add)}",
        ]
        changes = [
            f"{name} {c:+.1f} deg"
            for name, c in (("drop", drop_change), ("lean", lean_change), ("adduction", add_change))
            if c is not None
        ]
        sentence = f"{stance.capitalize()} stance: " + "; ".join(parts) + "."
        if changes and reference_label:
            sentence += f" Since {reference_label}: " + ", ".join(changes) + "."
        profiles.append(
            StanceProfile(
                stance_side=stance,
                drop_side=swing,
                contralateral_drop_deg=drop,
                other_stance_drop_deg=other_drop,
                trunk_lean_toward_stance_deg=lean,
                hip_adduction_stance_deg=add,
                reference_label=reference_label if ref else None,
                drop_change_deg=drop_change,
                lean_change_deg=lean_change,
                adduction_change_deg=add_change,
                pattern=pattern,
                label=PATTERN_WORDS[pattern],
                sentence=sentence,
            )
        )
    return profiles[0], profiles[1]


@dataclass(frozen=True)
class BudgetComponent:
    """One part of the lumbo-pelvic-hip motion budget.

    Attributes
    ----------
    name, label, side, unit : str, str, str or None, str
        The metric, in words, its side, its unit (degrees).
    measure : {"angle", "2-D proxy"}
        Whether the number is a segment angle in the camera plane or a 2-D stand-in
        for a different clinical angle.
    a, b, baseline : float or None
        Values at the earlier visit, the later visit and the baseline.
    change, change_from_baseline : float or None
        ``b - a`` and ``b - baseline``.
    mdc : float
        Minimal detectable change.
    beyond_mdc, beyond_mdc_from_baseline : bool
        Whether each change reaches the MDC.
    note : str
        What the number is (and the terminology guard for pelvic obliquity).
    """

    name: str
    label: str
    side: Side | None
    unit: str
    measure: str
    a: float | None
    b: float | None
    baseline: float | None
    change: float | None
    change_from_baseline: float | None
    mdc: float
    beyond_mdc: bool
    beyond_mdc_from_baseline: bool
    note: str

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class MotionBudget:
    """Hip range, pelvic obliquity range and trunk excursion side by side.

    After a lumbar fusion the hips (and the pelvis) tend to take over the motion
    the fused segments no longer make: hip range up while trunk excursion is down
    or unchanged.

    Attributes
    ----------
    components : tuple of BudgetComponent
        Hip flexion-extension range (left, right), pelvic obliquity range, trunk
        sagittal excursion, trunk lateral excursion.
    reference_label : str
        The visit the changes are counted from (the baseline, else the earlier visit).
    summary : str
        One line such as "hip ROM +6.0 deg (left), +7.1 deg (right) while trunk
        sagittal excursion -4.0 deg since pre-op (2026-02-16)".
    hips_taking_over : bool
        Hip range up beyond its MDC on a side while trunk sagittal excursion did not
        grow beyond its MDC.
    """

    components: tuple[BudgetComponent, ...]
    reference_label: str
    summary: str
    hips_taking_over: bool

    def get(self, name: str, side: Side | None = None) -> BudgetComponent | None:
        for c in self.components:
            if c.name == name and c.side == side:
                return c
        return None

    def to_dict(self) -> dict:
        return {
            "components": [c.to_dict() for c in self.components],
            "reference_label": self.reference_label,
            "summary": self.summary,
            "hips_taking_over": self.hips_taking_over,
        }


_BUDGET: tuple[tuple[str, Side | None, str], ...] = (
    ("hip_rom_deg", "left", "Hip flexion against the trunk line (2-D proxy of the pelvis-relative hip angle)."),
    ("hip_rom_deg", "right", "Hip flexion against the trunk line (2-D proxy of the pelvis-relative hip angle)."),
    ("pelvic_obliquity_rom_deg", None, "Range of the hip-joint line against the horizontal in the front view (2-D proxy of pelvic obliquity). " + TERMINOLOGY_GUARD),
    ("pelvic_tilt_rom_deg", None, "Range of the PSIS-ASIS sticker line against the horizontal in the side view (sagittal pelvic tilt; only with skin stickers). " + TERMINOLOGY_GUARD),
    ("trunk_lean_sagittal_rom_deg", None, "Excursion of the shoulder-hip line against the vertical in the side view, within a gait cycle; the trunk line spans the thoracic and lumbar spine together."),
    ("trunk_lean_lateral_rom_deg", None, "Excursion of the trunk line against the vertical in the front view."),
)


def budget_motion(
    ma: CombinedMetrics,
    mb: CombinedMetrics,
    baseline: CombinedMetrics | None,
    reference_label: str,
) -> MotionBudget:
    """The lumbo-pelvic-hip motion budget of the later visit, with changes.

    Changes are given from the earlier visit and from the baseline; the summary line
    counts from the baseline when there is one, else from the earlier visit.
    """
    comps = []
    for name, side, note in _BUDGET:
        spec = SPECS[name]
        mdc = look_up_mdc(name).mdc
        a, b = ma.value(name, side), mb.value(name, side)
        base = baseline.value(name, side) if baseline is not None else None
        change, from_base = _sub(b, a), _sub(b, base)
        comps.append(
            BudgetComponent(
                name=name,
                label=spec.label,
                side=side,
                unit=spec.unit,
                measure=spec.measure,
                a=a,
                b=b,
                baseline=base,
                change=change,
                change_from_baseline=from_base,
                mdc=mdc,
                beyond_mdc=change is not None and abs(change) >= mdc - 1e-9,
                beyond_mdc_from_baseline=from_base is not None and abs(from_base) >= mdc - 1e-9,
                note=note,
            )
        )
    use_base = baseline is not None

    def count(c: BudgetComponent) -> tuple[float | None, bool]:
        return (c.change_from_baseline, c.beyond_mdc_from_baseline) if use_base else (c.change, c.beyond_mdc)

    hips = [c for c in comps if c.name == "hip_rom_deg"]
    trunk = next(c for c in comps if c.name == "trunk_lean_sagittal_rom_deg")
    trunk_change, trunk_beyond = count(trunk)
    hips_up = any((v := count(c))[0] is not None and v[0] > 0 and v[1] for c in hips)
    trunk_not_up = trunk_change is None or not (trunk_change > 0 and trunk_beyond)
    pieces = []
    hip_parts = [f"{count(c)[0]:+.1f} deg ({c.side})" for c in hips if count(c)[0] is not None]
    if hip_parts:
        pieces.append("hip ROM " + ", ".join(hip_parts))
    for c in comps[2:]:
        value = count(c)[0]
        if value is not None:
            pieces.append(f"{c.label} {value:+.1f} deg")
    summary = (
        (" while ".join([pieces[0], ", ".join(pieces[1:])]) if len(pieces) > 1 else pieces[0])
        + f" since {reference_label}"
        if pieces
        else "No part of the motion budget was measured at both visits."
    )
    return MotionBudget(
        components=tuple(comps),
        reference_label=reference_label,
        summary=summary,
        hips_taking_over=bool(hips_up and trunk_not_up),
    )
