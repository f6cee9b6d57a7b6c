"""``gaitlab export``: metrics and curves as CSV, the analysis JSON, OpenSim markers, annotated video."""

from __future__ import annotations

import argparse

from gaitlab.cli._progress import TerminalProgress
from gaitlab.errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export",
        help="export a patient's (or one analysis file's) data for research",
        description="Write metrics.csv (one row per recording) and, per recording, the analysis "
        "JSON, time series, cycle curves and gait events as CSV; optionally the pose as an "
        "OpenSim marker file (.trc) and the annotated video (faces blurred by default). "
        "Column names are documented in docs/exports.md. Nothing is written unless all of it is.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--patient", help="the patient's pseudonymous ID in the library")
    src.add_argument("--result", help="an analysis file (RESULT.json from 'gaitlab analyze')")
    p.add_argument("--visits", nargs="+", metavar="VISIT", help="only these visits (ID, date or label)")
    p.add_argument("--video", help="with --result: the video it was made from")
    p.add_argument("--out-dir", required=True, help="folder for the files (created if missing)")
    p.add_argument("--trc", action="store_true", help="also write the pose as an OpenSim marker file")
    p.add_argument("--annotated-video", action="store_true", help="also write the annotated MP4")
    p.add_argument("--no-blur", action="store_true", help="do not blur faces in the annotated video")
    p.add_argument("--keep-video-paths", action="store_true",
                   help="keep the video file paths in the exported JSON (removed by default)")
    p.add_argument("--library", help="the library file (default: $GAITLAB_LIBRARY or the user's library)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gaitlab.cli.report import open_existing_library, read_result
    from gaitlab.report.build import ExportOptions, export_patient, export_recording

    options = ExportOptions(
        trc=args.trc, video=args.annotated_video, blur=not args.no_blur,
        keep_video_paths=args.keep_video_paths,
    )
    progress = TerminalProgress(quiet=args.quiet)
    try:
        if args.patient:
            if args.video:
                raise InputError("--video goes with --result; a patient's videos are known to the library.")
            with open_existing_library(args.library) as library:
                files = export_patient(library, args.patient, args.out_dir, visits=args.visits,
                                       options=options, progress=progress)
        else:
            if args.visits:
                raise InputError("--visits goes with --patient.")
            files = export_recording(read_result(args.result), args.out_dir, video_path=args.video,
                                     options=options, progress=progress)
    finally:
        progress.finish()
    if not args.quiet:
        print(f"{args.out_dir}: {len(files)} files written")
        for f in files:
            print(f"  {f.name}")
    return 0
