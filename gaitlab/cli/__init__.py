"""The ``gaitlab`` command.

Each subcommand lives in a module of this package that exposes
``register(subparsers)``; the handler it sets with ``set_defaults(func=...)`` takes
the parsed arguments and returns the exit status.  Errors raised by the core are
:class:`gaitlab.errors.GaitlabError` subclasses: they are printed as one sentence on
stderr (no traceback) and turned into their exit code (2 = bad input).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from gaitlab import __version__
from gaitlab.errors import GaitlabError

#: Modules of this package that contribute subcommands, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "analyze",
    "people",
    "models",
    "samples",
    "library",
    "compare",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gaitlab",
        description="Video gait analysis for patients after lumbar spinal fusion.",
    )
    parser.add_argument("--version", action="version", version=f"gaitlab {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"gaitlab.cli.{name}")
        except ModuleNotFoundError as exc:  # a command module not written yet
            if exc.name == f"gaitlab.cli.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gaitlab`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="gaitlab: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except GaitlabError as exc:
        print(f"gaitlab: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("gaitlab: interrupted.", file=sys.stderr)
        return 130
