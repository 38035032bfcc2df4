# ruff: noqa: F811 (pytest fixtures imported from test_changes are parameters here)
"""The change path refuses what an endpoint's kind forbids, with the reason, nothing sent:
a deployment in progress (PendingDeploymentSummary), weights on inference components,
instance counts of serverless and shadow variants."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.change_guards import (
    capacity_kind_refusal,
    kind_refusal,
    weights_refusal,
)
from canary_tui.changes import ChangeRefused, ChangeService
from canary_tui.domain.models import (
    Endpoint,
    PendingDeployment,
    ServerlessConfig,
    Variant,
)
from canary_tui.domain.weights import CapacityPlan, parse_assignments
from canary_tui.settle import endpoint_was_busy, is_settled
from tests.aws.test_changes import Hooks, audit, hooked_backend, hooks  # noqa: F401 (fixtures)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _variant(name: str, weight: float, **fields: Any) -> Variant:
    return Variant(name, weight, weight, 1, 1, **fields)


def test_weights_on_inference_components_are_refused_with_the_reason() -> None:
    endpoint = Endpoint(
        "llm", "InService", (_variant("AllTraffic", 1.0, hosts_inference_components=True),)
    )
    refusal = weights_refusal(endpoint)
    assert refusal is not None
    assert "variant weights do not route inference-component traffic" in refusal
    assert refusal.endswith("nothing was sent")
    # An instance count is a real change there: the instances host the components.
    assert capacity_kind_refusal(endpoint, "AllTraffic") is None


def test_a_running_deployment_refuses_every_write_and_names_its_stage() -> None:
    pending = PendingDeployment("fraud-v8", variant_stages={"v": "Baking"}, traffic_mode="LINEAR")
    endpoint = Endpoint("fraud", "Updating", (_variant("v", 1.0),), pending_deployment=pending)
    for refusal in (weights_refusal(endpoint), capacity_kind_refusal(endpoint, "v")):
        assert refusal is not None
        assert "deployment to fraud-v8: Baking, linear" in refusal
    assert not is_settled(endpoint)
    assert not is_settled(
        Endpoint("fraud", "InService", (_variant("v", 1.0),), pending_deployment=pending)
    )


def test_serverless_and_shadow_variants_have_no_instance_count_to_change() -> None:
    config = ServerlessConfig(2048, 20, 5)
    endpoint = Endpoint(
        "tc",
        "InService",
        (Variant("a", 1.0, 1.0, None, None, current_serverless=config, desired_serverless=config),),
        shadow_variants=(_variant("shadow", 0.2, shadow=True),),
    )
    serverless = capacity_kind_refusal(endpoint, "a")
    assert serverless is not None
    assert "a is serverless (2048 MB, max 20, 5 provisioned): it has no instance count" in (
        serverless
    )
    shadow = kind_refusal(CapacityPlan("tc", "shadow", 1, 2), endpoint)
    assert shadow is not None and "documented for production variants only" in shadow
    assert weights_refusal(endpoint) is None


def test_a_serverless_change_still_rolling_out_is_settling() -> None:
    before, after = ServerlessConfig(2048, 20), ServerlessConfig(2048, 40)
    endpoint = Endpoint(
        "tc",
        "InService",
        (Variant("a", 1.0, 1.0, None, None, current_serverless=before, desired_serverless=after),),
    )
    assert not is_settled(endpoint)


def test_service_refuses_when_a_deployment_started_after_confirming(
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
) -> None:
    service = ChangeService(hooked_backend, audit, "cli")
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    plan = parse_assignments(confirmed, ["new-model=25%", "current-model=75%"])

    def deploying(parsed: dict[str, Any]) -> None:
        parsed["PendingDeploymentSummary"] = {
            "EndpointConfigName": "next-config",
            "StartTime": NOW,
            "ProductionVariants": [
                {"VariantName": "new-model", "VariantStatus": [{"Status": "Creating"}]}
            ],
        }

    hooks.after["DescribeEndpoint"] = deploying
    with pytest.raises(ChangeRefused) as refused:
        service.apply(plan, confirmed)
    assert "deployment to next-config: Creating" in refused.value.message
    assert endpoint_was_busy(refused.value)  # a deployment ends: worth waiting for
    assert hooks.calls["UpdateEndpointWeightsAndCapacities"] == 0
    records = [json.loads(line) for line in audit.path.read_text().splitlines()]
    assert records[-1]["result"] == "refused"


def test_service_refuses_weights_on_components_before_writing_an_intent(
    hooked_backend: Backend, hooks: Hooks, audit: AuditLog, canary_endpoint: str
) -> None:
    service = ChangeService(hooked_backend, audit, "cli")
    described = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    confirmed = Endpoint(
        described.name,
        described.status,
        tuple(
            Variant(
                v.name,
                v.current_weight,
                v.desired_weight,
                v.current_instance_count,
                v.desired_instance_count,
                hosts_inference_components=True,
            )
            for v in described.variants
        ),
    )
    plan = parse_assignments(confirmed, ["new-model=25%", "current-model=75%"])
    with pytest.raises(ChangeRefused, match="do not route inference-component traffic") as refused:
        service.apply(plan, confirmed)
    # Waiting cannot change it: a rollback or ramp must not retry until its deadline.
    assert not endpoint_was_busy(refused.value)
    assert hooks.calls["UpdateEndpointWeightsAndCapacities"] == 0
    assert hooks.calls["DescribeEndpoint"] == 1  # only the test's own describe
