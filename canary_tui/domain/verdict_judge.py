"""The judge that says why, after Kayenta's NetflixACAJudge.

Each check of :mod:`canary_tui.domain.verdict_checks` decides PASS / FAIL / INCONCLUSIVE /
NODATA; here it is given what a person needs to trust that decision:

* its classification (PASS / HIGH / LOW / NODATA, :attr:`CheckResult.classification`) and
  which way is worse for it (``worse``);
* an effect with its interval (:mod:`canary_tui.domain.effects`): the error-rate difference
  with Newcombe's interval, latency as a Hodges-Lehmann ratio of the per-period values the rank
  test judged, the traffic share's deviation with a Wilson interval;
* for a check that could not tell, its power (:mod:`canary_tui.domain.power`);
* ``detail`` lines: both sides, the threshold, the test and its p-value, the effect, the power;
* a score from weighted groups, as Kayenta's ``NetflixJudge`` scores a run: each group scores
  the share of its judged checks that PASS, the canary's score is the groups' weighted mean,
  and a FAIL of a critical check scores 0 (:func:`score`). The score explains; the outcome
  still comes from the checks.

Checks this module does not know (a quality metric's) keep the fields they were built with.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from canary_tui.domain.effects import Effect, hodges_lehmann_ratio, rate_difference, wilson_interval
from canary_tui.domain.metrics import MetricKey, VariantMetrics
from canary_tui.domain.power import Power, rate_power, ratio_power
from canary_tui.domain.verdict_checks import CheckResult, Number
from canary_tui.domain.verdict_thresholds import Outcome, VerdictThresholds

#: The groups' weights (Kayenta's scoring groups); a group with no judged check drops out.
GROUP_WEIGHTS: Mapping[str, float] = {"errors": 40.0, "latency": 30.0, "traffic": 10.0}
#: A group not named above (a quality metric's) weighs this.
OTHER_GROUP_WEIGHT = 20.0
#: Errors a user sees (5XX, the container's own) and misrouted traffic: a FAIL scores 0.
CRITICAL_CHECKS = frozenset({"errors_5xx", "errors_model", "traffic_split"})
_ERROR_CHECKS = {
    "errors_4xx": MetricKey.ERRORS_4XX,
    "errors_5xx": MetricKey.ERRORS_5XX,
    "errors_model": MetricKey.MODEL_ERRORS,
}
_TESTS = {
    "errors": "Fisher's exact test, one-sided (canary higher)",
    "latency": "Mann-Whitney U, one-sided (canary slower), per-period ModelLatency averages",
    "traffic": "chi-square goodness of fit (two categories)",
}


@dataclass(frozen=True, slots=True)
class Score:
    """A canary's score out of 100, and each group's."""

    value: float | None
    groups: Mapping[str, float]
    #: The critical check that failed (the score is 0), if one did.
    critical_failure: str | None = None

    def text(self) -> str:
        if self.value is None:
            return "score: nothing judged yet"
        groups = ", ".join(f"{name} {value:.0f}" for name, value in self.groups.items())
        why = f"; {self.critical_failure} is critical and failed" if self.critical_failure else ""
        return f"score {self.value:.0f}/100 ({groups}){why}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": None if self.value is None else round(self.value, 2),
            "groups": {name: round(value, 2) for name, value in self.groups.items()},
            "critical_failure": self.critical_failure,
            "text": self.text(),
        }


def score(checks: Iterable[CheckResult]) -> Score:
    """Each group: 100 x the share of its PASS and FAIL checks that PASS (NODATA and
    INCONCLUSIVE are not judged, as Kayenta leaves out NODATA metrics); the weighted mean of
    the groups that judged something; 0 when a critical check FAILs."""
    passed: dict[str, int] = {}
    judged: dict[str, int] = {}
    critical_failure = None
    for check in checks:
        if not check.group or check.outcome not in (Outcome.PASS, Outcome.FAIL):
            continue
        judged[check.group] = judged.get(check.group, 0) + 1
        if check.outcome is Outcome.PASS:
            passed[check.group] = passed.get(check.group, 0) + 1
        elif check.critical and critical_failure is None:
            critical_failure = check.name
    groups = {name: 100.0 * passed.get(name, 0) / count for name, count in judged.items()}
    if not groups:
        return Score(None, {}, None)
    weights = {name: GROUP_WEIGHTS.get(name, OTHER_GROUP_WEIGHT) for name in groups}
    value = math.fsum(groups[name] * weights[name] for name in groups) / math.fsum(weights.values())
    return Score(0.0 if critical_failure else value, groups, critical_failure)


def confidence_of(thresholds: VerdictThresholds) -> float:
    """Two-sided level whose one-sided bound matches the one-sided tests at ``alpha``."""
    return 1.0 - 2.0 * thresholds.alpha


def _int(numbers: Mapping[str, Number], key: str) -> int:
    value = numbers.get(key)
    return int(value) if isinstance(value, int | float) else 0


def _p_line(numbers: Mapping[str, Number]) -> str:
    text = numbers.get("p_value_text")
    if text is None:
        return ""
    return f"p{'' if str(text).startswith('<') else '='}{text}"


def _error_check(
    check: CheckResult,
    canary: VariantMetrics,
    baseline: VariantMetrics,
    thresholds: VerdictThresholds,
    window_seconds: float,
) -> CheckResult:
    numbers = check.numbers
    c_e, c_n = _int(numbers, "canary_errors"), _int(numbers, "canary_requests")
    b_e, b_n = _int(numbers, "baseline_errors"), _int(numbers, "baseline_requests")
    limit = thresholds.max_error_rate_increase
    detail = [
        f"canary {_rate(c_e, c_n)} vs baseline {_rate(b_e, b_n)}",
        f"FAIL when higher by more than {limit:g} pp and {_TESTS['errors']} "
        f"gives p < {thresholds.alpha:g}"
        + (f": {_p_line(numbers)}" if "p_value" in numbers else ""),
    ]
    effect = None
    if c_n and b_n:
        effect = rate_difference(c_e, c_n, b_e, b_n, confidence_of(thresholds))
        detail.append(f"rate difference {effect.text()} ({effect.method})")
    power = None
    if check.outcome is not Outcome.FAIL and c_n + b_n > 0 and window_seconds > 0:
        power = rate_power(
            c_n,
            b_n,
            c_e,
            b_e,
            canary_rate_per_second=c_n / window_seconds,
            baseline_rate_per_second=b_n / window_seconds,
            limit_pp=limit,
            alpha=thresholds.alpha,
        )
    return _with(check, "errors", effect, power, detail, worse="higher")


def _rate(errors: int, requests: int) -> str:
    if not requests:
        return "no requests"
    return f"{errors / requests * 100:.2f}% ({errors} of {requests})"


def _latency_check(
    check: CheckResult,
    canary: VariantMetrics,
    baseline: VariantMetrics,
    thresholds: VerdictThresholds,
    period_seconds: int,
) -> CheckResult:
    numbers = check.numbers
    canary_values = canary.get(MetricKey.MODEL_LATENCY_AVG).values
    baseline_values = baseline.get(MetricKey.MODEL_LATENCY_AVG).values
    limit = thresholds.max_latency_ratio
    detail = []
    if numbers.get("canary_ms") is not None and numbers.get("baseline_ms") is not None:
        detail.append(
            f"canary {numbers['statistic']} {numbers['canary_ms']} ms vs baseline "
            f"{numbers['baseline_ms']} ms (x{numbers.get('ratio')}), "
            f"over {numbers.get('canary_periods')} / {numbers.get('baseline_periods')} periods"
        )
    detail.append(
        f"FAIL when the {numbers.get('statistic', 'latency')} ratio is above x{limit:g} and "
        f"{_TESTS['latency']} gives p < {thresholds.alpha:g}"
        + (f": {_p_line(numbers)}" if "p_value" in numbers else "")
    )
    effect = None
    if len(canary_values) >= 2 and len(baseline_values) >= 2:
        effect = hodges_lehmann_ratio(canary_values, baseline_values, confidence_of(thresholds))
        if effect is not None:
            detail.append(f"per-period latency ratio {effect.text()} ({effect.method})")
    power = None
    if check.outcome is not Outcome.FAIL:
        power = ratio_power(
            canary_values,
            baseline_values,
            period_seconds=period_seconds,
            limit_ratio=limit,
            alpha=thresholds.alpha,
        )
    return _with(check, "latency", effect, power, detail, worse="higher")


def _split_check(check: CheckResult, thresholds: VerdictThresholds) -> CheckResult:
    numbers = check.numbers
    canary_n, total = _int(numbers, "canary_requests"), _int(numbers, "total_requests")
    configured = numbers.get("configured_share_pct")
    detail = [
        f"canary {canary_n} of {total} requests"
        + (f" ({numbers['observed_share_pct']}%)" if numbers.get("observed_share_pct") else "")
        + f" vs {configured}% configured",
        f"FAIL when off by more than {thresholds.split_tolerance:g} pp either way and "
        f"{_TESTS['traffic']} gives p < {thresholds.alpha:g}"
        + (f": {_p_line(numbers)}" if "p_value" in numbers else ""),
    ]
    effect = None
    if total and isinstance(configured, int | float):
        low, high = wilson_interval(min(canary_n, total), total, confidence_of(thresholds))
        effect = Effect(
            kind="deviation",
            estimate=canary_n / total * 100.0 - configured,
            low=low * 100.0 - configured,
            high=high * 100.0 - configured,
            confidence=confidence_of(thresholds),
            method="Wilson score interval of the observed share",
            unit="pp",
        )
        detail.append(f"share deviation {effect.text()} ({effect.method})")
    return _with(check, "traffic", effect, None, detail, worse="either")


def _with(
    check: CheckResult,
    group: str,
    effect: Effect | None,
    power: Power | None,
    detail: list[str],
    *,
    worse: str,
) -> CheckResult:
    reason = check.reason
    if effect is not None and check.outcome is Outcome.FAIL:
        reason += f" · {effect.text()}"
    numbers = dict(check.numbers)
    if power is not None:
        detail.append(f"power: {power.text()}")
        numbers["power"] = power.text()
        numbers["detectable"] = None if power.detectable is None else round(power.detectable, 6)
        numbers["seconds_to_detectable"] = (
            None if power.seconds_to_limit is None else round(power.seconds_to_limit, 1)
        )
        if check.outcome is Outcome.INCONCLUSIVE:
            reason += f"; {power.text()}"
    return replace(
        check,
        reason=reason,
        numbers=numbers,
        worse=worse,
        effect=effect,
        group=group,
        critical=check.critical or check.name in CRITICAL_CHECKS,
        detail=(*check.detail, *detail),
    )


def explain(
    check: CheckResult,
    canary: VariantMetrics,
    baseline: VariantMetrics,
    thresholds: VerdictThresholds,
    *,
    window_seconds: float,
    period_seconds: int,
) -> CheckResult:
    """``check`` with its classification's direction, effect, power, group and detail."""
    if check.outcome is Outcome.NODATA:
        group = {"latency": "latency", "traffic_split": "traffic"}.get(check.name, "")
        group = "errors" if check.name in _ERROR_CHECKS else group
        return replace(check, group=check.group or group, detail=(*check.detail, check.reason))
    if check.name in _ERROR_CHECKS:
        return _error_check(check, canary, baseline, thresholds, window_seconds)
    if check.name == "latency":
        return _latency_check(check, canary, baseline, thresholds, period_seconds)
    if check.name == "traffic_split":
        return _split_check(check, thresholds)
    if "mode" in check.numbers:
        return _quality_check(check)
    return check


