# ruff: noqa: F811 (pytest fixtures imported from test_changes are parameters here)
"""`set-serverless`'s plan (ServerlessUpdateConfig) through the guarded change path against
moto. moto accepts the request but keeps the old config, so a plain re-read shows the change
did not take: the outcome must be unknown, never "applied" because weights and counts match."""

from __future__ import annotations

import json
from typing import Any

import pytest

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.changes import ChangeOutcomeUnknown, ChangeService
from canary_tui.demo.seed import SeedVariant, create_endpoint
from canary_tui.domain.models import Endpoint, ServerlessConfig, Variant
from canary_tui.domain.serverless import parse_serverless_update
from canary_tui.domain.weights import WeightInputError
from tests.aws.test_changes import Hooks, audit, hooked_backend, hooks  # noqa: F401 (fixtures)

CONFIG = ServerlessConfig(2048, 20, 5)
ENDPOINT = Endpoint(
    "tc",
    "InService",
    (Variant("a", 1.0, 1.0, None, None, current_serverless=CONFIG, desired_serverless=CONFIG),),
)


def test_plan_sends_exactly_what_serverless_update_config_allows() -> None:
    plan = parse_serverless_update(ENDPOINT, "a", "40", None)
    assert plan.after == ServerlessConfig(2048, 40, 5)
    assert plan.api_request()["DesiredWeightsAndCapacities"] == [
        {
            "VariantName": "a",
            "ServerlessUpdateConfig": {"MaxConcurrency": 40, "ProvisionedConcurrency": 5},
        }
    ]
    assert parse_serverless_update(ENDPOINT, "a", "20", "5").is_noop


@pytest.mark.parametrize(
    ("most", "provisioned", "message"),
    [
        ("0", None, "must be 1 to 200"),
        ("201", None, "must be 1 to 200"),
        ("1e2", None, "not a whole number"),
        ("10", "11", "above max concurrency 10"),
        (None, "21", "above max concurrency 20"),
        (None, None, "give a max concurrency"),
    ],
)
def test_bad_concurrency_is_refused_with_a_reason(
    most: str | None, provisioned: str | None, message: str
) -> None:
    with pytest.raises(WeightInputError, match=message):
        parse_serverless_update(ENDPOINT, "a", most, provisioned)


def _serverless_endpoint(client: Any) -> None:
    create_endpoint(client, "tc", [SeedVariant("a", 1.0, serverless=(2048, 20, 5))])


def test_stock_moto_keeps_the_old_config_so_the_outcome_is_unknown(
    hooked_backend: Backend, hooks: Hooks, audit: AuditLog, sagemaker_client: Any
) -> None:
    _serverless_endpoint(sagemaker_client)
    service = ChangeService(hooked_backend, audit, "cli")
    confirmed = hooked_backend.sagemaker.describe_endpoint("tc")
    plan = parse_serverless_update(confirmed, "a", "40", None)
    with pytest.raises(ChangeOutcomeUnknown, match="shows desired 2048 MB, max 20"):
        service.apply(plan, confirmed)
    assert (
        hooks.sent_params["UpdateEndpointWeightsAndCapacities"][0]["DesiredWeightsAndCapacities"]
        == plan.api_request()["DesiredWeightsAndCapacities"]
    )
    records = [json.loads(line) for line in audit.path.read_text().splitlines()]
    assert records[-1]["result"] == "unknown"


def test_applied_when_the_re_read_shows_the_new_config(
    hooked_backend: Backend, hooks: Hooks, audit: AuditLog, sagemaker_client: Any
) -> None:
    _serverless_endpoint(sagemaker_client)
    service = ChangeService(hooked_backend, audit, "cli")
    confirmed = hooked_backend.sagemaker.describe_endpoint("tc")
    plan = parse_serverless_update(confirmed, "a", "40", "8")

    def updated(parsed: dict[str, Any]) -> None:
        if hooks.calls["UpdateEndpointWeightsAndCapacities"]:  # SageMaker after the write
            for variant in parsed["ProductionVariants"]:
                variant["DesiredServerlessConfig"] = {
                    "MemorySizeInMB": 2048,
                    "MaxConcurrency": 40,
                    "ProvisionedConcurrency": 8,
                }

    hooks.after["DescribeEndpoint"] = updated
    result = service.apply(plan, confirmed)
    assert result.live is not None
    assert result.live.variant("a").desired_serverless == ServerlessConfig(2048, 40, 8)
    assert result.live.variant("a").is_settling  # current still 20: rolling out
