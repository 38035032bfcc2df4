"""The report's parts in order, format-neutral: a heading, then paragraphs, tables, verdict
blocks and charts. ``render_html`` and ``render_md`` lay out the same list, so the two
formats cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass, field

from canary_tui.domain.text import printable
from canary_tui.report.content import (
    TIMELINE_HEADER,
    Chart,
    charts,
    metrics_note,
    timeline_rows,
    utc,
    verdict_lines,
)
from canary_tui.report.gather import ReportData
from canary_tui.report.intervals import ChangeInterval

#: The section headings, in order (tests look for them).
SECTION_TITLES = ("Summary", "Timeline of changes", "Verdicts", "Charts", "How this was read")


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class VerdictBlock:
    title: str
    lines: tuple[str, ...]
    outcome: str


@dataclass(slots=True)
class Section:
    title: str
    #: In order: str (a paragraph), Table, VerdictBlock, or (metric heading, [Chart]).
    parts: list[object] = field(default_factory=list)


def _split_text(traffic: object) -> str:
    if not isinstance(traffic, dict) or not traffic:
        return "unknown"
    return ", ".join(f"{name} {share:.1f}%" for name, share in traffic.items())


def _interval_title(index: int, interval: ChangeInterval) -> str:
    started = "window start" if interval.started_by is None else "change"
    judged = (
        f"judged {utc(interval.judged_start)} to {utc(interval.judged_end)}"
        if interval.has_whole_period
        else "no whole period"
    )
    traffic = _split_text(dict(interval.traffic) if interval.traffic is not None else None)
    return printable(
        f"Interval {index}: {utc(interval.start)} to {utc(interval.end)} "
        f"(from the {started}; split {traffic}; {judged})"
    )


def build_sections(data: ReportData) -> list[Section]:
    endpoint = data.endpoint
    summary = Section("Summary")
    summary.parts.append(
        Table(
            ("", ""),
            tuple(
                (key, printable(value))
                for key, value in (
                    ("endpoint", endpoint.name),
                    ("where", data.target or "-"),
                    ("window asked (UTC)", f"{utc(data.asked[0])} to {utc(data.asked[1])}"),
                    ("periods read (UTC)", f"{utc(data.window[0])} to {utc(data.window[1])}"),
                    ("period", f"{data.period_seconds}s"),
                    ("status now", endpoint.status),
                    ("split now (desired)", _split_text(endpoint.desired_traffic_shares)),
                    (
                        "verdict over the window",
                        data.verdict.outcome.value if data.verdict else "not judged",
                    ),
                    ("changes in the timeline", str(len(data.timeline.events))),
                    ("generated (UTC)", utc(data.generated_at)),
                )
            ),
        )
    )
    timeline = Section("Timeline of changes")
    timeline.parts.append(
        printable(
            f"Sources: {', '.join(data.timeline.sources)}. A change made outside "
            "canary-tui is dated and named by CloudTrail where it was read; otherwise it is "
            "inferred from the audit log and DescribeEndpoint, between two known moments."
        )
    )
    timeline.parts += [printable(problem) for problem in data.timeline.problems]
    rows = timeline_rows(data)
    if rows:
        timeline.parts.append(Table(TIMELINE_HEADER, tuple(rows)))
    else:
        timeline.parts.append("No change recorded in the window.")
    verdicts = Section("Verdicts")
    if data.verdict is not None:
        verdicts.parts.append(
            VerdictBlock(
                "The whole window",
                tuple(verdict_lines(data.verdict)),
                data.verdict.outcome.value,
            )
        )
    else:
        verdicts.parts.append("Not judged: the endpoint has one variant and no shadow.")
    for index, judged in enumerate(data.interval_verdicts, start=1):
        title = _interval_title(index, judged.interval)
        if judged.verdict is None:
            verdicts.parts.append(VerdictBlock(title, (judged.why or "not judged",), "-"))
        else:
            lines = tuple(verdict_lines(judged.verdict))
            verdicts.parts.append(VerdictBlock(title, lines, judged.verdict.outcome.value))
    chart_section = Section("Charts")
    chart_section.parts.append(
        "One chart per metric per variant. Vertical lines are the changes, numbered as in "
        "the timeline (dashed red: made outside canary-tui; a shaded stretch before one: its "
        "time is known only to lie there). A grey band is a stretch CloudWatch did not "
        "answer completely: missing, never zero."
    )
    by_metric: dict[str, list[Chart]] = {}
    for chart in charts(data):
        by_metric.setdefault(chart.metric, []).append(chart)
    chart_section.parts += list(by_metric.items())
    method = Section("How this was read")
    method.parts.append(metrics_note(data))
    method.parts.append(
        "Verdicts use the same code as `canary-tui verdict`, on these series only (no further "
        "call): the latency ratio uses the per-period p99s (or averages), as the console's "
        "verdict panel does, not a p99 over the whole window. Each interval is judged on the "
        "whole periods between two changes; a period a change fell in mixes two splits."
    )
    return [summary, timeline, verdicts, chart_section, method]
