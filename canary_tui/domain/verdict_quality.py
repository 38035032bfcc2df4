"""The verdict's checks of configured quality metrics (``[[verdict.metrics]]``), one
:class:`~canary_tui.domain.verdict_checks.CheckResult` per metric, named by the metric.

* ``proportion`` (accuracy = Correct / Labeled): Fisher's exact test, one-sided (canary
  worse), on the 2x2 table of bad and good outcomes pooled over the metric's window; bad is
  a failure for a higher-is-better metric and a success for a lower-is-better one. The
  effect is the rate's change in percentage points.
* ``continuous``: Mann-Whitney U, one-sided, on the per-period values (the configured
  statistic per period); the effect is the change of the median in percent of the
  baseline's.

As for the built-in checks, a FAIL needs ``p < alpha`` *and* a change for the worse beyond
``allowed_change``. A series CloudWatch did not return whole is NODATA. An ``observe``
metric is judged and shown but never decides; a gate metric that is not ``critical`` holds a
PASS back instead of failing (:func:`deciding`). Both are said in the check's numbers
(``mode``, ``critical``) so the text, JSON and audit carry them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from canary_tui.domain.effects import Effect, hodges_lehmann, rate_difference
from canary_tui.domain.metrics import VariantMetrics
from canary_tui.domain.quality import Better, QualityKind, QualityMetric, quality_series
from canary_tui.domain.stats import fisher_exact_greater, mann_whitney_u_greater
from canary_tui.domain.verdict_checks import CheckResult, Number, p_numbers, p_text
from canary_tui.domain.verdict_thresholds import Outcome, VerdictThresholds


def _base_numbers(metric: QualityMetric) -> dict[str, Number]:
    return {
        "kind": metric.kind.value,
        "direction": f"{metric.direction.value} is better",
        "allowed_change": metric.allowed_change,
        "mode": metric.mode.value,
        "critical": "yes" if metric.critical else "no",
        "delay_seconds": metric.delay_seconds,
    }


def _label(metric: QualityMetric) -> str:
    return metric.name + (" (observed)" if not metric.decides else "")


def _incomplete(
    metric: QualityMetric, sides: Sequence[tuple[str, VariantMetrics]]
) -> CheckResult | None:
    for role, metrics in sides:
        for series_role, metric_name in metric.queries():
            series = quality_series(metrics.quality, metric, series_role)
            if not series.complete:
                status = series.status.value
                return CheckResult(
                    metric.name,
                    Outcome.NODATA,
                    f"{_label(metric)}: CloudWatch returned {status} for {metric_name} of the "
                    f"{role} ({metrics.ref.variant}): unknown, not zero; judged when complete",
                    {**_base_numbers(metric), "role": role, "metric": metric_name},
                )
    return None


def _late(metric: QualityMetric) -> str:
    return f" (data {metric.delay_seconds // 60}m late)" if metric.delay_seconds >= 60 else ""


def proportion_check(
    metric: QualityMetric,
    canary: VariantMetrics,
    baseline: VariantMetrics,
    thresholds: VerdictThresholds,
) -> CheckResult:
    numbers = _base_numbers(metric)
    counts: dict[str, tuple[int, int]] = {}
    for role, metrics in (("canary", canary), ("baseline", baseline)):
        trials = round(max(quality_series(metrics.quality, metric, "trials").total(), 0.0))
        successes = quality_series(metrics.quality, metric, "successes").total()
        counts[role] = (min(round(max(successes, 0.0)), trials), trials)
        numbers[f"{role}_successes"], numbers[f"{role}_trials"] = counts[role]
    numbers["min_count"] = metric.minimum
    for role, (_, trials) in counts.items():
        if trials == 0:
            return CheckResult(
                metric.name,
                Outcome.INCONCLUSIVE,
                f"{_label(metric)}: no {metric.trials} on the {role} in its window" + _late(metric),
                numbers,
            )
        if trials < metric.minimum:
            return CheckResult(
                metric.name,
                Outcome.INCONCLUSIVE,
                f"{_label(metric)}: {trials:,} {metric.trials} on the {role}, need "
                f"{metric.minimum:,}" + _late(metric),
                numbers,
            )
    (canary_hits, canary_n), (baseline_hits, baseline_n) = counts["canary"], counts["baseline"]
    canary_rate = canary_hits / canary_n * 100.0
    baseline_rate = baseline_hits / baseline_n * 100.0
    change = canary_rate - baseline_rate
    higher = metric.direction is Better.HIGHER
    canary_bad = canary_n - canary_hits if higher else canary_hits
    baseline_bad = baseline_n - baseline_hits if higher else baseline_hits
    p_value = fisher_exact_greater(
        canary_bad, canary_n - canary_bad, baseline_bad, baseline_n - baseline_bad
    )
    worse_by = -change if higher else change
    numbers.update(
        canary_rate_pct=round(canary_rate, 6),
        baseline_rate_pct=round(baseline_rate, 6),
        change_pp=round(change, 6),
        **p_numbers(p_value),
        test="fisher_exact(alternative='greater') on bad outcomes",
    )
    values = (
        f"{_label(metric)} {canary_rate:.2f}% vs {baseline_rate:.2f}% "
        f"({change:+.2f} pp, {p_text(p_value)})"
    )
    # At 1 - 2 alpha, so its one-sided bound agrees with the one-sided test at alpha.
    effect = rate_difference(
        canary_hits, canary_n, baseline_hits, baseline_n, 1.0 - 2.0 * thresholds.alpha
    )
    return _decided(metric, values, p_value, worse_by, "pp", thresholds, numbers, effect)


def _decided(
    metric: QualityMetric,
    values: str,
    p_value: float,
    worse_by: float,
    unit: str,
    thresholds: VerdictThresholds,
    numbers: dict[str, Number],
    effect: Effect | None,
) -> CheckResult:
    allowed = f"{metric.allowed_change:g} {unit}"
    significant = p_value < thresholds.alpha
    if significant and worse_by > metric.allowed_change:
        return CheckResult(
            metric.name,
            Outcome.FAIL,
            f"{values}: worse by more than {allowed}",
            numbers,
            effect=effect,
        )
    if significant:
        reason = f"{values}: worse, but within the {allowed} allowed"
    else:
        reason = f"{values}: not significantly worse"
    return CheckResult(metric.name, Outcome.PASS, reason, numbers, effect=effect)


def continuous_check(
    metric: QualityMetric,
    canary: VariantMetrics,
    baseline: VariantMetrics,
    thresholds: VerdictThresholds,
) -> CheckResult:
    numbers = _base_numbers(metric)
    canary_values = quality_series(canary.quality, metric, "value").values
    baseline_values = quality_series(baseline.quality, metric, "value").values
    numbers.update(canary_periods=len(canary_values), baseline_periods=len(baseline_values))
    least = max(2, metric.minimum)  # Mann-Whitney needs two values a side
    numbers["min_count"] = least
    if len(canary_values) < least or len(baseline_values) < least:
        who = "canary" if len(canary_values) < least else "baseline"
        return CheckResult(
            metric.name,
            Outcome.INCONCLUSIVE,
            f"{_label(metric)}: fewer than {least} periods with {metric.metric} on the {who}"
            + _late(metric),
            numbers,
        )
    higher = metric.direction is Better.HIGHER
    # The test asks "is the canary worse": larger when lower is better, smaller otherwise.
    sign = -1.0 if higher else 1.0
    u_statistic, p_value = mann_whitney_u_greater(
        [sign * value for value in canary_values], [sign * value for value in baseline_values]
    )
    canary_median = statistics.median(canary_values)
    baseline_median = statistics.median(baseline_values)
    numbers.update(
        statistic=metric.statistic,
        canary_median=round(canary_median, 6),
        baseline_median=round(baseline_median, 6),
        u_statistic=round(u_statistic, 3),
        **p_numbers(p_value),
        test="mannwhitneyu(alternative='greater') on per-period values",
    )
    if baseline_median == 0 or not math.isfinite(baseline_median):
        return CheckResult(
            metric.name,
            Outcome.INCONCLUSIVE,
            f"{_label(metric)}: the baseline's median is 0; no relative change",
            numbers,
        )
    change = (canary_median - baseline_median) / abs(baseline_median) * 100.0
    numbers["change_pct"] = round(change, 6)
    values = (
        f"{_label(metric)} median {canary_median:.4g} vs {baseline_median:.4g} "
        f"({change:+.1f}%, {p_text(p_value)})"
    )
    worse_by = -change if higher else change
    # The shift of the per-period values (canary - baseline, the metric's unit).
    effect = hodges_lehmann(canary_values, baseline_values, 1.0 - 2.0 * thresholds.alpha)
    return _decided(metric, values, p_value, worse_by, "%", thresholds, numbers, effect)


def quality_check(
    metric: QualityMetric,
    canary: VariantMetrics,
    baseline: VariantMetrics,
    thresholds: VerdictThresholds,
) -> CheckResult:
    missing = _incomplete(metric, (("canary", canary), ("baseline", baseline)))
    if missing is not None:
        return missing
    if metric.kind is QualityKind.PROPORTION:
        return proportion_check(metric, canary, baseline, thresholds)
    return continuous_check(metric, canary, baseline, thresholds)


def quality_checks(
    canary: VariantMetrics, baseline: VariantMetrics, thresholds: VerdictThresholds
) -> tuple[CheckResult, ...]:
    """One check per configured quality metric (``thresholds.quality``), in its order."""
    return tuple(
        quality_check(metric, canary, baseline, thresholds) for metric in thresholds.quality
    )


def deciding(
    checks: Sequence[CheckResult],
) -> tuple[list[CheckResult], list[CheckResult]]:
    """(the checks that fail the verdict, those that hold a PASS back).

    An observed metric never decides; a gate metric that is not critical holds a PASS back
    when it fails. NODATA holds a PASS back and never causes a FAIL."""
    failed: list[CheckResult] = []
    unsure: list[CheckResult] = []
    for check in checks:
        if check.numbers.get("mode") == "observe":
            continue
        if check.outcome is Outcome.FAIL and check.numbers.get("critical") != "no":
            failed.append(check)
        elif check.outcome in (Outcome.FAIL, Outcome.INCONCLUSIVE, Outcome.NODATA):
            unsure.append(check)
    return failed, unsure
