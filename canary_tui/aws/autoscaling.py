"""Application Auto Scaling gateway: each variant's scalable target (min..max) and policies.

Auto Scaling changes a variant's instance count through the same
UpdateEndpointWeightsAndCapacities we use, so a count set by hand outside min..max, or on a
variant with a scaling policy, does not stay. Read-only here: DescribeScalableTargets and
DescribeScalingPolicies, which the README's IAM policy lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from canary_tui.aws.errors import AwsError, translated
from canary_tui.aws.session import AwsClients
from canary_tui.domain.capacity import SCALING_UNREADABLE, EndpointScaling, ScalingLimits

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
#: DescribeScalableTargets takes at most 50 ResourceIds per request.
MAX_RESOURCE_IDS = 50


def resource_id(endpoint: str, variant: str) -> str:
    return f"endpoint/{endpoint}/variant/{variant}"


def _variant_of(endpoint: str, resource: str) -> str | None:
    prefix = f"endpoint/{endpoint}/variant/"
    return resource[len(prefix) :] if resource.startswith(prefix) else None


def _suspended(raw: dict[str, Any]) -> bool:
    state = raw.get("SuspendedState") or {}
    return bool(state.get("DynamicScalingInSuspended")) and bool(
        state.get("DynamicScalingOutSuspended")
    )


class AutoScalingGateway:
    """Blocking: call it from a worker thread (or a CLI command)."""

    def __init__(self, clients: AwsClients) -> None:
        self._clients = clients

    def endpoint_scaling(self, endpoint: str, variants: Sequence[str]) -> EndpointScaling:
        """The scaling limits of ``variants``; one DescribeScalableTargets (per 50 variants),
        then DescribeScalingPolicies only for variants that have a target.

        Any AWS error (AccessDenied first of all) gives limits that are unknown, with the
        reason: capacity limits are advice, and a change must not fail for want of them.
        """
        try:
            with translated(self._clients.profile_name):
                return self._read(endpoint, variants)
        except AwsError as error:
            return EndpointScaling.unreadable(endpoint, f"{SCALING_UNREADABLE}: {error.message}")

    def _read(self, endpoint: str, variants: Sequence[str]) -> EndpointScaling:
        client = self._clients.application_autoscaling
        wanted = list(dict.fromkeys(variants))
        targets: dict[str, dict[str, Any]] = {}
        paginator = client.get_paginator("describe_scalable_targets")
        for index in range(0, len(wanted), MAX_RESOURCE_IDS):
            ids = [resource_id(endpoint, name) for name in wanted[index : index + MAX_RESOURCE_IDS]]
            pages = paginator.paginate(
                ServiceNamespace=NAMESPACE, ResourceIds=ids, ScalableDimension=DIMENSION
            )
            for page in pages:
                for raw in page.get("ScalableTargets", []):
                    variant = _variant_of(endpoint, str(raw.get("ResourceId", "")))
                    if variant in wanted and raw.get("ScalableDimension") == DIMENSION:
                        targets[variant] = raw
        limits = {}
        policies_paginator = client.get_paginator("describe_scaling_policies")
        for variant, raw in targets.items():
            names: list[str] = []
            for page in policies_paginator.paginate(
                ServiceNamespace=NAMESPACE,
                ResourceId=resource_id(endpoint, variant),
                ScalableDimension=DIMENSION,
            ):
                names.extend(str(p["PolicyName"]) for p in page.get("ScalingPolicies", []))
            limits[variant] = ScalingLimits(
                min_capacity=int(raw["MinCapacity"]),
                max_capacity=int(raw["MaxCapacity"]),
                policies=tuple(names),
                dynamic_suspended=_suspended(raw),
            )
        return EndpointScaling(endpoint, limits)
