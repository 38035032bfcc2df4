"""The canary verdict: is each canary variant worse than the baseline, on CloudWatch data?

Pure code: the caller hands in per-variant metrics for one window, the weights in force and
the thresholds. The statistics are :mod:`canary_tui.domain.stats`, plain Python that computes
the same numbers as the scipy.stats functions the checks name (the tests hold it to scipy);
scipy itself is not used, as it would add ~75 MB to the console's memory for three small tests.

Checks, per canary against the baseline (:mod:`canary_tui.domain.verdict_checks`): the 4XX and
5XX error rates (Fisher's exact test), latency (Mann-Whitney U plus a p99 or average ratio),
the traffic split against the configured weights (chi-square), and enough data to judge.

Statistical and practical significance are both required to FAIL: ``p < alpha`` *and* an
effect beyond the threshold. The data minimums guard PASS, not FAIL: these tests are valid
at small counts, so a canary that is clearly and significantly worse fails at once rather than
after the minimum is reached (a ramp must not keep a broken model in traffic to gather data).

Here: each canary's checks assembled into its verdict (:func:`judge_canary`), and every
canary's into the endpoint's (:func:`compute_verdict`), with the text a person reads. The
outcomes and thresholds are :mod:`canary_tui.domain.verdict_thresholds`; every public name of
the parts is importable from this module too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from canary_tui.domain.metrics import MetricKey, VariantMetrics
from canary_tui.domain.models import traffic_shares
from canary_tui.domain.verdict_checks import (
    MIN_EXPECTED_COUNT,
    CheckResult,
    DataShortfall,
    Number,
    data_check,
    error_rate_check,
    format_duration,
    incomplete_check,
    latency_check,
    traffic_split_check,
)
from canary_tui.domain.verdict_judge import Score, explain, score, with_power_summary
from canary_tui.domain.verdict_latency import WINDOW_NOTE, WindowSides, marked, window_sides
from canary_tui.domain.verdict_quality import deciding, quality_checks
from canary_tui.domain.verdict_thresholds import Outcome, VerdictThresholds
from canary_tui.domain.window_latency import WindowLatency

__all__ = [
    "MIN_EXPECTED_COUNT",
    "CanaryVerdict",
    "CheckResult",
    "DataShortfall",
    "Number",
    "Outcome",
    "Verdict",
    "VerdictThresholds",
    "choose_baseline",
    "compute_verdict",
    "data_check",
    "error_rate_check",
    "format_duration",
    "judge_canary",
    "latency_check",
    "traffic_split_check",
]


@dataclass(frozen=True, slots=True)
class CanaryVerdict:
    variant: str
    baseline: str
    outcome: Outcome
    reason: str
    checks: tuple[CheckResult, ...]
    shortfall: DataShortfall | None = None
    #: Kayenta-style score from weighted groups (:func:`canary_tui.domain.verdict_judge.score`).
    score: Score | None = None

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
            "score": None if self.score is None else self.score.to_dict(),
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
    #: The canaries that are shadow variants (domain.shadow_verdict): judged on a sampled
    #: copy of production traffic, with no traffic-split check.
    shadows: tuple[str, ...] = ()

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
            "shadows": list(self.shadows),
            "canaries": [canary.to_dict() for canary in self.canaries],
        }


def choose_baseline(weights: Mapping[str, float]) -> str:
    """The variant with the largest weight (the first one on a tie)."""
    if not weights:
        raise ValueError("an endpoint without variants has no baseline")
    return max(weights, key=lambda name: weights[name])


def _requests_since(metrics: VariantMetrics, since: datetime | None) -> float:
    points = metrics.get(MetricKey.INVOCATIONS).points
    return math.fsum(value for ts, value in points if since is None or ts >= since)


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
    window_latency: WindowSides | None = None,
    judge_split: bool = True,
) -> CanaryVerdict:
    """``judge_split=False``: no traffic_split check (a shadow variant gets a copy of the
    traffic, not a share of it)."""
    canary_requests = canary.get(MetricKey.INVOCATIONS).total()
    baseline_requests = baseline.get(MetricKey.INVOCATIONS).total()
    sides = {"canary": canary, "baseline": baseline}

    def errors(name: str, label: str, key: MetricKey) -> CheckResult:
        return incomplete_check(name, label, sides, (MetricKey.INVOCATIONS, key)) or (
            error_rate_check(
                name,
                label,
                canary.get(key).total(),
                canary_requests,
                baseline.get(key).total(),
                baseline_requests,
                thresholds,
            )
        )

    # The latency gate's p99: CloudWatch's over the whole window when given (verdict_latency).
    latency_canary, latency_baseline, window_used = window_sides(canary, baseline, window_latency)
    data, shortfall = data_check(canary, baseline, window_seconds, period_seconds, thresholds)
    invocations = (MetricKey.INVOCATIONS,)
    checks: tuple[CheckResult, ...] = (
        errors("errors_4xx", "4XX", MetricKey.ERRORS_4XX),
        errors("errors_5xx", "5XX", MetricKey.ERRORS_5XX),
        # InvocationModelErrors: the container's non-2XX, socket errors and timeouts, which
        # a canary can fail on while its 4XX/5XX look clean.
        errors("errors_model", "model errors", MetricKey.MODEL_ERRORS),
        incomplete_check("latency", "latency", sides, (MetricKey.MODEL_LATENCY_AVG,))
        or marked(
            latency_check(latency_canary, latency_baseline, thresholds), window_used, window_latency
        ),
        *(
            (
                incomplete_check("traffic_split", "traffic split", sides, invocations)
                or traffic_split_check(
                    canary_requests if split_canary_requests is None else split_canary_requests,
                    total_requests,
                    configured_share_pct,
                    thresholds,
                ),
            )
            if judge_split
            else ()
        ),
        incomplete_check("data", "data", sides, invocations) or data,
        # [[verdict.metrics]]: accuracy and business metrics, named by the metric.
        *quality_checks(canary, baseline, thresholds),
    )
    checks = tuple(
        explain(
            check,
            canary,
            baseline,
            thresholds,
            window_seconds=window_seconds,
            period_seconds=period_seconds,
        )
        for check in checks
    )
    checks = with_power_summary(checks)
    # NODATA holds a PASS back (the verdict is INCONCLUSIVE) and never causes a FAIL; an
    # observed quality metric never decides (verdict_quality.deciding).
    failed, unsure = deciding(checks)
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
        score=score(checks),
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
    window_latency: Mapping[str, WindowLatency] | None = None,
    judge_split: bool = True,
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
                window_latency=None
                if window_latency is None
                else (window_latency.get(name), window_latency.get(baseline)),
                judge_split=judge_split,
            )
        )
    notes = [weights_note]
    if any(c.check("latency").numbers.get("p99_source") == "window" for c in results):
        notes.append(WINDOW_NOTE)
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
