"""``gaitlab compare`` and ``gaitlab demo``: what changed between a patient's visits.

``gaitlab compare --patient ID [--visits A B] [--json OUT]`` reads the patient
library and prints the comparison of two visits (by default the last two with
analysed recordings) against the patient's own baseline, then the trend over all
visits.  ``gaitlab demo`` imports the synthetic sample patient from
``sample_videos/`` into a fresh library and prints its comparisons: what
``make run`` shows until the app exists.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path

from gaitlab.cli._progress import TerminalProgress
from gaitlab.compare import (
    MDC_TABLE,
    TERMINOLOGY_GUARD,
    Comparison,
    Trend,
    VisitData,
    choose_baseline,
    compare_visits,
    trend,
)
from gaitlab.errors import GaitlabError, InputError
from gaitlab.types import PoseSequence

log = logging.getLogger(__name__)

WIDTH = 100


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "compare",
        help="compare a patient's visits (changes, findings, trend)",
        description="Compare two visits of a patient from the library: comparability, "
        "findings (red flags first), metric changes judged against the minimal detectable "
        "change, frontal compensation profile, motion budget, narrative; then the trend "
        "over all visits.",
    )
    p.add_argument("--patient", required=True, help="the patient's pseudonymous ID")
    p.add_argument(
        "--visits",
        nargs=2,
        metavar=("A", "B"),
        help="the earlier and the later visit, by label, date (YYYY-MM-DD) or visit number "
        "(default: the last two visits with analysed recordings)",
    )
    p.add_argument("--json", metavar="OUT", help="also write the comparison and trend as JSON")
    p.add_argument("--library", metavar="PATH", help="the library file (default: $GAITLAB_LIBRARY or the user's library)")
    p.add_argument(
        "--no-camera-check",
        action="store_true",
        help="do not read the cached landmarks to check the camera placement",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_compare)

    d = subparsers.add_parser(
        "demo",
        help="import the sample patient into a fresh library and show its comparison",
        description="Import the synthetic sample patient (sample_videos/) into a fresh library, "
        "analysing its videos, and print the comparison of each visit with the one before, "
        "against the pre-op baseline, and the trend.",
    )
    d.add_argument("--library", metavar="PATH", help="use (or create) this library file instead of a temporary one")
    d.add_argument("--samples", metavar="DIR", help="folder with patient.json and the sample clips (default: sample_videos/)")
    d.add_argument("--model", choices=("lite", "full", "heavy"), default="full", help="pose model variant")
    d.add_argument("--json", metavar="OUT", help="also write the comparisons and trend as JSON")
    d.add_argument("--quiet", action="store_true", help="no progress bar")
    d.set_defaults(func=run_demo)


# --------------------------------------------------------------------------- library → visits


def visit_data_from_library(library, visit, *, with_poses: bool = True, progress=None) -> VisitData:
    """The comparison's view of a library visit: its details and analysed recordings.

    Only complete analyses (status ``ok``) take part.  With ``with_poses``, the cached
    landmarks of each recording are read (for the camera-placement check); a
    recording whose video or landmarks cannot be found simply has none.
    """
    recordings = [
        r for r in library.list_recordings(visit.visit_id, with_result=True)
        if r.status == "ok" and r.result
    ]
    poses: list[PoseSequence | None] = []
    if with_poses:
        from gaitlab.analysis import pose_for_result

        for r in recordings:
            try:
                poses.append(pose_for_result(r.result, video_path=r.video_path, progress=progress))
            except GaitlabError as exc:
                log.info("no landmarks for %s: %s", r.video_path, exc)
                poses.append(None)
    from gaitlab.storage.comparison_input import visit_data

    return visit_data(visit, recordings, poses=poses if with_poses else ())


def load_patient_visits(library, patient_id: str, *, with_poses: bool = True, progress=None) -> list[VisitData]:
    """All visits of a patient, by date, as :class:`VisitData`."""
    return [
        visit_data_from_library(library, v, with_poses=with_poses, progress=progress)
        for v in library.list_visits(patient_id)
    ]


def pick_visit(visits: Sequence[VisitData], key: str) -> VisitData:
    """The visit a user named by label (case-insensitive), date or visit number."""
    key = key.strip()
    found = [
        v for v in visits
        if str(v.visit_id) == key or v.date.isoformat() == key or v.label.lower() == key.lower()
    ]
    if not found:
        known = ", ".join(f"{v.label} ({v.date.isoformat()}, #{v.visit_id})" for v in visits)
        raise InputError(f"The patient has no visit '{key}'; the visits are: {known or 'none'}.")
    if len(found) > 1:
        raise InputError(f"'{key}' names more than one visit; give the date or the visit number.")
    return found[0]


def pairs_to_compare(visits: Sequence[VisitData], names: Sequence[str] | None) -> list[tuple[VisitData, VisitData]]:
    """The visit pairs to show: the named pair, else the last two analysed visits."""
    usable = [v for v in visits if v.documents]
    if names:
        a, b = pick_visit(visits, names[0]), pick_visit(visits, names[1])
        if a.date > b.date:
            a, b = b, a
        return [(a, b)]
    if len(usable) < 2:
        raise InputError(
            f"The patient has {len(usable)} visit{'s' if len(usable) != 1 else ''} with analysed "
            "recordings; a comparison needs two."
        )
    return [(usable[-2], usable[-1])]


# --------------------------------------------------------------------------- printing


def _wrap(text: str, indent: str = "  ", first: str | None = None) -> str:
    return textwrap.fill(
        text, width=WIDTH, initial_indent=first if first is not None else indent,
        subsequent_indent=indent + ("  " if first is not None else ""),
    )


def _num(x: float | None, unit: str = "", signed: bool = False) -> str:
    if x is None:
        return "-"
    digits = 2 if unit in ("m", "s", "m/s") else 1
    return f"{x:{'+' if signed else ''}.{digits}f}"


def _when(v) -> str:
    if v.days_since_surgery is None:
        return v.name
    d = v.days_since_surgery
    rel = f"{d} days after surgery" if d >= 0 else f"{-d} days before surgery"
    return f"{v.label} ({v.date.isoformat()}, {rel})"


def format_comparison(c: Comparison) -> str:
    """The comparison as terminal text, in clinical reading order."""
    a, b = c.visit_a, c.visit_b
    out = [
        "=" * WIDTH,
        f"{_when(b)}  compared with  {_when(a)}",
        f"Baseline (the patient's own reference): {c.baseline.name if c.baseline else 'none'}",
        "=" * WIDTH,
        "",
        f"COMPARABILITY: {c.comparability.status.upper()}",
    ]
    issues = c.comparability.issues
    if not issues:
        out.append("  Recording conditions match (speed, views, camera, aid, footwear, pain).")
    for i in issues:
        mark = {"incomparable": "x ", "caution": "! ", "note": "- "}[i.severity]
        out.append(_wrap(i.sentence, "    ", "  " + mark))
    out += ["", "FINDINGS (red flags first; each beyond its minimal detectable change)"]
    if not c.findings:
        out.append("  No change reached the minimal detectable change.")
    for n, f in enumerate(c.findings, 1):
        tag = "RED FLAG" if f.kind == "red_flag" else f"{f.severity}, {f.trend}"
        out.append(_wrap(f.sentence, "      ", f"  {n:>2}. [{tag}] "))
        if f.examine:
            out.append(_wrap("examine: " + f.examine, "        ", "      "))
        if f.caveat:
            out.append(_wrap("caveat: " + f.caveat, "        ", "      "))
    out += ["", f"METRICS (change = {b.label} - {a.label}; MDC judgement; baseline band = baseline +/- MDC)"]
    header = (
        f"  {'metric':<42}{'side':<6}{a.label[:9]:>9} {b.label[:9]:>9} {'change':>8} {'MDC':>6}  "
        f"{'judged':<21}{'from base':>9}  healthy ref"
    )
    out.append(header)
    for d in c.deltas:
        if d.a is None and d.b is None:
            continue
        pop = "-"
        if d.population is not None:
            band = d.population
            pop = (
                f"{_num(band.low, d.unit)}" if band.low == band.high
                else f"{_num(band.low, d.unit)}-{_num(band.high, d.unit)}"
            ) + (" (key value)" if band.kind == "key value" else " (group means)")
        label = f"{d.label} ({d.unit})" + (" *" if d.measure == "2-D proxy" else "")
        out.append(
            f"  {label[:41]:<42}{(d.side or ''):<6}{_num(d.a, d.unit):>9} {_num(d.b, d.unit):>9} "
            f"{_num(d.delta, d.unit, True):>8} {_num(d.mdc, d.unit):>6}  {d.direction:<21}"
            f"{_num(d.delta_from_baseline, d.unit, True):>9}  {pop}"
        )
    kinds = {MDC_TABLE[d.name].kind for d in c.deltas if d.a is not None or d.b is not None}
    out.append(_wrap(
        "* 2-D proxy of a 3-D clinical angle (hip flexion against the trunk line; pelvic "
        "measures from the hip-joint line). MDC: "
        + ("gaitlab defaults stated where no published MDC exists for 2-D video"
           if "gaitlab default" in kinds else "published")
        + "; walking speed uses a published meaningful change (Perera et al. 2006). Sources: "
        "docs/references.md.",
        "    ", "  ",
    ))
    out += ["", f"FRONTAL COMPENSATION PROFILE at {b.label} (per stance side)"]
    for p in c.compensation:
        out.append(f"  {p.stance_side:>5} stance: {p.label}")
        out.append(_wrap(p.sentence.split(": ", 1)[-1], "      ", "      "))
    out += ["", f"LUMBO-PELVIC-HIP MOTION BUDGET (changes from {c.motion_budget.reference_label})"]
    out.append(
        f"  {'component':<40}{'measure':<11}{a.label[:9]:>9} {b.label[:9]:>9} {'change':>8} {'from base':>9}"
    )
    for comp in c.motion_budget.components:
        name = comp.label + (f" ({comp.side})" if comp.side else "")
        out.append(
            f"  {name[:39]:<40}{comp.measure:<11}{_num(comp.a):>9} {_num(comp.b):>9} "
            f"{_num(comp.change, signed=True):>8} {_num(comp.change_from_baseline, signed=True):>9}"
        )
    out.append(_wrap(c.motion_budget.summary + ".", "    ", "  "))
    if c.motion_budget.hips_taking_over:
        out.append("  Pattern: hip range up while trunk excursion is not: hips taking over lumbar motion.")
    out += ["", "NARRATIVE (for a referral letter)", _wrap(c.narrative), ""]
    return "\n".join(out)


def format_trend(t: Trend) -> str:
    """The trend as a terminal table: value (change from baseline, * beyond the MDC)."""
    if not t.series:
        return ""
    labels = [p.label for p in t.series[0].points]
    out = [
        "=" * WIDTH,
        f"TREND over all visits (change from baseline {t.baseline.name if t.baseline else '-'}; "
        "* = beyond the MDC)",
        "=" * WIDTH,
        f"  {'metric':<34}{'side':<6}" + "".join(f"{x[:16]:>18}" for x in labels),
    ]
    for s in t.series:
        if all(p.value is None for p in s.points):
            continue
        cells = []
        for p in s.points:
            if p.value is None:
                cells.append("-")
            elif p.change_from_baseline is None or p.change_from_baseline == 0:
                cells.append(_num(p.value, s.unit))
            else:
                star = "*" if p.beyond_mdc else ""
                cells.append(f"{_num(p.value, s.unit)} ({_num(p.change_from_baseline, s.unit, True)}{star})")
        out.append(f"  {(s.label + ' (' + s.unit + ')')[:33]:<34}{(s.side or ''):<6}" + "".join(f"{c:>18}" for c in cells))
    out += ["", _wrap(TERMINOLOGY_GUARD), ""]
    return "\n".join(out)


def _write_json(path: str, comparisons: Sequence[Comparison], t: Trend | None, patient_id: str) -> None:
    from gaitlab.io.files import write_json_atomic

    write_json_atomic(
        path,
        {
            "schema": "gaitlab.comparison_report/1",
            "patient": patient_id,
            "comparisons": [c.to_dict() for c in comparisons],
            "trend": t.to_dict() if t is not None else None,
        },
    )


def _show(visits: list[VisitData], pairs, patient_id: str, json_out: str | None) -> int:
    baseline = choose_baseline(visits)
    comparisons = [compare_visits(a, b, baseline=baseline) for a, b in pairs]
    usable = [v for v in visits if v.documents]
    t = trend(usable, baseline=baseline) if usable else None
    for c in comparisons:
        print(format_comparison(c))
    if t is not None and len(usable) > 1:
        print(format_trend(t))
    if json_out:
        _write_json(json_out, comparisons, t, patient_id)
        print(f"Written: {json_out}")
    return 0


# --------------------------------------------------------------------------- commands


def _open_library(path: str | None):
    from gaitlab.storage import Library

    return Library(path) if path else Library()


def run_compare(args: argparse.Namespace) -> int:
    from gaitlab.io.files import check_writable_output

    if args.json:
        check_writable_output(args.json)
    progress = TerminalProgress(quiet=args.quiet)
    try:
        with _open_library(args.library) as library:
            patient = library.get_patient(args.patient)
            visits = load_patient_visits(
                library, patient.patient_id, with_poses=not args.no_camera_check, progress=progress
            )
    finally:
        progress.finish()
    pairs = pairs_to_compare(visits, args.visits)
    print(f"Patient {patient.display_name}")
    return _show(visits, pairs, patient.patient_id, args.json)


def default_sample_dir() -> Path:
    """``sample_videos/`` of the source checkout gaitlab runs from."""
    return Path(__file__).resolve().parents[2] / "sample_videos"


def run_demo(args: argparse.Namespace) -> int:
    from gaitlab.io.files import check_writable_output
    from gaitlab.workflow import import_sample_patient

    if args.json:
        check_writable_output(args.json)
    samples = Path(args.samples).expanduser() if args.samples else default_sample_dir()
    if not (samples / "patient.json").is_file():
        raise InputError(
            f"There is no sample patient in {samples} (patient.json is missing); "
            "run 'gaitlab samples' to make it."
        )
    progress = TerminalProgress(quiet=args.quiet)
    with tempfile.TemporaryDirectory(prefix="gaitlab-demo-") as tmp:
        path = args.library or os.path.join(tmp, "library.sqlite")
        where = path if args.library else f"{path} (temporary)"
        if not args.quiet:
            print(f"Library: {where}", file=sys.stderr)
            print(f"Importing the sample patient from {samples} (analysing its videos) ...", file=sys.stderr)
        try:
            with _open_library(path) as library:
                patient_id = import_sample_patient(
                    library, samples, model_variant=args.model, progress=progress
                )
                patient = library.get_patient(patient_id)
                visits = load_patient_visits(library, patient_id, with_poses=True, progress=progress)
        finally:
            progress.finish()
    usable = [v for v in visits if v.documents]
    if len(usable) < 2:
        raise InputError("The sample patient has fewer than two analysed visits to compare.")
    pairs = list(zip(usable, usable[1:]))
    print(f"Patient {patient.display_name}: {len(usable)} visits")
    return _show(visits, pairs, patient_id, args.json)
