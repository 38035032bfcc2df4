"""The judge that says why (verdict_judge, power): classification, effects on real checks,
the score from weighted groups, power, and what --json carries."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from canary_tui.domain.power import rate_power, ratio_power
from canary_tui.domain.verdict import CheckResult, Outcome
from canary_tui.domain.verdict_judge import score
from tests.unit.test_verdict import jitter, variant_metrics, verdict_for


def test_a_5xx_regression_is_high_with_its_interval_and_scores_zero() -> None:
    baseline = variant_metrics("b", periods=30, requests=900, errors_5xx=9, latency=jitter(50, 30))
    canary = variant_metrics("c", periods=30, requests=100, errors_5xx=5, latency=jitter(50, 30))
    verdict = verdict_for(baseline, canary)
    check = verdict.canary("c").check("errors_5xx")
    assert check.outcome is Outcome.FAIL and check.classification == "HIGH"
    assert check.worse == "higher" and check.critical and check.group == "errors"
    assert check.effect is not None and check.effect.low > 0
    assert check.effect.contains(4.0)  # 5 % vs 1 %
    text = "\n".join(check.detail)
    assert "canary 5.00% (150 of 3000) vs baseline 1.00% (270 of 27000)" in text
    assert "more than 0.5 pp" in text and "Fisher" in text and "p=1.89e-46" in text
    assert "90% CI" in check.reason  # the decision carries its effect
    canary_verdict = verdict.canary("c")
    assert canary_verdict.score is not None and canary_verdict.score.value == 0
    assert canary_verdict.score.critical_failure == "errors_5xx"
    assert "90% CI" in verdict.reason


def test_a_slow_canary_gets_a_latency_ratio_interval_above_the_limit() -> None:
    baseline = variant_metrics("b", periods=30, requests=900, latency=jitter(50, 30))
    canary = variant_metrics("c", periods=30, requests=100, latency=jitter(80, 30))
    check = verdict_for(baseline, canary).canary("c").check("latency")
    assert check.outcome is Outcome.FAIL and check.classification == "HIGH"
    assert check.effect is not None and check.effect.kind == "ratio"
    assert 1.5 < check.effect.low <= check.effect.estimate <= check.effect.high < 1.7
    assert any("Mann-Whitney" in line for line in check.detail)


def test_a_healthy_canary_passes_with_power_and_score_100() -> None:
    baseline = variant_metrics("b", periods=30, requests=900, latency=jitter(50, 30))
    canary = variant_metrics("c", periods=30, requests=100, latency=jitter(50, 30))
    verdict = verdict_for(baseline, canary)
    result = verdict.canary("c")
    assert result.outcome is Outcome.PASS
    assert result.score is not None and result.score.value == 100
    assert {c.classification for c in result.checks} == {"PASS"}
    assert result.check("traffic_split").worse == "either"
    assert "power:" in "\n".join(result.check("errors_5xx").detail)


def test_an_inconclusive_check_says_what_it_could_detect_and_when() -> None:
    baseline = variant_metrics("b", periods=5, requests=90, latency=jitter(50, 5))
    canary = variant_metrics("c", periods=5, requests=10, latency=jitter(50, 5))
    verdict = verdict_for(baseline, canary, periods=5)
    check = verdict.canary("c").check("errors_5xx")
    assert check.numbers["detectable"] is not None
    assert float(check.numbers["detectable"]) > 0.5  # type: ignore[arg-type]
    assert "smallest detectable now" in str(check.numbers["power"])
    assert check.numbers["seconds_to_detectable"] is not None


def test_json_carries_classification_effect_score_and_detail() -> None:
    baseline = variant_metrics("b", periods=30, requests=900, errors_5xx=9, latency=jitter(50, 30))
    canary = variant_metrics("c", periods=30, requests=100, errors_5xx=5, latency=jitter(50, 30))
    data = json.loads(json.dumps(verdict_for(baseline, canary).to_dict()))
    check = next(c for c in data["canaries"][0]["checks"] if c["name"] == "errors_5xx")
    assert check["classification"] == "HIGH" and check["worse"] == "higher"
    assert check["effect"]["kind"] == "rate_difference" and check["effect"]["low"] > 0
    assert check["effect"]["method"].startswith("Newcombe")
    assert check["numbers"]["p_value_text"] == "1.89e-46"
    assert data["canaries"][0]["score"]["value"] == 0
    assert check["detail"]


def test_score_weights_groups_and_leaves_out_what_was_not_judged() -> None:
    def check(name: str, outcome: Outcome, group: str, critical: bool = False) -> CheckResult:
        return CheckResult(name, outcome, name, group=group, critical=critical)

    result = score(
        [
            check("errors_4xx", Outcome.FAIL, "errors"),
            check("errors_5xx", Outcome.PASS, "errors"),
            check("latency", Outcome.PASS, "latency"),
            check("traffic_split", Outcome.NODATA, "traffic"),
            check("accuracy", Outcome.PASS, "quality"),
            check("data", Outcome.INCONCLUSIVE, ""),
        ]
    )
    assert result.groups == {"errors": 50.0, "latency": 100.0, "quality": 100.0}
    assert result.value == pytest.approx((50 * 40 + 100 * 30 + 100 * 20) / 90)
    critical = score([check("errors_5xx", Outcome.FAIL, "errors", critical=True)])
    assert critical.value == 0 and critical.critical_failure == "errors_5xx"
    assert score([]).value is None


def test_a_check_built_without_the_new_fields_still_classifies() -> None:
    plain = CheckResult("accuracy", Outcome.FAIL, "accuracy down")
    assert plain.classification == "HIGH"
    lower = CheckResult("accuracy", Outcome.FAIL, "accuracy down", worse="lower")
    assert lower.classification == "LOW"
    assert CheckResult("x", Outcome.NODATA, "?").classification == "NODATA"
    assert CheckResult("x", Outcome.INCONCLUSIVE, "?").to_dict()["classification"] == "NODATA"


@settings(max_examples=100, deadline=None)
@given(st.integers(100, 1_000_000), st.integers(100, 1_000_000), st.floats(0.0, 0.2))
def test_the_detectable_rate_difference_is_detected_with_80_percent_power(
    canary_n: int, baseline_n: int, rate: float
) -> None:
    power = rate_power(
        canary_n,
        baseline_n,
        rate * canary_n,
        rate * baseline_n,
        canary_rate_per_second=1.0,
        baseline_rate_per_second=9.0,
        limit_pp=0.5,
        alpha=0.05,
    )
    assert power.detectable is not None
    # Fleiss's definition: at the detectable difference d the one-sided test at 0.05 rejects
    # with probability 0.8 under the alternative (canary rate p + d).
    p = (rate * baseline_n + 0.5) / (baseline_n + 1)
    d = power.detectable / 100
    null_se = math.sqrt(p * (1 - p) * (1 / canary_n + 1 / baseline_n))
    alternative_se = math.sqrt((p + d) * (1 - p - d) / canary_n + p * (1 - p) / baseline_n)
    achieved = stats.norm.sf((stats.norm.ppf(0.95) * null_se - d) / alternative_se)
    assert achieved == pytest.approx(0.8, abs=1e-6)
    assert power.seconds_to_limit is not None
    if power.seconds_to_limit > 0:
        later = rate_power(
            canary_n + power.seconds_to_limit,
            baseline_n + 9 * power.seconds_to_limit,
            rate * canary_n,
            rate * baseline_n,
            canary_rate_per_second=1.0,
            baseline_rate_per_second=9.0,
            limit_pp=0.5,
            alpha=0.05,
        )
        assert later.detectable is not None and later.detectable <= 0.5 * 1.001
        assert later.detectable < power.detectable


def test_latency_power_falls_with_more_periods_and_says_when() -> None:
    few = ratio_power(
        jitter(50, 5, 10), jitter(50, 5, 10), period_seconds=60, limit_ratio=1.05, alpha=0.05
    )
    many = ratio_power(
        jitter(50, 60, 10), jitter(50, 60, 10), period_seconds=60, limit_ratio=1.05, alpha=0.05
    )
    assert few.detectable is not None and many.detectable is not None
    assert many.detectable < few.detectable
    assert few.seconds_to_limit is not None and few.seconds_to_limit > 0
    assert "x1.05 limit detectable in about" in few.text()
    none = ratio_power([50.0], [50.0], period_seconds=60, limit_ratio=1.2, alpha=0.05)
    assert none.detectable is None and "no traffic" in none.text()


def test_a_quality_check_is_explained_from_its_numbers() -> None:
    from canary_tui.domain.verdict_judge import _quality_check

    def quality(mode: str, critical: str) -> CheckResult:
        numbers = {"direction": "higher is better", "mode": mode, "critical": critical}
        return CheckResult("accuracy", Outcome.FAIL, "accuracy 86% vs 92%", numbers)

    gate = _quality_check(quality("gate", "yes"))
    assert gate.classification == "LOW" and gate.worse == "lower"
    assert gate.group == "quality" and gate.critical
    assert score([gate]).value == 0
    observed = _quality_check(quality("observe", "no"))
    assert observed.group == "" and not observed.critical
    assert score([observed]).value is None
