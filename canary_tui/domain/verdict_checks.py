"""The per-metric checks of one canary against the baseline, each a :class:`CheckResult`.

* ``errors_4xx`` / ``errors_5xx``: Fisher's exact test on the 2x2 table (errors, successes) x
  (canary, baseline), one-sided ``alternative="greater"`` (canary worse). Fisher is exact at
  any count, so one test serves the first minutes of a 1 % canary and a busy hour alike; it
  sums the hypergeometric terms that matter, never one term per request.
* ``latency``: the per-period ModelLatency averages of the canary against the baseline's with
  Mann-Whitney U, one-sided (as Kayenta does), plus a ratio: p99 (median of the per-period
  p99s) when the backend computes percentiles, otherwise the invocation-weighted average.
* ``traffic_split``: the canary's share of invocations against its configured share, with a
  chi-square goodness-of-fit test; catches a misrouted variant or one that stopped serving.
* ``data``: at least ``min_requests`` invocations on both variants and ``min_periods`` periods
  with traffic on the canary; when short, how many more and about how long that takes.

Each check needs both statistical and practical significance to FAIL: ``p < alpha`` *and* an
effect beyond its threshold. The statistics are :mod:`canary_tui.domain.stats`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from canary_tui.domain.effects import Effect
from canary_tui.domain.metrics import MetricKey, VariantMetrics
from canary_tui.domain.p_values import SMALLEST_P as SMALLEST_P  # re-exported
from canary_tui.domain.p_values import p_numbers as p_numbers  # re-exported
from canary_tui.domain.p_values import p_text as p_text  # re-exported
from canary_tui.domain.stats import (
    chisquare_two_categories,
    fisher_exact_greater,
    mann_whitney_u_greater,
)
from canary_tui.domain.verdict_thresholds import Outcome, VerdictThresholds

# chi-square is an approximation; below this expected count per cell its p-value misleads.
MIN_EXPECTED_COUNT = 5.0

Number = float | int | str | None


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    outcome: Outcome
    #: One line for a person: what was found, with the numbers that matter.
    reason: str
    #: Every number behind the reason (rates, p-values, ratio, counts), for --json and panels.
    numbers: Mapping[str, Number] = field(default_factory=dict)
    #: Which way is worse: "higher", "lower" or "either" (a traffic share off either way).
    worse: str = "higher"
    #: How much the canary differs, with its interval (:mod:`canary_tui.domain.effects`).
    effect: Effect | None = None
    #: The score's group ("errors", "latency", "traffic", a quality metric's...); "" not scored.
    group: str = ""
    #: A failure of a critical check scores the canary 0.
    critical: bool = False
    #: Lines that say why: both sides, the threshold, the test, p, the effect, the power.
    detail: tuple[str, ...] = ()

    @property
    def classification(self) -> str:
        """PASS / HIGH / LOW / NODATA, as Kayenta's judge names them (INCONCLUSIVE: NODATA)."""
        if self.outcome is Outcome.PASS:
            return "PASS"
        if self.outcome is not Outcome.FAIL:
            return "NODATA"
        if self.worse == "either" and self.effect is not None:
            return "HIGH" if self.effect.estimate >= (self.effect.kind == "ratio") else "LOW"
        return "LOW" if self.worse == "lower" else "HIGH"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "outcome": self.outcome.value,
            "classification": self.classification,
            "worse": self.worse,
            "reason": self.reason,
            "numbers": dict(self.numbers),
            "effect": None if self.effect is None else self.effect.to_dict(),
            "group": self.group,
            "critical": self.critical,
            "detail": list(self.detail),
        }


@dataclass(frozen=True, slots=True)
class DataShortfall:
    """How far a variant is from enough data, and roughly how long until it gets there."""

    more_requests: int
    more_periods: int
    #: None when there is no traffic at all, so no rate to extrapolate from.
    eta_seconds: float | None

    def describe(self) -> str:
        parts = []
        if self.more_requests > 0:
            parts.append(f"{self.more_requests} more request{'s' * (self.more_requests != 1)}")
        if self.more_periods > 0:
            parts.append(f"{self.more_periods} more period{'s' * (self.more_periods != 1)}")
        need = "need " + " and ".join(parts)
        if self.eta_seconds is None:
            return need + " (no traffic yet, so no estimate)"
        return need + f" (about {format_duration(self.eta_seconds)} at the current rate)"


