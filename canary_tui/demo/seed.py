"""Create SageMaker endpoints through boto3, for the demo and for tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

DEMO_ROLE_ARN = "arn:aws:iam::123456789012:role/canary-tui-demo"
#: The demo account's region (here, not in demo/clients.py: that imports boto3, and the
#: demo's first frame names the region before boto3 is loaded).
DEMO_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class SeedVariant:
    name: str
    weight: float
    instance_count: int = 1
    instance_type: str = "ml.m5.large"
    model_name: str | None = None  # defaults to "<endpoint>-<variant>"
    #: Serverless instead of instances: (memory MB, max concurrency, provisioned or None).
    serverless: tuple[int, int, int | None] | None = None
    #: A shadow variant (ShadowProductionVariants): ``weight`` over the production
    #: variant's is the share of requests copied to it.
    shadow: bool = False


def create_endpoint(
    client: SageMakerClient, endpoint_name: str, variants: Sequence[SeedVariant]
) -> None:
    """Model per variant, one endpoint config, one endpoint: what a deploy pipeline makes."""
    production_variants: list[dict[str, Any]] = []
    shadow_variants: list[dict[str, Any]] = []
    for variant in variants:
        model_name = variant.model_name or f"{endpoint_name}-{variant.name}"
        client.create_model(
            ModelName=model_name,
            ExecutionRoleArn=DEMO_ROLE_ARN,
            PrimaryContainer={
                "Image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{model_name}"
            },
        )
        entry: dict[str, Any] = {
            "VariantName": variant.name,
            "ModelName": model_name,
            "InitialVariantWeight": variant.weight,
        }
        if variant.serverless is not None:
            memory, most, provisioned = variant.serverless
            serverless: dict[str, int] = {"MemorySizeInMB": memory, "MaxConcurrency": most}
            if provisioned is not None:
                serverless["ProvisionedConcurrency"] = provisioned
            entry["ServerlessConfig"] = serverless
        else:
            entry["InitialInstanceCount"] = variant.instance_count
            entry["InstanceType"] = variant.instance_type
        (shadow_variants if variant.shadow else production_variants).append(entry)
    config_name = f"{endpoint_name}-config"
    extra: dict[str, Any] = {}
    if shadow_variants:
        extra["ShadowProductionVariants"] = shadow_variants
    client.create_endpoint_config(
        EndpointConfigName=config_name,
        ProductionVariants=production_variants,  # type: ignore[arg-type]
        **extra,
    )
    client.create_endpoint(EndpointName=endpoint_name, EndpointConfigName=config_name)


CANARY_ENDPOINT = "existing-endpoint-name"
SHADOW_ENDPOINT = "recommender-shadow"
SERVERLESS_ENDPOINT = "text-classifier-serverless"
BASELINE_VARIANT = "current-model"
CANARY_VARIANT = "new-model"

#: The demo account: the product brief's canary, plus endpoints that exercise other layouts.
DEMO_ENDPOINTS: dict[str, tuple[SeedVariant, ...]] = {
    CANARY_ENDPOINT: (
        SeedVariant(BASELINE_VARIANT, 0.9, instance_count=2, instance_type="ml.m5.xlarge"),
        SeedVariant(CANARY_VARIANT, 0.1, instance_count=1, instance_type="ml.m5.xlarge"),
    ),
    "fraud-scoring": (
        SeedVariant("fraud-v7", 1.0, instance_count=3, instance_type="ml.c5.2xlarge"),
    ),
    "search-ranking": (
        SeedVariant("ranker-a", 0.6, instance_count=2, instance_type="ml.g4dn.xlarge"),
        SeedVariant("ranker-b", 0.3, instance_count=1, instance_type="ml.g4dn.xlarge"),
        SeedVariant("ranker-c", 0.1, instance_count=1, instance_type="ml.g4dn.xlarge"),
    ),
    "churn-batch-scorer": (
        SeedVariant("xgb-2024", 1.0, instance_count=1, instance_type="ml.m5.large"),
    ),
    # A shadow test: production answers every caller, 20 % of requests are copied to the
    # candidate (weight 0.2 over production's 1.0).
    SHADOW_ENDPOINT: (
        SeedVariant("recsys-v4", 1.0, instance_count=2, instance_type="ml.c5.xlarge"),
        SeedVariant(
            "recsys-v5-shadow", 0.2, instance_count=1, instance_type="ml.c5.xlarge", shadow=True
        ),
    ),
    SERVERLESS_ENDPOINT: (
        SeedVariant("distilbert-v2", 0.9, serverless=(2048, 20, 5)),
        SeedVariant("distilbert-v3", 0.1, serverless=(2048, 10, None)),
    ),
}


def seed_demo_account(
    client: SageMakerClient,
    endpoints: Mapping[str, Sequence[SeedVariant]] = DEMO_ENDPOINTS,
) -> list[str]:
    """Create every demo endpoint; returns their names in creation order."""
    for endpoint_name, variants in endpoints.items():
        create_endpoint(client, endpoint_name, variants)
    return list(endpoints)


#: Scalable targets of the demo account (Application Auto Scaling): the canary endpoint's
#: variants may run 1 to 4 instances, so the console shows min-max and refuses 5.
DEMO_SCALING: dict[str, tuple[tuple[str, int, int], ...]] = {
    CANARY_ENDPOINT: ((BASELINE_VARIANT, 1, 4), (CANARY_VARIANT, 1, 4)),
}


def seed_demo_scaling(
    client: Any, targets: Mapping[str, Sequence[tuple[str, int, int]]] = DEMO_SCALING
) -> None:
    """Register each (variant, min, max) as a scalable target, as an operator would."""
    for endpoint_name, variants in targets.items():
        for variant, low, high in variants:
            client.register_scalable_target(
                ServiceNamespace="sagemaker",
                ResourceId=f"endpoint/{endpoint_name}/variant/{variant}",
                ScalableDimension="sagemaker:variant:DesiredInstanceCount",
                MinCapacity=low,
                MaxCapacity=high,
            )


#: The demo's team table (issue 17): two consoles on the headless demo share its lease and
#: audit trail, as a team's machines share theirs.
DEMO_TEAM_TABLE = "canary-tui-demo-team"


def seed_demo_team(dynamodb: Any) -> None:
    """Create the demo's team table on the demo server (moto's DynamoDB)."""
    from canary_tui.aws.dynamodb import TeamTable

    TeamTable(dynamodb, DEMO_TEAM_TABLE).create()
