"""The parts of the backend the console uses, as protocols.

The real :class:`canary_tui.aws.backend.Backend` satisfies them; fast UI tests pass a small
fake of the same shape, and moto-backed tests cover the same flows with the real one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from canary_tui.audit import AuditReading
from canary_tui.change_guards import AnyPlan
from canary_tui.changes import ChangeResult
from canary_tui.domain.capacity import EndpointScaling
from canary_tui.domain.kind_metrics import KindRef
from canary_tui.domain.metrics import MetricsBatch, VariantRef
from canary_tui.domain.models import Endpoint, EndpointSummary
from canary_tui.domain.quality import QualityMetric


class EndpointReader(Protocol):
    def list_endpoints(self) -> list[EndpointSummary]: ...

    def describe_endpoint(self, name: str) -> Endpoint: ...


class MetricsReader(Protocol):
    def fetch(
        self,
        refs: Sequence[VariantRef],
        start: datetime,
        end: datetime,
        period_seconds: int,
        quality: Sequence[QualityMetric] = (),
        quality_not_before: datetime | None = None,
        kind: Sequence[KindRef] = (),
    ) -> MetricsBatch: ...


class MultiModelReader(Protocol):
    def multi_model_variants(self, endpoint: Endpoint) -> frozenset[str]: ...


def multi_model_variants(reader: object, endpoint: Endpoint) -> frozenset[str]:
    """The endpoint's multi-model variants by the metrics reader, if it can tell (a fake
    reader need not: then none, and no multi-model metric is asked)."""
    if not hasattr(reader, "multi_model_variants"):
        return frozenset()
    detector: MultiModelReader = reader  # type: ignore[assignment]
    return detector.multi_model_variants(endpoint)


class ScalingReader(Protocol):
    def endpoint_scaling(self, endpoint: str, variants: Sequence[str]) -> EndpointScaling: ...


def scaling_reader(backend: object) -> ScalingReader | None:
    """The backend's Application Auto Scaling reader; None for a backend without one (then
    the min-max column stays ``?``). Optional so a backend need not know about scaling."""
    reader = getattr(backend, "autoscaling", None)
    return reader if hasattr(reader, "endpoint_scaling") else None


class ConsoleBackend(Protocol):
    @property
    def sagemaker(self) -> EndpointReader: ...

    @property
    def cloudwatch(self) -> MetricsReader: ...

    @property
    def label(self) -> str: ...

    def reset_credentials(self) -> None:
        """Forget sessions so the next call resolves credentials afresh (after a login)."""
        ...


class AuditReader(Protocol):
    """The audit log (:class:`canary_tui.audit.AuditLog`). Blocking: reads a file."""

    def read(self, endpoint: str | None = None) -> AuditReading: ...

    def read_unfinished(self, endpoint: str | None = None) -> AuditReading: ...


class ChangeApplier(Protocol):
    """The guarded change path (:class:`canary_tui.changes.ChangeService`). Blocking."""

    def apply(
        self, plan: AnyPlan, confirmed: Endpoint, *, reason: str | None = None
    ) -> ChangeResult: ...
