"""Printing for headless commands: aligned tables that fit a terminal, stable JSON, and the
audit log wiring every command shares."""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from canary_tui.aws.errors import ConfigurationProblem
from canary_tui.cli.common import UsageError, target_settings_from_flags

if TYPE_CHECKING:
    from canary_tui.audit import AuditLog

#: The width tables aim for: an SRE's SSH session is often 80 columns.
TABLE_WIDTH = 80
_MIN_COLUMN = 6
_ELLIPSIS = "~"
#: The setting's environment variable (see canary_tui.config), named in --help.
AUDIT_PATH_ENV = "CANARY_TUI_AUDIT_PATH"


def terminal_width(*, unlimited_when_piped: bool = False) -> int:
    """Columns to fit: the terminal's (COLUMNS honoured), else 80 or no limit when piped."""
    if sys.stdout.isatty() or "COLUMNS" in os.environ:
        return max(shutil.get_terminal_size((TABLE_WIDTH, 24)).columns, 40)
    return 1_000_000 if unlimited_when_piped else TABLE_WIDTH


def configuration_is_bad_input(
    run: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """An unknown --profile or a missing region is a command-line mistake: exit 2, not 1."""

    @functools.wraps(run)
    def checked(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except ConfigurationProblem as problem:
            raise UsageError(problem.message) from None

    return checked


def format_percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def format_weight(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def format_count(value: int | None) -> str:
    return "-" if value is None else str(value)


def format_time(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _shorten(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + _ELLIPSIS


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right_aligned: Collection[int] = (),
    shrinkable: Sequence[int] = (),
    max_width: int | None = None,
) -> list[str]:
    """Rows as aligned lines, two spaces between columns.

    When the table is wider than ``max_width`` (default: the terminal, 80 when piped), the
    ``shrinkable`` columns (in order of preference) are cut, each to no less than a few
    characters, with a trailing ``~``.
    """
    widths = [len(header) for header in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    gap = 2
    limit = terminal_width() if max_width is None else max_width
    excess = sum(widths) + gap * (len(widths) - 1) - limit
    for index in shrinkable:
        if excess <= 0:
            break
        floor = max(_MIN_COLUMN, len(headers[index]))
        cut = min(excess, widths[index] - floor)
        if cut > 0:
            widths[index] -= cut
            excess -= cut
    lines = []
    for row in [list(headers), *[list(row) for row in rows]]:
        cells = []
        for index, cell in enumerate(row):
            text = _shorten(cell, widths[index])
            cells.append(
                text.rjust(widths[index]) if index in right_aligned else text.ljust(widths[index])
            )
        lines.append((" " * gap).join(cells).rstrip())
    return lines


def print_lines(lines: Sequence[str]) -> None:
    for line in lines:
        print(line)


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, allow_nan=False))


def warn(message: str) -> None:
    print(f"canary-tui: {message}", file=sys.stderr)


def add_audit_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--audit-log",
        metavar="PATH",
        help=f"audit log file (default: ${AUDIT_PATH_ENV}, else audit_path in the config "
        "file, else <user data dir>/canary-tui/audit.jsonl)",
    )


def audit_path_from_args(args: argparse.Namespace) -> Path:
    """``--audit-log``, else the ``audit_path`` setting (``CANARY_TUI_AUDIT_PATH`` or the
    config file), else the platform data directory."""
    flag = getattr(args, "audit_log", None)
    return target_settings_from_flags({"audit_path": flag}).effective_audit_path.expanduser()


def audit_log_from_args(args: argparse.Namespace) -> AuditLog:
    """The log at :func:`audit_path_from_args`."""
    from canary_tui.audit import AuditLog

    return AuditLog(audit_path_from_args(args))


def report_audit_problems_at(path: Path) -> None:
    """:func:`report_audit_problems` for the log at ``path``. Without a log there (a first
    run, a machine that only reads) there is nothing to report, and the audit modules are
    not imported: ``status`` is the command run most often."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return  # what the reader finds too: no log, no changes
    except OSError:
        pass  # the reader says what is wrong, as it always has
    from canary_tui.audit import AuditLog

    report_audit_problems(AuditLog(path))


def report_audit_problems(audit: AuditLog) -> None:
    """One line on stderr about unfinished changes or damaged records; silent otherwise.

    Reading the log is cheap, and an unreported intent without an outcome is exactly the
    surprise the log exists to prevent.
    """
    from canary_tui.domain.text import printable
    from canary_tui.endpoint_lock import default_locks_dir, holder_if_changing

    try:
        reading = audit.read_unfinished()
    except OSError as error:
        warn(f"cannot read the audit log {audit.path}: {error.strerror or error}")
        return
    # An intent whose endpoint lock is held is a change going on right now (another run on
    # this machine), not one that was cut short: it is not a warning.
    locks = default_locks_dir()
    unfinished = [
        entry
        for entry in reading.unfinished
        if holder_if_changing(locks, entry.endpoint, entry.intent.region) is None
    ]
    if unfinished:
        latest = unfinished[-1].intent
        count = len(unfinished)
        noun = "change" if count == 1 else "changes"
        warn(
            f"warning: {count} unfinished {noun} in the audit log (intent without outcome; "
            f"latest {printable(latest.endpoint, 80)} at {format_time(latest.time)} UTC); "
            "check the endpoint and see: canary-tui audit --unfinished"
        )
    if reading.skipped:
        first = reading.skipped[0]
        more = f" and {len(reading.skipped) - 1} more" if len(reading.skipped) > 1 else ""
        warn(f"warning: {first.describe(audit.path)}{more}")
    if reading.flagged:
        first = reading.flagged[0]
        more = f" and {len(reading.flagged) - 1} more" if len(reading.flagged) > 1 else ""
        warn(f"warning: {audit.path}:{first.line_number}: {printable(first.problem)}{more}")


def shares_json(shares: Mapping[str, float]) -> dict[str, float]:
    return {name: round(share, 4) for name, share in shares.items()}
