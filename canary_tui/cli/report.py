"""`canary-tui report ENDPOINT [--since ...] [--until ...] [--format md|html] [-o FILE]`:
the post-mortem report of an endpoint over a window, as one file.

Every input is checked before any AWS call: the times, the output path, the audit log.
Then only reads: DescribeEndpoint once, GetMetricData ceil(queries/500) times (and the
gateway's one-time percentile probe). matplotlib is imported only here, when the charts are
drawn, so no other command's start-up pays for it.
"""

from __future__ import annotations

import argparse
import os
import stat
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from canary_tui.cli.common import EXIT_OK, UsageError, add_target_arguments, endpoint_name
from canary_tui.cli.output import (
    add_audit_argument,
    audit_log_from_args,
    configuration_is_bad_input,
    report_audit_problems,
)
from canary_tui.domain.text import printable

if TYPE_CHECKING:
    from canary_tui.audit import AuditLog
    from canary_tui.audit_model import AuditReading
    from canary_tui.aws.backend import Backend
    from canary_tui.report.timeline import TimelineSource

DEFAULT_SINCE = timedelta(hours=24)
FORMATS = ("html", "md")


def register(subparsers: Any) -> None:
    from canary_tui.cli.verdict import add_threshold_arguments

    parser = subparsers.add_parser(
        "report",
        help="a post-mortem report: changes, verdicts and charts over a window, one file",
        description="The timeline of changes (audit log intents and outcomes, and the "
        "changes made outside canary-tui that it shows), the verdict over the window and "
        "between each two changes, and a chart per metric per variant with the changes "
        "marked. HTML: one self-contained file (inline SVG and CSS, no network). "
        "Markdown: the charts as SVG files in FILE.assets/ next to it. Reads only. "
        "Exit codes: 0 written, 1 AWS failure, 2 bad input (nothing sent).",
    )
    parser.add_argument("endpoint", metavar="ENDPOINT", type=endpoint_name)
    parser.add_argument(
        "--since",
        metavar="DURATION|ISO",
        help="start: a duration back from now (6h, 2d) or an ISO time "
        "(2026-12-03T10:00Z; no zone: UTC); default 24h",
    )
    parser.add_argument("--until", metavar="DURATION|ISO", help="end, the same way (default: now)")
    parser.add_argument(
        "--format", choices=FORMATS, help="html or md (default: from -o, else html)"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write it (default: ENDPOINT-report.html or .md here)",
    )
    parser.add_argument("--baseline", metavar="VARIANT", help="compare against this variant")
    parser.add_argument(
        "--no-cloudtrail",
        action="store_true",
        help="do not ask CloudTrail who changed the endpoint (LookupEvents: 2 calls or more, "
        "limited to 2 a second per account)",
    )
    add_threshold_arguments(parser)
    add_target_arguments(parser)
    add_audit_argument(parser)
    parser.set_defaults(run=run)


def _format_and_path(args: argparse.Namespace) -> tuple[str, Path]:
    fmt = args.format
    if args.output is None:
        fmt = fmt or "html"
        return fmt, Path(f"{args.endpoint}-report.{fmt}")
    if not args.output.strip() or "\x00" in args.output:
        raise UsageError(f"-o: not a file name (got {printable(repr(args.output))})")
    path = Path(args.output).expanduser()
    if fmt is None:
        fmt = "md" if path.suffix.lower() in (".md", ".markdown") else "html"
    return fmt, path


