"""The window cut at every change of traffic split, and each piece's metrics.

A verdict is judged per interval between consecutive changes, with the split in force then.
A period in which the split changed mixes two splits, so each interval is judged from the
first whole period after its change took effect (our outcome's time) to the last whole
period before the next change was asked for. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from canary_tui.domain.metrics import MetricKey, Series, Span, VariantMetrics, VariantRef
from canary_tui.domain.quality import QualityMetric, clipped
from canary_tui.domain.split_origin import first_whole_period
from canary_tui.report.timeline import Timeline, TimelineEvent


@dataclass(frozen=True, slots=True)
class ChangeInterval:
    """[start, end) between two changes (or the window's edges)."""

    start: datetime
    end: datetime
    #: The change the interval starts with; None for the first one.
    started_by: TimelineEvent | None
    #: Traffic % in force; None when not known (an outcome unknown, an outside change whose
    #: time is not known falls inside).
    traffic: Mapping[str, float] | None
    #: Why ``traffic`` is what it is, for the verdict's note.
    traffic_note: str
    #: The whole periods the verdict reads: [judged_start, judged_end), maybe empty.
    judged_start: datetime
    judged_end: datetime

    @property
    def judged(self) -> Span:
        return (self.judged_start, self.judged_end)

    @property
    def has_whole_period(self) -> bool:
        return self.judged_start < self.judged_end


def _period_floor(moment: datetime, period_seconds: int) -> datetime:
    epoch = int(moment.timestamp()) // period_seconds * period_seconds
    return datetime.fromtimestamp(epoch, tz=UTC)


def change_intervals(
    timeline: Timeline,
    window: Span,
    period_seconds: int,
    current_traffic: Mapping[str, float],
) -> list[ChangeInterval]:
    """The window cut at every event that may have moved the split.

    ``current_traffic``: the endpoint's desired split now, used for the first interval only
    when no change in the window tells what the split was before it."""
    start, end = window
    boundaries = [e for e in timeline.events if e.moves_split and start < e.time < end]
    traffic: Mapping[str, float] | None
    if timeline.traffic_at_start is not None:
        traffic, note = timeline.traffic_at_start, "the split before the first change"
    else:
        traffic, note = current_traffic, "the endpoint's split now (no change in the window)"
    intervals: list[ChangeInterval] = []
    cursor, opened_by = start, None
    for event in [*boundaries, None]:
        until = end if event is None else min(event.time, end)
        judged_start = (
            start
            if opened_by is None
            else first_whole_period(opened_by.effective_time, period_seconds)
        )
        judged_end = _period_floor(until, period_seconds) if event is not None else end
        if event is not None and event.not_before is not None:
            # An outside change at an unknown time in here: the split is not known.
            traffic, note = None, "unknown: " + (event.note or "changed outside canary-tui")
        if until > cursor or event is None:
            intervals.append(
                ChangeInterval(
                    start=cursor,
                    end=until,
                    started_by=opened_by,
                    traffic=traffic,
                    traffic_note=note,
                    judged_start=judged_start,
                    judged_end=max(judged_start, judged_end),
                )
            )
        if event is None:
            break
        cursor, opened_by = event.time, event
        traffic = event.traffic_after
        note = f"the split {_label(event)} left"
        if not event.after_known:
            traffic, note = None, f"unknown: {_label(event)} ended {event.result}"
    return intervals


def _label(event: TimelineEvent) -> str:
    if event.change_id:
        return f"change {event.change_id[:8]}"
    return "the outside change"


def sliced(
    metrics: Mapping[VariantRef, VariantMetrics],
    span: Span,
    period_seconds: int,
    quality: Sequence[QualityMetric] = (),
) -> dict[VariantRef, VariantMetrics]:
    """Each variant's series cut to ``span``; a quality metric to its own (delayed) window
    for that span. What was unknown stays unknown."""
    windows = {
        metric.series_key(role): metric.window(span[0], span[1], period_seconds)
        for metric in quality
        for role, _ in metric.queries()
    }
    cut: dict[VariantRef, VariantMetrics] = {}
    for ref, variant in metrics.items():
        series: dict[MetricKey, Series] = {
            key: clipped(value, span) for key, value in variant.series.items()
        }
        quality_series = {
            key: clipped(value, windows.get(key, span)) for key, value in variant.quality.items()
        }
        cut[ref] = VariantMetrics(ref, series, quality_series)
    return cut
