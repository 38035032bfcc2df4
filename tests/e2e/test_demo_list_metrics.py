"""The demo server's ListMetrics lists each metric once (moto lists one per datapoint)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from canary_tui.demo.server import DemoServer
from tests.e2e.test_demo_server import REGION, demo_server, requests_reset

__all__ = ["demo_server"]


def _put_two_dimension_datapoints(client: Any) -> None:
    start = datetime.now(UTC) - timedelta(minutes=30)
    data = [
        {
            "MetricName": metric,
            "Dimensions": [
                {"Name": "EndpointName", "Value": "ep"},
                {"Name": "VariantName", "Value": variant},
            ],
            "Timestamp": start + timedelta(seconds=second),
            "Value": 1.0,
        }
        for second in range(0, 600, 5)
        for variant in ("a", "b")
        for metric in ("Invocations", "ModelLatency")
    ]
    for index in range(0, len(data), 500):
        client.put_metric_data(Namespace="AWS/SageMaker", MetricData=data[index:][:500])


def _listed(client: Any, **filters: Any) -> list[tuple[str, frozenset[tuple[str, str]]]]:
    metrics = []
    for page in client.get_paginator("list_metrics").paginate(**filters):
        for metric in page["Metrics"]:
            dims = frozenset((d["Name"], d["Value"]) for d in metric["Dimensions"])
            metrics.append((metric["MetricName"], dims))
    return metrics


def test_list_metrics_returns_each_metric_once(
    demo_server: DemoServer, cloudwatch_client: Any
) -> None:
    requests_reset(demo_server.url)
    demo = boto3.client("cloudwatch", region_name=REGION, endpoint_url=demo_server.url)
    for client in (cloudwatch_client, demo):
        _put_two_dimension_datapoints(client)

    listed = _listed(demo, Namespace="AWS/SageMaker")
    assert len(listed) == 4, listed
    assert set(Counter(listed).values()) == {1}
    # Stock moto lists one entry per datapoint: the reason for the patch.
    assert len(_listed(cloudwatch_client, Namespace="AWS/SageMaker")) > 4

    filtered = _listed(
        demo,
        Namespace="AWS/SageMaker",
        MetricName="Invocations",
        Dimensions=[{"Name": "VariantName", "Value": "a"}],
    )
    assert filtered == [("Invocations", frozenset({("EndpointName", "ep"), ("VariantName", "a")}))]
