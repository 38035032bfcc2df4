"""The canary verdict: statistics against known answers, and behaviour on typical canaries."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from canary_tui.domain.metrics import MetricKey, Series, VariantMetrics, VariantRef
from canary_tui.domain.verdict import (
    Outcome,
    VerdictThresholds,
    choose_baseline,
    compute_verdict,
    error_rate_check,
    format_duration,
    latency_check,
    traffic_split_check,
)

START = datetime(2026, 1, 1, tzinfo=UTC)
PERIOD = 60
THRESHOLDS = VerdictThresholds()


def series(values: Sequence[float | None]) -> Series:
    return Series(
        tuple(
            (START + timedelta(seconds=PERIOD * index), float(value))
            for index, value in enumerate(values)
            if value is not None
        )
    )


def variant_metrics(
    name: str,
    *,
    periods: int,
    requests: float,
    errors_5xx: float = 0.0,
    errors_4xx: float = 0.0,
    latency: Sequence[float] | float = 50.0,
    p99: Sequence[float] | None = None,
) -> VariantMetrics:
    """``requests``/``errors`` per period; latency per period (a constant or a list)."""
    latencies = [latency] * periods if isinstance(latency, int | float) else list(latency)
    data = {
        MetricKey.INVOCATIONS: series([requests] * periods),
        MetricKey.ERRORS_4XX: series([errors_4xx] * periods),
        MetricKey.ERRORS_5XX: series([errors_5xx] * periods),
        MetricKey.MODEL_LATENCY_AVG: series(latencies),
    }
    if p99 is not None:
        data[MetricKey.MODEL_LATENCY_P99] = series(p99)
    return VariantMetrics(VariantRef("ep", name), data)


def jitter(center: float, periods: int, spread: float = 2.0) -> list[float]:
    """Deterministic wobble around ``center`` so rank tests see realistic, non-tied data."""
    return [center + spread * math.sin(index * 1.7) for index in range(periods)]


def verdict_for(
    baseline: VariantMetrics,
    canary: VariantMetrics,
    weights: dict[str, float] | None = None,
    periods: int = 30,
    thresholds: VerdictThresholds = THRESHOLDS,
):  # type: ignore[no-untyped-def]
    return compute_verdict(
        "ep",
        {baseline.ref.variant: baseline, canary.ref.variant: canary},
        weights or {baseline.ref.variant: 0.9, canary.ref.variant: 0.1},
        period_seconds=PERIOD,
        window_seconds=PERIOD * periods,
        thresholds=thresholds,
    )


class TestAgainstKnownAnswers:
    def test_error_rate_uses_fisher_exact_one_sided_like_the_tea_tasting_example(self) -> None:
        # Fisher's lady tasting tea: [[3, 1], [1, 3]], one-sided p = 17/70 = 0.242857...
        check = error_rate_check("errors_5xx", "5XX", 3, 4, 1, 4, THRESHOLDS)
        assert check.numbers["p_value"] == pytest.approx(17 / 70, abs=1e-8)
        assert check.outcome is Outcome.PASS

    def test_error_rate_p_value_equals_scipy_on_large_counts(self) -> None:
        check = error_rate_check("errors_5xx", "5XX", 130, 10_000, 900, 90_000, THRESHOLDS)
        _, expected = stats.fisher_exact(
            [[130, 10_000 - 130], [900, 90_000 - 900]], alternative="greater"
        )
        assert check.numbers["p_value"] == pytest.approx(expected, abs=1e-8)
        assert check.numbers["canary_rate_pct"] == pytest.approx(1.3)
        assert check.numbers["baseline_rate_pct"] == pytest.approx(1.0)

    def test_latency_rank_test_matches_the_scipy_documentation_example(self) -> None:
        # scipy.stats.mannwhitneyu docs: males vs females, alternative="greater": U=17, p=0.0556
        males = [19.0, 22.0, 16.0, 29.0, 24.0]
        females = [20.0, 11.0, 17.0, 12.0]
        canary = variant_metrics("c", periods=5, requests=10, latency=males)
        baseline = variant_metrics("b", periods=4, requests=10, latency=females)
        check = latency_check(canary, baseline, THRESHOLDS)
        assert check.numbers["u_statistic"] == 17
        assert check.numbers["p_value"] == pytest.approx(0.05556, abs=1e-4)
        expected = stats.mannwhitneyu(males, females, alternative="greater").pvalue
        assert check.numbers["p_value"] == pytest.approx(expected, abs=1e-8)

    def test_traffic_split_is_a_chi_square_goodness_of_fit(self) -> None:
        # 60 vs 40 against an even split: chi2 = 4.0, one dof, p = 0.0455
        check = traffic_split_check(60, 100, 50.0, VerdictThresholds(split_tolerance=5))
        assert check.numbers["chi2"] == pytest.approx(4.0)
        assert check.numbers["p_value"] == pytest.approx(stats.chi2.sf(4.0, 1), abs=1e-8)
        assert check.numbers["p_value"] == pytest.approx(0.0455, abs=1e-4)
        assert check.outcome is Outcome.FAIL  # 10 pp off, significant

    def test_traffic_split_within_tolerance_passes_even_when_significant(self) -> None:
        check = traffic_split_check(10_300, 100_000, 10.0, THRESHOLDS)
        assert check.numbers["p_value"] < 0.05
        assert check.outcome is Outcome.PASS


class TestBehaviour:
    def test_healthy_canary_passes(self) -> None:
        baseline = variant_metrics(
            "base", periods=30, requests=900, errors_5xx=9, latency=jitter(50, 30)
        )
        canary = variant_metrics(
            "new", periods=30, requests=100, errors_5xx=1, latency=jitter(50.5, 30)
        )
        verdict = verdict_for(baseline, canary)
        assert verdict.outcome is Outcome.PASS, verdict.reason
        assert verdict.baseline == "base"
        assert verdict.canary("new").outcome is Outcome.PASS
        assert {c.name for c in verdict.canary("new").checks} == {
            "errors_4xx",
            "errors_5xx",
            "errors_model",
            "latency",
            "traffic_split",
            "data",
        }
        assert "judged against the current weights" in verdict.notes[0]
        assert any("averages" in note for note in verdict.notes)

    def test_5xx_regression_fails_with_the_reason_and_numbers(self) -> None:
        baseline = variant_metrics(
            "base", periods=30, requests=900, errors_5xx=9, latency=jitter(50, 30)
        )
        canary = variant_metrics(
            "new", periods=30, requests=100, errors_5xx=5, latency=jitter(50, 30)
        )
        verdict = verdict_for(baseline, canary)
        assert verdict.outcome is Outcome.FAIL
        check = verdict.canary("new").check("errors_5xx")
        assert check.outcome is Outcome.FAIL
        assert check.numbers["canary_rate_pct"] == pytest.approx(5.0)
        assert check.numbers["baseline_rate_pct"] == pytest.approx(1.0)
        assert "5XX rate 5.00% vs 1.00%" in verdict.reason
        assert "above the 0.5 pp limit" in verdict.reason

    def test_significant_but_tiny_error_increase_is_not_a_failure(self) -> None:
        # +0.2 pp on huge counts: p is tiny, but below the practical threshold.
        baseline = variant_metrics(
            "base", periods=30, requests=90_000, errors_4xx=900, latency=jitter(50, 30)
        )
        canary = variant_metrics(
            "new", periods=30, requests=10_000, errors_4xx=120, latency=jitter(50, 30)
        )
        check = verdict_for(baseline, canary).canary("new").check("errors_4xx")
        assert check.numbers["p_value"] < 1e-6
        assert check.outcome is Outcome.PASS
        assert "within the +0.5 pp limit" in check.reason

    def test_latency_regression_fails(self) -> None:
        baseline = variant_metrics("base", periods=30, requests=900, latency=jitter(50, 30))
        canary = variant_metrics("new", periods=30, requests=100, latency=jitter(80, 30))
        verdict = verdict_for(baseline, canary)
        latency = verdict.canary("new").check("latency")
        assert verdict.outcome is Outcome.FAIL
        assert latency.outcome is Outcome.FAIL
        assert latency.numbers["statistic"] == "average"
        assert latency.numbers["ratio"] == pytest.approx(1.6, rel=0.01)

    def test_significantly_slower_within_ratio_passes(self) -> None:
        baseline = variant_metrics("base", periods=30, requests=900, latency=jitter(50, 30, 0.5))
        canary = variant_metrics("new", periods=30, requests=100, latency=jitter(55, 30, 0.5))
        latency = verdict_for(baseline, canary).canary("new").check("latency")
        assert latency.numbers["p_value"] < 0.05
        assert latency.outcome is Outcome.PASS

    def test_p99_ratio_is_used_when_percentiles_exist(self) -> None:
        baseline = variant_metrics(
            "base", periods=30, requests=900, latency=jitter(50, 30), p99=[100.0] * 30
        )
        canary = variant_metrics(
            "new", periods=30, requests=100, latency=jitter(60, 30), p99=[200.0] * 30
        )
        verdict = verdict_for(baseline, canary)
        latency = verdict.canary("new").check("latency")
        assert latency.numbers["statistic"] == "p99"
        assert latency.numbers["ratio"] == pytest.approx(2.0)
        assert latency.outcome is Outcome.FAIL
        assert "p99 200.0 ms vs 100.0 ms" in latency.reason
        assert not any("averages" in note for note in verdict.notes)

    def test_too_little_data_is_inconclusive_and_says_how_much_more(self) -> None:
        # 5 periods of 20 canary requests: 100 of 1000, 5 of 10 periods, 20 req/min.
        baseline = variant_metrics("base", periods=5, requests=180, latency=jitter(50, 5))
        canary = variant_metrics("new", periods=5, requests=20, latency=jitter(50, 5))
        verdict = verdict_for(baseline, canary, periods=5)
        result = verdict.canary("new")
        assert verdict.outcome is Outcome.INCONCLUSIVE
        assert result.shortfall is not None
        assert result.shortfall.more_requests == 900
        assert result.shortfall.more_periods == 5
        # 900 requests at 20 per minute: 45 minutes.
        assert result.shortfall.eta_seconds == pytest.approx(45 * 60)
        assert "need 900 more requests and 5 more periods (about 45m" in verdict.reason

    def test_no_canary_traffic_gives_no_estimate_and_fails_the_split(self) -> None:
        baseline = variant_metrics("base", periods=30, requests=1000, latency=jitter(50, 30))
        canary = variant_metrics("new", periods=30, requests=0, latency=[])
        verdict = verdict_for(baseline, canary)
        result = verdict.canary("new")
        assert result.check("traffic_split").outcome is Outcome.FAIL
        assert "misrouted or failing" in result.check("traffic_split").reason
        assert result.shortfall is not None and result.shortfall.eta_seconds is None
        assert verdict.outcome is Outcome.FAIL

    def test_clear_failure_is_not_hidden_by_too_little_data(self) -> None:
        baseline = variant_metrics("base", periods=3, requests=90, latency=jitter(50, 3))
        canary = variant_metrics("new", periods=3, requests=10, errors_5xx=8, latency=jitter(50, 3))
        verdict = verdict_for(baseline, canary, periods=3)
        assert verdict.outcome is Outcome.FAIL
        assert verdict.canary("new").check("data").outcome is Outcome.INCONCLUSIVE

    def test_every_canary_is_judged_and_the_worst_decides(self) -> None:
        baseline = variant_metrics("a", periods=30, requests=600, latency=jitter(50, 30))
        good = variant_metrics("b", periods=30, requests=300, latency=jitter(50, 30))
        bad = variant_metrics("c", periods=30, requests=100, errors_5xx=10, latency=jitter(50, 30))
        verdict = compute_verdict(
            "ep",
            {"a": baseline, "b": good, "c": bad},
            {"a": 0.6, "b": 0.3, "c": 0.1},
            period_seconds=PERIOD,
            window_seconds=PERIOD * 30,
        )
        assert [c.variant for c in verdict.canaries] == ["b", "c"]
        assert verdict.canary("b").outcome is Outcome.PASS
        assert verdict.canary("c").outcome is Outcome.FAIL
        assert verdict.outcome is Outcome.FAIL
        assert verdict.reason.startswith("c: ")

    def test_verdict_serialises_to_plain_json(self) -> None:
        import json

        baseline = variant_metrics("base", periods=30, requests=900, latency=jitter(50, 30))
        canary = variant_metrics("new", periods=30, requests=100, latency=jitter(50, 30))
        data = json.loads(json.dumps(verdict_for(baseline, canary).to_dict()))
        assert data["outcome"] == "PASS"
        assert data["canaries"][0]["checks"][0]["numbers"]["test"].startswith("fisher_exact")

    def test_nonsense_thresholds_are_refused_with_a_message(self) -> None:
        baseline = variant_metrics("base", periods=3, requests=90)
        canary = variant_metrics("new", periods=3, requests=10)
        with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
            verdict_for(baseline, canary, thresholds=VerdictThresholds(alpha=1.5))


def test_baseline_is_the_heaviest_variant() -> None:
    assert choose_baseline({"a": 0.1, "b": 0.9}) == "b"


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (59.2, "1m"), (90, "1m30s"), (7200, "2h"), (3725, "1h2m5s")]
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_split_is_judged_only_after_the_last_weight_change_when_told() -> None:
    # 20 periods at 50/50, then 10 periods at 90/10 (the weights now in force).
    baseline = VariantMetrics(
        VariantRef("ep", "base"),
        {
            MetricKey.INVOCATIONS: series([500] * 20 + [900] * 10),
            MetricKey.MODEL_LATENCY_AVG: series(jitter(50, 30)),
        },
    )
    canary = VariantMetrics(
        VariantRef("ep", "new"),
        {
            MetricKey.INVOCATIONS: series([500] * 20 + [100] * 10),
            MetricKey.MODEL_LATENCY_AVG: series(jitter(50, 30)),
        },
    )
    whole = verdict_for(baseline, canary)
    assert whole.canary("new").check("traffic_split").outcome is Outcome.FAIL

    changed_at = START + timedelta(seconds=PERIOD * 20)
    since = compute_verdict(
        "ep",
        {"base": baseline, "new": canary},
        {"base": 0.9, "new": 0.1},
        period_seconds=PERIOD,
        window_seconds=PERIOD * 30,
        split_since=changed_at,
    )
    split = since.canary("new").check("traffic_split")
    assert split.outcome is Outcome.PASS
    assert split.numbers["total_requests"] == 10_000
    # Error rates still use the whole window.
    assert since.canary("new").check("errors_5xx").numbers["canary_requests"] == 11_000


def test_a_variant_at_weight_zero_that_serves_traffic_is_judged_misrouted() -> None:
    baseline = variant_metrics("base", periods=30, requests=900, latency=jitter(50, 30))
    dark = variant_metrics("dark", periods=30, requests=100, latency=jitter(50, 30))
    verdict = verdict_for(baseline, dark, weights={"base": 1.0, "dark": 0.0})
    split = verdict.canary("dark").check("traffic_split")
    assert split.outcome is Outcome.FAIL
    assert "misrouted" in split.reason
    assert verdict.outcome is Outcome.FAIL


def test_a_dark_variant_without_traffic_is_not_judged() -> None:
    baseline = variant_metrics("base", periods=30, requests=900, latency=jitter(50, 30))
    dark = variant_metrics("dark", periods=30, requests=0, latency=[])
    verdict = verdict_for(baseline, dark, weights={"base": 1.0, "dark": 0.0})
    assert verdict.canaries == ()
    assert verdict.outcome is Outcome.INCONCLUSIVE
    assert "no canary" in verdict.reason


COUNTS = st.integers(0, 5000)


@settings(max_examples=150, deadline=None)
@given(
    base_requests=COUNTS,
    canary_requests=COUNTS,
    base_errors=COUNTS,
    canary_errors=COUNTS,
    periods=st.integers(1, 20),
    canary_latency=st.floats(0.0, 1e4),
    canary_weight=st.floats(0.0, 1.0),
)
def test_any_counts_give_a_verdict_with_sane_numbers(
    base_requests: int,
    canary_requests: int,
    base_errors: int,
    canary_errors: int,
    periods: int,
    canary_latency: float,
    canary_weight: float,
) -> None:
    baseline = variant_metrics(
        "base", periods=periods, requests=base_requests, errors_5xx=base_errors,
        latency=jitter(50, periods),
    )  # fmt: skip
    canary = variant_metrics(
        "new", periods=periods, requests=canary_requests, errors_5xx=canary_errors,
        latency=jitter(canary_latency, periods),
    )  # fmt: skip
    verdict = compute_verdict(
        "ep",
        {"base": baseline, "new": canary},
        {"base": 1.0, "new": canary_weight},
        period_seconds=PERIOD,
        window_seconds=PERIOD * periods,
    )
    assert verdict.outcome in set(Outcome)
    for result in verdict.canaries:
        for check in result.checks:
            p_value = check.numbers.get("p_value")
            if p_value is not None:
                assert isinstance(p_value, float) and 0.0 <= p_value <= 1.0
            assert check.reason and "\n" not in check.reason
        # FAIL always comes with the reason of a failed check.
        if result.outcome is Outcome.FAIL:
            assert any(c.outcome is Outcome.FAIL for c in result.checks)
