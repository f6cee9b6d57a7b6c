"""A short narrative of a comparison, ready to paste into a referral letter.

It says what changed, by how much, on which side and whether the change beats the
minimal detectable change; it names the comparability cautions and the limits of
2-D video.  It never diagnoses.
"""

from __future__ import annotations

from collections.abc import Sequence

from gaitlab.compare.comparability import Comparability
from gaitlab.compare.findings import RED_FLAG_WORDS, Finding
from gaitlab.compare.measures import TERMINOLOGY_GUARD, MotionBudget
from gaitlab.compare.visits import VisitData

_WHAT = {
    "hip_rom": "{side} hip flexion-extension range",
    "pelvic_drop": "{side} pelvic drop during {stance} single support",
    "pelvic_obliquity_rom": "pelvic obliquity range",
    "pelvic_tilt_rom": "sagittal pelvic tilt range (skin stickers)",
    "cadence": "cadence",
    "gait_speed": "walking speed",
    "trunk_lean_sagittal": "forward trunk lean",
    "trunk_lurch": "lateral trunk lean toward the {stance} stance leg",
}
_UNIT = {"deg": " deg", "%": " %", "steps/min": " steps/min", "m": " m", "s": " s", "m/s": " m/s"}


def _num(x: float, unit: str, signed: bool = False) -> str:
    digits = 2 if unit in ("m", "s", "m/s") else 1
    return f"{x:{'+' if signed else ''}.{digits}f}{_UNIT.get(unit, ' ' + unit)}"


def _clause(f: Finding) -> str:
    n = f.numbers
    unit = n.get("unit", "")
    if f.kind in ("step_asymmetry", "stance_asymmetry"):
        what = ("step " if f.kind == "step_asymmetry" else "stance ") + (
            "length" if unit == "m" else "time" if unit == "s" else "share"
        )
        if f.trend == "worse":
            return (
                f"the {f.side} {what} became {_num(abs(n['change']), unit)} shorter relative to "
                f"the other side (now {_num(abs(n['gap_b']), unit)} shorter, MDC {_num(n['mdc'], unit)})"
            )
        return (
            f"the left-right {what} difference shrank from {_num(abs(n['gap_a']), unit)} "
            f"to {_num(abs(n['gap_b']), unit)}"
        )
    what = _WHAT[f.kind].format(side=f.side or "", stance=f.stance_side or "").strip()
    text = (
        f"{what} {_num(n['change'], unit, signed=True)} ({_num(n['a'], unit)} to "
        f"{_num(n['b'], unit)}, MDC {_num(n['mdc'], unit)})"
    )
    if f.kind == "pelvic_drop" and f.trend == "worse":
        text += f", the Trendelenburg sign of the {f.stance_side} stance"
    if f.recovery == "partial" and "change_from_baseline" in n:
        text += f", still {_num(n['change_from_baseline'], unit, signed=True)} from baseline"
    elif f.recovery == "full":
        text += ", back within the MDC of baseline"
    return text


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return "; ".join(parts[:-1]) + "; and " + parts[-1]


def _when(v: VisitData) -> str:
    if v.days_since_surgery is None:
        return v.name
    d = v.days_since_surgery
    rel = f"{d} days after surgery" if d >= 0 else f"{-d} days before surgery"
    return f"{v.label} ({v.date.isoformat()}, {rel})"


def write_narrative(
    a: VisitData,
    b: VisitData,
    findings: Sequence[Finding],
    comparability: Comparability,
    budget: MotionBudget,
) -> str:
    """One paragraph on what changed from visit A to visit B.

    Parameters
    ----------
    a, b : VisitData
        The earlier and later visit.
    findings : sequence of Finding
        The comparison's findings (red flags first).
    comparability : Comparability
        The comparability check, whose cautions are named.
    budget : MotionBudget
        The motion budget, whose summary line is quoted.
    """
    out = [f"Gait video comparison of {_when(b)} with {_when(a)}."]
    flags = [f for f in findings if f.kind == "red_flag"]
    if flags:
        words = [RED_FLAG_WORDS.get(f.id.split(":", 1)[1], f.id.split(":", 1)[1]) for f in flags]
        out.append(
            f"Red-flag symptom{'s' if len(words) > 1 else ''} recorded at this visit: "
            f"{', '.join(words)}; medical review comes before the gait findings."
        )
    if comparability.status == "not comparable":
        out.append("The visits cannot be compared: " + " ".join(comparability.warnings))
        out.append(TERMINOLOGY_GUARD)
        return " ".join(out)
    worse = [_clause(f) for f in findings if f.trend == "worse"]
    better = [_clause(f) for f in findings if f.trend == "better"]
    if worse:
        out.append("Changes of concern, beyond the minimal detectable change (MDC): " + _join(worse) + ".")
    if better:
        out.append("Changes in the better direction, beyond the MDC: " + _join(better) + ".")
    if not worse and not better:
        out.append("No measured change reached the minimal detectable change.")
    out.append(f"Motion budget: {budget.summary}.")
    if budget.hips_taking_over:
        out.append(
            "The hips move through a larger range while the trunk does not, the pattern of "
            "hips taking over motion from the fused lumbar spine."
        )
    cautions = [i for i in comparability.issues if i.severity == "caution"]
    if cautions:
        kinds = sorted({i.kind.replace("_", " ") for i in cautions})
        out.append(
            "Read with caution: the recording conditions differed (" + ", ".join(kinds) + "); "
            "see the comparability check."
        )
    out.append(
        "All angles come from 2-D video and findings point to what to examine, they are not "
        "a diagnosis. " + TERMINOLOGY_GUARD
    )
    return " ".join(out)