def check_output(path: Path, fmt: str) -> None:
    """Refuse, before any call, a file that cannot be written."""
    shown = printable(str(path))
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"-o: cannot write {shown}: no directory {printable(str(directory))}")
    try:
        # Creating a file is the only sure test (permissions, a read-only mount, root).
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise UsageError(
            f"-o: cannot write {shown}: the directory is not writable ({error.strerror})"
        ) from None
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise UsageError(f"-o: cannot write {shown}: {error.strerror}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise UsageError(f"-o: cannot write {shown}: not a regular file")
    if mode is not None and not os.access(path, os.W_OK):
        raise UsageError(f"-o: cannot write {shown}: permission denied")
    if fmt == "md":
        from canary_tui.report.render_md import asset_dir

        assets = asset_dir(path)
        if assets.exists() and not assets.is_dir():
            raise UsageError(f"-o: cannot write the charts: {printable(str(assets))} is a file")


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_report(text: str, path: Path, assets: dict[str, str] | None = None) -> None:
    try:
        if assets:
            from canary_tui.report.render_md import asset_dir

            directory = asset_dir(path)
            directory.mkdir(exist_ok=True)
            for name, svg in assets.items():
                _write_atomically(directory / name, svg)
        _write_atomically(path, text)
    except OSError as error:
        raise UsageError(
            f"-o: cannot write {printable(str(path))}: {error.strerror or error}"
        ) from None


def timeline_sources(
    args: argparse.Namespace,
    backend: Backend,
    audit: AuditLog,
    reading: AuditReading,
    now: datetime,
) -> list[TimelineSource]:
    """The audit log (with the team table's trail merged in, when one is set: a teammate's
    change is then ours, not an outside one), then CloudTrail unless ``--no-cloudtrail``."""
    from canary_tui.report.timeline import AuditLogSource
    from canary_tui.report.trail_source import CloudTrailSource

    problems = [skip.describe(audit.path) for skip in reading.skipped]
    entries = reading.entries
    name = "audit log"
    if backend.team is not None:
        from canary_tui.team_audit import TeamAuditReader

        team = TeamAuditReader(audit, backend.team, region=lambda: backend.clients.region)
        entries = team.read(args.endpoint).entries
        name = f"audit log + team table {backend.team.table_name}"
        if team.problem:
            problems.append(team.problem)
    sources: list[TimelineSource] = [AuditLogSource(entries, tuple(problems), name=name)]
    if not args.no_cloudtrail and backend.cloudtrail is not None:
        sources.append(CloudTrailSource(backend.cloudtrail, now))
    return sources


def _check_retention(since: datetime, now: datetime, period: int) -> None:
    from canary_tui.report.times import retention_problem

    problem = retention_problem(since, now, period)
    if problem is not None:
        raise UsageError(problem)


@configuration_is_bad_input
def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from canary_tui.cli.common import backend_from_args
    from canary_tui.cli.status import describe_or_usage_error
    from canary_tui.cli.verdict import settings_from_args, thresholds_from_args
    from canary_tui.domain.metrics import aligned_window
    from canary_tui.report.times import TimeInputError, report_window

    now = datetime.now(UTC)
    try:
        since, until = report_window(args.since, args.until, now, DEFAULT_SINCE)
    except TimeInputError as error:
        raise UsageError(str(error)) from None
    fmt, path = _format_and_path(args)
    check_output(path, fmt)
    thresholds, period = thresholds_from_args(args)
    if args.period is not None:  # else the endpoint's MetricsConfig may set it: checked below
        _check_retention(since, now, period)
    audit = audit_log_from_args(args)
    try:
        reading = audit.read(args.endpoint)
    except OSError as error:
        raise UsageError(
            f"cannot read the audit log {audit.path}: {error.strerror or error}"
        ) from None
    report_audit_problems(audit)  # unfinished changes, damaged lines: as every command does
    backend = backend_from_args(args)
    endpoint = describe_or_usage_error(backend.sagemaker, args.endpoint)
    if args.baseline is not None and args.baseline not in endpoint.variant_names:
        raise UsageError(
            f"{endpoint.name} has no variant {args.baseline!r} "
            f"(it has {', '.join(endpoint.variant_names)})"
        )
    if args.period is None and endpoint.metrics is not None:
        period, min_periods = endpoint.period_following_metrics(period, thresholds.min_periods)
        thresholds = replace(thresholds, min_periods=min_periods)
    _check_retention(since, now, period)
    span = (until - since).total_seconds()
    start, end = aligned_window(until, timedelta(seconds=span), period)
    from canary_tui.report.gather import gather

    sources = timeline_sources(args, backend, audit, reading, now)
    settings = settings_from_args(args)
    target = f"profile {settings.profile or 'default'}, region {backend.clients.region or '-'}"
    data = gather(
        endpoint,
        backend.cloudwatch,
        sources,
        asked=(since, until),
        window=(start, end),
        period_seconds=period,
        thresholds=thresholds,
        generated_at=now,
        baseline=args.baseline,
        target=target,
    )
    if fmt == "html":
        from canary_tui.report.render_html import render_html

        write_report(render_html(data), path)
    else:
        from canary_tui.report.render_md import render_md

        text, assets = render_md(data, path)
        write_report(text, path, assets)
    verdict = data.verdict.outcome.value if data.verdict else "not judged"
    print(
        f"{printable(str(path))}: {len(data.timeline.events)} changes, verdict {verdict}, "
        f"{data.batch.api_calls} GetMetricData calls"
    )
    return EXIT_OK
