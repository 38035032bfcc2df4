"""SageMaker gateway: endpoints, their configs, and the one write canary-tui makes."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from canary_tui.aws.errors import NotFound, translated
from canary_tui.aws.session import AwsClients
from canary_tui.domain.models import (
    Endpoint,
    EndpointConfigDetails,
    EndpointSummary,
    InferenceComponent,
    MetricsSettings,
    PendingDeployment,
    ServerlessConfig,
    Variant,
)


def _latest_variant_status(raw_variant: Mapping[str, Any]) -> str | None:
    statuses = list(raw_variant.get("VariantStatus") or [])
    if not statuses:
        return None

    def started(position: int) -> tuple[float, int]:
        # Entries without a StartTime count as oldest; comparing a datetime with a number
        # would raise. On a tie the later entry in the list wins.
        start = statuses[position].get("StartTime")
        return (start.timestamp() if isinstance(start, datetime) else float("-inf"), position)

    latest = statuses[max(range(len(statuses)), key=started)]
    return str(latest.get("Status")) if latest.get("Status") else None


def _optional_int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def _serverless(raw: object) -> ServerlessConfig | None:
    if not isinstance(raw, Mapping) or "MemorySizeInMB" not in raw:
        return None
    return ServerlessConfig(
        memory_mb=int(raw["MemorySizeInMB"]),
        max_concurrency=int(raw.get("MaxConcurrency", 0) or 0),
        provisioned_concurrency=_optional_int(raw.get("ProvisionedConcurrency")),
    )


def _variant(
    raw: Mapping[str, Any], config: EndpointConfigDetails | None, *, shadow: bool
) -> Variant:
    name = str(raw["VariantName"])
    models = config.variant_models if config else {}
    model_name, instance_type = models.get(name, (None, None))
    current_weight = float(raw.get("CurrentWeight", 0.0) or 0.0)
    return Variant(
        name=name,
        current_weight=current_weight,
        desired_weight=float(raw.get("DesiredWeight", current_weight) or 0.0),
        current_instance_count=_optional_int(raw.get("CurrentInstanceCount")),
        desired_instance_count=_optional_int(raw.get("DesiredInstanceCount")),
        model_name=model_name,
        instance_type=instance_type or raw.get("InstanceType"),
        status=_latest_variant_status(raw),
        current_serverless=_serverless(raw.get("CurrentServerlessConfig")),
        desired_serverless=_serverless(raw.get("DesiredServerlessConfig")),
        shadow=shadow,
        hosts_inference_components=config is not None and name in config.component_variants,
    )


def _traffic_mode(deployment: Mapping[str, Any]) -> tuple[str | None, int | None]:
    blue_green = deployment.get("BlueGreenUpdatePolicy") or {}
    routing = blue_green.get("TrafficRoutingConfiguration") or {}
    if routing:
        return routing.get("Type"), _optional_int(routing.get("WaitIntervalInSeconds"))
    rolling = deployment.get("RollingUpdatePolicy") or {}
    if rolling:
        return "ROLLING", _optional_int(rolling.get("WaitIntervalInSeconds"))
    return None, None


def pending_deployment_from(description: Mapping[str, Any]) -> PendingDeployment | None:
    """PendingDeploymentSummary with the traffic mode of LastDeploymentConfig."""
    pending = description.get("PendingDeploymentSummary")
    if not pending:
        return None
    stages = {
        str(raw["VariantName"]): _latest_variant_status(raw)
        for raw in (
            *(pending.get("ProductionVariants") or []),
            *(pending.get("ShadowProductionVariants") or []),
        )
    }
    mode, wait = _traffic_mode(description.get("LastDeploymentConfig") or {})
    return PendingDeployment(
        config_name=str(pending.get("EndpointConfigName", "")),
        start_time=pending.get("StartTime"),
        variant_stages=stages,
        traffic_mode=mode,
        wait_seconds=wait,
    )


def metrics_settings_from(raw: object) -> MetricsSettings | None:
    if not isinstance(raw, Mapping) or not raw:
        return None
    return MetricsSettings(
        enhanced=bool(raw.get("EnableEnhancedMetrics", False)),
        publish_seconds=_optional_int(raw.get("MetricPublishFrequencyInSeconds")),
    )


def endpoint_from_description(
    description: Mapping[str, Any],
    config: EndpointConfigDetails | None,
    components: tuple[InferenceComponent, ...] = (),
) -> Endpoint:
    """Merge DescribeEndpoint with its (cached) config into our model."""
    return Endpoint(
        name=str(description["EndpointName"]),
        status=str(description.get("EndpointStatus", "Unknown")),
        variants=tuple(
            _variant(raw, config, shadow=False)
            for raw in description.get("ProductionVariants") or []
        ),
        config_name=description.get("EndpointConfigName"),
        failure_reason=description.get("FailureReason"),
        last_modified=description.get("LastModifiedTime"),
        shadow_variants=tuple(
            _variant(raw, config, shadow=True)
            for raw in description.get("ShadowProductionVariants") or []
        ),
        asynchronous=bool(description.get("AsyncInferenceConfig"))
        or (config is not None and config.asynchronous),
        pending_deployment=pending_deployment_from(description),
        metrics=metrics_settings_from(description.get("MetricsConfig")),
        inference_components=components,
    )


def config_details_from(name: str, raw: Mapping[str, Any]) -> EndpointConfigDetails:
    """What canary-tui keeps of DescribeEndpointConfig."""
    variants = [
        *(raw.get("ProductionVariants") or []),
        *(raw.get("ShadowProductionVariants") or []),
    ]
    return EndpointConfigDetails(
        name=name,
        variant_models={
            variant["VariantName"]: (variant.get("ModelName"), variant.get("InstanceType"))
            for variant in variants
        },
        # A variant with no ModelName hosts inference components (AWS: the model is
        # given per component instead).
        component_variants=frozenset(
            variant["VariantName"]
            for variant in raw.get("ProductionVariants") or []
            if not variant.get("ModelName")
        ),
        asynchronous=bool(raw.get("AsyncInferenceConfig")),
    )


class SageMakerGateway:
    """Everything canary-tui asks of SageMaker. Blocking: call it from a worker thread."""

    def __init__(self, clients: AwsClients) -> None:
        self._clients = clients
        # Endpoint configs are immutable once created, so a name maps to one answer forever.
        self._config_cache: dict[str, EndpointConfigDetails] = {}
        self._config_lock = threading.Lock()
        self._config_fetch_locks: dict[str, threading.Lock] = {}

    @property
    def _profile(self) -> str | None:
        return self._clients.profile_name

    def list_endpoints(self) -> list[EndpointSummary]:
        """Every endpoint in the region, following every page of ListEndpoints."""
        summaries: list[EndpointSummary] = []
        with translated(self._profile):
            paginator = self._clients.sagemaker.get_paginator("list_endpoints")
            for page in paginator.paginate(
                SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 100}
            ):
                for raw in page.get("Endpoints", []):
                    summaries.append(
                        EndpointSummary(
                            name=raw["EndpointName"],
                            status=raw.get("EndpointStatus", "Unknown"),
                            last_modified=raw.get("LastModifiedTime"),
                            creation_time=raw.get("CreationTime"),
                        )
                    )
        # moto does not sort; real AWS does. Sort here so every backend looks the same.
        summaries.sort(key=lambda summary: summary.name)
        return summaries

    def describe_endpoint_config(self, name: str) -> EndpointConfigDetails:
        """Model and instance type per variant; asked of AWS once per config name."""
        with self._config_lock:
            cached = self._config_cache.get(name)
            if cached is not None:
                return cached
            name_lock = self._config_fetch_locks.setdefault(name, threading.Lock())
        # One fetch per name even when several workers describe the same endpoint at once.
        with name_lock:
            with self._config_lock:
                cached = self._config_cache.get(name)
            if cached is not None:
                return cached
            with translated(self._profile):
                raw = self._clients.sagemaker.describe_endpoint_config(EndpointConfigName=name)
            details = config_details_from(name, raw)
            with self._config_lock:
                self._config_cache[name] = details
            return details

    def describe_endpoint(self, name: str, *, with_config: bool = True) -> Endpoint:
        """The endpoint with every variant's weights, counts, model and instance type.

        ``with_config=False`` skips DescribeEndpointConfig (model and instance type are then
        unknown): a list of 2,000 endpoints needs their weights, not 2,000 more calls."""
        with translated(self._profile):
            description = self._clients.sagemaker.describe_endpoint(EndpointName=name)
        config_name = description.get("EndpointConfigName")
        config: EndpointConfigDetails | None = None
        if config_name and with_config:
            try:
                config = self.describe_endpoint_config(config_name)
            except NotFound:
                # A config can be deleted while an endpoint still runs on it. The endpoint
                # is there all the same; only model and instance type are unknown.
                config = None
        components: tuple[InferenceComponent, ...] = ()
        if config is not None and config.component_variants:
            components = self.inference_components(name)
        return endpoint_from_description(description, config, components)

    def inference_components(self, endpoint_name: str) -> tuple[InferenceComponent, ...]:
        """The endpoint's inference components with their copy counts: ListInferenceComponents,
        then DescribeInferenceComponent each (the list has no copy counts)."""
        found: list[InferenceComponent] = []
        with translated(self._profile):
            paginator = self._clients.sagemaker.get_paginator("list_inference_components")
            for page in paginator.paginate(EndpointNameEquals=endpoint_name):
                for summary in page.get("InferenceComponents", []):
                    component_name = summary["InferenceComponentName"]
                    try:
                        raw: Mapping[str, Any] = (
                            self._clients.sagemaker.describe_inference_component(
                                InferenceComponentName=component_name
                            )
                        )
                    except ClientError:
                        raw = summary  # deleted in between: the list's fields only
                    runtime = raw.get("RuntimeConfig") or {}
                    found.append(
                        InferenceComponent(
                            name=component_name,
                            variant=raw.get("VariantName") or summary.get("VariantName"),
                            status=raw.get("InferenceComponentStatus"),
                            current_copies=_optional_int(runtime.get("CurrentCopyCount")),
                            desired_copies=_optional_int(runtime.get("DesiredCopyCount")),
                        )
                    )
        return tuple(sorted(found, key=lambda component: component.name))

    def update_weights_and_capacities(self, request: Mapping[str, Any]) -> str:
        """Send one UpdateEndpointWeightsAndCapacities request; returns the endpoint ARN.

        ``request`` is a plan's ``api_request()``, so what was confirmed is what is sent.
        Sent once, never retried by botocore (see ``AwsClients.sagemaker_write``); on an
        error, :func:`canary_tui.aws.delivery.delivery_of` says whether it may have arrived.
        """
        with translated(self._profile):
            response = self._clients.sagemaker_write.update_endpoint_weights_and_capacities(
                EndpointName=request["EndpointName"],
                DesiredWeightsAndCapacities=request["DesiredWeightsAndCapacities"],
            )
        return str(response.get("EndpointArn", ""))
