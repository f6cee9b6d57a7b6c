"""``gaitlab models list|path|install``: the pose model files."""

from __future__ import annotations

import argparse

from gaitlab.cli._progress import TerminalProgress

VARIANTS = ("lite", "full", "heavy")


def register(subparsers) -> None:
    p = subparsers.add_parser("models", help="list, locate or install the pose model")
    sub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help="the model variants and whether each is installed")
    lst.set_defaults(func=run_list)
    path = sub.add_parser("path", help="print the path of a model (installing it if needed)")
    path.add_argument("--variant", choices=VARIANTS, default="full")
    path.add_argument("--model-file", default=None, help="an explicit model bundle to check")
    path.set_defaults(func=run_path)
    install = sub.add_parser("install", help="download or build a model into the model folder")
    install.add_argument("--variant", choices=VARIANTS, default="full")
    install.add_argument("--force", action="store_true", help="provision again even if cached")
    install.add_argument("--quiet", action="store_true")
    install.set_defaults(func=run_install)


def run_list(args: argparse.Namespace) -> int:
    from gaitlab.pose.models import list_models, model_dir

    print(f"model folder: {model_dir()}")
    for entry in list_models():
        state = "installed" if entry.get("installed") else "not installed"
        extra = ""
        if entry.get("installed"):
            size = entry.get("size_bytes") or 0
            extra = f"  {size / 1e6:.1f} MB  sha256 {str(entry.get('sha256', ''))[:12]}  ({entry.get('source', '?')})"
        print(f"{entry['variant']:>6}: {state}{extra}")
    return 0


def run_path(args: argparse.Namespace) -> int:
    from gaitlab.pose.models import resolve_model

    info = resolve_model(args.variant, model_file=args.model_file, progress=TerminalProgress())
    print(info.path)
    return 0


def run_install(args: argparse.Namespace) -> int:
    from gaitlab.pose.models import install_model

    info = install_model(args.variant, force=args.force, progress=TerminalProgress(quiet=args.quiet))
    if not args.quiet:
        print(f"{info.variant} pose model ready: {info.path} ({info.source})")
    return 0
