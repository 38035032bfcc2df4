"""The demo's patched moto keeps shadow variants, MetricsConfig and AsyncInferenceConfig on
DescribeEndpoint; the simulator copies a shadow's sampled share of production's requests
to it. Stock moto drops them (pinned below, so the patch can go when moto learns them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from canary_tui.aws.backend import build_backend
from canary_tui.aws.session import AwsClients, AwsTarget
from canary_tui.demo.seed import (
    DEMO_ENDPOINTS,
    SERVERLESS_ENDPOINT,
    SHADOW_ENDPOINT,
    create_endpoint,
)
from canary_tui.demo.server import DemoServer
from canary_tui.demo.simulator import TrafficSimulator
from canary_tui.demo.traffic import demo_traffic
from tests.e2e.test_demo_server import requests_reset

REGION = "us-east-1"
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_server() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


def _seeded(server: DemoServer) -> tuple[Any, Any]:
    requests_reset(server.url)
    sagemaker = boto3.client("sagemaker", region_name=REGION, endpoint_url=server.url)
    cloudwatch = boto3.client("cloudwatch", region_name=REGION, endpoint_url=server.url)
    for name in (SHADOW_ENDPOINT, SERVERLESS_ENDPOINT):
        create_endpoint(sagemaker, name, DEMO_ENDPOINTS[name])
    return sagemaker, cloudwatch


def test_the_demo_server_returns_shadow_and_serverless_variants(demo_server: DemoServer) -> None:
    _seeded(demo_server)
    backend = build_backend(
        AwsClients(AwsTarget(region=REGION, endpoint_url=demo_server.url)), label="demo"
    )
    shadow = backend.sagemaker.describe_endpoint(SHADOW_ENDPOINT)
    assert shadow.kind == "shadow-test"
    assert [v.name for v in shadow.shadow_variants] == ["recsys-v5-shadow"]
    assert shadow.shadow_sampling_percent("recsys-v5-shadow") == pytest.approx(20.0)
    assert shadow.shadow_variants[0].current_instance_count == 1
    serverless = backend.sagemaker.describe_endpoint(SERVERLESS_ENDPOINT)
    assert serverless.kind == "serverless"
    assert serverless.current_traffic_shares == pytest.approx(
        {"distilbert-v2": 90.0, "distilbert-v3": 10.0}
    )


def _sum(cloudwatch: Any, endpoint: str, variant: str) -> float:
    answer = cloudwatch.get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName="Invocations",
        Dimensions=[
            {"Name": "EndpointName", "Value": endpoint},
            {"Name": "VariantName", "Value": variant},
        ],
        StartTime=T0 - timedelta(hours=1),
        EndTime=T0,
        Period=3600,
        Statistics=["Sum"],
    )
    return float(sum(point["Sum"] for point in answer["Datapoints"]))


def test_the_shadow_gets_a_copy_of_a_fifth_of_production_requests(
    demo_server: DemoServer,
) -> None:
    sagemaker, cloudwatch = _seeded(demo_server)
    simulator = TrafficSimulator(sagemaker, cloudwatch, traffic=demo_traffic("healthy"), seed=3)
    simulator.backfill(T0)
    production = _sum(cloudwatch, SHADOW_ENDPOINT, "recsys-v4")
    shadow = _sum(cloudwatch, SHADOW_ENDPOINT, "recsys-v5-shadow")
    # ~30 req/s for an hour all go to production; the shadow sees a 20 % sample on top.
    assert production > 90_000
    assert shadow / production == pytest.approx(0.2, abs=0.01)


def test_stock_moto_drops_shadow_variants_so_the_patch_is_needed(sagemaker_client: Any) -> None:
    create_endpoint(sagemaker_client, SHADOW_ENDPOINT, DEMO_ENDPOINTS[SHADOW_ENDPOINT])
    described = sagemaker_client.describe_endpoint(EndpointName=SHADOW_ENDPOINT)
    assert "ShadowProductionVariants" not in described


def test_the_demo_server_applies_a_serverless_update(demo_server: DemoServer) -> None:
    sagemaker, _ = _seeded(demo_server)
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=SERVERLESS_ENDPOINT,
        DesiredWeightsAndCapacities=[
            {"VariantName": "distilbert-v3", "ServerlessUpdateConfig": {"MaxConcurrency": 30}}
        ],
    )
    variants = {
        v["VariantName"]: v
        for v in sagemaker.describe_endpoint(EndpointName=SERVERLESS_ENDPOINT)["ProductionVariants"]
    }
    changed = variants["distilbert-v3"]
    assert changed["DesiredServerlessConfig"]["MaxConcurrency"] == 30
    assert changed["CurrentServerlessConfig"]["MaxConcurrency"] == 30
    assert changed["DesiredWeight"] == 0.1  # left out, so kept
    assert variants["distilbert-v2"]["DesiredServerlessConfig"]["MaxConcurrency"] == 20
