"""The CLI on a serverless endpoint (moto keeps ServerlessConfig): status says so, and an
instance count is refused in one line, exit 2, with nothing sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from canary_tui.demo.seed import DEMO_ROLE_ARN
from tests.e2e.test_cli import (  # noqa: F401 (fixtures)
    RunCli,
    _assert_one_line_error,
    run_cli,
    sent_targets,
)


def _serverless_endpoint(client: Any) -> None:
    client.create_model(
        ModelName="tc-model",
        ExecutionRoleArn=DEMO_ROLE_ARN,
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m"},
    )
    client.create_endpoint_config(
        EndpointConfigName="tc-config",
        ProductionVariants=[
            {
                "VariantName": name,
                "ModelName": "tc-model",
                "InitialVariantWeight": weight,
                "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 20},
            }
            for name, weight in (("a", 0.9), ("b", 0.1))
        ],
    )
    client.create_endpoint(EndpointName="tc", EndpointConfigName="tc-config")


def test_status_json_says_serverless(run_cli: RunCli, sagemaker_client: Any) -> None:  # noqa: F811
    _serverless_endpoint(sagemaker_client)
    data = json.loads(run_cli("status", "tc", "--json").stdout)
    assert data["kind"] == "serverless"
    assert [v["kind"] for v in data["variants"]] == ["serverless", "serverless"]
    assert data["variants"][0]["current_serverless"]["max_concurrency"] == 20
    listing = json.loads(run_cli("status", "--json").stdout)["endpoints"]
    assert listing[0]["kind"] == "serverless"


def test_instance_count_of_a_serverless_variant_is_bad_input(
    run_cli: RunCli,  # noqa: F811
    sagemaker_client: Any,
    sent_targets: Callable[[], list[str]],  # noqa: F811
) -> None:
    _serverless_endpoint(sagemaker_client)
    line = _assert_one_line_error(run_cli("set-capacity", "tc", "a", "3", "--yes"), 2)
    assert "a is serverless (2048 MB, max 20): it has no instance count" in line
    assert "SageMaker.UpdateEndpointWeightsAndCapacities" not in sent_targets()
