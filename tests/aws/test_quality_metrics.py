"""Quality metrics ([[verdict.metrics]]) against moto: put_metric_data of a team's own
per-variant metrics -> the gateway's one GetMetricData -> the verdict's check by that name."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from canary_tui.aws.backend import Backend
from canary_tui.config.quality import quality_metrics
from canary_tui.domain.metrics import VariantRef, aligned_window
from canary_tui.domain.quality import QualityMetric, QualityMode
from canary_tui.domain.verdict import Outcome, VerdictThresholds, compute_verdict

PERIOD = 60
ENDPOINT = "existing-endpoint-name"
CANARY = VariantRef(ENDPOINT, "new-model")
BASELINE = VariantRef(ENDPOINT, "current-model")
NAMESPACE = "Team/Quality"

ACCURACY = quality_metrics(
    [
        {
            "name": "accuracy",
            "namespace": NAMESPACE,
            "kind": "proportion",
            "successes": "Correct",
            "trials": "Labeled",
            "direction": "higher",
            "allowed_change": 2,
        }
    ]
)[0]
COST = quality_metrics(
    [
        {
            "name": "cost",
            "namespace": NAMESPACE,
            "kind": "continuous",
            "metric": "CostPerRequest",
            "dimensions": {"Endpoint": "{endpoint}", "Variant": "{variant}"},
            "statistic": "Average",
            "direction": "lower",
            "allowed_change": 10,
        }
    ]
)[0]


def _put(
    cloudwatch_client: Any,
    metric: str,
    dimensions: dict[str, str],
    values: list[tuple[datetime, float]],
) -> None:
    cloudwatch_client.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                "Timestamp": at,
                "Value": value,
                "Unit": "Count",
            }
            for at, value in values
        ],
    )


def _labels(
    cloudwatch_client: Any,
    ref: VariantRef,
    start: datetime,
    minutes: int,
    accuracy: float,
    labelled: int = 200,
    accuracy_late: float | None = None,
    late_minutes: int = 0,
) -> None:
    """``labelled`` outcomes a minute, ``accuracy`` right (``accuracy_late`` in the last
    ``late_minutes``)."""
    dimensions = {"EndpointName": ref.endpoint, "VariantName": ref.variant}
    moments = [start + timedelta(minutes=index) for index in range(minutes)]
    correct = [
        (
            at,
            round(
                labelled
                * (
                    accuracy_late
                    if index >= minutes - late_minutes and accuracy_late is not None
                    else accuracy
                )
            ),
        )
        for index, at in enumerate(moments)
    ]
    _put(cloudwatch_client, "Correct", dimensions, correct)
    _put(cloudwatch_client, "Labeled", dimensions, [(at, float(labelled)) for at in moments])


def _verdict(backend: Backend, metrics: tuple[QualityMetric, ...], minutes: int = 20) -> Any:
    start, end = aligned_window(datetime.now(UTC), timedelta(minutes=minutes), PERIOD)
    batch = backend.cloudwatch.fetch([BASELINE, CANARY], start, end, PERIOD, quality=metrics)
    verdict = compute_verdict(
        ENDPOINT,
        {ref.variant: batch.variants[ref] for ref in (BASELINE, CANARY)},
        {"current-model": 0.9, "new-model": 0.1},
        period_seconds=PERIOD,
        window_seconds=minutes * 60.0,
        thresholds=VerdictThresholds(quality=metrics),
    )
    return batch, verdict


def _start(minutes: int = 20) -> datetime:
    start, _ = aligned_window(datetime.now(UTC), timedelta(minutes=minutes), PERIOD)
    return start


def test_a_worse_accuracy_fails_the_verdict_in_one_call(
    backend: Backend, cloudwatch_client: Any
) -> None:
    _labels(cloudwatch_client, BASELINE, _start(), 15, 0.92)
    _labels(cloudwatch_client, CANARY, _start(), 15, 0.86)
    batch, verdict = _verdict(backend, (ACCURACY,))
    assert batch.api_calls == 1  # the quality queries ride in the built-in metrics' call
    check = verdict.canary("new-model").check("accuracy")
    assert check.outcome is Outcome.FAIL, check.reason
    assert check.numbers["canary_trials"] == 3000 and check.numbers["baseline_trials"] == 3000
    assert check.numbers["canary_rate_pct"] == 86.0 and check.numbers["baseline_rate_pct"] == 92.0
    assert "accuracy 86.00% vs 92.00%" in check.reason and "more than 2 pp" in check.reason
    assert verdict.outcome is Outcome.FAIL and "accuracy" in verdict.reason
    assert verdict.to_dict()["canaries"][0]["checks"][-1]["name"] == "accuracy"
    # The effect with its interval, as the built-in rate checks have it (Newcombe, 90 %).
    effect = check.effect
    assert effect is not None and effect.kind == "rate_difference"
    assert effect.estimate == pytest.approx(-6.0)
    assert effect.low < -6.0 < effect.high < 0  # the whole interval says worse
    assert effect.confidence == pytest.approx(0.9)
    assert f"· {effect.text()}" in check.reason
    assert any(line.startswith("rate difference ") for line in check.detail)


def test_the_same_accuracy_passes(backend: Backend, cloudwatch_client: Any) -> None:
    _labels(cloudwatch_client, BASELINE, _start(), 15, 0.92)
    _labels(cloudwatch_client, CANARY, _start(), 15, 0.92)
    _, verdict = _verdict(backend, (ACCURACY,))
    check = verdict.canary("new-model").check("accuracy")
    assert check.outcome is Outcome.PASS, check.reason


def test_a_delay_leaves_out_the_periods_whose_labels_are_not_all_in(
    backend: Backend, cloudwatch_client: Any
) -> None:
    # The canary's last 5 minutes look bad (labels trickling in); a 10m delay judges the
    # window 10 minutes back, where both are complete and equal.
    start = _start()
    _labels(cloudwatch_client, BASELINE, start, 20, 0.92)
    _labels(cloudwatch_client, CANARY, start, 20, 0.92, accuracy_late=0.5, late_minutes=5)
    _, undelayed = _verdict(backend, (ACCURACY,))
    assert undelayed.canary("new-model").check("accuracy").outcome is Outcome.FAIL
    delayed = replace(ACCURACY, delay_seconds=600)
    _, verdict = _verdict(backend, (delayed,))
    check = verdict.canary("new-model").check("accuracy")
    assert check.outcome is Outcome.PASS, check.reason
    assert check.numbers["delay_seconds"] == 600


def test_a_continuous_metric_with_its_own_dimensions(
    backend: Backend, cloudwatch_client: Any
) -> None:
    start = _start()
    for ref, cost in ((BASELINE, 1.0), (CANARY, 1.5)):
        dimensions = {"Endpoint": ref.endpoint, "Variant": ref.variant}
        values = [(start + timedelta(minutes=i), cost + (i % 3) * 0.01) for i in range(15)]
        _put(cloudwatch_client, "CostPerRequest", dimensions, values)
    _, verdict = _verdict(backend, (COST,))
    check = verdict.canary("new-model").check("cost")
    assert check.outcome is Outcome.FAIL, check.reason
    assert check.numbers["change_pct"] == pytest.approx((1.51 - 1.01) / 1.01 * 100, abs=1e-4)
    assert check.effect is not None and check.effect.kind == "shift"
    assert check.effect.estimate == pytest.approx(0.5)  # Hodges-Lehmann: 1.5x vs 1.0x, per period
    assert check.effect.low <= 0.5 <= check.effect.high
    # Healthy on the other metric's series, which this endpoint does not publish.
    _, without = _verdict(backend, (ACCURACY,))
    assert without.canary("new-model").check("accuracy").outcome is Outcome.INCONCLUSIVE


def test_an_observed_metric_is_shown_but_never_decides(
    backend: Backend, cloudwatch_client: Any
) -> None:
    _labels(cloudwatch_client, BASELINE, _start(), 15, 0.92)
    _labels(cloudwatch_client, CANARY, _start(), 15, 0.80)
    observed = replace(ACCURACY, mode=QualityMode.OBSERVE)
    _, verdict = _verdict(backend, (observed,))
    canary = verdict.canary("new-model")
    assert canary.check("accuracy").outcome is Outcome.FAIL
    assert "accuracy" not in canary.reason  # it held nothing and failed nothing
    not_critical = replace(ACCURACY, critical=False)
    _, held = _verdict(backend, (not_critical,))
    assert held.outcome is not Outcome.FAIL
    assert "accuracy" in held.canary("new-model").reason


def test_too_few_labels_are_not_judged(backend: Backend, cloudwatch_client: Any) -> None:
    """Much worse on 3 labels a minute is not a FAIL, nor is "not significantly worse" on
    them a PASS: below min_count (100 trials a variant by default) it is INCONCLUSIVE."""
    _labels(cloudwatch_client, BASELINE, _start(), 15, 0.92, labelled=6)
    _labels(cloudwatch_client, CANARY, _start(), 15, 0.92, labelled=6)
    _, verdict = _verdict(backend, (ACCURACY,))
    check = verdict.canary("new-model").check("accuracy")
    assert check.outcome is Outcome.INCONCLUSIVE, check.reason
    assert "90 Labeled on the canary, need 100" in check.reason
    _, lowered = _verdict(backend, (replace(ACCURACY, min_count=50),))
    assert lowered.canary("new-model").check("accuracy").outcome is Outcome.PASS
