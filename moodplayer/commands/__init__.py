"""The command line: one module per command, registered here, dispatched by name.

Each command module has the same small shape: ``NAME``, ``HELP``, ``DEV_ONLY`` (the
packaged app leaves development tools out and says so), ``add_arguments(parser)`` and
``run(args) -> exit code``. What they share (setting options derived from the declarations,
``--config``/``--profile``, the effective configuration, the one-line error) is in
``common.py``. ``moodplayer`` without a command, or with options or files first, is ``run``.
"""

from __future__ import annotations

import argparse
import errno
import faulthandler
import importlib
import logging
import os
import sys
from types import ModuleType
from typing import NoReturn

from moodplayer.commands.common import UsageError, fail, frozen

# The order of ``moodplayer --help``. Modules are imported when the parser is built: each
# one keeps its heavy imports inside ``run``.
COMMANDS = ("run", "analyze", "calibrate", "enrol", "sessions", "report", "doctor", "eval", "bench")
DEFAULT = "run"


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"moodplayer.commands.{name}")


class _Parser(argparse.ArgumentParser):
    """argparse, with its error as the one usage line and one error line (exit 2)."""

    commands: dict[str, argparse.ArgumentParser]  # the top parser's: each command's own

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.format_usage().splitlines()[0]}\n{self.prog}: error: {message}\n")


def build_parser() -> _Parser:
    parser = _Parser(prog="moodplayer", description="A music player that listens to your face.")
    parser.commands = {}
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = command_module(name)
        if module.DEV_ONLY and frozen():
            continue
        parser.commands[name] = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(parser.commands[name])
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """``argv`` (its command first) parsed; a wrong option ends in the usage of the command it
    was given to, not of ``moodplayer`` (argparse leaves unknown options to the top parser)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _with_command(argv: list[str]) -> list[str]:
    if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
        return [DEFAULT, *argv]
    return argv


def main(argv: list[str] | None = None) -> int:
    # numpy's OpenBLAS would start a thread per core for every small matrix product (face-api's
    # nets in numpy: the listener descriptor, vision/listeners.py) and spin them: on two busy
    # cores one descriptor then costs ~650 ms of CPU instead of ~40 ms on one thread. Set
    # before anything imports numpy; a value the user set is respected.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # A crash in native code (Qt, OpenCV, libvlc, TensorFlow) prints every thread's Python
    # stack to stderr (the terminal, or the desktop's log) instead of dying without a word.
    if sys.stderr is not None and not faulthandler.is_enabled():
        try:
            faulthandler.enable(all_threads=True)
        except (RuntimeError, ValueError, OSError):  # stderr without a file descriptor
            pass
    argv = _with_command(list(sys.argv[1:] if argv is None else argv))
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        quiet_stdout()  # `moodplayer doctor | head -1`: the reader left, nothing more to say
        return 0
    except UsageError as err:
        return fail(str(err))


def _main(argv: list[str]) -> int:
    if argv[0] in COMMANDS and command_module(argv[0]).DEV_ONLY and frozen():
        return fail(f"the packaged app has no '{argv[0]}' command; it comes with a development "
                    f"install (make setup, then moodplayer {argv[0]})")
    args = parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    from moodplayer.system import bundle, netguard

    problem = bundle.prepare()  # only does something inside the packaged app
    if problem:
        return fail(problem, code=3)
    if not getattr(args, "allow_download", False):
        netguard.block_network()
    code = command_module(args.command).run(args)
    sys.stdout.flush()  # a closed pipe shows here, inside the handler above
    return code


def quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's own flush at exit finds no pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError) as err:
        if getattr(err, "errno", None) not in (None, errno.EBADF):
            raise
