"""`canary-tui verdict ENDPOINT`: is the canary worse than the baseline, on CloudWatch data?

Exit codes: 0 PASS, 3 FAIL, 4 INCONCLUSIVE (not enough data, or no canary), 1 AWS failure,
2 bad input. A script can gate a promotion on ``canary-tui verdict EP`` alone.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
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
from canary_tui.domain.shadow_verdict import canary_label, judge_endpoint, metric_variant_names
from canary_tui.domain.split_origin import differs, split_origin
from canary_tui.domain.verdict import (
    CheckResult,
    Outcome,
    Verdict,
    VerdictThresholds,
)
from canary_tui.domain.verdict_judge import check_detail
from canary_tui.own_changes import OwnChanges, own_changes

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
        "(Mann-Whitney U, p99 or average ratio), traffic split (chi-square), data "
        "sufficiency, and each [[verdict.metrics]] quality metric by its name. "
        "Exit codes: 0 PASS, 3 FAIL, 4 INCONCLUSIVE, 1 AWS failure, 2 bad input.",
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
        f"{verdict.endpoint}: {verdict.outcome.value}  ({'shadow test, ' * bool(verdict.shadows)}"
        f"baseline {verdict.baseline}, "
        f"window {window}, period {verdict.period_seconds}s)"
    ]
    if not verdict.canaries:
        lines.append(f"  {verdict.reason}")
    for canary in verdict.canaries:
        score = f"  ({canary.score.text()})" if canary.score is not None else ""
        label = canary_label(verdict, canary.variant)
        lines.append(f"{label} vs {canary.baseline}: {canary.outcome.value}{score}")
        width = max(len(check.name) for check in canary.checks)
        for check in canary.checks:
            lines.append(
                f"  {check.name:<{width}}  {check.outcome.value:<12}  "
                f"{check_judgement(check):<6}  {check.reason}"
            )
            lines += [f"  {'':<{width}}  - {line}" for line in check_detail(check)]
    lines += [f"note: {note}" for note in verdict.notes]
    return lines


def check_judgement(check: CheckResult) -> str:
    """Kayenta's word for the check: PASS, HIGH, LOW or NODATA."""
    return check.classification


def read_own_changes(endpoint: Endpoint, audit: AuditLog) -> OwnChanges:
    try:
        return own_changes(audit.read(endpoint.name).entries)
    except OSError:
        return OwnChanges()


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
    if args.period is None and endpoint.metrics is not None:
        # Without --period, the period follows the endpoint's MetricsConfig (issue 15).
        period, min_periods = endpoint.period_following_metrics(period, thresholds.min_periods)
        thresholds = replace(thresholds, min_periods=min_periods)
    now = datetime.now(UTC)
    start, end = aligned_window(now, timedelta(seconds=window_seconds), period)
    ours = read_own_changes(endpoint, audit_log_from_args(args))
    # A change made outside canary-tui shows here as weights unlike those our last change set,
    # at DescribeEndpoint's LastModifiedTime (no poll has watched them): ignoring it read a
    # healthy canary as a traffic_split FAIL. Without an audited change there is nothing to
    # compare with, and LastModifiedTime alone moves with scaling too: not used then.
    origin = split_origin(
        window_start=start,
        window_end=now,
        period_seconds=period,
        audit_changes=ours.weights,
        last_modified=endpoint.last_modified,
        other_own_changes=ours.counts,
        weights_differ_from_ours=ours.last_shares is not None
        and differs(endpoint.desired_traffic_shares, ours.last_shares),
    )
    # Shadow variants too: their own verdict against production (domain.shadow_verdict).
    refs = [VariantRef(endpoint.name, name) for name in metric_variant_names(endpoint)]
    backend.cloudwatch.note_endpoint(endpoint)  # asynchronous endpoints: their own metrics
    batch = backend.cloudwatch.fetch(refs, start, end, period, quality=thresholds.quality)
    # The latency gate's p99: one per variant over the window, where CloudWatch computes
    # percentiles (without them, moto, the average as before and no extra call).
    latency = (
        backend.cloudwatch.window_latency(refs, start, end, now)
        if batch.percentiles_available
        else None
    )
    verdict = judge_endpoint(
        endpoint,
        {ref.variant: batch.variants[ref] for ref in refs},
        period_seconds=period,
        # Up to now, not to the end of the period in progress: the rate estimate uses it.
        window_seconds=(now - start).total_seconds(),
        thresholds=thresholds,
        baseline=args.baseline,
        weights_note=origin.note,
        split_since=origin.judged_from,
        window_latency=None
        if latency is None
        else {ref.variant: latency.variants[ref] for ref in refs if ref in latency.variants},
    )
    if args.json:
        print_json(verdict.to_dict())
    else:
        print_lines(verdict_lines(verdict, window))
    return VERDICT_EXIT_CODES[verdict.outcome]
