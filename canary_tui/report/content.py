"""What both renderings show, as plain text and SVG: the timeline rows, the verdicts in
words, the charts, and how the metrics were read. The Markdown and HTML writers only lay
these out. Text from outside (the audit log, AWS) goes through ``printable``; each writer
escapes it for its own format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from canary_tui.domain.metrics import METRIC_SPECS, MetricKey, Series
from canary_tui.domain.shadow_verdict import canary_label
from canary_tui.domain.text import printable
from canary_tui.domain.verdict import Verdict
from canary_tui.domain.verdict_judge import check_detail
from canary_tui.report.charts import (
    Marker,
    chart_points,
    metric_title,
    metric_unit,
    svg_chart,
)
from canary_tui.report.gather import ReportData
from canary_tui.report.timeline import TimelineEvent, short_caller

TIMELINE_HEADER = (
    "#",
    "time (UTC)",
    "source",
    "by",
    "origin",
    "change",
    "result",
    "reason",
    "note",
)


def utc(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}"


def short_utc(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def event_label(index: int) -> str:
    return f"#{index}"


def _time_text(event: TimelineEvent) -> str:
    if event.not_before is not None:
        return f"between {utc(event.not_before)} and {utc(event.time)}"
    return utc(event.time)


def timeline_rows(data: ReportData) -> list[tuple[str, ...]]:
    """A row per event, in the order of ``TIMELINE_HEADER``; every cell printable."""
    rows = []
    for index, event in enumerate(data.timeline.events, start=1):
        change = event.summary if event.kind != "capacity" else f"capacity: {event.summary}"
        if event.change_id:
            change = f"{change} ({event.change_id[:8]})"
        cells = (
            event_label(index),
            _time_text(event),
            event.source,
            short_caller(event.who) or "-",
            event.origin,
            change,
            event.result,
            event.reason or "-",
            event.note or "-",
        )
        rows.append(tuple(printable(cell, 400) for cell in cells))
    return rows


def markers(data: ReportData) -> list[Marker]:
    """The changes that may have moved something, numbered as in the timeline."""
    found = []
    for index, event in enumerate(data.timeline.events, start=1):
        if event.result.startswith(("refused", "not-applied")):
            continue
        found.append(
            Marker(event.time, event_label(index), event.kind == "outside", event.not_before)
        )
    return found


def verdict_lines(verdict: Verdict) -> list[str]:
    """The verdict and its why: per canary, each check with its reason and detail."""
    lines = [
        f"{verdict.outcome.value}: {verdict.reason}" if verdict.reason else verdict.outcome.value
    ]
    for canary in verdict.canaries:
        score = f" ({canary.score.text()})" if canary.score is not None else ""
        label = canary_label(verdict, canary.variant)
        lines.append(f"{label} vs {canary.baseline}: {canary.outcome.value}{score}")
        for check in canary.checks:
            lines.append(
                f"  {check.name}: {check.outcome.value} ({check.classification}) {check.reason}"
            )
            lines += [f"    - {line}" for line in check_detail(check)]
    lines += [f"note: {note}" for note in verdict.notes]
    return [printable(line) for line in lines]


@dataclass(frozen=True, slots=True)
class Chart:
    metric: str
    variant: str
    #: File-name friendly: ``invocations-new-model``.
    slug: str
    svg: str
    #: "complete", or what is missing ("PartialData: 12:00-12:30 missing").
    status: str


def _series_status(series: Series) -> str:
    if series.complete:
        return "complete"
    spans = ", ".join(f"{short_utc(a)}-{short_utc(b)}" for a, b in series.unknown)
    return f"{series.status.value}: {spans} missing (NODATA for checks using it)"


def _slug(*parts: str) -> str:
    text = "-".join(parts).lower()
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


def charts(data: ReportData) -> list[Chart]:
    """A chart per metric per variant (quality series too), metric by metric."""
    keys: Sequence[MetricKey] = [
        key
        for key, spec in METRIC_SPECS.items()
        if not spec.is_percentile or data.batch.percentiles_available
    ]
    marks = markers(data)
    found: list[Chart] = []
    wanted: list[tuple[str, str, str, bool, str]] = [
        (metric_title(key), metric_unit(key), key.value, key in _counts(), "series") for key in keys
    ]
    for metric in data.thresholds.quality:
        for role, name in metric.queries():
            wanted.append(
                (f"{metric.name}: {name}", metric.statistic, metric.series_key(role), False, "q")
            )
    for title, unit, key, count, kind in wanted:
        for ref, variant in data.batch.variants.items():
            if kind == "series":
                series = variant.get(MetricKey(key))
            else:
                series = variant.quality.get(key, Series())
            slug = _slug(key, ref.variant)
            points = chart_points(
                series, data.window, data.period_seconds, count=count, until=data.asked[1]
            )
            svg = svg_chart(
                points,
                title=f"{title} - {ref.variant}",
                unit=unit,
                markers=marks,
                window=data.window,
                salt=slug,
            )
            found.append(Chart(title, ref.variant, slug, svg, _series_status(series)))
    return found


def _counts() -> frozenset[MetricKey]:
    return frozenset(key for key, spec in METRIC_SPECS.items() if spec.stat == "Sum")


def metrics_note(data: ReportData) -> str:
    """How the metrics were read, with the number of calls."""
    batch = data.batch
    queries = data.series_queries
    extra = batch.api_calls - data.series_calls
    text = (
        f"GetMetricData calls: {batch.api_calls} for {queries} series queries "
        f"({len(data.variants)} variant{'s' * (len(data.variants) != 1)}, "
        f"period {data.period_seconds}s): "
        f"ceil({queries}/500) = {data.series_calls}"
    )
    if extra > 0:
        text += (
            f", and {extra} more: the gateway's one-time check whether CloudWatch computes "
            "percentiles (and, where it does, the p50/p99 queries), or answers paged with "
            "NextToken"
        )
    if not batch.percentiles_available:
        text += "; no percentiles from this backend: latency p50/p99 not shown"
    if batch.messages:
        text += "; CloudWatch said: " + "; ".join(batch.messages)
    return printable(text)
