"""The verdict on data CloudWatch did not return whole, on model errors, and on p-values too
small to print: never a false PASS from missing data, never ``p=0``."""

from __future__ import annotations

import dataclasses

import pytest

from canary_tui.domain.metrics import DataStatus, MetricKey, VariantMetrics
from canary_tui.domain.verdict import Outcome, error_rate_check
from canary_tui.domain.verdict_checks import SMALLEST_P, p_numbers, p_text
from tests.unit.test_verdict import START, THRESHOLDS, jitter, series, variant_metrics, verdict_for


def with_series(metrics: VariantMetrics, key: MetricKey, **changes: object) -> VariantMetrics:
    data = dict(metrics.series)
    data[key] = dataclasses.replace(data.get(key, series([])), **changes)  # type: ignore[arg-type]
    return VariantMetrics(metrics.ref, data)


def healthy() -> tuple[VariantMetrics, VariantMetrics]:
    baseline = variant_metrics(
        "base", periods=30, requests=900, errors_5xx=9, latency=jitter(50, 30)
    )
    canary = variant_metrics("new", periods=30, requests=100, errors_5xx=1, latency=jitter(50, 30))
    return baseline, canary


@pytest.mark.parametrize(
    "status", [DataStatus.PARTIAL_DATA, DataStatus.INTERNAL_ERROR, DataStatus.FORBIDDEN]
)
def test_an_incomplete_error_series_is_nodata_and_holds_the_pass(status: DataStatus) -> None:
    baseline, canary = healthy()
    # The canary's 5XX came back with nothing for the window: it reads as 0 errors if trusted.
    window_end = START.replace(hour=1)
    canary = with_series(
        canary, MetricKey.ERRORS_5XX, points=(), unknown=((START, window_end),), status=status
    )
    verdict = verdict_for(baseline, canary)
    check = verdict.canary("new").check("errors_5xx")
    assert check.outcome is Outcome.NODATA
    assert f"CloudWatch returned {status.value}" in check.reason and "not zero" in check.reason
    assert check.numbers["status"] == status.value
    assert verdict.canary("new").outcome is Outcome.INCONCLUSIVE
    assert verdict.outcome is Outcome.INCONCLUSIVE  # never PASS on unknown data
    # The other checks are still judged.
    assert verdict.canary("new").check("errors_4xx").outcome is Outcome.PASS


def test_nodata_never_causes_a_fail_but_a_real_failure_still_fails() -> None:
    baseline, canary = healthy()
    canary = variant_metrics("new", periods=30, requests=100, errors_4xx=20, latency=jitter(50, 30))
    canary = with_series(
        canary,
        MetricKey.ERRORS_5XX,
        unknown=((START, START.replace(hour=1)),),
        status=DataStatus.PARTIAL_DATA,
    )
    verdict = verdict_for(baseline, canary)
    assert verdict.canary("new").check("errors_5xx").outcome is Outcome.NODATA
    assert verdict.outcome is Outcome.FAIL
    # The FAIL is the 4XX check's; the unknown 5XX is not counted as a failure.
    assert "4XX rate" in verdict.reason and "5XX" not in verdict.reason


def test_model_errors_are_judged_like_the_other_error_rates() -> None:
    baseline, canary = healthy()
    failing = with_series(canary, MetricKey.MODEL_ERRORS, points=series([8.0] * 30).points)
    verdict = verdict_for(baseline, failing)
    check = verdict.canary("new").check("errors_model")
    assert check.outcome is Outcome.FAIL, check.reason
    assert check.reason.startswith("model errors rate 8.00% vs 0.00%")
    assert verdict.outcome is Outcome.FAIL
    # Without the metric (a backend that publishes none) it is a known zero on both sides.
    assert verdict_for(baseline, canary).canary("new").check("errors_model").outcome is Outcome.PASS


def test_tiny_p_values_are_never_printed_as_zero() -> None:
    check = error_rate_check("errors_5xx", "5XX", 5000, 10000, 10, 100000, THRESHOLDS)
    assert check.outcome is Outcome.FAIL
    assert "p<1e-300" in check.reason and "p=0" not in check.reason
    assert check.numbers["p_value_text"] == "<1e-300"
    assert isinstance(check.numbers["p_value"], float) and check.numbers["p_value"] < SMALLEST_P
    assert p_text(0.0) == "p<1e-300" and p_text(0.0123) == "p=0.0123"
    # Not rounded away in --json: 1e-20 stays 1e-20.
    assert p_numbers(1e-20) == {"p_value": 1e-20, "p_value_text": "1e-20"}
