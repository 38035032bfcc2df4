"""`canary-tui` / `canary-tui console`: the interactive console against AWS."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from canary_tui.aws.backend import Backend
from canary_tui.cli.common import UsageError, add_target_arguments


@dataclass(frozen=True, slots=True)
class ConsoleOptions:
    read_only: bool = False
    #: Seconds between metric polls; None: follow the metric period.
    refresh_seconds: float | None = None
    #: Shown in the status line and title, e.g. "demo".
    mode_label: str | None = None


def run_console(backend: Backend, options: ConsoleOptions) -> int:
    """Run the Textual app until the user quits; returns the exit code."""
    raise UsageError("the console is not available yet")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("console", help="open the interactive console (default)")
    add_target_arguments(parser)
    parser.add_argument("--read-only", action="store_true", help="hide and refuse every write")
    parser.add_argument("--refresh", type=float, metavar="SECONDS", help="poll interval")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from canary_tui.cli.common import backend_from_args

    return run_console(
        backend_from_args(args),
        ConsoleOptions(read_only=args.read_only, refresh_seconds=args.refresh),
    )
