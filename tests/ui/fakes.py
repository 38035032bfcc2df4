"""A small fake of the console's own backend ports, for fast Pilot tests and snapshots.

It fakes OUR interface (ui.ports), not AWS: the same flows run against moto in
test_console_moto.py. Metrics are a fixed function of time, so snapshots are stable.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from canary_tui.audit import AuditLog
from canary_tui.aws.errors import AwsError, NotFound
from canary_tui.changes import ChangeRefused, ChangeResult, Plan
from canary_tui.domain.capacity import EndpointScaling, ScalingLimits
from canary_tui.domain.metrics import MetricKey, MetricsBatch, Series, VariantMetrics, VariantRef
from canary_tui.domain.models import Endpoint, EndpointSummary, Variant
from canary_tui.domain.weights import CapacityPlan, WeightPlan

FROZEN_NOW = datetime(2026, 11, 25, 9, 30, 20, tzinfo=UTC)


def frozen_clock() -> datetime:
    return FROZEN_NOW


def variant(
    name: str, weight: float, count: int = 1, instance_type: str = "ml.m5.xlarge"
) -> Variant:
    return Variant(
        name=name,
        current_weight=weight,
        desired_weight=weight,
        current_instance_count=count,
        desired_instance_count=count,
        model_name=f"{name}-model",
        instance_type=instance_type,
    )


def demo_endpoints() -> dict[str, Endpoint]:
    endpoints = [
        Endpoint(
            "existing-endpoint-name",
            "InService",
            (variant("current-model", 0.9, 2), variant("new-model", 0.1, 1)),
        ),
        Endpoint("fraud-scoring", "InService", (variant("fraud-v7", 1.0, 3, "ml.c5.2xlarge"),)),
        Endpoint(
            "search-ranking",
            "InService",
            (
                variant("ranker-a", 0.6, 2, "ml.g5.xlarge"),
                variant("ranker-b", 0.3, 1, "ml.g5.xlarge"),
                variant("ranker-c", 0.1, 1, "ml.g5.xlarge"),
            ),
        ),
    ]
    return {endpoint.name: endpoint for endpoint in endpoints}


class FakeSageMaker:
    def __init__(self, endpoints: dict[str, Endpoint]) -> None:
        self.endpoints = endpoints
        self.calls: list[tuple[str, str | None]] = []
        self.fault: AwsError | None = None
        self._lock = threading.Lock()

    def list_endpoints(self) -> list[EndpointSummary]:
        with self._lock:
            self.calls.append(("ListEndpoints", None))
            if self.fault is not None:
                raise self.fault
            return [EndpointSummary(e.name, e.status) for _, e in sorted(self.endpoints.items())]

    def describe_endpoint(self, name: str) -> Endpoint:
        with self._lock:
            self.calls.append(("DescribeEndpoint", name))
            if self.fault is not None:
                raise self.fault
            if name not in self.endpoints:
                raise NotFound(f'Could not find endpoint "{name}".')
            return self.endpoints[name]

    def count(self, operation: str) -> int:
        return sum(1 for op, _ in self.calls if op == operation)


class FakeCloudWatch:
    """Deterministic traffic: each variant gets 1000 req/min x its weight; the canary
    (any variant named new-*) errs at 2 %, the others at 0.5 %."""

    def __init__(self, sagemaker: FakeSageMaker) -> None:
        self.sagemaker = sagemaker
        self.requests: list[tuple[int, datetime, datetime]] = []

    def fetch(
        self, refs: Sequence[VariantRef], start: datetime, end: datetime, period_seconds: int
    ) -> MetricsBatch:
        self.requests.append((len(refs), start, end))
        variants = {}
        step = timedelta(seconds=period_seconds)
        for ref in refs:
            endpoint = self.sagemaker.endpoints.get(ref.endpoint)
            weight = endpoint.desired_traffic_shares.get(ref.variant, 0.0) if endpoint else 0.0
            error_share = 0.02 if ref.variant.startswith("new") else 0.005
            series: dict[MetricKey, list[tuple[datetime, float]]] = {
                MetricKey.INVOCATIONS: [],
                MetricKey.ERRORS_4XX: [],
                MetricKey.ERRORS_5XX: [],
                MetricKey.MODEL_LATENCY_AVG: [],
            }
            moment = start
            index = int(start.timestamp()) // period_seconds
            while moment < end:
                wave = (index % 7) - 3
                invocations = max(0.0, weight * 10 + wave * weight / 10)
                series[MetricKey.INVOCATIONS].append((moment, invocations))
                series[MetricKey.ERRORS_4XX].append((moment, invocations * error_share / 2))
                series[MetricKey.ERRORS_5XX].append((moment, invocations * error_share / 2))
                latency = 20.0 + (5.0 if ref.variant.startswith("new") else 0.0) + wave
                series[MetricKey.MODEL_LATENCY_AVG].append((moment, latency))
                moment += step
                index += 1
            variants[ref] = VariantMetrics(
                ref, {key: Series(tuple(points)) for key, points in series.items()}
            )
        return MetricsBatch(start, end, period_seconds, variants, False, 1)


class FakeAutoScaling:
    """Application Auto Scaling: like the demo, 1-4 instances for the canary endpoint."""

    def __init__(self) -> None:
        self.limits: dict[str, dict[str, ScalingLimits]] = {
            "existing-endpoint-name": {
                "current-model": ScalingLimits(1, 4),
                "new-model": ScalingLimits(1, 4),
            }
        }
        #: Set to a reason to answer as if access were denied.
        self.unreadable: str | None = None
        self.calls = 0

    def endpoint_scaling(self, endpoint: str, variants: Sequence[str]) -> EndpointScaling:
        self.calls += 1
        if self.unreadable is not None:
            return EndpointScaling.unreadable(endpoint, self.unreadable)
        known = self.limits.get(endpoint, {})
        return EndpointScaling(endpoint, {name: known[name] for name in variants if name in known})


@dataclasses.dataclass
class FakeBackend:
    sagemaker: FakeSageMaker
    cloudwatch: FakeCloudWatch
    label: str = "fake"
    credential_resets: int = 0
    autoscaling: FakeAutoScaling = dataclasses.field(default_factory=FakeAutoScaling)

    def reset_credentials(self) -> None:
        self.credential_resets += 1


def fake_backend(endpoints: dict[str, Endpoint] | None = None) -> FakeBackend:
    sagemaker = FakeSageMaker(endpoints if endpoints is not None else demo_endpoints())
    return FakeBackend(sagemaker, FakeCloudWatch(sagemaker))


class FakeChangeService:
    """Records what it is asked to apply and applies it to the fake SageMaker."""

    def __init__(self, sagemaker: FakeSageMaker) -> None:
        self.sagemaker = sagemaker
        self.applied: list[tuple[Plan, Endpoint]] = []
        self.refuse_with: ChangeRefused | None = None
        #: When set, applied weight changes are logged like ChangeService logs them, so the
        #: console finds the canary episode (rollback baseline, promote's canary) in it.
        self.audit: AuditLog | None = None
        #: No team table (ChangeService.team): nothing shared.
        self.team = None

    def region(self) -> str | None:
        return None

    def apply(self, plan: Plan, confirmed: Endpoint, *, reason: str | None = None) -> ChangeResult:
        if self.refuse_with is not None:
            raise self.refuse_with
        self.applied.append((plan, confirmed))
        endpoint = self.sagemaker.endpoints[confirmed.name]
        if isinstance(plan, WeightPlan):
            variants = tuple(
                dataclasses.replace(
                    v, current_weight=plan.after[v.name], desired_weight=plan.after[v.name]
                )
                for v in endpoint.variants
            )
        else:
            assert isinstance(plan, CapacityPlan)
            variants = tuple(
                dataclasses.replace(
                    v,
                    current_instance_count=plan.count_after,
                    desired_instance_count=plan.count_after,
                )
                if v.name == plan.variant
                else v
                for v in endpoint.variants
            )
        self.sagemaker.endpoints[confirmed.name] = dataclasses.replace(endpoint, variants=variants)
        if self.audit is not None and isinstance(plan, WeightPlan):
            change_id = self.audit.record_intent(
                endpoint=confirmed.name,
                kind="weights",
                source="console",
                weights_before=confirmed.desired_weights,
                weights_after=plan.after,
            )
            self.audit.record_outcome(
                change_id,
                result="applied",
                endpoint=confirmed.name,
                desired_weights_after=plan.after,
            )
        return ChangeResult("fake-change", f"arn:fake:{confirmed.name}", dict(plan.api_request()))
