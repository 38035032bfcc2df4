"""Typed messages thread workers post back to the screen that owns the state."""

from __future__ import annotations

from textual.message import Message

from canary_tui.domain.capacity import EndpointScaling
from canary_tui.domain.metrics import MetricsBatch
from canary_tui.domain.models import Endpoint, EndpointSummary
from canary_tui.ui.refresh import MetricsRequest


class EndpointsListed(Message):
    def __init__(self, summaries: list[EndpointSummary]) -> None:
        super().__init__()
        self.summaries = summaries


class EndpointDescribed(Message):
    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__()
        self.endpoint = endpoint


class ScalingRead(Message):
    """Application Auto Scaling's limits of one endpoint's variants (possibly unknown)."""

    def __init__(self, scaling: EndpointScaling, variants: tuple[str, ...]) -> None:
        super().__init__()
        self.scaling = scaling
        self.variants = variants


class EndpointGone(Message):
    """DescribeEndpoint said it does not exist (deleted since it was listed)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class MetricsFetched(Message):
    def __init__(self, request: MetricsRequest, batch: MetricsBatch) -> None:
        super().__init__()
        self.request = request
        self.batch = batch
