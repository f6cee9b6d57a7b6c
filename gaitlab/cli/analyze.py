"""``gaitlab analyze VIDEO --out RESULT.json``: one walking video → the contract document."""

from __future__ import annotations

import argparse
import sys

from gaitlab.cli._progress import TerminalProgress
from gaitlab.errors import TooLittleWalkingError
from gaitlab.io.files import check_writable_output, write_json_atomic


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="analyse a walking video and write the result JSON",
        description="Analyse one walking video (side or front view) and write the "
        "analysis document (spec: analysis-v1). Exit 0: analysed; 2: bad input; "
        "3: too little walking to measure (the document is still written).",
    )
    p.add_argument("video", help="the walking video (MP4, MOV, …)")
    p.add_argument("--out", required=True, help="where to write RESULT.json")
    p.add_argument("--view", choices=("auto", "sagittal", "frontal"), default="auto")
    p.add_argument("--person", default="auto", help="'auto' (the walker) or a number from 'gaitlab people'")
    p.add_argument("--height-cm", type=float, default=None, help="patient height: the scale for step length and speed")
    p.add_argument("--model", choices=("lite", "full", "heavy"), default="full", help="pose model variant")
    p.add_argument("--model-file", default=None, help="use this pose model bundle (.task) instead")
    p.add_argument("--no-cache", action="store_true", help="rerun the pose model even when landmarks are cached")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = check_writable_output(args.out)  # before any work: a bad --out loses nothing
    from gaitlab.pose.extract import prestart_pose_model

    # a long video's pose processes load the model while the analysis code is imported
    prestart_pose_model(args.video, model_variant=args.model, model_file=args.model_file,
                        use_cache=not args.no_cache)
    from gaitlab.analysis import analyze_video  # heavy imports only when analysing

    progress = TerminalProgress(quiet=args.quiet)
    try:
        doc = analyze_video(
            args.video,
            view=args.view,
            person=args.person,
            height_cm=args.height_cm,
            model_variant=args.model,
            model_file=args.model_file,
            use_cache=not args.no_cache,
            progress=progress,
        )
    except TooLittleWalkingError as exc:
        progress.finish()
        document = getattr(exc, "document", None)
        if document is not None:
            write_json_atomic(out, document)
            print(f"gaitlab: {exc} The pose data was written to {out}.", file=sys.stderr)
        else:
            print(f"gaitlab: {exc}", file=sys.stderr)
        return exc.exit_code
    finally:
        progress.finish()
    write_json_atomic(out, doc)
    if not args.quiet:
        m = doc["metrics"]
        cadence = m.get("cadence_steps_per_min")
        line = f"{doc['view']} view, walking {doc['walking_direction']}"
        if cadence is not None:
            line += f", cadence {cadence:.1f} steps/min"
        print(f"{out}: {line}")
        for warning in doc["quality"]["warnings"]:
            print(f"  warning: {warning}")
    return 0
