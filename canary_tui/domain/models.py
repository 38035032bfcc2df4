"""Endpoints and their production variants, as the rest of canary-tui sees them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

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

    @property
    def is_settling(self) -> bool:
        """Desired and current differ: an update is rolling through this variant."""
        return (
            self.current_weight != self.desired_weight
            or self.current_instance_count != self.desired_instance_count
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
        for variant in self.variants:
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
    # variant name -> (model name, instance type)
    variant_models: Mapping[str, tuple[str | None, str | None]] = field(default_factory=dict)
