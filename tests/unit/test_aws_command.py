"""The confirm dialog's AWS CLI equivalent, checked against the AWS CLI's own parser."""

from __future__ import annotations

from canary_tui.domain.aws_command import update_weights_command
from canary_tui.domain.weights import CapacityPlan, WeightPlan


def weights_plan(after: dict[str, float]) -> WeightPlan:
    return WeightPlan("my-endpoint", {name: 0.5 for name in after}, after)


def test_weights_in_shorthand_with_region_and_profile() -> None:
    command = update_weights_command(
        weights_plan({"current-model": 0.9, "new-model": 0.1}).api_request(),
        region="eu-west-1",
        profile="prod admin",
    )
    assert command == (
        "aws sagemaker update-endpoint-weights-and-capacities --endpoint-name my-endpoint "
        "--desired-weights-and-capacities VariantName=current-model,DesiredWeight=0.9 "
        "VariantName=new-model,DesiredWeight=0.1 --region eu-west-1 --profile 'prod admin'"
    )


def test_a_count_change_and_exact_weights() -> None:
    plan = CapacityPlan("ep", "canary", 1, 3)
    assert update_weights_command(plan.api_request()).endswith(
        "--desired-weights-and-capacities VariantName=canary,DesiredInstanceCount=3"
    )
    third = update_weights_command(weights_plan({"a": 1 / 3, "b": 2 / 3}).api_request())
    assert "DesiredWeight=0.3333333333333333" in third


def test_a_serverless_update_is_written_in_the_shorthands_braces() -> None:
    from canary_tui.domain.models import Endpoint, ServerlessConfig, Variant
    from canary_tui.domain.serverless import parse_serverless_update

    config = ServerlessConfig(2048, 20, 5)
    endpoint = Endpoint(
        "tc",
        "InService",
        (Variant("a", 1, 1, None, None, current_serverless=config, desired_serverless=config),),
    )
    plan = parse_serverless_update(endpoint, "a", "40", "8")
    assert update_weights_command(plan.api_request()) == (
        "aws sagemaker update-endpoint-weights-and-capacities --endpoint-name tc "
        "--desired-weights-and-capacities "
        "'VariantName=a,ServerlessUpdateConfig={MaxConcurrency=40,ProvisionedConcurrency=8}'"
    )
