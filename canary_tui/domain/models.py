"""Endpoints and their production variants, as the rest of canary-tui sees them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# SageMaker endpoint statuses in which UpdateEndpointWeightsAndCapacities is accepted.
WRITABLE_STATUSES = frozenset({"InService"})
# Statuses that will move on by themselves; the console follows these closely.
TRANSITIONAL_STATUSES = frozenset(
    {"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"}
)
# Statuses that will not move on by themselves: waiting for them to settle is pointless.
# UpdateRollbackFailed means a deployment failed and so did its automatic rollback; AWS says
# the endpoint serves a mix of old and new configs until someone repairs it by hand.
TERMINAL_STATUSES = frozenset({"Failed", "UpdateRollbackFailed"})


def terminal_status_message(endpoint: Endpoint) -> str:
    """One line for an endpoint in a terminal status, saying what a person must do."""
    reason = f" (reason: {endpoint.failure_reason})" if endpoint.failure_reason else ""
    if endpoint.status == "UpdateRollbackFailed":
        return (
            f"{endpoint.name} is UpdateRollbackFailed: an update and its automatic rollback "
            f"both failed{reason}; it will not recover by itself: repair it by hand "
            "(UpdateEndpoint to a working config, see SageMaker's rolling deployment docs)"
        )
    return f"{endpoint.name} failed: {endpoint.failure_reason or 'no FailureReason given'}"


#: What a variant runs on. Instance-based variants have instance counts; serverless ones
#: memory and concurrency; a variant that hosts inference components has no model of its
#: own (the components carry the models, each with its copy count).
VariantKind = Literal["instance", "serverless", "inference-components", "shadow"]


@dataclass(frozen=True, slots=True)
class ServerlessConfig:
    """A serverless variant's memory and concurrency (ProductionVariantServerlessConfig)."""

    memory_mb: int
    max_concurrency: int
    provisioned_concurrency: int | None = None

    def text(self) -> str:
        provisioned = (
            f", {self.provisioned_concurrency} provisioned"
            if self.provisioned_concurrency is not None
            else ""
        )
        return f"{self.memory_mb} MB, max {self.max_concurrency}{provisioned}"

    def short_text(self) -> str:
        """``2 GB max 20 prov 5``: for a table column."""
        provisioned = (
            f" prov {self.provisioned_concurrency}"
            if self.provisioned_concurrency is not None
            else ""
        )
        return f"{self.memory_mb / 1024:g} GB max {self.max_concurrency}{provisioned}"


@dataclass(frozen=True, slots=True)
class InferenceComponent:
    """One inference component on an endpoint (ListInferenceComponents and its describe)."""

    name: str
    variant: str | None
    status: str | None
    current_copies: int | None = None
    desired_copies: int | None = None

    @property
    def is_settling(self) -> bool:
        return self.status in {"Creating", "Updating"} or self.current_copies != self.desired_copies


@dataclass(frozen=True, slots=True)
class PendingDeployment:
    """A deployment in progress (PendingDeploymentSummary): UpdateEndpoint to a new config,
    often a blue/green one with a canary or linear traffic shift and a baking period."""

    config_name: str
    start_time: datetime | None = None
    #: Each pending variant's latest VariantStatus (Creating, ActivatingTraffic, Baking...).
    variant_stages: Mapping[str, str | None] = field(default_factory=dict)
    #: ALL_AT_ONCE, CANARY, LINEAR (blue/green), ROLLING, or None when not reported.
    traffic_mode: str | None = None
    #: Seconds between traffic steps (the baking period of each step), when reported.
    wait_seconds: int | None = None

    @property
    def stage(self) -> str:
        """The furthest stage any pending variant reports, or "starting"."""
        order = ("Deleting", "Creating", "Updating", "ActivatingTraffic", "Baking")
        stages = [stage for stage in self.variant_stages.values() if stage]
        if not stages:
            return "starting"
        return max(stages, key=lambda stage: order.index(stage) if stage in order else -1)

    def text(self) -> str:
        mode = f", {self.traffic_mode.lower().replace('_', ' ')}" if self.traffic_mode else ""
        baking = f", {self.wait_seconds}s per step" if self.wait_seconds else ""
        return f"deployment to {self.config_name}: {self.stage}{mode}{baking}"


