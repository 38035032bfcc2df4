"""`canary-tui` / `canary-tui console`: the interactive console against AWS."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from canary_tui.aws.backend import Backend
from canary_tui.aws.errors import translated
from canary_tui.cli.common import UsageError, add_target_arguments

# Defined next to the app (no Textual in it) and re-exported here for callers of run_console.
from canary_tui.ui.options import ConsoleOptions

__all__ = ["ConsoleOptions", "register", "run", "run_console"]


def run_console(backend: Backend, options: ConsoleOptions) -> int:
    """Run the Textual app until the user quits; returns the exit code."""
    # Textual is imported here so headless commands never pay for it.
    from canary_tui.audit import AuditLog
    from canary_tui.changes import ChangeService
    from canary_tui.ui.app import CanaryApp

    if options.region is None:
        # Resolving the region reads the AWS config files: do it before the event loop runs.
        with translated(backend.target.profile):
            options = dataclasses.replace(options, region=backend.clients.region)
    audit = AuditLog()
    change_service = None if options.read_only else ChangeService(backend, audit, "console")
    app = CanaryApp(backend, change_service, options, audit=audit)
    result = app.run()
    return int(result or 0)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("console", help="open the interactive console (default)")
    add_target_arguments(parser)
    parser.add_argument("--read-only", action="store_true", help="hide and refuse every write")
    parser.add_argument(
        "--refresh",
        type=float,
        metavar="SECONDS",
        help="seconds between polls (default: the metric period, 60)",
    )
    parser.add_argument(
        "--window",
        choices=("15m", "1h", "3h", "12h"),
        default="1h",
        help="initial metrics window (keys 1-4 change it)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from canary_tui.cli.common import backend_from_args

    if args.refresh is not None and not (args.refresh >= 1):
        raise UsageError(f"--refresh must be at least 1 second, got {args.refresh:g}")
    return run_console(
        backend_from_args(args),
        ConsoleOptions(read_only=args.read_only, refresh_seconds=args.refresh, window=args.window),
    )
