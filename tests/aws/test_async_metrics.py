"""An asynchronous endpoint publishes no Invocations: the gateway reads its requests from
InvocationsProcesssed (AWS's spelling; InvocationsProcessed too) and its failures from
InvocationFailures, so it never reads as "no traffic" (against moto's CloudWatch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from canary_tui.aws.backend import Backend
from canary_tui.domain.metrics import MetricKey, VariantRef, aligned_window
from canary_tui.domain.models import Endpoint, Variant

PERIOD = 60


def _put(cloudwatch: Any, name: str, value: float, when: datetime) -> None:
    cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [
                    {"Name": "EndpointName", "Value": "queue"},
                    {"Name": "VariantName", "Value": "only"},
                ],
                "Timestamp": when,
                "Value": value,
            }
        ],
    )


def _endpoint(asynchronous: bool) -> Endpoint:
    return Endpoint("queue", "InService", (Variant("only", 1, 1, 1, 1),), asynchronous=asynchronous)


def test_async_requests_are_read_from_invocations_processed(
    backend: Backend, cloudwatch_client: Any
) -> None:
    start, end = aligned_window(datetime.now(UTC), timedelta(minutes=10), PERIOD)
    when = start + timedelta(minutes=2)
    _put(cloudwatch_client, "InvocationsProcesssed", 42.0, when)
    _put(cloudwatch_client, "InvocationFailures", 3.0, when)
    ref = VariantRef("queue", "only")
    gateway = backend.cloudwatch

    plain = gateway.fetch([ref], start, end, PERIOD).variants[ref]
    assert not plain.series[MetricKey.INVOCATIONS].points  # read as real-time: no traffic

    gateway.note_endpoint(_endpoint(asynchronous=True))
    metrics = gateway.fetch([ref], start, end, PERIOD).variants[ref]
    assert sum(v for _, v in metrics.series[MetricKey.INVOCATIONS].points) == 42.0
    assert sum(v for _, v in metrics.series[MetricKey.MODEL_ERRORS].points) == 3.0

    gateway.note_endpoint(_endpoint(asynchronous=False))
    again = gateway.fetch([ref], start, end, PERIOD).variants[ref]
    assert not again.series[MetricKey.INVOCATIONS].points


def test_the_other_spelling_is_read_when_only_it_has_data(
    backend: Backend, cloudwatch_client: Any
) -> None:
    start, end = aligned_window(datetime.now(UTC), timedelta(minutes=10), PERIOD)
    _put(cloudwatch_client, "InvocationsProcessed", 7.0, start + timedelta(minutes=1))
    ref = VariantRef("queue", "only")
    backend.cloudwatch.note_endpoint(_endpoint(asynchronous=True))
    metrics = backend.cloudwatch.fetch([ref], start, end, PERIOD).variants[ref]
    assert sum(v for _, v in metrics.series[MetricKey.INVOCATIONS].points) == 7.0