@dataclass(frozen=True, slots=True)
class MetricsSettings:
    """MetricsConfig: enhanced metrics and their publish frequency (10 s to 300 s)."""

    enhanced: bool = False
    publish_seconds: int | None = None

    @property
    def invocation_period_seconds(self) -> int:
        """The period invocation metrics arrive at. AWS: without enhanced metrics the
        frequency applies to utilization metrics only; invocations stay at 60 s."""
        if self.enhanced and self.publish_seconds:
            return self.publish_seconds
        return 60


def traffic_shares(weights: Mapping[str, float]) -> dict[str, float]:
    """Each variant's share of traffic in percent: weight / sum of weights * 100.

    An all-zero (or empty) mapping routes no traffic anywhere, so every share is 0.
    """
    total = sum(weights.values())
    if total <= 0:
        return {name: 0.0 for name in weights}
    return {name: weight / total * 100.0 for name, weight in weights.items()}


@dataclass(frozen=True, slots=True)
class Variant:
    """One production variant of an endpoint, merged from DescribeEndpoint and its config."""

    name: str
    current_weight: float
    desired_weight: float
    # None when the backend does not report it (moto drops counts after a weight update).
    current_instance_count: int | None
    desired_instance_count: int | None
    model_name: str | None = None
    instance_type: str | None = None
    # The most recent VariantStatus entry (Creating, Updating, ActivatingTraffic, Baking...),
    # or None when the variant reports none, which is the steady state.
    status: str | None = None
    current_serverless: ServerlessConfig | None = None
    desired_serverless: ServerlessConfig | None = None
    #: A shadow variant (ShadowProductionVariants): gets a sampled copy of production
    #: traffic; its responses never reach a caller.
    shadow: bool = False
    #: The config names no model for it: it hosts inference components.
    hosts_inference_components: bool = False

    @property
    def is_serverless(self) -> bool:
        return self.current_serverless is not None or self.desired_serverless is not None

    @property
    def kind(self) -> VariantKind:
        return "shadow" if self.shadow else self.compute

    @property
    def compute(self) -> VariantKind:
        """What it runs on, shadow or not: instance, serverless or inference-components."""
        if self.is_serverless:
            return "serverless"
        if self.hosts_inference_components:
            return "inference-components"
        return "instance"

    @property
    def is_settling(self) -> bool:
        """Desired and current differ: an update is rolling through this variant."""
        return (
            self.current_weight != self.desired_weight
            or self.current_instance_count != self.desired_instance_count
            or self.current_serverless != self.desired_serverless
        )


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A described endpoint: status and every production variant."""

    name: str
    status: str
    variants: tuple[Variant, ...]
    config_name: str | None = None
    failure_reason: str | None = None
    last_modified: datetime | None = None
    shadow_variants: tuple[Variant, ...] = ()
    #: AsyncInferenceConfig is set: requests are queued, and the endpoint publishes its
    #: own metrics (ApproximateBacklogSize, InvocationsProcesssed...), not Invocations.
    asynchronous: bool = False
    pending_deployment: PendingDeployment | None = None
    metrics: MetricsSettings | None = None
    inference_components: tuple[InferenceComponent, ...] = ()

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind this endpoint is, most telling first; "real-time" when none other."""
        found: list[str] = []
        if self.asynchronous:
            found.append("asynchronous")
        if any(v.hosts_inference_components for v in self.variants) or self.inference_components:
            found.append("inference-components")
        if self.shadow_variants:
            found.append("shadow-test")
        if self.variants and all(v.is_serverless for v in self.variants):
            found.append("serverless")
        elif any(v.is_serverless for v in self.variants):
            found.append("mixed-serverless")
        return tuple(found) or ("real-time",)

    @property
    def kind(self) -> str:
        return self.kinds[0]

    @property
    def uses_inference_components(self) -> bool:
        return "inference-components" in self.kinds

    def shadow_sampling_percent(self, shadow: str) -> float | None:
        """The share of production requests copied to ``shadow``: its weight over the
        production variant's (at most 100 %); None without exactly one production variant."""
        if len(self.variants) != 1:
            return None
        production = self.variants[0].current_weight
        for variant in self.shadow_variants:
            if variant.name == shadow:
                if production <= 0:
                    return None
                return min(100.0, variant.current_weight / production * 100.0)
        return None

    @property
    def metric_period_seconds(self) -> int:
        """The period SageMaker publishes this endpoint's invocation metrics at."""
        return self.metrics.invocation_period_seconds if self.metrics else 60

    def period_following_metrics(self, period: int, min_periods: int) -> tuple[int, int]:
        """(period, minimum periods) for this endpoint's metrics: a period finer than the
        endpoint publishes at (enhanced metrics every 120-300 s) would be empty periods, a
        coarser one hides what enhanced metrics at 10-30 s offer; so the publish period,
        with the minimum periods scaled to cover the same span of time."""
        published = self.metric_period_seconds
        if published == period:
            return period, min_periods
        span = period * min_periods
        return published, -(-span // published)

    @property
    def current_weights(self) -> dict[str, float]:
        return {variant.name: variant.current_weight for variant in self.variants}

    @property
    def desired_weights(self) -> dict[str, float]:
        return {variant.name: variant.desired_weight for variant in self.variants}

    @property
    def current_traffic_shares(self) -> dict[str, float]:
        return traffic_shares(self.current_weights)

    @property
    def desired_traffic_shares(self) -> dict[str, float]:
        return traffic_shares(self.desired_weights)

    @property
    def variant_names(self) -> tuple[str, ...]:
        return tuple(variant.name for variant in self.variants)

    @property
    def is_writable(self) -> bool:
        return self.status in WRITABLE_STATUSES

    @property
    def is_transitional(self) -> bool:
        return self.status in TRANSITIONAL_STATUSES

    @property
    def is_terminal(self) -> bool:
        """Failed or UpdateRollbackFailed: nothing will change without a person."""
        return self.status in TERMINAL_STATUSES

    def variant(self, name: str) -> Variant:
        for variant in (*self.variants, *self.shadow_variants):
            if variant.name == name:
                return variant
        raise KeyError(name)

    @property
    def dominant_variant(self) -> str | None:
        """The variant taking the most traffic (first one on a tie), None without variants."""
        if not self.variants:
            return None
        return max(self.variants, key=lambda variant: variant.current_weight).name

    @property
    def canary_share(self) -> float:
        """Traffic % going to every variant except the dominant one."""
        dominant = self.dominant_variant
        shares = self.current_traffic_shares
        return sum(share for name, share in shares.items() if name != dominant)


@dataclass(frozen=True, slots=True)
class EndpointSummary:
    """One row of ListEndpoints: cheap to get for every endpoint, no variants."""

    name: str
    status: str
    last_modified: datetime | None = None
    creation_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class EndpointConfigDetails:
    """What canary-tui reads from an endpoint config (immutable, so cached by name)."""

    name: str
    # variant name -> (model name, instance type), shadow variants included
    variant_models: Mapping[str, tuple[str | None, str | None]] = field(default_factory=dict)
    #: Variants the config names no model for: they host inference components.
    component_variants: frozenset[str] = frozenset()
    #: The config has an AsyncInferenceConfig (DescribeEndpoint reports it too; moto only here).
    asynchronous: bool = False
