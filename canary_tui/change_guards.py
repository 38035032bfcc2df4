"""The change path's guards and what a plan means for the audit log. Pure: no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from canary_tui.audit import ChangeKind
from canary_tui.change_outcome import DesiredState
from canary_tui.domain.models import Endpoint, traffic_shares
from canary_tui.domain.serverless import ServerlessPlan
from canary_tui.domain.weights import CapacityPlan, WeightPlan

Plan = WeightPlan | CapacityPlan
#: What the change path accepts: the console's and ramps' plans, and the CLI's serverless
#: concurrency change (ServerlessUpdateConfig).
AnyPlan = Plan | ServerlessPlan

# Weights travel as JSON floats; anything closer than this is the same weight.
_WEIGHT_TOLERANCE = 1e-9


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def describe_drift(confirmed: Endpoint, live: Endpoint) -> str | None:
    """One line saying how ``live`` differs from what was confirmed, or None if it does not.

    Compared: the set of variants, desired weights (shown as traffic %), desired instance
    counts and the endpoint status.
    """
    suffix = " since you confirmed; review the live state"
    if set(confirmed.variant_names) != set(live.variant_names):
        return (
            f"variants changed {', '.join(confirmed.variant_names) or '(none)'} -> "
            f"{', '.join(live.variant_names) or '(none)'}{suffix}"
        )
    if confirmed.status != live.status:
        return f"endpoint status changed {confirmed.status} -> {live.status}{suffix}"
    confirmed_shares = confirmed.desired_traffic_shares
    live_shares = live.desired_traffic_shares
    for name in confirmed.variant_names:
        before = confirmed.variant(name).desired_weight
        after = live.variant(name).desired_weight
        if not math.isclose(before, after, rel_tol=_WEIGHT_TOLERANCE, abs_tol=_WEIGHT_TOLERANCE):
            before_share, after_share = confirmed_shares[name], live_shares[name]
            if round(before_share, 1) == round(after_share, 1):
                return f"{name} weight changed {before:g} -> {after:g}{suffix}"
            return (
                f"{name} weight changed {_percent(before_share)} -> {_percent(after_share)}{suffix}"
            )
    for name in confirmed.variant_names:
        serverless_before = confirmed.variant(name).desired_serverless
        serverless_after = live.variant(name).desired_serverless
        if serverless_before != serverless_after:
            before_text = serverless_before.text() if serverless_before else "none"
            after_text = serverless_after.text() if serverless_after else "none"
            return f"{name} serverless config changed {before_text} -> {after_text}{suffix}"
    for name in confirmed.variant_names:
        count_before = confirmed.variant(name).desired_instance_count
        count_after = live.variant(name).desired_instance_count
        if count_before != count_after:
            return f"{name} desired instance count changed {count_before} -> {count_after}{suffix}"
    return None


#: Why weights are refused on an endpoint whose variants host inference components.
COMPONENT_WEIGHTS_REFUSAL = (
    "variant weights do not route inference-component traffic (requests name their "
    "component); change a component's copy count instead"
)


def deployment_refusal(endpoint: Endpoint) -> str | None:
    """A deployment (PendingDeploymentSummary) is running: every write waits for it."""
    pending = endpoint.pending_deployment
    if pending is None:
        return None
    return (
        f"{endpoint.name} has a {pending.text()}; SageMaker refuses weight and capacity "
        "changes until it finishes or rolls back; nothing was sent"
    )


def weights_refusal(endpoint: Endpoint) -> str | None:
    """Why a weight change cannot be offered on ``endpoint`` at all, or None."""
    deployment = deployment_refusal(endpoint)
    if deployment is not None:
        return deployment
    if endpoint.uses_inference_components:
        return f"{endpoint.name}: {COMPONENT_WEIGHTS_REFUSAL}; nothing was sent"
    return None


def capacity_kind_refusal(endpoint: Endpoint, variant_name: str) -> str | None:
    """Why ``variant_name`` has no instance count to change, or None."""
    deployment = deployment_refusal(endpoint)
    if deployment is not None:
        return deployment
    try:
        variant = endpoint.variant(variant_name)
    except KeyError:
        return None  # the plan's own check says "unknown variant"
    if variant.is_serverless:
        config = variant.desired_serverless or variant.current_serverless
        detail = f" ({config.text()})" if config else ""
        return (
            f"{variant_name} is serverless{detail}: it has no instance count; its "
            "MaxConcurrency and ProvisionedConcurrency change through ServerlessUpdateConfig "
            "(canary-tui set-serverless); "
            "nothing was sent"
        )
    if variant.shadow:
        return (
            f"{variant_name} is a shadow variant: UpdateEndpointWeightsAndCapacities is "
            "documented for production variants only; change a shadow's instances or "
            "sampling with a new endpoint config (UpdateEndpoint); nothing was sent"
        )
    return None


def kind_refusal(plan: AnyPlan, endpoint: Endpoint) -> str | None:
    """What the endpoint's kind forbids of ``plan`` (deployment running, inference
    components, serverless or shadow variants), or None."""
    if isinstance(plan, WeightPlan):
        return weights_refusal(endpoint)
    if isinstance(plan, ServerlessPlan):
        return deployment_refusal(endpoint)
    return capacity_kind_refusal(endpoint, plan.variant)


def serverless_unconfirmed(plan: AnyPlan, after: Endpoint | None) -> str | None:
    """After an accepted serverless change: why the re-read does not show it, or None.
    (Weights and counts do not move, so the usual before/after judgement cannot tell.)"""
    if not isinstance(plan, ServerlessPlan) or after is None:
        return None
    try:
        desired = after.variant(plan.variant).desired_serverless
    except KeyError:
        return f"{plan.variant} is gone from {after.name}"
    if desired == plan.after:
        return None
    seen = desired.text() if desired else "no serverless config"
    return f"AWS accepted, but {plan.variant} shows desired {seen}, not {plan.after.text()}"


def not_writable_message(endpoint: Endpoint) -> str:
    message = f"{endpoint.name} is {endpoint.status}, not InService; nothing was sent"
    if endpoint.failure_reason:
        message += f" (reason: {endpoint.failure_reason})"
    return message


@dataclass(frozen=True, slots=True)
class AuditFields:
    kind: ChangeKind
    weights_before: dict[str, float]
    weights_after: dict[str, float]
    counts_before: dict[str, int | None]
    counts_after: dict[str, int | None]
    request: dict[str, Any] = field(default_factory=dict)

    def states(self) -> tuple[DesiredState, DesiredState]:
        """(before, planned), for judging the endpoint after the write."""
        return (
            DesiredState(self.kind, self.weights_before, self.counts_before),
            DesiredState(self.kind, self.weights_after, self.counts_after),
        )


def audit_fields(plan: AnyPlan, confirmed: Endpoint) -> AuditFields:
    counts = {variant.name: variant.desired_instance_count for variant in confirmed.variants}
    if isinstance(plan, (ServerlessPlan, WeightPlan)):
        # A serverless change keeps weights and counts; the request (in the log) says what
        # changes. A weight change keeps the counts.
        after = plan.after if isinstance(plan, WeightPlan) else confirmed.desired_weights
        return AuditFields(
            kind="weights" if isinstance(plan, WeightPlan) else "capacity",
            weights_before=dict(confirmed.desired_weights),
            weights_after=dict(after),
            counts_before=counts,
            counts_after=dict(counts),
            request=dict(plan.api_request()),
        )
    counts_after = dict(counts)
    counts_after[plan.variant] = plan.count_after
    return AuditFields(
        kind="capacity",
        weights_before=dict(confirmed.desired_weights),
        weights_after=dict(confirmed.desired_weights),
        counts_before=counts,
        counts_after=counts_after,
        request=dict(plan.api_request()),
    )


def is_noop(plan: AnyPlan) -> bool:
    if isinstance(plan, WeightPlan | ServerlessPlan):
        return plan.is_noop
    return plan.count_before == plan.count_after


def shares_after(plan: AnyPlan, confirmed: Endpoint) -> dict[str, float]:
    """Traffic % per variant once ``plan`` is applied (capacity plans keep the split)."""
    if isinstance(plan, WeightPlan):
        return traffic_shares(plan.after)
    return confirmed.desired_traffic_shares
