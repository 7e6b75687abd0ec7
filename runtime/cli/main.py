"""Entry point of the `junction` command: parse arguments, dispatch, map errors to exit codes.

Exit codes: 0 success (a run that completed or is waiting for a person), 1 the flow is
invalid or a run failed, 2 bad input or usage, 3 not found, 4 conflict. No traceback is
shown for a user error; an unexpected error prints one line naming the log file that holds
its traceback (in the workspace folder) and exits 70. `junction --debug …` prints the
traceback on stderr instead.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points

from runtime import __version__
from runtime.cli import (
    audit,
    calibrate,
    dataset,
    doctor,
    evaluate,
    flows,
    metrics,
    models,
    readiness,
    runs,
    settings_cmd,
    store_cmd,
    tasks,
    train,
    whatif,
    worker,
)
from runtime.cli.common import add_config, use_config
from runtime.cli.crash_log import write_crash_log
from runtime.errors import (
    ConflictError,
    FlowError,
    InputError,
    JunctionError,
    NotFoundError,
)

# Each module defines `register(subparsers)`; add a command module by adding it here.
COMMAND_MODULES = (flows, runs, tasks, calibrate, train, audit, models, doctor, settings_cmd,
                   evaluate, whatif, readiness, metrics, dataset, store_cmd, worker)

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_NOT_FOUND, EXIT_CONFLICT = 0, 1, 2, 3, 4
EXIT_BUG = 70

Register = Callable[[argparse._SubParsersAction], None]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="junction",
        description="Design decision-point flows and run them on local models.",
    )
    parser.add_argument("--version", action="version", version=f"junction {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an unexpected error instead of logging it")
    add_config(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in (*(m.register for m in COMMAND_MODULES), *_plugin_commands()):
        register(sub)
    return parser


def _plugin_commands() -> list[Register]:
    """Commands contributed by other packages (the designer registers `designer` this way,
    so the runtime never imports it)."""
    found = []
    for entry in entry_points(group="junction.commands"):
        try:
            found.append(entry.load())
        except ImportError as exc:  # e.g. the designer without PySide6 installed
            missing = exc.name or str(exc)
            found.append(_unavailable(entry.name, missing))
    return found


def _unavailable(name: str, missing: str) -> Register:
    def register(sub: argparse._SubParsersAction) -> None:
        cmd = sub.add_parser(name, help=f"(unavailable: {missing} is not installed)")
        cmd.add_argument("rest", nargs=argparse.REMAINDER)
        cmd.set_defaults(handler=lambda args: _missing(name, missing))
    return register


def _missing(name: str, missing: str) -> int:
    _say(f"`junction {name}` needs {missing}; install it with "
         "`pip install 'junction[designer]'`")
    return EXIT_INPUT


def _say(message: str) -> None:
    """Errors are plain lines on stderr: never wrapped, so each names its file and line."""
    print(message, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    use_config(args)  # before any command reads a setting
    try:
        return int(args.handler(args) or 0)
    except FlowError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_FAILED
    except NotFoundError as exc:
        _say(f"not found: {exc}")
        return EXIT_NOT_FOUND
    except ConflictError as exc:
        _say(f"conflict: {exc}")
        return EXIT_CONFLICT
    except (InputError, JunctionError) as exc:
        _say(f"error: {exc}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _say("interrupted; `junction resume` continues where this stopped")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the promise: one line and exit 70, never a bare traceback
        return _unexpected(args, exc, sys.argv[1:] if argv is None else argv)


def _unexpected(args: argparse.Namespace, exc: Exception, argv: Sequence[str]) -> int:
    message = str(exc).strip().splitlines()
    summary = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    if args.debug:
        traceback.print_exc(file=sys.stderr)
        _say(f"internal error: {summary}")
        return EXIT_BUG
    where = write_crash_log(getattr(args, "home", None), ["junction", *argv], exc)
    details = f"the traceback is in {where}" if where else "the traceback could not be saved"
    _say(f"internal error: {summary} ({details}; `junction --debug …` shows it here)")
    return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
