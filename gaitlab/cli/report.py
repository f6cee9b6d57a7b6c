"""``gaitlab report``: the clinical PDF report of a patient's visits, or of one recording."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gaitlab.errors import InputError
from gaitlab.io.files import check_writable_output, write_bytes_atomic


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="write the PDF report of a patient's visits (or of one analysis file)",
        description="Write a PDF report: one visit, or two visits compared (by default the "
        "latest analysed visit against the one before it). De-identified by default: the "
        "pseudonymous ID only, no video file names, faces blurred in the key frames.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--patient", help="the patient's pseudonymous ID in the library")
    src.add_argument("--result", help="an analysis file (RESULT.json from 'gaitlab analyze')")
    p.add_argument("--visits", nargs="+", metavar="VISIT", help="one or two visits (ID, date or label)")
    p.add_argument("--video", help="with --result: the video it was made from (for the key frames)")
    p.add_argument("--out", required=True, help="where to write the PDF")
    p.add_argument("--paper", choices=("a4", "letter"), default="a4", help="page size (default a4)")
    p.add_argument("--show-name", action="store_true", help="print the patient's name (off by default)")
    p.add_argument("--no-blur", action="store_true", help="do not blur faces in the key frames")
    p.add_argument("--no-key-frames", action="store_true", help="leave the key frames out")
    p.add_argument("--library", help="the library file (default: $GAITLAB_LIBRARY or the user's library)")
    p.set_defaults(func=run)


def open_existing_library(path: str | None):
    """Open the library at ``path`` (or the default one); it must exist already."""
    from gaitlab.storage import Library, default_library_path

    target = Path(path).expanduser() if path else default_library_path()
    if not target.is_file():
        raise InputError(f"There is no gaitlab library at {target}; import a patient first.")
    return Library(target)


def read_result(path: str) -> dict:
    """An analysis document from a JSON file, or :class:`InputError`."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"The analysis file {p} does not exist.")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"The analysis file {p.name} is not readable JSON.") from None
    from gaitlab.contract import validate_document

    if not isinstance(doc, dict):
        raise InputError(f"The analysis file {p.name} is not an analysis document.")
    validate_document(doc)
    return doc


def run(args: argparse.Namespace) -> int:
    out = check_writable_output(args.out)  # before any work: a bad --out loses nothing
    if out.suffix.lower() != ".pdf":
        raise InputError(f"The report must be a .pdf file; got {out.name}.")
    from gaitlab.report.build import default_pose_loader, library_report, recording_report
    from gaitlab.report.pdf import render_report_pdf

    loader = None if args.no_key_frames else default_pose_loader
    blur = not args.no_blur
    if args.patient:
        if args.video:
            raise InputError("--video goes with --result; a patient's videos are known to the library.")
        with open_existing_library(args.library) as library:
            content = library_report(
                library, args.patient, args.visits, show_name=args.show_name, blur=blur, pose_loader=loader
            )
    else:
        if args.visits:
            raise InputError("--visits goes with --patient.")
        content = recording_report(read_result(args.result), args.video, blur=blur, pose_loader=loader)
    pdf = render_report_pdf(content, paper=args.paper)
    write_bytes_atomic(out, pdf)
    kind = "comparison of 2 visits" if content.comparison is not None else "1 visit" if content.patient else "1 recording"
    print(f"{out}: report ({kind}, {args.paper.upper() if args.paper == 'a4' else 'US Letter'})")
    return 0
