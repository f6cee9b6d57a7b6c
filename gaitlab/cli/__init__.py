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
    "report",
    "export",
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one sentence, like every other gaitlab error."""

    def error(self, message: str):  # type: ignore[override]
        text = message[0].upper() + message[1:] if message else "Invalid arguments"
        self.exit(2, f"gaitlab: {text.rstrip('.')} (see '{self.prog} --help').\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``gaitlab`` parser; with ``command``, only that subcommand is registered.

    Registering one subcommand imports only its module, so ``gaitlab analyze``
    does not pay for loading the library, report and comparison code.
    """
    parser = _Parser(
        prog="gaitlab",
        description="Video gait analysis for patients after lumbar spinal fusion.",
    )
    parser.add_argument("--version", action="version", version=f"gaitlab {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES if command not in COMMAND_MODULES else (command,):
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
    argv = list(sys.argv[1:] if argv is None else argv)
    # the first word that is not an option names the subcommand (options before it take no value)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command)
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
    except Exception as exc:  # a bug, not the user's fault: keep the details, show one sentence
        log_path = _write_crash_log()
        print(
            f"gaitlab: an internal error stopped the command ({type(exc).__name__}); "
            f"details were saved to {log_path}.",
            file=sys.stderr,
        )
        return 1


def _write_crash_log() -> str:
    """Save the current exception's traceback in gaitlab's log folder; returns its path."""
    import datetime
    import os
    import traceback

    from gaitlab.io.files import cache_root

    folder = cache_root() / "logs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"crash-{stamp}-{os.getpid()}.log"
        path.write_text(traceback.format_exc(), encoding="utf-8")
        return str(path)
    except OSError:
        return "(no writable log folder)"
