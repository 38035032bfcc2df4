"""`canary-tui status` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse
from typing import Any

from canary_tui.cli.common import UsageError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("status", help="not yet available")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise UsageError("'status' is not available yet")
