"""The latency gate on one p99 per variant over the judged window (``domain.window_latency``),
not the median of per-minute p99s.

At a 1 % canary a per-minute p99 is taken over a handful of requests, nearly their maximum;
CloudWatch's p99 over the whole window is the canary's p99. The latency check
(``verdict_checks.latency_check``) takes the ratio of the medians of the P99 series; here
each side's P99 series is replaced by the single window value, so the check itself (its
rank test on per-period averages, its thresholds, its text) is unchanged, and says in its
numbers which p99 it used (``p99_source``). Where the window has no p99 on both sides
(moto has no percentiles; a window split into chunks has only bounds), the check runs as
before: the per-minute p99s, or the invocation-weighted average without percentiles.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from canary_tui.domain.metrics import MetricKey, Series, VariantMetrics
from canary_tui.domain.verdict_checks import CheckResult
from canary_tui.domain.window_latency import WindowLatency

WINDOW_NOTE = "latency p99 computed by CloudWatch over the judged window (one per variant)"

WindowSides = tuple[WindowLatency | None, WindowLatency | None]


def _window_p99(latency: WindowLatency | None) -> float | None:
    if latency is None or not latency.complete or latency.p99 is None:
        return None
    return latency.p99.value


def window_sides(
    canary: VariantMetrics, baseline: VariantMetrics, window: WindowSides | None
) -> tuple[VariantMetrics, VariantMetrics, bool]:
    """(canary, baseline, whether the window's p99 is used): the metrics to judge latency
    on, with the P99 series of each side the window's one value when both have one."""
    if window is None:
        return canary, baseline, False
    canary_p99, baseline_p99 = _window_p99(window[0]), _window_p99(window[1])
    if canary_p99 is None or baseline_p99 is None:
        return canary, baseline, False
    sides = []
    for metrics, value in ((canary, canary_p99), (baseline, baseline_p99)):
        # Only the value counts (the check takes the median of the series' values); it is
        # dated at the window's first period with latency, for whoever prints it.
        latency_points = metrics.get(MetricKey.MODEL_LATENCY_AVG).points
        moment = latency_points[0][0] if latency_points else datetime.fromtimestamp(0, UTC)
        series = {**metrics.series, MetricKey.MODEL_LATENCY_P99: Series(((moment, value),))}
        sides.append(replace(metrics, series=series))
    return sides[0], sides[1], True


def marked(check: CheckResult, window_used: bool, window: WindowSides | None) -> CheckResult:
    """The latency check with where its p99 came from in its numbers."""
    if "statistic" not in check.numbers:
        return check
    if window_used:
        source = "window"
    elif check.numbers.get("statistic") == "p99":
        source = "per-period median"
    else:
        source = "none (average)"
    numbers = {**check.numbers, "p99_source": source}
    if window_used and window is not None:
        for role, latency in zip(("canary", "baseline"), window, strict=True):
            if latency is not None and latency.p50 is not None:
                numbers[f"{role}_p50_ms"] = round(latency.p50.low, 3)
    return replace(check, numbers=numbers)