def _quality_check(check: CheckResult) -> CheckResult:
    """A [[verdict.metrics]] check (verdict_quality): its direction and criticality are in
    its numbers; a gate metric scores in "quality", an observed one is not scored."""
    numbers = check.numbers
    worse = "lower" if str(numbers.get("direction", "")).startswith("higher") else "higher"
    gate = numbers.get("mode") != "observe"
    effect = check.effect
    detail = check.detail or (
        f"{numbers.get('direction')}; {numbers.get('mode')} mode",
        check.reason,
    )
    reason = check.reason
    if effect is not None:
        name = "rate difference" if effect.kind == "rate_difference" else "per-period shift"
        detail = (*detail, f"{name} {effect.text()} ({effect.method})")
        if check.outcome is Outcome.FAIL:
            reason += f" · {effect.text()}"
    return replace(
        check,
        reason=reason,
        worse=worse,
        group=check.group or ("quality" if gate else ""),
        critical=check.critical or (gate and numbers.get("critical") == "yes"),
        detail=detail,
    )


def with_power_summary(checks: tuple[CheckResult, ...]) -> tuple[CheckResult, ...]:
    """An INCONCLUSIVE ``data`` check also says what the checks that passed could detect so
    far: "no significant increase" on 50 requests is not "no regression"."""
    powers = [
        f"{check.name}: {check.numbers['power']}"
        for check in checks
        if check.name != "data" and isinstance(check.numbers.get("power"), str)
    ]
    return tuple(
        replace(check, detail=(*check.detail, *(f"power, {line}" for line in powers)))
        if check.name == "data" and check.outcome is Outcome.INCONCLUSIVE and powers
        else check
        for check in checks
    )


def check_detail(check: CheckResult) -> list[str]:
    """Why: which way is worse, the group it scores in, then the check's own lines."""
    if not check.group:
        return list(check.detail)
    worse = {"either": "worse either way"}.get(check.worse, f"worse when {check.worse}")
    critical = ", critical" if check.critical else ""
    return [f"{worse}; scored in {check.group}{critical}", *check.detail]
