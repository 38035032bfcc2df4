"""The metrics only some kinds of endpoint publish (serverless ModelSetupTime, an async
endpoint's backlog by EndpointName only, multi-model loading and cache, inference components
by InferenceComponentName) come back from moto's CloudWatch in the same GetMetricData calls
as the variants' metrics: ceil(queries / 500) calls, counted."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from canary_tui.aws.backend import Backend
from canary_tui.aws.cloudwatch import MAX_QUERIES_PER_CALL
from canary_tui.domain.kind_metrics import KindMetric, KindRef, Scope, kind_refs
from canary_tui.domain.metrics import BASE_METRICS, VariantRef, aligned_window
from canary_tui.domain.models import (
    Endpoint,
    InferenceComponent,
    ServerlessConfig,
    Variant,
)
from tests.aws import faults as f
from tests.aws.faults import FaultInjector

PERIOD = 60
SERVERLESS = ServerlessConfig(2048, 20, 5)


def _put(
    cloudwatch: Any, name: str, dimensions: dict[str, str], at: datetime, value: float
) -> None:
    cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                "Timestamp": at,
                "Value": value,
            }
        ],
    )


def _endpoint() -> Endpoint:
    """Every kind at once (no real endpoint is, but each part is read independently)."""
    return Endpoint(
        "kinds",
        "InService",
        (
            Variant("cold", 1, 1, None, None, current_serverless=SERVERLESS),
            Variant("mme", 1, 1, 1, 1),
        ),
        asynchronous=True,
        inference_components=(InferenceComponent("llm", "mme", "InService", 2, 2),),
    )


def test_kind_metrics_come_back_in_the_same_call(
    faulty_backend: Backend, faults: FaultInjector, cloudwatch_client: Any
) -> None:
    start, end = aligned_window(datetime.now(UTC), timedelta(minutes=10), PERIOD)
    at = start + timedelta(minutes=3)
    variant = {"EndpointName": "kinds", "VariantName": "cold"}
    _put(cloudwatch_client, "ModelSetupTime", variant, at, 1_500_000.0)  # 1.5 s
    _put(cloudwatch_client, "ModelSetupTime", variant, at, 2_500_000.0)
    _put(cloudwatch_client, "ApproximateBacklogSize", {"EndpointName": "kinds"}, at, 12.0)
    # Published with a variant too: not the endpoint-level series, so never read as it.
    _put(cloudwatch_client, "ApproximateBacklogSize", variant, at, 999.0)
    mme = {"EndpointName": "kinds", "VariantName": "mme"}
    for hit in (1.0, 1.0, 1.0, 0.0):
        _put(cloudwatch_client, "ModelCacheHit", mme, at, hit)
    _put(cloudwatch_client, "Invocations", {"InferenceComponentName": "llm"}, at, 30.0)

    gateway = faulty_backend.cloudwatch
    multi_model = gateway.multi_model_variants(_endpoint())
    assert multi_model == {"mme"}
    assert faults.calls["cloudwatch.ListMetrics"] == 1
    assert gateway.multi_model_variants(_endpoint()) == {"mme"}  # remembered
    assert faults.calls["cloudwatch.ListMetrics"] == 1

    kind = kind_refs(_endpoint(), multi_model)
    refs = [VariantRef("kinds", "cold"), VariantRef("kinds", "mme")]
    batch = gateway.fetch(refs, start, end, PERIOD, kind=kind)
    assert faults.calls["cloudwatch.GetMetricData"] == 1 and batch.api_calls == 1
    sent = [p for op, p in faults.requests if op == "cloudwatch.GetMetricData"]
    assert len(sent[0]["MetricDataQueries"]) == len(refs) * len(BASE_METRICS) + len(kind)

    def value(scope: Scope, name: str, key: KindMetric) -> list[float]:
        return [v for _, v in batch.kind[KindRef("kinds", scope, name, key)].points]

    assert value(Scope.VARIANT, "cold", KindMetric.MODEL_SETUP_AVG) == [pytest.approx(2000.0)]
    assert value(Scope.VARIANT, "cold", KindMetric.MODEL_SETUPS) == [2.0]
    assert value(Scope.ENDPOINT, "", KindMetric.BACKLOG) == [12.0]
    assert value(Scope.VARIANT, "mme", KindMetric.MODEL_CACHE_HIT) == [pytest.approx(75.0)]
    assert value(Scope.COMPONENT, "llm", KindMetric.COMPONENT_INVOCATIONS) == [30.0]
    assert value(Scope.VARIANT, "mme", KindMetric.MODEL_LOADING_WAIT_AVG) == []


def test_a_plain_endpoint_has_no_kind_metrics_and_no_multi_model_variant(
    faulty_backend: Backend, faults: FaultInjector
) -> None:
    plain = Endpoint("plain", "InService", (Variant("v", 1, 1, 1, 1),))
    assert faulty_backend.cloudwatch.multi_model_variants(plain) == frozenset()
    assert kind_refs(plain) == ()


# 62 serverless variants x 8 queries + an async endpoint's 4 = exactly 500; 63 x 8 = 504.
@pytest.mark.parametrize(("count", "asynchronous", "expected"), [(62, True, 1), (63, False, 2)])
def test_kind_queries_share_the_calls_of_500(
    faulty_backend: Backend, faults: FaultInjector, count: int, asynchronous: bool, expected: int
) -> None:
    variants = tuple(
        Variant(f"v{index}", 1, 1, None, None, current_serverless=SERVERLESS)
        for index in range(count)
    )
    endpoint = Endpoint("many", "InService", variants, asynchronous=asynchronous)
    kind = kind_refs(endpoint)
    queries = count * len(BASE_METRICS) + len(kind)
    assert queries == (500 if asynchronous else 504)
    start, end = aligned_window(datetime.now(UTC), timedelta(minutes=10), PERIOD)
    refs = [VariantRef("many", v.name) for v in variants]
    batch = faulty_backend.cloudwatch.fetch(refs, start, end, PERIOD, kind=kind)
    assert expected == math.ceil(queries / MAX_QUERIES_PER_CALL)
    assert batch.api_calls == expected == faults.calls["cloudwatch.GetMetricData"]
    sent = [p for op, p in faults.requests if op == "cloudwatch.GetMetricData"]
    assert sum(len(p["MetricDataQueries"]) for p in sent) == queries


def test_without_list_metrics_permission_an_endpoint_reads_as_single_model(
    faulty_backend: Backend, faults: FaultInjector
) -> None:
    """AccessDenied is an answer (asked once); a throttle is not (asked again next poll);
    neither stops the endpoint's other metrics."""
    endpoint = Endpoint("mme", "InService", (Variant("v", 1, 1, 1, 1),), config_name="c1")
    gateway = faulty_backend.cloudwatch
    faults.fail("cloudwatch.ListMetrics", f.throttling("cloudwatch"), times=1)
    assert gateway.multi_model_variants(endpoint) == frozenset()
    faults.fail("cloudwatch.ListMetrics", f.access_denied("cloudwatch:ListMetrics"), times=1)
    assert gateway.multi_model_variants(endpoint) == frozenset()
    assert gateway.multi_model_variants(endpoint) == frozenset()
    assert faults.calls["cloudwatch.ListMetrics"] == 2
