"""SageMakerGateway against moto: listing, describing, the config cache and the one write."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from canary_tui.aws.backend import Backend
from canary_tui.aws.errors import NotFound, Throttled, ValidationFailed
from canary_tui.aws.sagemaker import endpoint_from_description
from canary_tui.demo.seed import DEMO_ROLE_ARN, SeedVariant, create_endpoint
from canary_tui.domain.models import EndpointConfigDetails
from tests.aws import faults as f
from tests.aws.faults import FaultInjector


def _many_endpoints(sagemaker_client: Any, count: int) -> list[str]:
    sagemaker_client.create_model(
        ModelName="shared-model",
        ExecutionRoleArn=DEMO_ROLE_ARN,
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m"},
    )
    sagemaker_client.create_endpoint_config(
        EndpointConfigName="shared-config",
        ProductionVariants=[
            {
                "VariantName": "only",
                "ModelName": "shared-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 1.0,
            }
        ],
    )
    # Created in reverse order, so a sorted listing is our doing, not creation order.
    names = [f"endpoint-{index:03d}" for index in range(count)]
    for name in reversed(names):
        sagemaker_client.create_endpoint(EndpointName=name, EndpointConfigName="shared-config")
    return names


def test_lists_every_endpoint_across_pages(
    faulty_backend: Backend, faults: FaultInjector, sagemaker_client: Any
) -> None:
    names = _many_endpoints(sagemaker_client, 150)
    summaries = faulty_backend.sagemaker.list_endpoints()
    assert [summary.name for summary in summaries] == names
    assert {summary.status for summary in summaries} == {"InService"}
    # 100 per page at most: the paginator had to follow NextToken.
    assert faults.calls["sagemaker.ListEndpoints"] == 2
    second_page = [params for op, params in faults.requests if op == "sagemaker.ListEndpoints"][1]
    assert second_page.get("NextToken")


def test_list_is_empty_without_endpoints(backend: Backend) -> None:
    assert backend.sagemaker.list_endpoints() == []


def test_describe_merges_model_and_instance_type(backend: Backend, canary_endpoint: str) -> None:
    endpoint = backend.sagemaker.describe_endpoint(canary_endpoint)
    assert endpoint.name == canary_endpoint
    assert endpoint.status == "InService"
    assert endpoint.config_name == f"{canary_endpoint}-config"
    current = endpoint.variant("current-model")
    assert current.model_name == f"{canary_endpoint}-current-model"
    assert current.instance_type == "ml.m5.large"
    assert current.current_weight == pytest.approx(0.9)
    assert current.current_instance_count == 2
    new = endpoint.variant("new-model")
    assert new.model_name == f"{canary_endpoint}-new-model"
    assert new.current_instance_count == 1
    assert endpoint.current_traffic_shares == pytest.approx(
        {"current-model": 90.0, "new-model": 10.0}
    )


def test_describe_missing_endpoint_is_not_found(backend: Backend) -> None:
    with pytest.raises(NotFound):
        backend.sagemaker.describe_endpoint("nope")


def test_update_changes_the_weights(backend: Backend, canary_endpoint: str) -> None:
    arn = backend.sagemaker.update_weights_and_capacities(
        {
            "EndpointName": canary_endpoint,
            "DesiredWeightsAndCapacities": [
                {"VariantName": "current-model", "DesiredWeight": 0.5},
                {"VariantName": "new-model", "DesiredWeight": 0.5},
            ],
        }
    )
    assert arn.endswith(f":endpoint/{canary_endpoint}")
    endpoint = backend.sagemaker.describe_endpoint(canary_endpoint)
    assert endpoint.current_weights == {"current-model": 0.5, "new-model": 0.5}
    assert endpoint.desired_weights == {"current-model": 0.5, "new-model": 0.5}


def test_update_of_a_missing_endpoint_is_not_found(backend: Backend) -> None:
    request = {
        "EndpointName": "nope",
        "DesiredWeightsAndCapacities": [{"VariantName": "a", "DesiredWeight": 1.0}],
    }
    with pytest.raises(NotFound):
        backend.sagemaker.update_weights_and_capacities(request)


def test_update_with_a_bad_request_is_validation(backend: Backend, canary_endpoint: str) -> None:
    request = {"EndpointName": canary_endpoint, "DesiredWeightsAndCapacities": []}
    with pytest.raises(ValidationFailed):
        backend.sagemaker.update_weights_and_capacities(request)


def test_endpoint_config_is_described_once_per_name(
    faulty_backend: Backend, faults: FaultInjector, sagemaker_client: Any, canary_endpoint: str
) -> None:
    create_endpoint(sagemaker_client, "other", [SeedVariant("solo", 1.0)])
    for _ in range(3):
        faulty_backend.sagemaker.describe_endpoint(canary_endpoint)
        faulty_backend.sagemaker.describe_endpoint("other")
    assert faults.calls["sagemaker.DescribeEndpoint"] == 6
    assert faults.calls["sagemaker.DescribeEndpointConfig"] == 2
    configs = [p for op, p in faults.requests if op == "sagemaker.DescribeEndpointConfig"]
    assert sorted(p["EndpointConfigName"] for p in configs) == [
        f"{canary_endpoint}-config",
        "other-config",
    ]


def test_concurrent_describes_fetch_the_config_once(
    faulty_backend: Backend, faults: FaultInjector, canary_endpoint: str
) -> None:
    workers = 8
    start_together = threading.Barrier(workers)

    def describe() -> str | None:
        start_together.wait(timeout=10)
        return faulty_backend.sagemaker.describe_endpoint(canary_endpoint).variants[0].model_name

    with ThreadPoolExecutor(workers) as pool:
        models = list(pool.map(lambda _: describe(), range(workers)))
    assert models == [f"{canary_endpoint}-current-model"] * workers
    assert faults.calls["sagemaker.DescribeEndpoint"] == workers
    assert faults.calls["sagemaker.DescribeEndpointConfig"] == 1


def test_a_failed_config_fetch_is_not_cached(
    faulty_backend: Backend, faults: FaultInjector, canary_endpoint: str
) -> None:
    faults.fail("DescribeEndpointConfig", f.throttling(), times=1)
    with pytest.raises(Throttled):
        faulty_backend.sagemaker.describe_endpoint(canary_endpoint)
    endpoint = faulty_backend.sagemaker.describe_endpoint(canary_endpoint)
    assert endpoint.variant("new-model").model_name == f"{canary_endpoint}-new-model"
    assert faults.calls["sagemaker.DescribeEndpointConfig"] == 2


def test_endpoint_whose_config_was_deleted_is_still_described(
    backend: Backend, sagemaker_client: Any, canary_endpoint: str
) -> None:
    # SageMaker lets a config be deleted while an endpoint still runs on it.
    sagemaker_client.delete_endpoint_config(EndpointConfigName=f"{canary_endpoint}-config")
    endpoint = backend.sagemaker.describe_endpoint(canary_endpoint)
    assert endpoint.variant_names == ("current-model", "new-model")
    assert endpoint.variant("new-model").model_name is None
    assert endpoint.variant("new-model").current_weight == pytest.approx(0.1)


def test_updating_status_from_a_rewritten_answer(
    faulty_backend: Backend, faults: FaultInjector, canary_endpoint: str
) -> None:
    # moto never reports Updating; the fault injector can, for tests that follow an update.
    def as_updating(parsed: dict[str, Any]) -> None:
        parsed["EndpointStatus"] = "Updating"
        parsed["ProductionVariants"][1]["DesiredWeight"] = 0.5

    faults.rewrite("DescribeEndpoint", as_updating)
    endpoint = faulty_backend.sagemaker.describe_endpoint(canary_endpoint)
    assert endpoint.status == "Updating" and endpoint.is_transitional
    assert endpoint.variant("new-model").is_settling
    faults.clear()
    assert faulty_backend.sagemaker.describe_endpoint(canary_endpoint).status == "InService"


def test_latest_variant_status_tolerates_entries_without_start_time() -> None:
    description = {
        "EndpointName": "e",
        "EndpointStatus": "Updating",
        "ProductionVariants": [
            {
                "VariantName": "a",
                "CurrentWeight": 1.0,
                "DesiredWeight": 1.0,
                "VariantStatus": [
                    {"Status": "Creating"},
                    {"Status": "Baking", "StartTime": datetime(2026, 1, 1, 10, tzinfo=UTC)},
                    {"Status": "Updating", "StartTime": datetime(2026, 1, 1, 9, tzinfo=UTC)},
                ],
            }
        ],
    }
    config = EndpointConfigDetails("c", {"a": ("model-a", "ml.g5.xlarge")})
    endpoint = endpoint_from_description(description, config)
    assert endpoint.variant("a").status == "Baking"
    assert endpoint.variant("a").instance_type == "ml.g5.xlarge"
    assert endpoint.variant("a").current_instance_count is None