def format_duration(seconds: float) -> str:
    """``90`` -> ``1m30s``, ``7200`` -> ``2h``: short, for one-line messages."""
    total = max(0, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    text += f"{secs}s" if secs or not text else ""
    return text


def incomplete_check(
    name: str, label: str, missing: Mapping[str, VariantMetrics], keys: tuple[MetricKey, ...]
) -> CheckResult | None:
    """NODATA when CloudWatch did not return the whole window of a metric this check uses,
    on either side: a PartialData 5XX series is unknown, not "0 errors" (a false PASS)."""
    for role, metrics in missing.items():
        for key in keys:
            series = metrics.get(key)
            if not series.complete:
                status = series.status.value
                return CheckResult(
                    name,
                    Outcome.NODATA,
                    f"{label}: CloudWatch returned {status} for {key.value} of the {role} "
                    f"({metrics.ref.variant}): unknown, not zero; judged when it is complete",
                    {"role": role, "metric": key.value, "status": status},
                )
    return None


def _rounded(value: float | None, digits: int = 6) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def error_rate_check(
    name: str,
    label: str,
    canary_errors: float,
    canary_requests: float,
    baseline_errors: float,
    baseline_requests: float,
    thresholds: VerdictThresholds,
) -> CheckResult:
    """Fisher's exact test, one-sided: are the canary's errors more frequent than baseline's?"""
    # CloudWatch sums are floats; counts of requests are whole, and errors cannot exceed them.
    canary_n = round(max(canary_requests, 0.0))
    baseline_n = round(max(baseline_requests, 0.0))
    canary_e = min(round(max(canary_errors, 0.0)), canary_n)
    baseline_e = min(round(max(baseline_errors, 0.0)), baseline_n)
    numbers: dict[str, Number] = {
        "canary_errors": canary_e,
        "canary_requests": canary_n,
        "baseline_errors": baseline_e,
        "baseline_requests": baseline_n,
    }
    if canary_n == 0 or baseline_n == 0:
        who = "canary" if canary_n == 0 else "baseline"
        return CheckResult(
            name, Outcome.INCONCLUSIVE, f"{label}: no requests on the {who}", numbers
        )
    canary_rate = canary_e / canary_n * 100.0
    baseline_rate = baseline_e / baseline_n * 100.0
    increase = canary_rate - baseline_rate
    p_value = fisher_exact_greater(
        canary_e, canary_n - canary_e, baseline_e, baseline_n - baseline_e
    )
    numbers.update(
        canary_rate_pct=_rounded(canary_rate),
        baseline_rate_pct=_rounded(baseline_rate),
        increase_pp=_rounded(increase),
        **p_numbers(p_value),
        test="fisher_exact(alternative='greater')",
    )
    rates = f"{canary_rate:.2f}% vs {baseline_rate:.2f}% ({p_text(p_value)})"
    significant = p_value < thresholds.alpha
    material = increase > thresholds.max_error_rate_increase
    if significant and material:
        return CheckResult(
            name,
            Outcome.FAIL,
            f"{label} rate {rates}: +{increase:.2f} pp, above the "
            f"{thresholds.max_error_rate_increase:g} pp limit",
            numbers,
        )
    if significant:
        limit = thresholds.max_error_rate_increase
        reason = f"{label} rate {rates}: higher, but within the +{limit:g} pp limit"
    else:
        reason = f"{label} rate {rates}: no significant increase"
    return CheckResult(name, Outcome.PASS, reason, numbers)


def _weighted_average(
    values: Mapping[datetime, float], weights: Mapping[datetime, float]
) -> float | None:
    weighted = [(value, weights.get(ts, 0.0)) for ts, value in values.items()]
    total_weight = math.fsum(weight for _, weight in weighted)
    if total_weight > 0:
        return math.fsum(value * weight for value, weight in weighted) / total_weight
    if values:
        return statistics.fmean(values.values())
    return None


def latency_check(
    canary: VariantMetrics, baseline: VariantMetrics, thresholds: VerdictThresholds
) -> CheckResult:
    """Mann-Whitney U on per-period ModelLatency averages, plus the p99 or average ratio."""
    canary_avg = dict(canary.get(MetricKey.MODEL_LATENCY_AVG).points)
    baseline_avg = dict(baseline.get(MetricKey.MODEL_LATENCY_AVG).points)
    numbers: dict[str, Number] = {
        "canary_periods": len(canary_avg),
        "baseline_periods": len(baseline_avg),
    }
    if len(canary_avg) < 2 or len(baseline_avg) < 2:
        return CheckResult(
            "latency",
            Outcome.INCONCLUSIVE,
            "latency: fewer than 2 periods with ModelLatency on "
            + ("the canary" if len(canary_avg) < 2 else "the baseline"),
            numbers,
        )
    u_statistic, p_value = mann_whitney_u_greater(
        list(canary_avg.values()), list(baseline_avg.values())
    )
    canary_p99 = canary.get(MetricKey.MODEL_LATENCY_P99).values
    baseline_p99 = baseline.get(MetricKey.MODEL_LATENCY_P99).values
    if canary_p99 and baseline_p99:
        statistic = "p99"
        canary_value: float | None = statistics.median(canary_p99)
        baseline_value: float | None = statistics.median(baseline_p99)
    else:
        statistic = "average"
        canary_value = _weighted_average(canary_avg, dict(canary.get(MetricKey.INVOCATIONS).points))
        baseline_value = _weighted_average(
            baseline_avg, dict(baseline.get(MetricKey.INVOCATIONS).points)
        )
    ratio = (
        canary_value / baseline_value
        if canary_value is not None and baseline_value is not None and baseline_value > 0
        else None
    )
    numbers.update(
        statistic=statistic,
        canary_ms=_rounded(canary_value, 3),
        baseline_ms=_rounded(baseline_value, 3),
        ratio=_rounded(ratio, 4),
        u_statistic=_rounded(u_statistic, 3),
        **p_numbers(p_value),
        test="mannwhitneyu(alternative='greater') on per-period ModelLatency averages",
    )
    if ratio is None:
        return CheckResult(
            "latency", Outcome.INCONCLUSIVE, "latency: the baseline reports no latency", numbers
        )
    values = (
        f"{statistic} {canary_value:.1f} ms vs {baseline_value:.1f} ms, "
        f"x{ratio:.2f} ({p_text(p_value)})"
    )
    significant = p_value < thresholds.alpha
    if significant and ratio > thresholds.max_latency_ratio:
        return CheckResult(
            "latency",
            Outcome.FAIL,
            f"latency {values}: above the x{thresholds.max_latency_ratio:g} limit",
            numbers,
        )
    if significant:
        reason = f"latency {values}: slower, but within the x{thresholds.max_latency_ratio:g} limit"
    else:
        reason = f"latency {values}: not significantly slower"
    return CheckResult("latency", Outcome.PASS, reason, numbers)


def traffic_split_check(
    canary_requests: float,
    total_requests: float,
    configured_share_pct: float,
    thresholds: VerdictThresholds,
) -> CheckResult:
    """Chi-square goodness of fit of (canary, everyone else) against the configured shares."""
    observed_share = canary_requests / total_requests * 100.0 if total_requests > 0 else None
    numbers: dict[str, Number] = {
        "canary_requests": round(canary_requests),
        "total_requests": round(total_requests),
        "configured_share_pct": _rounded(configured_share_pct, 4),
        "observed_share_pct": _rounded(observed_share, 4),
    }
    if observed_share is None:
        return CheckResult(
            "traffic_split", Outcome.INCONCLUSIVE, "traffic split: no requests at all", numbers
        )
    share_text = f"{observed_share:.1f}% observed vs {configured_share_pct:.1f}% configured"
    if configured_share_pct <= 0 or configured_share_pct >= 100:
        # An expected count of 0 makes chi-square undefined; any traffic there is misrouted.
        misrouted = (configured_share_pct <= 0 and canary_requests > 0) or (
            configured_share_pct >= 100 and canary_requests < total_requests
        )
        outcome = Outcome.FAIL if misrouted else Outcome.PASS
        return CheckResult(
            "traffic_split",
            outcome,
            f"traffic split {share_text}"
            + (": misrouted (or clients pick the variant with TargetVariant)" if misrouted else ""),
            numbers,
        )
    expected_canary = total_requests * configured_share_pct / 100.0
    expected = [expected_canary, total_requests - expected_canary]
    if min(expected) < MIN_EXPECTED_COUNT:
        return CheckResult(
            "traffic_split",
            Outcome.INCONCLUSIVE,
            f"traffic split {share_text}: too few requests to test",
            numbers,
        )
    statistic, p_value = chisquare_two_categories(
        [canary_requests, total_requests - canary_requests], expected
    )
    deviation = observed_share - configured_share_pct
    numbers.update(
        deviation_pp=_rounded(deviation, 4),
        chi2=_rounded(statistic, 4),
        **p_numbers(p_value),
        test="chisquare",
    )
    if p_value < thresholds.alpha and abs(deviation) > thresholds.split_tolerance:
        return CheckResult(
            "traffic_split",
            Outcome.FAIL,
            f"traffic split {share_text} ({p_text(p_value)}): off by more than "
            f"{thresholds.split_tolerance:g} pp; misrouted or failing variant",
            numbers,
        )
    return CheckResult(
        "traffic_split", Outcome.PASS, f"traffic split {share_text}: as configured", numbers
    )


def _periods_with_traffic(metrics: VariantMetrics) -> int:
    return sum(1 for value in metrics.get(MetricKey.INVOCATIONS).values if value > 0)


def data_check(
    canary: VariantMetrics,
    baseline: VariantMetrics,
    window_seconds: float,
    period_seconds: int,
    thresholds: VerdictThresholds,
) -> tuple[CheckResult, DataShortfall | None]:
    """Enough requests on both variants and enough periods on the canary to judge a PASS."""
    canary_requests = canary.get(MetricKey.INVOCATIONS).total()
    baseline_requests = baseline.get(MetricKey.INVOCATIONS).total()
    periods = _periods_with_traffic(canary)
    more_requests = max(
        0,
        math.ceil(thresholds.min_requests - canary_requests),
        math.ceil(thresholds.min_requests - baseline_requests),
    )
    more_periods = max(0, thresholds.min_periods - periods)
    numbers: dict[str, Number] = {
        "canary_requests": round(canary_requests),
        "baseline_requests": round(baseline_requests),
        "canary_periods": periods,
        "min_requests": thresholds.min_requests,
        "min_periods": thresholds.min_periods,
    }
    if more_requests == 0 and more_periods == 0:
        return (
            CheckResult(
                "data",
                Outcome.PASS,
                f"data: {round(canary_requests)} canary / {round(baseline_requests)} baseline "
                f"requests over {periods} periods",
                numbers,
            ),
            None,
        )
    # The slower of the two variants decides how long the missing requests take to arrive.
    slowest = min(canary_requests, baseline_requests)
    eta: float | None
    if more_requests and slowest <= 0:
        eta = None
    else:
        request_wait = more_requests / (slowest / window_seconds) if more_requests else 0.0
        eta = max(request_wait, float(more_periods * period_seconds))
    shortfall = DataShortfall(more_requests, more_periods, eta)
    numbers.update(
        more_requests=more_requests,
        more_periods=more_periods,
        eta_seconds=_rounded(eta, 1),
    )
    return (
        CheckResult("data", Outcome.INCONCLUSIVE, f"data: {shortfall.describe()}", numbers),
        shortfall,
    )
