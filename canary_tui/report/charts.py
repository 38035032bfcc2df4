"""A chart per metric per variant, with the changes marked, as SVG text (matplotlib, Agg).

matplotlib is imported here only, when a chart is drawn: the CLI's other commands and the
console never load it. Missing data is drawn as missing: a period CloudWatch did not answer
for (the series was not Complete) is a gap in a grey band labelled with the status, never a
zero; a latency with no requests in a period is a gap too (there was nothing to average).
A count with no datapoint where the series is complete is a zero, as CloudWatch means it.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from canary_tui.domain.metrics import METRIC_SPECS, MetricKey, Series, Span

#: Metrics whose absence in a known period means zero (a Sum of requests).
_COUNTS = frozenset(key for key, spec in METRIC_SPECS.items() if spec.stat == "Sum")
_TITLES = {
    MetricKey.INVOCATIONS: "Invocations",
    MetricKey.ERRORS_4XX: "4XX errors",
    MetricKey.ERRORS_5XX: "5XX errors",
    MetricKey.MODEL_ERRORS: "Model errors",
    MetricKey.MODEL_LATENCY_AVG: "Model latency, average",
    MetricKey.OVERHEAD_LATENCY_AVG: "Overhead latency, average",
    MetricKey.MODEL_LATENCY_P50: "Model latency, p50",
    MetricKey.MODEL_LATENCY_P99: "Model latency, p99",
}


def metric_title(key: MetricKey) -> str:
    return _TITLES.get(key, key.value)


def metric_unit(key: MetricKey) -> str:
    spec = METRIC_SPECS[key]
    return "requests per period" if spec.unit == "req" else spec.unit


@dataclass(frozen=True, slots=True)
class Marker:
    """A change on the time axis: its number in the timeline, and whether it was ours."""

    time: datetime
    label: str
    outside: bool = False
    #: For a change whose time is not known: it happened in (not_before, time].
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChartPoints:
    """One value per period (None: no value), and the stretches that are unknown."""

    times: tuple[datetime, ...]
    values: tuple[float | None, ...]
    unknown: tuple[Span, ...]
    status: str

    @property
    def has_values(self) -> bool:
        return any(value is not None for value in self.values)


def chart_points(
    series: Series,
    window: Span,
    period_seconds: int,
    *,
    count: bool,
    until: datetime | None = None,
) -> ChartPoints:
    """The series on the window's period grid: a count's known-empty period is 0, any other
    empty period has no value; unknown periods have none either, nor does an empty period
    still in progress at ``until`` (its requests may not be counted yet)."""
    periods = max(0, int((window[1] - window[0]).total_seconds()) // period_seconds)
    values = series.dense_known(window[0], period_seconds, periods, 0.0 if count else math.nan)
    step = timedelta(seconds=period_seconds)
    times = tuple(window[0] + step * index for index in range(periods))
    present = {moment for moment, _ in series.points}
    cleaned: list[float | None] = []
    for moment, value in zip(times, values, strict=True):
        in_progress = until is not None and moment + step > until and moment not in present
        missing = value is None or math.isnan(value) or in_progress
        cleaned.append(None if missing else value)
    return ChartPoints(
        times=times,
        values=tuple(cleaned),
        unknown=series.unknown,
        status=series.status.value,
    )


def svg_chart(
    points: ChartPoints,
    *,
    title: str,
    unit: str,
    markers: Sequence[Marker],
    window: Span,
    salt: str,
) -> str:
    """One line chart as SVG text; text stays text (no embedded font)."""
    # No pyplot: its global figure registry and backend switching are for interactive
    # sessions. A bare Figure draws through its own canvas, in any thread.
    import matplotlib
    from matplotlib.figure import Figure

    def x(moment: datetime) -> float:
        return (moment - window[0]).total_seconds() / 60

    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": salt, "font.size": 8, "axes.titlesize": 9}
    ):
        figure = Figure(figsize=(6.4, 2.2), dpi=100)
        axes = figure.subplots()
        xs = [x(moment) for moment in points.times]
        ys = [math.nan if value is None else value for value in points.values]
        axes.plot(xs, ys, color="#1f6feb", linewidth=1.2, marker="." if len(xs) < 30 else "")
        for span_start, span_end in points.unknown:
            axes.axvspan(
                x(max(span_start, window[0])),
                x(min(span_end, window[1])),
                color="#bbbbbb",
                alpha=0.45,
                label=f"missing ({points.status})",
            )
        for marker in markers:
            if not window[0] <= marker.time <= window[1]:
                continue
            style = "--" if marker.outside else "-"
            colour = "#d1242f" if marker.outside else "#6e40c9"
            if marker.not_before is not None:
                axes.axvspan(
                    x(max(marker.not_before, window[0])),
                    x(marker.time),
                    color=colour,
                    alpha=0.08,
                )
            axes.axvline(x(marker.time), color=colour, linestyle=style, lw=1)
            axes.annotate(
                marker.label,
                (x(marker.time), 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -10),
                textcoords="offset points",
                color=colour,
                fontsize=7,
            )
        if not points.has_values:
            axes.text(
                0.5,
                0.5,
                "no data" if not points.unknown else f"no data ({points.status})",
                transform=axes.transAxes,
                ha="center",
                va="center",
                color="#666666",
            )
        axes.set_xlim(0, x(window[1]))
        ticks = time_ticks(window)
        axes.set_xticks([x(tick) for tick in ticks], [tick_label(tick, window) for tick in ticks])
        axes.set_title(title, loc="left")
        axes.set_ylabel(unit)
        axes.set_xlabel("UTC")
        axes.grid(True, color="#eeeeee", linewidth=0.6)
        if points.unknown:
            handles, labels = axes.get_legend_handles_labels()
            unique = dict(zip(labels, handles, strict=False))
            axes.legend(unique.values(), unique.keys(), loc="upper right", fontsize=7)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


_TICK_MINUTES = (1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200)


def time_ticks(window: Span, most: int = 7) -> list[datetime]:
    """Round times (UTC) across the window, at most ``most`` of them."""
    minutes = (window[1] - window[0]).total_seconds() / 60
    step = next((s for s in _TICK_MINUTES if minutes / s <= most), _TICK_MINUTES[-1])
    epoch = window[0].timestamp()
    first = math.ceil(epoch / (step * 60)) * step * 60
    ticks = []
    moment = datetime.fromtimestamp(first, tz=UTC)
    while moment <= window[1]:
        ticks.append(moment)
        moment += timedelta(minutes=step)
    return ticks


def tick_label(moment: datetime, window: Span) -> str:
    if window[1] - window[0] > timedelta(days=1):
        return f"{moment:%m-%d %H:%M}"
    return f"{moment:%H:%M}"


_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_NAMESPACES = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def inline_svg(svg: str) -> str:
    """``svg`` for a HTML page: no XML prologue, no RDF metadata, no namespace URIs (HTML
    needs none), so the page names no http(s) address at all."""
    svg = _PROLOGUE.sub("", svg, count=1)
    svg = _METADATA.sub("", svg)
    svg = _NAMESPACES.sub("", svg)
    return svg.replace("xlink:href", "href")
