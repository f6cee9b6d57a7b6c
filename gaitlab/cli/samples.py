"""``gaitlab samples [--out DIR]``: remake the synthetic sample patient."""

from __future__ import annotations

import argparse
from pathlib import Path

from gaitlab.cli._progress import TerminalProgress
from gaitlab.errors import InputError


def default_sample_dir() -> Path | None:
    """The checkout's ``sample_videos/`` when gaitlab runs from a source checkout."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "gaitlab").is_dir():
        return root / "sample_videos"
    return None


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "samples",
        help="remake the synthetic sample patient's clips and truth files",
        description="Render the sample patient (synthetic, lumbar fusion L4-S1, three "
        "visits, sagittal and frontal clips) with its truth JSON and patient.json. "
        "The output is deterministic.",
    )
    p.add_argument("--out", default=None, help="output folder (default: the checkout's sample_videos/)")
    p.add_argument("--contact-sheet", default=None, metavar="PNG",
                   help="also write a PNG of frames from each clip")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gaitlab.synth.samples import generate_samples, make_contact_sheet

    out = Path(args.out) if args.out else default_sample_dir()
    if out is None:
        raise InputError("Give --out DIR: gaitlab is not running from a source checkout.")
    written = generate_samples(out, progress=TerminalProgress(quiet=args.quiet))
    if args.contact_sheet:
        written.append(make_contact_sheet(out, args.contact_sheet))
    if not args.quiet:
        for path in written:
            print(path)
    return 0
