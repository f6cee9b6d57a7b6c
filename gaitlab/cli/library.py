"""``gaitlab patient add|list|show`` and ``gaitlab visit add``: the patient library.

The library file is ``--library PATH``, else ``$GAITLAB_LIBRARY``, else
``library.sqlite`` in the user data folder.  Bad input (unknown patient, visit
date before birth or in the future, missing video, video already attached to
another patient, a file that is not a gaitlab library) exits with status 2, one
sentence on stderr, and nothing written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gaitlab.storage import (
    RED_FLAGS,
    TREATMENTS,
    WALKING_AIDS,
    Library,
    Patient,
    Recording,
    Surgery,
    Visit,
    parse_date,
)


class _AddVideo(argparse.Action):
    """``--video V``: one more walking video (its ``--view``/``--person`` may follow)."""

    def __call__(self, parser, namespace, values, option_string=None):
        videos = list(getattr(namespace, "videos", None) or [])
        videos.append({"path": values, "view": "auto", "person": "auto"})
        namespace.videos = videos


class _SetOfLastVideo(argparse.Action):
    """``--view``/``--person``: describes the ``--video`` just before it."""

    def __call__(self, parser, namespace, values, option_string=None):
        videos = getattr(namespace, "videos", None)
        if not videos:
            parser.error(f"{option_string} must follow the --video it describes")
        else:
            videos[-1][self.dest] = values


def _library_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--library",
        metavar="PATH",
        default=None,
        help="library file (default: $GAITLAB_LIBRARY or library.sqlite in the user data folder)",
    )


def register(subparsers) -> None:
    patient = subparsers.add_parser("patient", help="add, list or show patients of the library")
    patient.set_defaults(func=lambda args: _usage(patient))
    psub = patient.add_subparsers(dest="patient_command", metavar="ACTION", parser_class=type(patient))

    add = psub.add_parser("add", help="add a patient (only the pseudonymous ID is required)")
    add.add_argument("patient_id", metavar="ID", help="pseudonymous patient ID, e.g. P-0042")
    add.add_argument("--name", default="", help="name (optional)")
    add.add_argument("--birth-year", type=int, default=None)
    add.add_argument("--sex", choices=("female", "male", "other"), default=None)
    add.add_argument("--height-cm", type=float, default=None, help="body height: the scale for step length and speed")
    add.add_argument("--surgery-date", default=None, metavar="YYYY-MM-DD", help="date of the fusion")
    add.add_argument("--levels", default="", help="fused levels, e.g. L4-S1")
    sacrum = add.add_mutually_exclusive_group()
    sacrum.add_argument("--fused-to-sacrum", dest="fused_to_sacrum", action="store_true", default=None)
    sacrum.add_argument("--not-fused-to-sacrum", dest="fused_to_sacrum", action="store_false")
    add.add_argument("--approach", default="", help="surgical approach, e.g. 'posterior (TLIF)'")
    add.add_argument("--notes", default="")
    _library_option(add)
    add.set_defaults(func=run_patient_add)

    lst = psub.add_parser("list", help="list patients")
    lst.add_argument("--search", default="", help="only patients whose ID or name contains this")
    _library_option(lst)
    lst.set_defaults(func=run_patient_list)

    show = psub.add_parser("show", help="show a patient with surgery, visits, recordings and key metrics")
    show.add_argument("patient_id", metavar="ID")
    _library_option(show)
    show.set_defaults(func=run_patient_show)

    visit = subparsers.add_parser("visit", help="add a visit with its walking videos")
    visit.set_defaults(func=lambda args: _usage(visit))
    vsub = visit.add_subparsers(dest="visit_command", metavar="ACTION", parser_class=type(visit))
    vadd = vsub.add_parser(
        "add",
        help="add a visit: scores, treatments, test conditions, red flags and walking videos",
        description="Add a visit and analyse its walking videos (usually one sagittal and one "
        "frontal pass). Everything is stored in one step: if a video fails, nothing is written. "
        "Exit 0: stored; 2: bad input; 3: stored, but a video had too little walking to measure.",
    )
    vadd.add_argument("--patient", required=True, metavar="ID", help="the patient's pseudonymous ID")
    vadd.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="visit date")
    vadd.add_argument("--label", default="", help="e.g. pre-op, 6 weeks")
    vadd.add_argument("--video", action=_AddVideo, dest="videos", metavar="V",
                      help="a walking video (repeat for each pass)")
    vadd.add_argument("--view", action=_SetOfLastVideo, choices=("auto", "sagittal", "frontal"),
                      help="camera view of the --video before it (default auto)")
    vadd.add_argument("--person", action=_SetOfLastVideo, metavar="N",
                      help="'auto' or the person number of the --video before it (see 'gaitlab people')")
    vadd.add_argument("--pain-hip-left", type=int, default=None, metavar="N", help="left hip pain, NRS 0-10")
    vadd.add_argument("--pain-hip-right", type=int, default=None, metavar="N", help="right hip pain, NRS 0-10")
    vadd.add_argument("--pain-back", type=int, default=None, metavar="N", help="low back pain, NRS 0-10")
    vadd.add_argument("--odi", type=float, default=None, metavar="PCT", help="Oswestry Disability Index, 0-100 %%")
    vadd.add_argument("--treatment", action="append", choices=list(TREATMENTS), default=[],
                      help="current treatment (repeat)")
    vadd.add_argument("--walking-aid", choices=list(WALKING_AIDS), default=None,
                      help="walking aid or orthosis during the test")
    vadd.add_argument("--footwear", default="", help="footwear during the test, e.g. trainers, barefoot")
    vadd.add_argument("--pain-at-test", type=int, default=None, metavar="N", help="pain during the test, NRS 0-10")
    vadd.add_argument("--red-flag", action="append", choices=list(RED_FLAGS), default=[],
                      help="red-flag symptom reported at this visit (repeat)")
    vadd.add_argument("--notes", default="")
    vadd.add_argument("--copy-video", action="store_true", help="keep a copy of the videos in the library folder")
    vadd.add_argument("--model", choices=("lite", "full", "heavy"), default="full", help="pose model variant")
    vadd.add_argument("--quiet", action="store_true", help="no progress bar")
    _library_option(vadd)
    vadd.set_defaults(func=run_visit_add, videos=[])


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _open(args: argparse.Namespace) -> Library:
    return Library(args.library) if args.library else Library()


# --------------------------------------------------------------------------- formatting


def _num(value: Any, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}{unit}"


def _sides(metrics: dict, name: str, unit: str, digits: int = 1) -> str | None:
    value = metrics.get(name)
    if not isinstance(value, dict) or all(v is None for v in value.values()):
        return None
    return f"L {_num(value.get('left'), unit, digits)} R {_num(value.get('right'), unit, digits)}"


def key_metrics(metrics: dict) -> str:
    """The few numbers a clinician looks at first, for one recording or a visit."""
    parts = []
    if metrics.get("cadence_steps_per_min") is not None:
        parts.append(f"cadence {metrics['cadence_steps_per_min']:.1f} steps/min")
    for name, label, unit, digits in (
        ("hip_rom_deg", "hip ROM", "°", 1),
        ("step_length_m", "step length", " m", 2),
        ("stance_pct", "stance", " %", 1),
        ("pelvic_drop_deg", "pelvic drop", "°", 1),
        ("trunk_lean_stance_deg", "trunk lean to stance", "°", 1),
    ):
        text = _sides(metrics, name, unit, digits)
        if text:
            parts.append(f"{label} {text}")
    if metrics.get("gait_speed_m_s") is not None:
        parts.append(f"speed {metrics['gait_speed_m_s']:.2f} m/s")
    return "; ".join(parts) if parts else "no metrics"


def _combined_metrics(documents: list[dict]) -> dict:
    """A visit's metric set in the contract's shape, each metric from the view measuring it."""
    from gaitlab.compare import combine_visit_metrics

    combined = combine_visit_metrics(documents)
    metrics: dict = {}
    for v in combined.values:
        if v.side is None:
            metrics[v.name] = v.value
        else:
            metrics.setdefault(v.name, {})[v.side] = v.value
    return metrics


def _scores(v: Visit) -> str:
    parts = []
    if v.hip_pain_left_nrs is not None or v.hip_pain_right_nrs is not None:
        parts.append(f"hip pain L {_num(v.hip_pain_left_nrs, digits=0)} R {_num(v.hip_pain_right_nrs, digits=0)}")
    if v.back_pain_nrs is not None:
        parts.append(f"back pain {v.back_pain_nrs}")
    if v.odi_pct is not None:
        parts.append(f"ODI {v.odi_pct:g} %")
    return ", ".join(parts)


def _conditions(v: Visit) -> str:
    parts = []
    if v.walking_aid is not None:
        parts.append(f"aid: {WALKING_AIDS[v.walking_aid]}")
    if v.footwear:
        parts.append(f"footwear: {v.footwear}")
    if v.pain_at_test_nrs is not None:
        parts.append(f"pain at test {v.pain_at_test_nrs}")
    return ", ".join(parts)


def _visit_heading(v: Visit) -> str:
    day = "" if v.days_since_surgery is None else f"day {v.days_since_surgery:+d}"
    return "  ".join(x for x in (str(v.date), v.label or "(no label)", day) if x)


def _red_flag_line(v: Visit) -> str:
    return f"RED FLAG: {v.red_flag_text} (reported at this visit; needs clinical review)"


def _recording_line(r: Recording) -> str:
    status = "" if r.status == "ok" else "  [too little walking]"
    return f"recording {r.recording_id}  {r.view:<8}  {Path(r.video_path).name}{status}: {key_metrics(r.metrics)}"


def _surgery_line(s: Surgery) -> str:
    if s.is_empty:
        return "not recorded"
    parts = [str(s.date) if s.date else "date not recorded"]
    if s.levels:
        parts.append(s.levels)
    if s.fused_to_sacrum is not None:
        parts.append("fused to the sacrum" if s.fused_to_sacrum else "not fused to the sacrum")
    if s.approach:
        parts.append(s.approach)
    return ", ".join(parts)


# --------------------------------------------------------------------------- handlers


def run_patient_add(args: argparse.Namespace) -> int:
    patient = Patient(
        patient_id=args.patient_id,
        name=args.name,
        birth_year=args.birth_year,
        sex=args.sex,
        height_cm=args.height_cm,
        surgery=Surgery(
            date=parse_date(args.surgery_date, "surgery date") if args.surgery_date else None,
            levels=args.levels,
            fused_to_sacrum=args.fused_to_sacrum,
            approach=args.approach,
        ),
        notes=args.notes,
    )
    with _open(args) as lib:
        stored = lib.add_patient(patient)
        print(f"Added patient {stored.patient_id} to {lib.path}.")
    return 0


def run_patient_list(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        patients = lib.find_patients(args.search)
        if not patients:
            print("No patients." if not args.search else f"No patient matches '{args.search}'.")
            return 0
        for p in patients:
            visits = lib.list_visits(p.patient_id)
            last = f", last visit {visits[-1].date}" if visits else ""
            surgery = f", surgery {p.surgery.date} {p.surgery.levels}".rstrip() if p.surgery.date else ""
            flag = "  RED FLAG at the last visit" if visits and visits[-1].has_red_flags else ""
            name = f"  {p.name}" if p.name else ""
            print(f"{p.patient_id}{name}  ({len(visits)} visit{'s' if len(visits) != 1 else ''}{last}{surgery}){flag}")
    return 0


def run_patient_show(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        p = lib.get_patient(args.patient_id)
        visits = lib.list_visits(p.patient_id)
        about = [x for x in (
            f"born {p.birth_year}" if p.birth_year else "",
            p.sex or "",
            f"{p.height_cm:g} cm" if p.height_cm else "",
        ) if x]
        print(f"Patient {p.patient_id}" + (f"  {p.name}" if p.name else "") + (f"  ({', '.join(about)})" if about else ""))
        print(f"Surgery: {_surgery_line(p.surgery)}")
        if p.notes:
            print(f"Notes: {p.notes}")
        print(f"Visits: {len(visits)}")
        for v in visits:
            print(f"  {_visit_heading(v)}" + (f"   {_scores(v)}" if _scores(v) else ""))
            if v.has_red_flags:
                print(f"    {_red_flag_line(v)}")
            if v.treatments:
                print(f"    treatments: {', '.join(TREATMENTS[t] for t in v.treatments)}")
            if _conditions(v):
                print(f"    test conditions: {_conditions(v)}")
            if v.notes:
                print(f"    notes: {v.notes}")
            recordings = lib.list_recordings(int(v.visit_id or 0))
            for r in recordings:
                print(f"    {_recording_line(r)}")
                if r.warning:
                    print(f"      warning: {r.warning}")
            if len({r.view for r in recordings if r.status == "ok"}) > 1:
                complete = [
                    doc
                    for r in recordings
                    if r.status == "ok"
                    and (doc := lib.get_recording(int(r.recording_id)).result) is not None
                ]
                print(f"    visit (both views): {key_metrics(_combined_metrics(complete))}")
    return 0


def run_visit_add(args: argparse.Namespace) -> int:
    from gaitlab.cli._progress import TerminalProgress
    from gaitlab.workflow import VideoPass, import_visit

    visit = Visit(
        patient_id=args.patient,
        date=parse_date(args.date, "visit date"),
        label=args.label,
        hip_pain_left_nrs=args.pain_hip_left,
        hip_pain_right_nrs=args.pain_hip_right,
        back_pain_nrs=args.pain_back,
        odi_pct=args.odi,
        treatments=tuple(args.treatment),
        walking_aid=args.walking_aid,
        footwear=args.footwear,
        pain_at_test_nrs=args.pain_at_test,
        red_flags=tuple(args.red_flag),
        notes=args.notes,
    )
    videos = [VideoPass(v["path"], v["view"], v["person"]) for v in args.videos]
    progress = TerminalProgress(quiet=args.quiet)
    with _open(args) as lib:
        try:
            stored, recordings = import_visit(
                lib, visit, videos, copy_video=args.copy_video, model_variant=args.model, progress=progress
            )
        finally:
            progress.finish()
        n = len(recordings)
        print(
            f"{stored.patient_id}: visit {stored.visit_id} on {_visit_heading(stored)} saved"
            f" with {n} recording{'s' if n != 1 else ''}."
        )
        for r in recordings:
            print(f"  {_recording_line(r)}")
        if stored.has_red_flags:
            print(_red_flag_line(stored))
    partial = [r for r in recordings if r.status != "ok"]
    for r in partial:
        print(f"gaitlab: {Path(r.original_path).name}: {r.warning} Its pose data was stored with the visit.",
              file=sys.stderr)
    return 3 if partial else 0

