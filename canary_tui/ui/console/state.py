"""What the console's parts share: the endpoints as last seen, and what is selected.

Plain data with no Textual. Each part owns the rest of its state; this is only what more
than one part reads (the list, the variants pane, the metrics, the verdict, the ramps and
the change flows all need the selected endpoint as last described). Writes go through the
part that owns each field, named beside it.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from datetime import datetime

from canary_tui.domain.capacity import EndpointScaling
from canary_tui.domain.models import TRANSITIONAL_STATUSES, Endpoint, EndpointSummary
from canary_tui.ui.refresh import MetricsCache
from canary_tui.ui.view import MetricsFrame


@dataclass(slots=True)
class ConsoleView:
    #: The list as last listed, in ListEndpoints order (RefreshPart).
    summaries: dict[str, EndpointSummary] = field(default_factory=dict)
    #: Each endpoint as last described, and when (monotonic) (RefreshPart).
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    described_at: dict[str, float] = field(default_factory=dict)
    #: Application Auto Scaling limits per endpoint (RefreshPart).
    scaling: dict[str, EndpointScaling] = field(default_factory=dict)
    #: The verdict's baseline variant per endpoint: the dominant one when first seen, or
    #: the one marked with B (RefreshPart, ChangeFlows).
    baselines: dict[str, str] = field(default_factory=dict)
    #: Endpoints followed until they settle after a change or a ramp step (RefreshPart).
    following: set[str] = field(default_factory=set)
    #: The endpoint an open change dialog is about: described on the follow cadence.
    watching: str | None = None
    #: The endpoint whose variants and metrics are shown (EndpointsPart).
    selected: str | None = None
    filter_text: str = ""
    #: Metrics window and cache of the selected endpoint (MetricsPart).
    window: str = "1h"
    metrics: MetricsCache = field(default_factory=MetricsCache)
    metrics_frame: MetricsFrame | None = None
    #: When a describe showed an endpoint's weights moved since the one before (RefreshPart):
    #: how a change made outside canary-tui is noticed (see domain/split_origin.py).
    weights_seen_changed: dict[str, datetime] = field(default_factory=dict)

    @property
    def selected_endpoint(self) -> Endpoint | None:
        return self.endpoints.get(self.selected) if self.selected else None

    def visible_names(self) -> list[str]:
        needle = self.filter_text.strip().lower()
        return [name for name in self.summaries if needle in name.lower()]

    def baseline_of(self, endpoint: Endpoint) -> str | None:
        baseline = self.baselines.get(endpoint.name)
        return baseline if baseline in endpoint.variant_names else None

    def likely_canary(self, endpoint: Endpoint) -> str | None:
        """The variant with the most traffic after the baseline (◆): what `[`/`]` step
        and p promotes when nothing else says which variant is the canary."""
        baseline = self.baseline_of(endpoint) or endpoint.dominant_variant
        others = [v for v in endpoint.variants if v.name != baseline]
        return max(others, key=lambda v: v.desired_weight).name if others else baseline

    def transitional_names(self) -> list[str]:
        """What the follow describes: updating endpoints, followed ones, the watched one."""
        names = {n for n, s in self.summaries.items() if s.status in TRANSITIONAL_STATUSES}
        names |= {n for n, e in self.endpoints.items() if e.is_transitional}
        names |= self.following
        watched = {self.watching} if self.watching else set()
        return sorted(names & set(self.summaries) | self.following | watched)

    def store_description(self, endpoint: Endpoint, seen_at: datetime | None = None) -> None:
        previous = self.endpoints.get(endpoint.name)
        if (
            seen_at is not None
            and previous is not None
            and previous.desired_weights != endpoint.desired_weights
        ):
            self.weights_seen_changed[endpoint.name] = seen_at
        self.endpoints[endpoint.name] = endpoint
        self.described_at[endpoint.name] = time.monotonic()
        summary = self.summaries.get(endpoint.name)
        if summary is not None:
            # A describe is fresher than the last list for status.
            self.summaries[endpoint.name] = dataclasses.replace(summary, status=endpoint.status)
        if len(endpoint.variants) > 1 and endpoint.name not in self.baselines:
            dominant = endpoint.dominant_variant
            if dominant is not None:
                self.baselines[endpoint.name] = dominant

    def forget(self, name: str) -> None:
        self.endpoints.pop(name, None)
        self.described_at.pop(name, None)
        self.scaling.pop(name, None)
        self.following.discard(name)
        self.weights_seen_changed.pop(name, None)
        self.metrics.forget(name)

    def described_count(self) -> int:
        return sum(1 for name in self.summaries if name in self.described_at)
