"""AutoScalingGateway against moto: register targets and policies the way AWS does, read them
back; AccessDenied and other faults give limits that are unknown, not an error."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from canary_tui.aws.autoscaling import DIMENSION, resource_id
from canary_tui.aws.backend import Backend
from canary_tui.domain.capacity import SCALING_UNREADABLE
from tests.aws import faults as f
from tests.aws.faults import FaultInjector
from tests.conftest import REGION


@pytest.fixture
def autoscaling_client(moto_url: str) -> Any:
    return boto3.client("application-autoscaling", region_name=REGION, endpoint_url=moto_url)


def register(client: Any, endpoint: str, variant: str, low: int, high: int) -> None:
    client.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=resource_id(endpoint, variant),
        ScalableDimension=DIMENSION,
        MinCapacity=low,
        MaxCapacity=high,
    )


def add_policy(client: Any, endpoint: str, variant: str, name: str) -> None:
    client.put_scaling_policy(
        PolicyName=name,
        ServiceNamespace="sagemaker",
        ResourceId=resource_id(endpoint, variant),
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
        },
    )


def test_targets_and_policies_per_variant(
    backend: Backend, canary_endpoint: str, autoscaling_client: Any
) -> None:
    register(autoscaling_client, canary_endpoint, "current-model", 2, 6)
    register(autoscaling_client, canary_endpoint, "new-model", 1, 4)
    add_policy(autoscaling_client, canary_endpoint, "new-model", "invocations-70")
    # Another endpoint's target, same variant name: not ours.
    register(autoscaling_client, "other-endpoint", "new-model", 5, 9)
    scaling = backend.autoscaling.endpoint_scaling(canary_endpoint, ["current-model", "new-model"])
    assert scaling.readable
    baseline, canary = scaling.limits["current-model"], scaling.limits["new-model"]
    assert (baseline.min_capacity, baseline.max_capacity, baseline.policies) == (2, 6, ())
    assert (canary.min_capacity, canary.max_capacity) == (1, 4)
    assert canary.policies == ("invocations-70",)
    assert scaling.limits_text("new-model") == "1-4"


def test_a_variant_without_a_target_has_no_limits(backend: Backend, canary_endpoint: str) -> None:
    scaling = backend.autoscaling.endpoint_scaling(canary_endpoint, ["current-model", "new-model"])
    assert scaling.readable and scaling.limits == {}
    assert scaling.limits_text("new-model") == "\u2013"


def test_many_variants_are_asked_in_chunks_of_50(
    faulty_backend: Backend, faults: FaultInjector, autoscaling_client: Any
) -> None:
    variants = [f"v{index}" for index in range(120)]
    register(autoscaling_client, "wide", "v119", 1, 3)
    scaling = faulty_backend.autoscaling.endpoint_scaling("wide", variants)
    assert list(scaling.limits) == ["v119"]
    assert faults.calls["application-auto-scaling.DescribeScalableTargets"] == 3
    assert faults.calls["application-auto-scaling.DescribeScalingPolicies"] == 1
    sent = [params for op, params in faults.requests if op.endswith("DescribeScalableTargets")]
    assert [len(params["ResourceIds"]) for params in sent] == [50, 50, 20]


def test_access_denied_means_unknown_limits_not_an_error(
    faulty_backend: Backend, faults: FaultInjector, canary_endpoint: str
) -> None:
    faults.fail(
        "DescribeScalableTargets",
        f.access_denied("application-autoscaling:DescribeScalableTargets"),
    )
    scaling = faulty_backend.autoscaling.endpoint_scaling(canary_endpoint, ["new-model"])
    assert not scaling.readable
    assert scaling.limits_text("new-model") == "?"
    assert scaling.reason is not None and scaling.reason.startswith(SCALING_UNREADABLE)
    assert "DescribeScalableTargets" in scaling.reason


def test_throttled_policies_read_is_unknown_too(
    faulty_backend: Backend, faults: FaultInjector, canary_endpoint: str, autoscaling_client: Any
) -> None:
    register(autoscaling_client, canary_endpoint, "new-model", 1, 4)
    faults.fail("DescribeScalingPolicies", f.throttling("application-autoscaling"))
    scaling = faulty_backend.autoscaling.endpoint_scaling(canary_endpoint, ["new-model"])
    assert not scaling.readable and "throttling" in (scaling.reason or "")
