"""Entry point of the ``canary-tui`` command."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from canary_tui import __version__
from canary_tui.cli.common import (
    EXIT_AWS_FAILURE,
    EXIT_BAD_INPUT,
    EXIT_ENDPOINT_BUSY,
    EXIT_UNKNOWN_OUTCOME,
    fail,
)
from canary_tui.notify.setup import notifications

# Each module defines ``register(subparsers)``, which adds its parser and sets ``run``.
COMMAND_MODULES = (
    "console",
    "demo",
    "status",
    "set_weights",
    "rollback_cmd",
    "audit",
    "verdict",
    "ramp",
    "config_cmd",
    "completion",
    "serve",
    "team",
    "who_changed",
)
#: The module of each command. ``canary-tui demo`` imports only ``cli/demo.py``: the other
#: commands' modules pull in boto3 and friends (~0.2 s), which the console's first frame
#: should not wait for. ``tests/unit/test_cli_main.py`` keeps this in step with the modules.
MODULE_OF_COMMAND = {
    "console": "console",
    "demo": "demo",
    "status": "status",
    "set-weights": "set_weights",
    "set-capacity": "set_weights",
    "set-serverless": "set_weights",
    "promote": "rollback_cmd",
    "rollback": "rollback_cmd",
    "audit": "audit",
    "verdict": "verdict",
    "ramp": "ramp",
    "config": "config_cmd",
    "completion": "completion",
    "serve": "serve",
    "team": "team",
    "who-changed": "who_changed",
}


#: The errors a command may raise that are one line for a person, not a traceback, in the
#: order they are tried: module, class, exit code, and the line's prefix. Bad input says
#: ``str(error)``; the others their ``message``.
ONE_LINE_ERRORS: tuple[tuple[str, str, int, str], ...] = (
    # Bad input that slipped past a command's own checks is still bad input: one line.
    ("canary_tui.cli.common", "UsageError", EXIT_BAD_INPUT, ""),
    ("canary_tui.domain.weights", "WeightInputError", EXIT_BAD_INPUT, ""),
    ("canary_tui.domain.numbers", "NumberInputError", EXIT_BAD_INPUT, ""),
    ("canary_tui.domain.names", "NameInputError", EXIT_BAD_INPUT, ""),
    ("canary_tui.endpoint_lock", "EndpointBusy", EXIT_ENDPOINT_BUSY, "refused: "),
    # A teammate's lease on the team table (before AwsError, which it is).
    ("canary_tui.aws.dynamodb", "LeaseHeld", EXIT_ENDPOINT_BUSY, "refused: "),
    ("canary_tui.change_errors", "ChangeOutcomeUnknown", EXIT_UNKNOWN_OUTCOME, ""),
    ("canary_tui.aws.errors", "AwsError", EXIT_AWS_FAILURE, ""),
)


def one_line_failure(error: Exception) -> tuple[str, int] | None:
    """The line and exit code for ``error``; None for anything else (a bug: traceback).

    A class is looked up only in a module already loaded: an error cannot come from a
    module nothing imported, and ``status`` need not import the write path's modules
    (~7 ms) just to name errors it cannot raise.
    """
    for module_name, class_name, code, prefix in ONE_LINE_ERRORS:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(error, getattr(module, class_name)):
            text = str(error) if code == EXIT_BAD_INPUT else str(getattr(error, "message", error))
            return prefix + text, code
    return None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints the whole usage block; one line and the hint is kinder in a runbook.
        fail(f"{message} (see {self.prog} --help)", EXIT_BAD_INPUT)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with a known ``command``, only that command's (same behaviour for
    it, and the other commands' modules are not imported)."""
    parser = _Parser(
        prog="canary-tui",
        description="A keyboard-driven console for canary rollouts of SageMaker variants.",
    )
    parser.add_argument("--version", action="version", version=f"canary-tui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    only = MODULE_OF_COMMAND.get(command or "")
    for name in (only,) if only else COMMAND_MODULES:
        module = importlib.import_module(f"canary_tui.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Plain `canary-tui [flags]` opens the console, like `k9s`.
    if not arguments or (
        arguments[0].startswith("-") and arguments[0] not in {"-h", "--help", "--version"}
    ):
        arguments = ["console", *arguments]
    # `canary-tui --help` and a mistyped command get the whole parser (the list of commands).
    args = build_parser(arguments[0]).parse_args(arguments)
    try:
        # Webhooks (notify.setup): the commands that change or watch endpoints send events
        # from the background while they run, and flush them (bounded) as they end.
        with notifications(args.command):
            code: int = args.run(args)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except BrokenPipeError:
        # `canary-tui status | head`: the reader has all it wanted. Point stdout at /dev/null so
        # the interpreter's final flush does not raise again, and exit quietly like grep or rg.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:
        failure = one_line_failure(error)
        if failure is None:
            raise
        fail(*failure)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
