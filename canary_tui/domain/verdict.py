"""The canary verdict: is each canary variant worse than the baseline, on CloudWatch data?

Pure code: the caller hands in per-variant metrics for one window, the weights in force and
the thresholds. The statistics are :mod:`canary_tui.domain.stats`, plain Python that computes
the same numbers as the scipy.stats functions named below (the tests hold it to scipy); scipy
itself is not used, as it would add ~75 MB to the console's memory for three small tests.

Checks, per canary against the baseline:

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

Statistical and practical significance are both required to FAIL: ``p < alpha`` *and* an
effect beyond the threshold. The data minimums guard PASS, not FAIL: the tests above are valid
at small counts, so a canary that is clearly and significantly worse fails at once rather than
after the minimum is reached (a ramp must not keep a broken model in traffic to gather data).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from canary_tui.domain.metrics import MetricKey, VariantMetrics
from canary_tui.domain.models import traffic_shares
from canary_tui.domain.stats import (
    chisquare_two_categories,
    fisher_exact_greater,
    mann_whitney_u_greater,
)

# chi-square is an approximation; below this expected count per cell its p-value misleads.
MIN_EXPECTED_COUNT = 5.0


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"


@dataclass(frozen=True, slots=True)
class VerdictThresholds:
    """What counts as enough data and as a regression that matters."""

    #: Significance level of every one-sided test.
    alpha: float = 0.05
    #: Invocations needed on the baseline and on each canary before PASS is possible.
    min_requests: int = 1000
    #: Periods with traffic on the canary before PASS is possible (warm-up noise averages out).
    min_periods: int = 10
    #: FAIL when canary latency / baseline latency exceeds this (and the rank test agrees).
    max_latency_ratio: float = 1.2
    #: FAIL when the canary's error rate exceeds the baseline's by more than this, in
    #: percentage points (and the test agrees).
    max_error_rate_increase: float = 0.5
    #: FAIL when the canary's observed traffic share differs from its configured share by more
    #: than this, in percentage points (and the chi-square test agrees).
    split_tolerance: float = 2.0

    def problems(self) -> list[str]:
        """Every reason these thresholds make no sense, as lines for a person."""
        found = []
        if not 0 < self.alpha < 1:
            found.append(f"alpha must be between 0 and 1 (got {self.alpha})")
        if self.min_requests < 0:
            found.append("min_requests cannot be negative")
        if self.min_periods < 0:
            found.append("min_periods cannot be negative")
        if not self.max_latency_ratio >= 1:
            found.append("max_latency_ratio must be at least 1")
        if not self.max_error_rate_increase >= 0:
            found.append("max_error_rate_increase cannot be negative")
        if not self.split_tolerance >= 0:
            found.append("split_tolerance cannot be negative")
        return found


Number = float | int | str | None


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    outcome: Outcome
    #: One line for a person: what was found, with the numbers that matter.
    reason: str
    #: Every number behind the reason (rates, p-values, ratio, counts), for --json and panels.
    numbers: Mapping[str, Number] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "numbers": dict(self.numbers),
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


@dataclass(frozen=True, slots=True)
class CanaryVerdict:
    variant: str
    baseline: str
    outcome: Outcome
    reason: str
    checks: tuple[CheckResult, ...]
    shortfall: DataShortfall | None = None

    def check(self, name: str) -> CheckResult:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "baseline": self.baseline,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "checks": [check.to_dict() for check in self.checks],
            "shortfall": None
            if self.shortfall is None
            else {
                "more_requests": self.shortfall.more_requests,
                "more_periods": self.shortfall.more_periods,
                "eta_seconds": self.shortfall.eta_seconds,
            },
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    endpoint: str
    baseline: str
    outcome: Outcome
    reason: str
    canaries: tuple[CanaryVerdict, ...]
    period_seconds: int
    window_seconds: float
    #: Caveats that apply to the whole verdict (which weights, which latency statistic...).
    notes: tuple[str, ...] = ()

    def canary(self, variant: str) -> CanaryVerdict:
        for canary in self.canaries:
            if canary.variant == variant:
                return canary
        raise KeyError(variant)

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "baseline": self.baseline,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "period_seconds": self.period_seconds,
            "window_seconds": self.window_seconds,
            "notes": list(self.notes),
            "canaries": [canary.to_dict() for canary in self.canaries],
        }


def format_duration(seconds: float) -> str:
    """``90`` -> ``1m30s``, ``7200`` -> ``2h``: short, for one-line messages."""
    total = max(0, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    text += f"{secs}s" if secs or not text else ""
    return text


def choose_baseline(weights: Mapping[str, float]) -> str:
    """The variant with the largest weight (the first one on a tie)."""
    if not weights:
        raise ValueError("an endpoint without variants has no baseline")
    return max(weights, key=lambda name: weights[name])


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
        p_value=_rounded(p_value, 8),
        test="fisher_exact(alternative='greater')",
    )
    rates = f"{canary_rate:.2f}% vs {baseline_rate:.2f}% (p={p_value:.3g})"
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
        p_value=_rounded(p_value, 8),
        test="mannwhitneyu(alternative='greater') on per-period ModelLatency averages",
    )
    if ratio is None:
        return CheckResult(
            "latency", Outcome.INCONCLUSIVE, "latency: the baseline reports no latency", numbers
        )
    values = (
        f"{statistic} {canary_value:.1f} ms vs {baseline_value:.1f} ms, "
        f"x{ratio:.2f} (p={p_value:.3g})"
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
        p_value=_rounded(p_value, 8),
        test="chisquare",
    )
    if p_value < thresholds.alpha and abs(deviation) > thresholds.split_tolerance:
        return CheckResult(
            "traffic_split",
            Outcome.FAIL,
            f"traffic split {share_text} (p={p_value:.3g}): off by more than "
            f"{thresholds.split_tolerance:g} pp; misrouted or failing variant",
            numbers,
        )
    return CheckResult(
        "traffic_split", Outcome.PASS, f"traffic split {share_text}: as configured", numbers
    )


def _requests_since(metrics: VariantMetrics, since: datetime | None) -> float:
    points = metrics.get(MetricKey.INVOCATIONS).points
    return math.fsum(value for ts, value in points if since is None or ts >= since)


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


def judge_canary(
    canary: VariantMetrics,
    baseline: VariantMetrics,
    *,
    configured_share_pct: float,
    total_requests: float,
    window_seconds: float,
    period_seconds: int,
    thresholds: VerdictThresholds,
    split_canary_requests: float | None = None,
) -> CanaryVerdict:
    canary_requests = canary.get(MetricKey.INVOCATIONS).total()
    baseline_requests = baseline.get(MetricKey.INVOCATIONS).total()
    data, shortfall = data_check(canary, baseline, window_seconds, period_seconds, thresholds)
    checks = (
        error_rate_check(
            "errors_4xx",
            "4XX",
            canary.get(MetricKey.ERRORS_4XX).total(),
            canary_requests,
            baseline.get(MetricKey.ERRORS_4XX).total(),
            baseline_requests,
            thresholds,
        ),
        error_rate_check(
            "errors_5xx",
            "5XX",
            canary.get(MetricKey.ERRORS_5XX).total(),
            canary_requests,
            baseline.get(MetricKey.ERRORS_5XX).total(),
            baseline_requests,
            thresholds,
        ),
        latency_check(canary, baseline, thresholds),
        traffic_split_check(
            canary_requests if split_canary_requests is None else split_canary_requests,
            total_requests,
            configured_share_pct,
            thresholds,
        ),
        data,
    )
    failed = [check for check in checks if check.outcome is Outcome.FAIL]
    unsure = [check for check in checks if check.outcome is Outcome.INCONCLUSIVE]
    if failed:
        outcome, reason = Outcome.FAIL, "; ".join(check.reason for check in failed)
    elif unsure:
        outcome, reason = Outcome.INCONCLUSIVE, "; ".join(check.reason for check in unsure)
    else:
        outcome, reason = Outcome.PASS, "no check found a regression"
    return CanaryVerdict(
        variant=canary.ref.variant,
        baseline=baseline.ref.variant,
        outcome=outcome,
        reason=reason,
        checks=checks,
        shortfall=shortfall,
    )


def compute_verdict(
    endpoint: str,
    metrics: Mapping[str, VariantMetrics],
    weights: Mapping[str, float],
    *,
    period_seconds: int,
    window_seconds: float,
    thresholds: VerdictThresholds | None = None,
    baseline: str | None = None,
    canaries: Sequence[str] | None = None,
    weights_note: str = "traffic split judged against the current weights",
    split_since: datetime | None = None,
) -> Verdict:
    """Judge every canary (by default: every variant but the baseline that has weight > 0
    or served requests).

    ``metrics`` maps variant name to its metrics over the window; ``weights`` are the weights
    in force over that window (the caller says which in ``weights_note``); ``baseline``
    defaults to the variant with the largest weight. ``split_since``: when the weights last
    changed inside the window, the traffic split is judged on the periods from then on only
    (error rates and latency are per variant, so the whole window still counts for them).
    """
    thresholds = thresholds or VerdictThresholds()
    problems = thresholds.problems()
    if problems:
        raise ValueError("; ".join(problems))
    if window_seconds <= 0 or period_seconds <= 0:
        raise ValueError("the window and the period must be positive")
    baseline = baseline or choose_baseline(weights)
    if baseline not in metrics:
        raise ValueError(f"no metrics for the baseline variant {baseline!r}")
    if canaries is None:
        # A variant at weight 0 that still serves requests is judged too: it is misrouted.
        canaries = [
            name
            for name in weights
            if name != baseline
            and (weights[name] > 0 or (name in metrics and _requests_since(metrics[name], None)))
        ]
    shares = traffic_shares(weights)
    # Traffic to variants not in ``weights`` still counts: it was routed somewhere.
    total_requests = math.fsum(_requests_since(m, split_since) for m in metrics.values())
    results = []
    for name in canaries:
        if name not in metrics:
            raise ValueError(f"no metrics for the canary variant {name!r}")
        results.append(
            judge_canary(
                metrics[name],
                metrics[baseline],
                configured_share_pct=shares.get(name, 0.0),
                total_requests=total_requests,
                split_canary_requests=_requests_since(metrics[name], split_since),
                window_seconds=window_seconds,
                period_seconds=period_seconds,
                thresholds=thresholds,
            )
        )
    notes = [weights_note]
    latency_statistics = {
        str(c.check("latency").numbers.get("statistic"))
        for c in results
        if "statistic" in c.check("latency").numbers
    }
    if latency_statistics == {"average"}:
        notes.append("latency ratio uses averages: the backend gave no p99")
    if not results:
        outcome, reason = Outcome.INCONCLUSIVE, f"no canary: only {baseline} receives traffic"
    elif any(c.outcome is Outcome.FAIL for c in results):
        outcome = Outcome.FAIL
        reason = "; ".join(f"{c.variant}: {c.reason}" for c in results if c.outcome is Outcome.FAIL)
    elif any(c.outcome is Outcome.INCONCLUSIVE for c in results):
        outcome = Outcome.INCONCLUSIVE
        reason = "; ".join(
            f"{c.variant}: {c.reason}" for c in results if c.outcome is Outcome.INCONCLUSIVE
        )
    else:
        outcome = Outcome.PASS
        reason = "; ".join(f"{c.variant}: {c.reason}" for c in results)
    return Verdict(
        endpoint=endpoint,
        baseline=baseline,
        outcome=outcome,
        reason=reason,
        canaries=tuple(results),
        period_seconds=period_seconds,
        window_seconds=window_seconds,
        notes=tuple(notes),
    )
