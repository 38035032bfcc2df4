"""`canary-tui verdict ENDPOINT`: is the canary worse than the baseline, on CloudWatch data?

Exit codes: 0 PASS, 3 FAIL, 4 INCONCLUSIVE (not enough data, or no canary), 1 AWS failure,
2 bad input. A script can gate a promotion on ``canary-tui verdict EP`` alone.
"""

from __future__ import annotations

import argparse
import math
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from canary_tui.audit import AuditLog
from canary_tui.cli.common import (
    EXIT_OK,
    UsageError,
    add_target_arguments,
    backend_from_args,
    endpoint_name,
)
from canary_tui.cli.output import add_audit_argument, audit_log_from_args, print_json, print_lines
from canary_tui.cli.status import describe_or_usage_error
from canary_tui.domain.metrics import VariantRef, aligned_window
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import RampPlanError, format_seconds, parse_duration
from canary_tui.domain.verdict import Outcome, Verdict, VerdictThresholds, compute_verdict

if TYPE_CHECKING:
    from canary_tui.config import Settings

EXIT_VERDICT_FAIL = 3
EXIT_VERDICT_INCONCLUSIVE = 4
VERDICT_EXIT_CODES = {
    Outcome.PASS: EXIT_OK,
    Outcome.FAIL: EXIT_VERDICT_FAIL,
    Outcome.INCONCLUSIVE: EXIT_VERDICT_INCONCLUSIVE,
}
DEFAULT_PERIOD = 60


