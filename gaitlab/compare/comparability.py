"""Can two visits be compared?  The check made before any change is shown.

Walking speed changes almost every gait measure; a different camera placement,
walking aid, footwear or pain level changes the rest.  The check names each such
difference in a plain sentence.  A pair with differences is still compared (the
changes are shown raw, with both speeds stated), but never silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gaitlab.compare.camera import CameraPlacement, estimate_camera_placement
from gaitlab.compare.visits import CombinedMetrics, VisitData, near_leg
from gaitlab.errors import InputError

Severity = Literal["note", "caution", "incomparable"]
Status = Literal["comparable", "caution", "not comparable"]

#: Relative walking-speed (or cadence) difference from which the pair is flagged.
SPEED_DIFF_FRACTION = 0.10
#: Absolute walking-speed difference from which the pair is flagged, m/s (the
#: substantial meaningful change of Perera et al. 2006, see :mod:`gaitlab.compare.mdc`).
SPEED_DIFF_M_S = 0.10
#: Fewer valid cycles per side than this make a side's measures less certain.
MIN_CYCLES_PER_SIDE = 3
#: Pain-at-test difference (NRS points) from which the pair is flagged.
PAIN_DIFF_NRS = 2.0
#: Camera set-up differences from which the pair is flagged.
BODY_SIZE_RATIO_LIMIT = 1.25  # apparent body height, larger / smaller
HIP_LEVEL_DIFF_LIMIT = 0.15  # share of the frame height
YAW_DIFF_LIMIT_DEG = 15.0
FRAME_RATE_LIMIT_FPS = 25.0

_FRONTAL_MEASURES = "pelvic obliquity and drop, lateral trunk lean, hip adduction"
_SAGITTAL_MEASURES = "hip and knee flexion, forward trunk lean"


@dataclass(frozen=True)
class ComparabilityIssue:
    """One difference between the visits' recording conditions.

    Attributes
    ----------
    kind : str
        Machine-readable key ("speed", "cadence", "view_missing", "no_common_view",
        "walking_direction", "frame_rate", "camera_distance", "camera_height",
        "camera_angle", "camera_unchecked", "walking_aid", "footwear", "pelvic_belt",
        "pain_at_test", "few_cycles", "analysis_warning", "pose_model", "filter").
    severity : {"note", "caution", "incomparable"}
        "note" informs; "caution" means changes may partly reflect the difference;
        "incomparable" means the visits cannot be compared.
    sentence : str
        The plain-language statement shown to the clinician.
    """

    kind: str
    severity: Severity
    sentence: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "sentence": self.sentence}


@dataclass(frozen=True)
class Comparability:
    """The result of the comparability check of two visits.

    Attributes
    ----------
    status : {"comparable", "caution", "not comparable"}
        The overall judgement.
    issues : tuple of ComparabilityIssue
        Every difference found, most serious first.
    speed_m_s : (float or None, float or None)
        Walking speed at the two visits.
    cadence_steps_per_min : (float or None, float or None)
        Cadence at the two visits.
    camera : dict of view to (CameraPlacement or None, CameraPlacement or None)
        Pose-based camera estimates per view, when landmarks were supplied.
    """

    status: Status
    issues: tuple[ComparabilityIssue, ...]
    speed_m_s: tuple[float | None, float | None]
    cadence_steps_per_min: tuple[float | None, float | None]
    camera: dict[str, tuple[CameraPlacement | None, CameraPlacement | None]]

    @property
    def ok(self) -> bool:
        """True when nothing but notes was found."""
        return self.status == "comparable"

    @property
    def warnings(self) -> tuple[str, ...]:
        """Sentences of the cautions and incomparabilities (notes left out)."""
        return tuple(i.sentence for i in self.issues if i.severity != "note")

    def has(self, kind: str) -> bool:
        """True when an issue of this kind was found."""
        return any(i.kind == kind for i in self.issues)

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "ok": self.ok,
            "issues": [i.to_dict() for i in self.issues],
            "warnings": list(self.warnings),
            "speed_m_s": list(self.speed_m_s),
            "cadence_steps_per_min": list(self.cadence_steps_per_min),
            "camera": {
                view: [p.to_dict() if p else None for p in pair] for view, pair in self.camera.items()
            },
        }


def _fmt(x: float | None, digits: int = 1) -> str:
    return "not measured" if x is None else f"{x:.{digits}f}"


def _as_float(x: object) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def _pct(a: float, b: float) -> float:
    return 100.0 * (b - a) / a if a else 0.0


def _speed_issues(a: VisitData, b: VisitData, ma: CombinedMetrics, mb: CombinedMetrics) -> list[ComparabilityIssue]:
    sa, sb = ma.value("gait_speed_m_s"), mb.value("gait_speed_m_s")
    ca, cb = ma.value("cadence_steps_per_min"), mb.value("cadence_steps_per_min")
    cadence = (ca, cb)
    tail = (
        "Speed changes almost every gait measure, so the changes below are raw values "
        "at these two speeds, not speed-matched; read them with the speeds in mind."
    )
    if sa is not None and sb is not None:
        speed = (sa, sb)
        diff = sb - sa
        if abs(diff) >= SPEED_DIFF_M_S or abs(diff) >= SPEED_DIFF_FRACTION * sa:
            return [
                ComparabilityIssue(
                    "speed",
                    "caution",
                    f"Walking speed differed: {speed[0]:.2f} m/s at {a.name} and "
                    f"{speed[1]:.2f} m/s at {b.name} ({_pct(*speed):+.0f} %; cadence "
                    f"{_fmt(cadence[0], 0)} and {_fmt(cadence[1], 0)} steps/min). {tail}",
                )
            ]
        return []
    if ca is not None and cb is not None:
        if abs(cb - ca) >= SPEED_DIFF_FRACTION * ca:
            return [
                ComparabilityIssue(
                    "cadence",
                    "caution",
                    f"Cadence differed: {ca:.0f} steps/min at {a.name} and "
                    f"{cb:.0f} steps/min at {b.name} ({_pct(ca, cb):+.0f} %); "
                    f"walking speed was not measured (no body height given). {tail}",
                )
            ]
    return []


def _view_issues(a: VisitData, b: VisitData, ma: CombinedMetrics, mb: CombinedMetrics) -> list[ComparabilityIssue]:
    issues = []
    common = set(ma.documents) & set(mb.documents)
    if not common:
        issues.append(
            ComparabilityIssue(
                "no_common_view",
                "incomparable",
                f"The visits share no camera view ({a.name}: {', '.join(sorted(ma.documents))}; "
                f"{b.name}: {', '.join(sorted(mb.documents))}), so no angle can be compared.",
            )
        )
    for view, measures in (("sagittal", _SAGITTAL_MEASURES), ("frontal", _FRONTAL_MEASURES)):
        missing = [v.name for v, m in ((a, ma), (b, mb)) if view not in m.documents]
        if common and len(missing) == 1:
            issues.append(
                ComparabilityIssue(
                    "view_missing",
                    "caution",
                    f"There is no {view} recording at {missing[0]}, so {measures} cannot be compared.",
                )
            )
    if "sagittal" in common:
        # A leg measured as the near leg at one visit and as the far leg at the other
        # (each leg's angles come from the recording where it is nearer the camera
        # when the walk was filmed both ways).
        flipped = [
            side for side in ("left", "right")
            if (near_leg(ma.document_for("sagittal", side) or {}) == side)
            != (near_leg(mb.document_for("sagittal", side) or {}) == side)
        ]
        if flipped:
            da, db = ma.documents["sagittal"], mb.documents["sagittal"]
            legs = "both legs were" if len(flipped) == 2 else f"the {flipped[0]} leg was"
            issues.append(
                ComparabilityIssue(
                    "walking_direction",
                    "caution",
                    f"The side-view camera filmed the patient's other side at {b.name} "
                    f"(walking {db.get('walking_direction')} in the image, {da.get('walking_direction')} "
                    f"at {a.name}): {legs} nearer the camera at one visit and further at the other; "
                    "the leg further from the camera is measured less well, so left-right differences "
                    "and changes of that leg may partly come from this. Filming the walk both ways "
                    "at every visit measures each leg from its near side.",
                )
            )
    for view in sorted(common):
        da, db = ma.documents[view], mb.documents[view]
        fps_a = _as_float((da.get("video") or {}).get("fps"))
        fps_b = _as_float((db.get("video") or {}).get("fps"))
        if fps_a is not None and fps_b is not None and min(fps_a, fps_b) < FRAME_RATE_LIMIT_FPS:
            fps = (fps_a, fps_b)
            if abs(fps[0] - fps[1]) > 0.2 * max(fps):
                issues.append(
                    ComparabilityIssue(
                        "frame_rate",
                        "caution",
                        f"The {view} videos were filmed at {fps[0]:.0f} and {fps[1]:.0f} frames/s; "
                        f"at {min(fps):.0f} frames/s gait events are timed to about "
                        f"{1000.0 / min(fps):.0f} ms, so small timing changes are uncertain.",
                    )
                )
    return issues


def _model_label(doc: dict) -> tuple[str, str]:
    """The pose model of an analysis: (variant, sha256), empty strings when not recorded."""
    model = doc.get("model") or {}
    return str(model.get("variant") or ""), str(model.get("sha256") or "")


def _method_issues(a: VisitData, b: VisitData, ma: CombinedMetrics, mb: CombinedMetrics) -> list[ComparabilityIssue]:
    """Differences in how the two visits were measured: pose model and low-pass filter."""
    issues: list[ComparabilityIssue] = []
    for view in sorted(set(ma.documents) & set(mb.documents)):
        # Every pair of recordings a measure of this view was compared on (a leg's
        # angles may come from another recording than the view's own).
        pairs: list[tuple[dict, dict]] = []
        for side in (None, "left", "right"):
            da, db = ma.document_for(view, side), mb.document_for(view, side)  # type: ignore[arg-type]
            if da is not None and db is not None and all(da is not p[0] or db is not p[1] for p in pairs):
                pairs.append((da, db))
        for da, db in pairs:
            for issue in _method_pair_issues(a, b, view, da, db):
                if issue not in issues:
                    issues.append(issue)
    return issues


def _method_pair_issues(a: VisitData, b: VisitData, view: str, da: dict, db: dict) -> list[ComparabilityIssue]:
    """Pose model and low-pass differences between one recording of each visit."""
    issues = []
    (va, ha), (vb, hb) = _model_label(da), _model_label(db)
    if (va, ha) != (vb, hb) and all((va, ha, vb, hb)):
        names = (f"the {va} model", f"the {vb} model") if va != vb else (
            f"a {va} model file {ha[:8]}", f"another {vb} model file {hb[:8]}")
        issues.append(
            ComparabilityIssue(
                "pose_model",
                "caution",
                f"The {view} videos were measured with different pose models ({names[0]} at "
                f"{a.name}, {names[1]} at {b.name}); each model places the hip, knee and foot "
                "points a little differently, so changes of a few degrees may come from the "
                "models alone. Analyse both visits again with the same model to compare them.",
            )
        )
    cut_a = _as_float((da.get("settings") or {}).get("lowpass_hz"))
    cut_b = _as_float((db.get("settings") or {}).get("lowpass_hz"))
    if cut_a is not None and cut_b is not None and abs(cut_a - cut_b) > 1e-6:
        issues.append(
            ComparabilityIssue(
                "filter",
                "caution",
                f"The {view} videos were smoothed differently ({cut_a:g} Hz low-pass at {a.name}, "
                f"{cut_b:g} Hz at {b.name}); peak angles and ranges shrink with a lower cut-off, "
                "so analyse both visits again with the same setting to compare them.",
            )
        )
    return issues


def _camera_issues(
    a: VisitData, b: VisitData, ma: CombinedMetrics, mb: CombinedMetrics
) -> tuple[list[ComparabilityIssue], dict]:
    issues: list[ComparabilityIssue] = []
    placements: dict[str, tuple[CameraPlacement | None, CameraPlacement | None]] = {}
    for view in sorted(set(ma.documents) & set(mb.documents)):
        pair = (_placement(a, ma.documents[view]), _placement(b, mb.documents[view]))
        placements[view] = pair
        pa, pb = pair
        if pa is None or pb is None:
            issues.append(
                ComparabilityIssue(
                    "camera_unchecked",
                    "note",
                    f"The {view} camera placement was not checked from the pose (landmarks "
                    "not available); compare the set-up notes of both visits.",
                )
            )
            continue
        ratio = pb.body_height_frac / pa.body_height_frac
        if max(ratio, 1.0 / ratio) > BODY_SIZE_RATIO_LIMIT:
            issues.append(
                ComparabilityIssue(
                    "camera_distance",
                    "caution",
                    f"The {view} camera stood at a different distance (or zoom): the patient "
                    f"fills {100 * pa.body_height_frac:.0f} % of the frame height at {a.name} and "
                    f"{100 * pb.body_height_frac:.0f} % at {b.name}.",
                )
            )
        if abs(pb.hip_level_frac - pa.hip_level_frac) > HIP_LEVEL_DIFF_LIMIT:
            issues.append(
                ComparabilityIssue(
                    "camera_height",
                    "caution",
                    f"The {view} camera height or tilt differed: the hips are at "
                    f"{100 * pa.hip_level_frac:.0f} % of the frame height at {a.name} and "
                    f"{100 * pb.hip_level_frac:.0f} % at {b.name}; 2-D angles change with it.",
                )
            )
        if pa.body_yaw_deg is not None and pb.body_yaw_deg is not None:
            if abs(pb.body_yaw_deg - pa.body_yaw_deg) > YAW_DIFF_LIMIT_DEG:
                issues.append(
                    ComparabilityIssue(
                        "camera_angle",
                        "caution",
                        f"The {view} camera angle differed: the patient walked "
                        f"{pa.body_yaw_deg:.0f} degrees off square at {a.name} and "
                        f"{pb.body_yaw_deg:.0f} degrees at {b.name}; 2-D angles are "
                        "foreshortened differently.",
                    )
                )
    return issues, placements


def _placement(visit: VisitData, doc: dict) -> CameraPlacement | None:
    if not visit.poses:
        return None
    for d, pose in zip(visit.documents, visit.poses):
        if d is doc and pose is not None:
            try:
                return estimate_camera_placement(pose, doc["view"])
            except InputError:
                return None
    return None


def _condition_issues(a: VisitData, b: VisitData) -> list[ComparabilityIssue]:
    issues = []
    if (a.walking_aid or "none") != (b.walking_aid or "none"):
        issues.append(
            ComparabilityIssue(
                "walking_aid",
                "caution",
                f"The walking aid changed: {a.walking_aid or 'none'} at {a.name}, "
                f"{b.walking_aid or 'none'} at {b.name}; an aid changes step, trunk and pelvic measures.",
            )
        )
    if (a.footwear or "").strip().lower() != (b.footwear or "").strip().lower():
        issues.append(
            ComparabilityIssue(
                "footwear",
                "caution",
                f"The footwear changed: {a.footwear or 'not recorded'} at {a.name}, "
                f"{b.footwear or 'not recorded'} at {b.name}.",
            )
        )
    belt = ("pelvic_belt" in a.treatments, "pelvic_belt" in b.treatments)
    if belt[0] != belt[1]:
        issues.append(
            ComparabilityIssue(
                "pelvic_belt",
                "caution",
                f"A pelvic belt was in use at {a.name if belt[0] else b.name} only; a belt "
                "changes pelvic motion.",
            )
        )
    pa, pb = a.pain_at_test, b.pain_at_test
    if pa is not None and pb is not None and abs(pb - pa) >= PAIN_DIFF_NRS:
        issues.append(
            ComparabilityIssue(
                "pain_at_test",
                "caution",
                f"Pain while walking differed: {pa:g}/10 at {a.name}, {pb:g}/10 at {b.name}; "
                "pain changes gait on its own.",
            )
        )
    return issues


def _cycle_issues(visits: tuple[tuple[VisitData, CombinedMetrics], ...]) -> list[ComparabilityIssue]:
    issues = []
    for visit, metrics in visits:
        for view, per_side in sorted(metrics.n_cycles.items()):
            for side in ("left", "right"):
                n = per_side[side]
                if n < MIN_CYCLES_PER_SIDE:
                    issues.append(
                        ComparabilityIssue(
                            "few_cycles",
                            "caution",
                            f"Only {n} valid gait cycle{'s' if n != 1 else ''} of the {side} leg "
                            f"in the {view} recording of {visit.name}: its {side}-side {view} "
                            "measures are less certain.",
                        )
                    )
            used = metrics.documents_used(view)
            for doc in used:
                where = f"{view} view" if len(used) == 1 else f"{view} view walking {doc.get('walking_direction')}"
                for warning in doc.get("quality", {}).get("warnings", []) or []:
                    issues.append(
                        ComparabilityIssue("analysis_warning", "note", f"{visit.name}, {where}: {warning}")
                    )
    return issues


_ORDER = {"incomparable": 0, "caution": 1, "note": 2}


def check_comparability(
    a: VisitData, b: VisitData, ma: CombinedMetrics, mb: CombinedMetrics
) -> Comparability:
    """Check that two visits can be compared, and say plainly what differs.

    Parameters
    ----------
    a, b : VisitData
        The earlier and the later visit.
    ma, mb : CombinedMetrics
        Their combined metric sets (:func:`~gaitlab.compare.visits.combine_visit_metrics`).

    Returns
    -------
    Comparability
        "not comparable" when the visits share no camera view; "caution" when speed
        (or cadence, when speed is unknown) differs by 10 % or more (or 0.10 m/s),
        the camera set-up, pose model, low-pass filter, walking aid, footwear, pelvic
        belt or pain at test changed,
        a view is missing at one visit, or a side has fewer than 3 valid cycles.
    """
    issues = _speed_issues(a, b, ma, mb)
    issues += _view_issues(a, b, ma, mb)
    issues += _method_issues(a, b, ma, mb)
    camera_issues, placements = _camera_issues(a, b, ma, mb)
    issues += camera_issues
    issues += _condition_issues(a, b)
    issues += _cycle_issues(((a, ma), (b, mb)))
    issues.sort(key=lambda i: _ORDER[i.severity])
    if any(i.severity == "incomparable" for i in issues):
        status: Status = "not comparable"
    elif any(i.severity == "caution" for i in issues):
        status = "caution"
    else:
        status = "comparable"
    return Comparability(
        status=status,
        issues=tuple(issues),
        speed_m_s=(ma.value("gait_speed_m_s"), mb.value("gait_speed_m_s")),
        cadence_steps_per_min=(ma.value("cadence_steps_per_min"), mb.value("cadence_steps_per_min")),
        camera=placements,
    )
