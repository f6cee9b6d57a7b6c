"""Rule-based findings: what changed between two visits, tied to post-fusion mechanisms.

Each finding is structured (kind, side, direction, numbers, severity, visits) so that
the app, the report and the tests read the same facts; its sentence is for the
clinician.  Findings never diagnose: they say what changed, by how much, whether it
beats the minimal detectable change, and what to examine.  Red-flag symptoms
recorded at the visit come first.

Rules (``delta = later - earlier``; a rule fires only at or beyond the metric's MDC):

* ``hip_rom``: hip flexion-extension range changed on a side (up: the hips may be
  taking over motion from the fused lumbar spine).
* ``pelvic_drop``: the drop of one side of the pelvis during the other leg's single
  support changed; ``side`` is the dropping side, ``stance_side`` the leg whose
  Trendelenburg sign it is.
* ``pelvic_obliquity_rom``: frontal pelvic range changed (sacroiliac / pelvic loading).
* ``step_asymmetry`` / ``stance_asymmetry``: the left-minus-right difference of step
  length (step time when no length scale) or stance share moved by at least the MDC;
  "increase" when the asymmetry grew (``side``: the side shorter now), "decrease" when
  it shrank (``side``: the side that was shorter).  A side that was longer and is now
  shorter counts by the whole shift.
* ``cadence`` / ``gait_speed``: slower or faster walking.
* ``trunk_lean_sagittal``: more or less forward trunk lean.
* ``trunk_lurch``: more or less lateral trunk lean toward a stance side; ``side`` is
  the stance side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from gaitlab.compare.measures import (
    TERMINOLOGY_GUARD,
    MetricDelta,
    MotionBudget,
    StanceProfile,
    other_side,
)
from gaitlab.compare.visits import SIDES, VisitData

Severity = Literal["red flag", "marked", "moderate"]
Trend = Literal["worse", "better", "red flag"]

RED_FLAG_WORDS: dict[str, str] = {
    "new_numbness_or_weakness": "new numbness or weakness",
    "bladder_bowel_change": "a change in bladder or bowel function",
    "fever": "fever",
    "sudden_severe_pain": "sudden severe pain",
}

CAVEAT_2D = "Measured in 2-D from a single video camera; small changes are within measurement error."
CAVEAT_HIP = (
    "Hip flexion is measured against the trunk line in the side view, a 2-D proxy of the "
    "pelvis-relative hip angle; a stiffer trunk line changes it too."
)
CAVEAT_PELVIS = "Frontal-plane 2-D measure from the front view. " + TERMINOLOGY_GUARD
CAVEAT_TIME = "Gait events are timed from video to about one frame."
CAVEAT_SPEED = "Walking speed changes most gait measures; see the comparability check."


@dataclass(frozen=True)
class Finding:
    """One plain-language statement about a change between two visits.

    Attributes
    ----------
    id : str
        Unique within a comparison, e.g. "pelvic_drop:right".
    kind : str
        The rule that produced it (see the module docstring), or "red_flag".
    side : {"left", "right"} or None
        The patient's side the finding names (see each rule for which side).
    stance_side : {"left", "right"} or None
        For pelvic drop and trunk lurch: the stance leg concerned.
    direction : {"increase", "decrease"} or None
        Direction of the change of the finding's main number.
    trend : {"worse", "better", "red flag"}
        "worse" when the change goes the way that is the post-fusion concern.
    severity : {"red flag", "marked", "moderate"}
        "marked": the change is at least twice the MDC; "moderate": at least the MDC.
    metrics : tuple of str
        Metric names behind the finding.
    numbers : dict
        The values: ``a``, ``b``, ``change``, ``mdc``, ``unit`` and, where there is a
        baseline, ``baseline`` and ``change_from_baseline``.
    visits : (str, str)
        Names of the earlier and later visit.
    recovery : {"partial", "full"} or None
        For a change back toward the baseline: whether the later visit is back within
        the MDC of the baseline ("full") or not yet ("partial").
    examine : str
        What the clinician may examine; never a diagnosis.
    caveat : str
        The limits of the measure.
    sentence : str
        The statement, with its numbers.
    """

    id: str
    kind: str
    side: str | None
    stance_side: str | None
    direction: str | None
    trend: Trend
    severity: Severity
    metrics: tuple[str, ...]
    numbers: dict = field(default_factory=dict)
    visits: tuple[str, str] = ("", "")
    recovery: str | None = None
    examine: str = ""
    caveat: str = ""
    sentence: str = ""

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["metrics"] = list(self.metrics)
        d["visits"] = list(self.visits)
        return d


def _severity(change: float, mdc: float) -> Severity:
    return "marked" if abs(change) >= 2 * mdc - 1e-9 else "moderate"


def _trend(direction: str, concern: str) -> Trend:
    return "worse" if direction == concern else "better"


def _recovery(d: MetricDelta, trend: str, baseline_is_a: bool) -> str | None:
    """Whether a change back toward the baseline is partial or full."""
    if trend != "better" or baseline_is_a or d.baseline is None or d.b is None:
        return None
    return "partial" if d.beyond_mdc_from_baseline else "full"


def _numbers(d: MetricDelta) -> dict:
    n = {"a": d.a, "b": d.b, "change": d.delta, "mdc": d.mdc, "unit": d.unit}
    if d.baseline is not None:
        n["baseline"] = d.baseline
        n["change_from_baseline"] = d.delta_from_baseline
    return n


def _u(unit: str) -> str:
    return {"deg": " deg", "%": " %", "steps/min": " steps/min", "m": " m", "s": " s", "m/s": " m/s"}[unit]


def _fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "not measured"
    digits = 2 if unit in ("m", "s", "m/s") else 1
    return f"{x:.{digits}f}{_u(unit)}"


def _fmt_change(x: float, unit: str) -> str:
    digits = 2 if unit in ("m", "s", "m/s") else 1
    return f"{x:+.{digits}f}{_u(unit)}"


def _since(a: VisitData, b: VisitData) -> str:
    return f"between {a.name} and {b.name}"


def _baseline_clause(d: MetricDelta, recovery: str | None, baseline_name: str | None) -> str:
    if recovery is None or baseline_name is None or d.delta_from_baseline is None:
        return ""
    if recovery == "full":
        return f" It is back within measurement error of {baseline_name}."
    return (
        f" Partial recovery: still {_fmt_change(d.delta_from_baseline, d.unit)} from "
        f"{baseline_name}."
    )


def _delta(deltas: Sequence[MetricDelta], name: str, side: str | None = None) -> MetricDelta | None:
    return next((d for d in deltas if d.name == name and d.side == side), None)


def derive_findings(
    a: VisitData,
    b: VisitData,
    deltas: Sequence[MetricDelta],
    profiles: Sequence[StanceProfile],
    budget: MotionBudget,
    *,
    baseline: VisitData | None = None,
) -> tuple[Finding, ...]:
    """Apply the finding rules to a comparison of visit A (earlier) with visit B (later).

    Parameters
    ----------
    a, b : VisitData
        The visits compared.
    deltas : sequence of MetricDelta
        Their metric changes (:func:`~gaitlab.compare.measures.compute_deltas`).
    profiles : sequence of StanceProfile
        Visit B's compensation profile per stance side.
    budget : MotionBudget
        Visit B's motion budget.
    baseline : VisitData, optional
        The patient's baseline, for "partial recovery".

    Returns
    -------
    tuple of Finding
        Red flags first, then worsening changes (marked before moderate), then
        improvements.
    """
    visits = (a.name, b.name)
    baseline_is_a = baseline is None or baseline.visit_id == a.visit_id
    baseline_name = baseline.name if baseline is not None else None
    found: list[Finding] = []

    for flag in b.red_flags:
        words = RED_FLAG_WORDS.get(flag, flag.replace("_", " "))
        found.append(
            Finding(
                id=f"red_flag:{flag}",
                kind="red_flag",
                side=None,
                stance_side=None,
                direction=None,
                trend="red flag",
                severity="red flag",
                metrics=(),
                numbers={},
                visits=visits,
                examine="Medical review of the red-flag symptom comes before any gait interpretation.",
                caveat="Recorded by the clinician at the visit, not measured from video.",
                sentence=f"RED FLAG recorded at {b.name}: {words}. This needs medical review "
                "before the gait changes below are interpreted.",
            )
        )

    def simple(
        kind: str,
        d: MetricDelta | None,
        *,
        what: str,
        worse_meaning: str,
        better_meaning: str,
        examine: str,
        caveat: str,
        extra: str = "",
        stance_side: str | None = None,
    ) -> None:
        if d is None or d.delta is None or not d.beyond_mdc:
            return
        direction = "increase" if d.delta > 0 else "decrease"
        trend = _trend(direction, d.concern)
        recovery = _recovery(d, trend, baseline_is_a)
        verb = "rose" if direction == "increase" else "fell"
        meaning = worse_meaning if trend == "worse" else better_meaning
        sentence = (
            f"{what} {verb} from {_fmt(d.a, d.unit)} to {_fmt(d.b, d.unit)} "
            f"({_fmt_change(d.delta, d.unit)}; minimal detectable change {_fmt(d.mdc, d.unit)}) "
            f"{_since(a, b)}{meaning}.{extra}{_baseline_clause(d, recovery, baseline_name)}"
        )
        found.append(
            Finding(
                id=f"{kind}:{d.side}" if d.side else kind,
                kind=kind,
                side=d.side,
                stance_side=stance_side,
                direction=direction,
                trend=trend,
                severity=_severity(d.delta, d.mdc),
                metrics=(d.name,),
                numbers=_numbers(d),
                visits=visits,
                recovery=recovery,
                examine=examine if trend == "worse" else "Keep watching at the next visit.",
                caveat=caveat,
                sentence=sentence[0].upper() + sentence[1:],
            )
        )

    trunk = budget.get("trunk_lean_sagittal_rom_deg")
    trunk_extra = ""
    if trunk is not None and trunk.change is not None and trunk.change < 0:
        trunk_extra = f" Trunk sagittal excursion changed by {trunk.change:+.1f} deg at the same time."
    for side in SIDES:
        simple(
            "hip_rom",
            _delta(deltas, "hip_rom_deg", side),
            what=f"{side.capitalize()} hip flexion-extension range",
            worse_meaning=": the hips may be taking over motion from the fused lumbar spine",
            better_meaning=", back toward the earlier range",
            examine="Examine hip range of motion, hip flexor length and hip or groin pain; "
            "consider the load on the hips and the segments next to the fusion.",
            caveat=CAVEAT_HIP,
            extra=trunk_extra,
        )

    for drop_side in SIDES:
        d = _delta(deltas, "pelvic_drop_deg", drop_side)
        if d is None or d.delta is None or not d.beyond_mdc:
            continue
        stance = other_side(drop_side)
        profile = next((p for p in profiles if p.stance_side == stance), None)
        direction = "increase" if d.delta > 0 else "decrease"
        trend = _trend(direction, d.concern)
        recovery = _recovery(d, trend, baseline_is_a)
        if trend == "worse":
            meaning = (
                f": the {drop_side} hip drops more while the patient stands on the {stance} leg, "
                f"the Trendelenburg sign of the {stance} stance"
            )
            if profile is not None and profile.pattern in ("trendelenburg", "trunk_lurch"):
                meaning += f"; pattern: {profile.label}"
            examine = (
                f"Test {stance} hip abductor strength (single-leg stance, Trendelenburg test) and "
                "consider sacroiliac-joint provocation tests."
            )
        else:
            meaning = f": less {drop_side} hip drop during {stance} single support"
            examine = "Keep watching at the next visit."
        sentence = (
            f"{drop_side.capitalize()} pelvic drop during {stance} single support "
            f"{'rose' if direction == 'increase' else 'fell'} from {_fmt(d.a, d.unit)} to "
            f"{_fmt(d.b, d.unit)} ({_fmt_change(d.delta, d.unit)}; minimal detectable change "
            f"{_fmt(d.mdc, d.unit)}) {_since(a, b)}{meaning}."
            f"{_baseline_clause(d, recovery, baseline_name)}"
        )
        found.append(
            Finding(
                id=f"pelvic_drop:{drop_side}",
                kind="pelvic_drop",
                side=drop_side,
                stance_side=stance,
                direction=direction,
                trend=trend,
                severity=_severity(d.delta, d.mdc),
                metrics=(d.name,),
                numbers={**_numbers(d), "pattern": profile.pattern if profile else None},
                visits=visits,
                recovery=recovery,
                examine=examine,
                caveat=CAVEAT_PELVIS,
                sentence=sentence,
            )
        )

    simple(
        "pelvic_obliquity_rom",
        _delta(deltas, "pelvic_obliquity_rom_deg"),
        what="Pelvic obliquity range",
        worse_meaning=": more frontal pelvic motion, a sign of more sacroiliac and pelvic loading",
        better_meaning=": less frontal pelvic motion",
        examine="Consider sacroiliac-joint provocation tests and hip abductor strength.",
        caveat=CAVEAT_PELVIS,
    )

    simple(
        "pelvic_tilt_rom",
        _delta(deltas, "pelvic_tilt_rom_deg"),
        what="Sagittal pelvic tilt range (skin stickers)",
        worse_meaning=": the pelvis rocks more forward and back with each stride, as it may "
        "when a fused lumbar spine no longer moves",
        better_meaning=": less sagittal pelvic rocking",
        examine="Examine hip extension range (Thomas test), hip flexor length and "
        "lumbopelvic control; consider sacroiliac-joint provocation tests.",
        caveat="Measured from stickers on the palpated ASIS and PSIS; sticker placement "
        "differs between visits. A dynamic gait measure, not radiographic pelvic tilt.",
    )

    _asymmetry(found, deltas, a, b, baseline_is_a, baseline_name)

    simple(
        "cadence",
        _delta(deltas, "cadence_steps_per_min"),
        what="Cadence",
        worse_meaning=": slower walking",
        better_meaning=": quicker walking",
        examine="Ask about pain while walking, fear of movement and endurance; check walking tolerance.",
        caveat=CAVEAT_TIME,
    )
    simple(
        "gait_speed",
        _delta(deltas, "gait_speed_m_s"),
        what="Walking speed",
        worse_meaning=": slower walking",
        better_meaning=": faster walking",
        examine="Ask about pain while walking, fear of movement and endurance; check walking tolerance.",
        caveat="Speed uses the patient's height as the video's length scale.",
    )
    simple(
        "trunk_lean_sagittal",
        _delta(deltas, "trunk_lean_sagittal_mean_deg"),
        what="Forward trunk lean",
        worse_meaning=": the patient walks more bent forward",
        better_meaning=": the patient walks more upright",
        examine="Examine hip flexor length and pain behaviour; sagittal spinal balance is judged "
        "on standing radiographs, not on video.",
        caveat="A 2-D angle of the shoulder-hip line; camera height and tilt change it.",
    )
    for stance in SIDES:
        simple(
            "trunk_lurch",
            _delta(deltas, "trunk_lean_stance_deg", stance),
            what=f"Lateral trunk lean toward the {stance} leg during its stance",
            worse_meaning=f": a trunk lurch over the {stance} leg (compensated Trendelenburg / "
            "Duchenne pattern, or unloading of a painful hip)",
            better_meaning=f": less trunk lurch over the {stance} leg",
            examine=f"Test {stance} hip abductor strength and ask about {stance} hip pain.",
            caveat=CAVEAT_2D,
            stance_side=stance,
        )
    order = {"red flag": 0, "worse": 1, "better": 2}
    sev = {"red flag": 0, "marked": 1, "moderate": 2}
    found.sort(key=lambda f: (order[f.trend], sev[f.severity]))
    return tuple(found)


def _asymmetry(
    found: list[Finding],
    deltas: Sequence[MetricDelta],
    a: VisitData,
    b: VisitData,
    baseline_is_a: bool,
    baseline_name: str | None,
) -> None:
    """Step (length, else time) and stance asymmetry that grew or shrank beyond the MDC."""
    step = "step_length_m"
    dl, dr = _delta(deltas, step, "left"), _delta(deltas, step, "right")
    if dl is None or dr is None or None in (dl.a, dl.b, dr.a, dr.b):
        step = "step_time_s"
    for kind, name, words in (
        ("step_asymmetry", step, "step length" if step == "step_length_m" else "step time"),
        ("stance_asymmetry", "stance_pct", "stance"),
    ):
        dl, dr = _delta(deltas, name, "left"), _delta(deltas, name, "right")
        if dl is None or dr is None or None in (dl.a, dl.b, dr.a, dr.b):
            continue
        assert dl.a is not None and dl.b is not None and dr.a is not None and dr.b is not None
        gap_a, gap_b = dl.a - dr.a, dl.b - dr.b  # left minus right
        shift = gap_b - gap_a  # > 0: the right side became shorter relative to the left
        mdc = dl.mdc
        if abs(shift) < mdc - 1e-9:
            continue
        worse = abs(gap_b) > abs(gap_a)
        # Worse: the side shorter now; better: the side that was shorter and caught up.
        shorter = ("right" if gap_b > 0 else "left") if worse else ("right" if gap_a > 0 else "left")
        recovery = None
        base_gap = None
        if dl.baseline is not None and dr.baseline is not None:
            base_gap = dl.baseline - dr.baseline
            if not worse and not baseline_is_a:
                recovery = "partial" if abs(gap_b) - abs(base_gap) >= mdc - 1e-9 else "full"
        unit = dl.unit
        if worse:
            was_shorter = (gap_a > 0) == (gap_b > 0) and abs(gap_a) >= mdc - 1e-9
            before = (
                f"was {_fmt(abs(gap_a), unit)} shorter" if (gap_a > 0) == (gap_b > 0)
                else f"was {_fmt(abs(gap_a), unit)} longer"
            )
            sentence = (
                f"{'Growing' if was_shorter else 'New'} {words} asymmetry {_since(a, b)}: the "
                f"{shorter} {'step' if kind == 'step_asymmetry' else 'stance'} became "
                f"{_fmt(abs(shift), unit)} shorter relative to the other side and is now "
                f"{_fmt(abs(gap_b), unit)} shorter ({before}; left {_fmt(dl.b, unit)}, right "
                f"{_fmt(dr.b, unit)}; minimal detectable change {_fmt(mdc, unit)})."
            )
            examine = (
                f"Look for the reason the {shorter} {'step' if kind == 'step_asymmetry' else 'stance'} "
                "is shorter: pain on loading, hip extension range, hip abductor strength."
            )
        else:
            sentence = (
                f"Smaller {words} asymmetry {_since(a, b)}: the left-right difference went from "
                f"{_fmt(abs(gap_a), unit)} to {_fmt(abs(gap_b), unit)} (minimal detectable change "
                f"{_fmt(mdc, unit)})."
            )
            if recovery == "partial" and base_gap is not None and baseline_name:
                sentence += f" Partial recovery: {_fmt(abs(base_gap), unit)} at {baseline_name}."
            elif recovery == "full" and baseline_name:
                sentence += f" Back within measurement error of {baseline_name}."
            examine = "Keep watching at the next visit."
        numbers = {
            "left_a": dl.a,
            "right_a": dr.a,
            "left_b": dl.b,
            "right_b": dr.b,
            "gap_a": gap_a,
            "gap_b": gap_b,
            "change": shift,
            "mdc": mdc,
            "unit": unit,
        }
        if base_gap is not None:
            numbers["gap_baseline"] = base_gap
        found.append(
            Finding(
                id=f"{kind}:{shorter}",
                kind=kind,
                side=shorter,
                stance_side=None,
                direction="increase" if worse else "decrease",
                trend="worse" if worse else "better",
                severity=_severity(shift, mdc),
                metrics=(name,),
                numbers=numbers,
                visits=(a.name, b.name),
                recovery=recovery,
                examine=examine,
                caveat=CAVEAT_TIME if name != "step_length_m" else CAVEAT_2D,
                sentence=sentence,
            )
        )