def add_threshold_arguments(parser: argparse.ArgumentParser) -> None:
    """Threshold flags; each one not given comes from the config (file, CANARY_TUI_*).

    They are text here: the settings parse them with the strict number parser and its
    bounds, so a bad flag reads like a bad setting (``--alpha: verdict.alpha: ...``)."""
    defaults = VerdictThresholds()
    group = parser.add_argument_group("verdict thresholds (default: the config, else shown)")
    group.add_argument("--alpha", help=f"significance level (default {defaults.alpha})")
    group.add_argument(
        "--min-requests",
        metavar="N",
        help="requests needed on baseline and canary before a PASS "
        f"(default {defaults.min_requests})",
    )
    group.add_argument(
        "--min-periods",
        metavar="N",
        help=f"periods with canary traffic needed before a PASS (default {defaults.min_periods})",
    )
    group.add_argument(
        "--max-latency-ratio",
        metavar="X",
        help="FAIL above this canary/baseline latency ratio "
        f"(default {defaults.max_latency_ratio})",
    )
    group.add_argument(
        "--max-error-increase",
        metavar="PP",
        help="FAIL above this error-rate increase, percentage points "
        f"(default {defaults.max_error_rate_increase})",
    )
    group.add_argument(
        "--split-tolerance",
        metavar="PP",
        help="FAIL when the canary's traffic share is off by more "
        f"(default {defaults.split_tolerance})",
    )
    group.add_argument(
        "--period",
        metavar="SECONDS",
        help=f"CloudWatch period of the series (default {DEFAULT_PERIOD})",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Defaults < config file < CANARY_TUI_* < these flags."""
    from canary_tui.config import ConfigError, load_settings

    flags = {
        "verdict.alpha": args.alpha,
        "verdict.min_requests": args.min_requests,
        "verdict.min_periods": args.min_periods,
        "verdict.max_latency_ratio": args.max_latency_ratio,
        "verdict.max_error_rate_increase": args.max_error_increase,
        "verdict.split_tolerance": args.split_tolerance,
        "metric_period_seconds": args.period,
    }
    try:
        return load_settings(flags).settings
    except ConfigError as error:
        raise UsageError(str(error)) from None


def thresholds_from_args(args: argparse.Namespace) -> tuple[VerdictThresholds, int]:
    """The verdict thresholds and the metric period in effect."""
    settings = settings_from_args(args)
    thresholds = settings.verdict.thresholds()
    problems = thresholds.problems()
    if problems:
        raise UsageError("; ".join(problems))
    return thresholds, settings.metric_period_seconds


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verdict",
        help="PASS / FAIL / INCONCLUSIVE for each canary against the baseline",
        description="Compares each canary variant with the baseline (the variant with the "
        "largest weight) over the window: 4XX and 5XX rates (Fisher exact), latency "
        "(Mann-Whitney U, p99 or average ratio), traffic split (chi-square) and data "
        "sufficiency. Exit codes: 0 PASS, 3 FAIL, 4 INCONCLUSIVE, 1 AWS failure, 2 bad input.",
    )
    parser.add_argument("endpoint", metavar="ENDPOINT", type=endpoint_name)
    parser.add_argument(
        "--window",
        help="how far back to look, e.g. 30m, 1h, 6h (default: the window setting, 1h)",
    )
    parser.add_argument("--baseline", metavar="VARIANT", help="compare against this variant")
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    add_threshold_arguments(parser)
    add_target_arguments(parser)
    add_audit_argument(parser)
    parser.set_defaults(run=run)


def verdict_lines(verdict: Verdict, window: str | None = None) -> list[str]:
    window = window or format_seconds(verdict.window_seconds)
    lines = [
        f"{verdict.endpoint}: {verdict.outcome.value}  (baseline {verdict.baseline}, "
        f"window {window}, period {verdict.period_seconds}s)"
    ]
    if not verdict.canaries:
        lines.append(f"  {verdict.reason}")
    for canary in verdict.canaries:
        lines.append(f"{canary.variant} vs {canary.baseline}: {canary.outcome.value}")
        width = max(len(check.name) for check in canary.checks)
        for check in canary.checks:
            lines.append(f"  {check.name:<{width}}  {check.outcome.value:<12}  {check.reason}")
    lines += [f"note: {note}" for note in verdict.notes]
    return lines


def last_weight_change(endpoint: Endpoint, audit: AuditLog, since: datetime) -> datetime | None:
    """The latest weight change of ``endpoint`` after ``since`` in the audit log, if any.

    Only changes made through canary-tui are there. DescribeEndpoint's LastModifiedTime is
    not used: it moves for other reasons too (creation, capacity, platform updates), and
    taking it for a weight change would throw away good data.
    """
    try:
        entries = audit.read(endpoint.name).entries
    except OSError:
        return None
    changes = [
        entry.outcome.time if entry.outcome is not None else entry.intent.time
        for entry in entries
        if entry.intent.kind == "weights" and entry.may_have_applied
    ]
    inside = [moment for moment in changes if moment >= since]
    return max(inside) if inside else None


def split_start(changed_at: datetime | None, period_seconds: int) -> datetime | None:
    """The first whole period after a change: the period it happened in mixes two splits."""
    if changed_at is None:
        return None
    epoch = math.ceil(changed_at.timestamp() / period_seconds) * period_seconds
    return datetime.fromtimestamp(epoch, tz=UTC)


def weights_note(changed_at: datetime | None, period_seconds: int) -> str:
    since = split_start(changed_at, period_seconds)
    if changed_at is None or since is None:
        return (
            "traffic split judged against the current weights (no change in the audit log "
            "inside the window)"
        )
    return (
        f"weights last changed at {changed_at:%H:%M:%S} UTC (audit log): traffic split "
        f"judged against the current weights from {since:%H:%M} UTC on; error rates and "
        "latency over the whole window"
    )


def run(args: argparse.Namespace) -> int:
    thresholds, period = thresholds_from_args(args)
    window = args.window if args.window is not None else settings_from_args(args).window
    try:
        window_seconds = parse_duration(window)
    except RampPlanError as error:
        raise UsageError(f"--window: {error.message}") from None
    backend = backend_from_args(args)
    endpoint = describe_or_usage_error(backend.sagemaker, args.endpoint)
    if args.baseline is not None and args.baseline not in endpoint.variant_names:
        raise UsageError(
            f"{endpoint.name} has no variant {args.baseline!r} "
            f"(it has {', '.join(endpoint.variant_names)})"
        )
    if not endpoint.variants:
        raise UsageError(f"{endpoint.name} has no variants")
    now = datetime.now(UTC)
    start, end = aligned_window(now, timedelta(seconds=window_seconds), period)
    changed_at = last_weight_change(endpoint, audit_log_from_args(args), start)
    refs = [VariantRef(endpoint.name, name) for name in endpoint.variant_names]
    batch = backend.cloudwatch.fetch(refs, start, end, period)
    verdict = compute_verdict(
        endpoint.name,
        {ref.variant: batch.variants[ref] for ref in refs},
        endpoint.current_weights,
        period_seconds=period,
        # Up to now, not to the end of the period in progress: the rate estimate uses it.
        window_seconds=(now - start).total_seconds(),
        thresholds=thresholds,
        baseline=args.baseline,
        weights_note=weights_note(changed_at, period),
        split_since=split_start(changed_at, period),
    )
    if args.json:
        print_json(verdict.to_dict())
    else:
        print_lines(verdict_lines(verdict, window))
    return VERDICT_EXIT_CODES[verdict.outcome]
