"""Every kind of endpoint through SageMakerGateway: shadow variants, inference components,
blue/green deployments and MetricsConfig through botocore's Stubber (moto has none of them;
the Stubber validates each response against the service model), serverless and asynchronous
endpoints against moto, which keeps those."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from canary_tui.aws.backend import Backend
from canary_tui.demo.seed import DEMO_ROLE_ARN

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/"


@pytest.fixture
def stubbed(backend: Backend) -> Iterator[tuple[Backend, Stubber]]:
    stub = Stubber(backend.clients.sagemaker)
    with stub:
        yield backend, stub
    stub.assert_no_pending_responses()


def _describe(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "EndpointName": name,
        "EndpointArn": ARN + name,
        "EndpointConfigName": f"{name}-config",
        "EndpointStatus": "InService",
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
        **fields,
    }


def _variant(name: str, weight: float, count: int | None = 1, **fields: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"VariantName": name, "CurrentWeight": weight, "DesiredWeight": weight}
    if count is not None:
        raw |= {"CurrentInstanceCount": count, "DesiredInstanceCount": count}
    return raw | fields


def _config(name: str, production: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "EndpointConfigName": f"{name}-config",
        "EndpointConfigArn": ARN + name + "-config",
        "ProductionVariants": production,
        "CreationTime": NOW,
        **fields,
    }


def test_shadow_variant_is_apart_from_production_with_its_sampling_share(
    stubbed: tuple[Backend, Stubber],
) -> None:
    backend, stub = stubbed
    name = "recommender-shadow"
    stub.add_response(
        "describe_endpoint",
        _describe(
            name,
            ProductionVariants=[_variant("production", 1.0, 2)],
            ShadowProductionVariants=[_variant("shadow", 0.2, 1)],
        ),
        {"EndpointName": name},
    )
    stub.add_response(
        "describe_endpoint_config",
        _config(
            name,
            [{"VariantName": "production", "ModelName": "m-prod", "InstanceType": "ml.m5.xlarge"}],
            ShadowProductionVariants=[
                {"VariantName": "shadow", "ModelName": "m-shadow", "InstanceType": "ml.m5.large"}
            ],
        ),
        {"EndpointConfigName": f"{name}-config"},
    )
    endpoint = backend.sagemaker.describe_endpoint(name)
    assert endpoint.variant_names == ("production",)
    assert endpoint.current_traffic_shares == {"production": 100.0}
    (shadow,) = endpoint.shadow_variants
    assert (shadow.kind, shadow.compute, shadow.model_name) == ("shadow", "instance", "m-shadow")
    assert endpoint.shadow_sampling_percent("shadow") == pytest.approx(20.0)
    assert endpoint.kind == "shadow-test"
    assert endpoint.variant("production").kind == "instance"


def test_inference_component_variant_lists_components_with_copy_counts(
    stubbed: tuple[Backend, Stubber],
) -> None:
    backend, stub = stubbed
    name = "llm-host"
    stub.add_response(
        "describe_endpoint",
        _describe(name, ProductionVariants=[_variant("AllTraffic", 1.0, 2)]),
        {"EndpointName": name},
    )
    stub.add_response(
        "describe_endpoint_config",
        _config(name, [{"VariantName": "AllTraffic", "InstanceType": "ml.g5.12xlarge"}]),
        {"EndpointConfigName": f"{name}-config"},
    )
    summary = {
        "CreationTime": NOW,
        "InferenceComponentArn": "arn:aws:sagemaker:us-east-1:123456789012:inference-component/c1",
        "InferenceComponentName": "c1",
        "EndpointArn": ARN + name,
        "EndpointName": name,
        "VariantName": "AllTraffic",
        "InferenceComponentStatus": "InService",
        "LastModifiedTime": NOW,
    }
    stub.add_response(
        "list_inference_components",
        {"InferenceComponents": [summary]},
        {"EndpointNameEquals": name},
    )
    described = {k: v for k, v in summary.items() if k != "InferenceComponentStatus"}
    stub.add_response(
        "describe_inference_component",
        described
        | {
            "InferenceComponentStatus": "Updating",
            "RuntimeConfig": {"DesiredCopyCount": 3, "CurrentCopyCount": 2},
        },
        {"InferenceComponentName": "c1"},
    )
    endpoint = backend.sagemaker.describe_endpoint(name)
    assert endpoint.variant("AllTraffic").kind == "inference-components"
    assert endpoint.kind == "inference-components"
    (component,) = endpoint.inference_components
    assert (component.name, component.variant, component.status) == ("c1", "AllTraffic", "Updating")
    assert (component.current_copies, component.desired_copies) == (2, 3)
    assert component.is_settling


def test_pending_blue_green_deployment_and_metrics_config(
    stubbed: tuple[Backend, Stubber],
) -> None:
    backend, stub = stubbed
    name = "fraud-scoring"
    baking = {"Status": "Baking", "StartTime": NOW}
    stub.add_response(
        "describe_endpoint",
        _describe(
            name,
            EndpointStatus="Updating",
            ProductionVariants=[_variant("fraud-v7", 1.0, 3)],
            PendingDeploymentSummary={
                "EndpointConfigName": "fraud-scoring-v8",
                "StartTime": NOW,
                "ProductionVariants": [
                    {
                        "VariantName": "fraud-v7",
                        "VariantStatus": [{"Status": "Creating", "StartTime": NOW}, baking],
                    }
                ],
            },
            LastDeploymentConfig={
                "BlueGreenUpdatePolicy": {
                    "TrafficRoutingConfiguration": {
                        "Type": "CANARY",
                        "WaitIntervalInSeconds": 600,
                        "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
                    }
                }
            },
            MetricsConfig={"EnableEnhancedMetrics": True, "MetricPublishFrequencyInSeconds": 10},
        ),
        {"EndpointName": name},
    )
    endpoint = backend.sagemaker.describe_endpoint(name, with_config=False)
    pending = endpoint.pending_deployment
    assert pending is not None
    assert (pending.config_name, pending.stage, pending.traffic_mode) == (
        "fraud-scoring-v8",
        "Baking",
        "CANARY",
    )
    assert pending.text() == "deployment to fraud-scoring-v8: Baking, canary, 600s per step"
    assert endpoint.metric_period_seconds == 10


def test_metrics_config_without_enhanced_metrics_keeps_invocations_at_a_minute(
    stubbed: tuple[Backend, Stubber],
) -> None:
    backend, stub = stubbed
    stub.add_response(
        "describe_endpoint",
        _describe(
            "e",
            ProductionVariants=[_variant("v", 1.0)],
            MetricsConfig={"EnableEnhancedMetrics": False, "MetricPublishFrequencyInSeconds": 10},
        ),
        {"EndpointName": "e"},
    )
    endpoint = backend.sagemaker.describe_endpoint("e", with_config=False)
    # AWS: without enhanced metrics the frequency applies to utilization metrics only.
    assert endpoint.metric_period_seconds == 60


def _model(client: Any, name: str) -> None:
    client.create_model(
        ModelName=name,
        ExecutionRoleArn=DEMO_ROLE_ARN,
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m"},
    )


def test_serverless_variants_against_moto(backend: Backend, sagemaker_client: Any) -> None:
    _model(sagemaker_client, "tc-model")
    sagemaker_client.create_endpoint_config(
        EndpointConfigName="tc-config",
        ProductionVariants=[
            {
                "VariantName": name,
                "ModelName": "tc-model",
                "InitialVariantWeight": weight,
                "ServerlessConfig": {
                    "MemorySizeInMB": 2048,
                    "MaxConcurrency": 20,
                    "ProvisionedConcurrency": 5,
                },
            }
            for name, weight in (("a", 0.9), ("b", 0.1))
        ],
    )
    sagemaker_client.create_endpoint(EndpointName="tc", EndpointConfigName="tc-config")
    endpoint = backend.sagemaker.describe_endpoint("tc")
    assert endpoint.kind == "serverless"
    variant = endpoint.variant("a")
    assert variant.kind == "serverless"
    assert variant.current_serverless is not None
    assert variant.current_serverless.text() == "2048 MB, max 20, 5 provisioned"
    assert not variant.is_settling


def test_asynchronous_endpoint_against_moto(backend: Backend, sagemaker_client: Any) -> None:
    _model(sagemaker_client, "async-model")
    sagemaker_client.create_endpoint_config(
        EndpointConfigName="async-config",
        ProductionVariants=[
            {
                "VariantName": "only",
                "ModelName": "async-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
        AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://bucket/out"}},
    )
    sagemaker_client.create_endpoint(EndpointName="async", EndpointConfigName="async-config")
    endpoint = backend.sagemaker.describe_endpoint("async")
    # moto returns AsyncInferenceConfig in DescribeEndpointConfig only; AWS in both.
    assert endpoint.asynchronous
    assert endpoint.kind == "asynchronous"
