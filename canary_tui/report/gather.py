"""Everything a report shows, read once: the endpoint (one DescribeEndpoint), the timeline
(its sources), and every variant's metrics over the window (one ``CloudWatchGateway.fetch``:
ceil(queries/500) GetMetricData calls, plus the gateway's one-time percentile probe); then
the verdicts, computed from those metrics with no further call."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from canary_tui.aws.cloudwatch import CloudWatchGateway
from canary_tui.aws.metric_queries import MAX_QUERIES_PER_CALL
from canary_tui.domain.metrics import BASE_METRICS, MetricsBatch, Span, VariantRef
from canary_tui.domain.models import Endpoint
from canary_tui.domain.shadow_verdict import metric_variant_names
from canary_tui.domain.verdict import Verdict, VerdictThresholds
from canary_tui.report.intervals import ChangeInterval, change_intervals
from canary_tui.report.timeline import Timeline, TimelineSource, build_timeline
from canary_tui.report.verdicts import IntervalVerdict, interval_verdicts, window_verdict


@dataclass(frozen=True, slots=True)
class ReportData:
    endpoint: Endpoint
    #: The window asked for, and the whole periods read: [start, end).
    asked: Span
    window: Span
    period_seconds: int
    timeline: Timeline
    intervals: tuple[ChangeInterval, ...]
    batch: MetricsBatch
    #: Queries the series took (one per metric per variant, quality series included).
    series_queries: int
    verdict: Verdict | None
    interval_verdicts: tuple[IntervalVerdict, ...]
    thresholds: VerdictThresholds
    generated_at: datetime
    #: Where it was read: profile and region, for the header.
    target: str = ""

    @property
    def variants(self) -> tuple[VariantRef, ...]:
        return tuple(self.batch.variants)

    @property
    def series_calls(self) -> int:
        """ceil(queries / 500): the calls the series need when no answer is paged."""
        return math.ceil(self.series_queries / MAX_QUERIES_PER_CALL)


def gather(
    endpoint: Endpoint,
    cloudwatch: CloudWatchGateway,
    sources: Sequence[TimelineSource],
    *,
    asked: Span,
    window: Span,
    period_seconds: int,
    thresholds: VerdictThresholds,
    generated_at: datetime,
    baseline: str | None = None,
    target: str = "",
) -> ReportData:
    """``window``: ``asked`` on whole periods (``domain.metrics.aligned_window`` rules)."""
    timeline = build_timeline(endpoint, asked, sources)
    intervals = change_intervals(timeline, window, period_seconds, endpoint.desired_traffic_shares)
    refs = [VariantRef(endpoint.name, name) for name in metric_variant_names(endpoint)]
    cloudwatch.note_endpoint(endpoint)
    batch = cloudwatch.fetch(refs, window[0], window[1], period_seconds, quality=thresholds.quality)
    per_variant = len(BASE_METRICS) + sum(len(m.queries()) for m in thresholds.quality)
    if endpoint.asynchronous:
        per_variant += 1  # Invocations is asked under both of its spellings (see the gateway)
    queries = per_variant * len(refs)
    verdict = window_verdict(
        endpoint,
        batch.variants,
        intervals,
        window=window,
        period_seconds=period_seconds,
        thresholds=thresholds,
        baseline=baseline,
    )
    per_interval = interval_verdicts(
        endpoint,
        batch.variants,
        intervals,
        period_seconds=period_seconds,
        thresholds=thresholds,
        baseline=baseline,
    )
    return ReportData(
        endpoint=endpoint,
        asked=asked,
        window=window,
        period_seconds=period_seconds,
        timeline=timeline,
        intervals=tuple(intervals),
        batch=batch,
        series_queries=queries,
        verdict=verdict,
        interval_verdicts=tuple(per_interval),
        thresholds=thresholds,
        generated_at=generated_at,
        target=target,
    )
