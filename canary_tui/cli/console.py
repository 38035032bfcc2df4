"""`canary-tui console` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse
from typing import Any

from canary_tui.cli.common import UsageError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("console", help="not yet available")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise UsageError("'console' is not available yet")
