"""The big comparison chart (plotext).

Its own module because textual-plotext takes ~15 ms to import: the console creates the chart
only when it is shown (from 36 rows up, or on ``g``), so an 80x24 console never waits for it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from textual.app import RenderResult
from textual.color import Color, ColorParseError
from textual.markup import escape
from textual_plotext import PlotextPlot

#: Rows of the widget that are not plot: border (2), title, frame (2), x ticks, x label.
_CHROME_ROWS = 7
#: Columns of the widget that are not plot: border (2), y tick labels and the frame (~8).
_Y_LABEL_COLUMNS = 10


def nice_step(span: float, ticks: int) -> float:
    """The round step (1, 2, 2.5 or 5 times a power of ten) that cuts ``span`` into about
    ``ticks`` parts."""
    if span <= 0 or ticks <= 0:
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * power:
            return factor * power
    return 10.0 * power


def tick_label(value: float, step: float) -> str:
    """2500 -> "2,500", 0.25 -> "0.25": as many decimals as the step needs, no more."""
    decimals = next((d for d in range(7) if abs(round(step, d) - step) < step * 1e-6), 6)
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def y_axis(low: float, high: float, rows: int) -> tuple[float, float, list[float]]:
    """Limits and round ticks (one every other row, about) for data in [low, high] on a
    plot ``rows`` high."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    step = nice_step(high - low, max(2, rows * 2 // 3))
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    count = round((top - bottom) / step)
    return bottom, top, [round(bottom + index * step, 9) for index in range(count + 1)]


#: Steps an operator reads as time: minutes, quarter and half hours, hours, days.
_MINUTE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)


def x_axis(low: float, columns: int) -> tuple[float, list[float]]:
    """The x limit on the left and round ticks (about one per 12 columns) for minutes before
    now from ``low`` up to now (0): the axis always ends at now, so an empty last minute shows
    as a gap, and the ticks are whole multiples of a round step inside it."""
    low = min(low, -1.0)
    wanted = -low / max(2, columns // 12)
    step = next((m for m in _MINUTE_STEPS if m >= wanted), _MINUTE_STEPS[-1])
    first = math.ceil(low / step - 1e-9) * step
    count = round(-first / step)
    return low, [round(first + index * step, 9) for index in range(count + 1)]


def _series_colors(theme_colors: Sequence[str | None]) -> list[tuple[int, int, int]]:
    colors = []
    for value in theme_colors:
        if value:
            try:
                colors.append(Color.parse(value).rgb)
            except ColorParseError:
                continue
    return colors or [(0, 135, 255), (255, 135, 0), (0, 175, 95)]


class MetricChart(PlotextPlot):
    """Compares the variants on one metric over the window. Owns its own ``plt``.

    The legend is the border title (plotext draws its own over the lines): each variant's
    name in its line's colour, taken from the theme."""

    _y_range: tuple[float, float] | None = None
    #: The earliest x drawn (minutes before now, negative).
    _x_low: float | None = None
    #: The title last drawn (what a test reads; plotext keeps it inside its figure).
    shown_title: str = ""

    def show(self, title: str, series: dict[str, Sequence[tuple[float, float]]]) -> None:
        self.shown_title = title
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel("minutes before now")
        theme = self.app.current_theme
        colors = _series_colors([theme.primary, theme.warning, theme.success, theme.secondary])
        drawn = [(variant, points) for variant, points in series.items() if points]
        legend = ["Chart"]
        for index, (variant, points) in enumerate(drawn):
            color = colors[index % len(colors)]
            xs = [x for x, _ in points]
            ys = [y for _, y in points]
            plt.plot(xs, ys, marker="braille", color=color)
            legend.append(f"[{Color(*color).hex}]━━[/] {escape(variant)}")
        values = [y for _, points in drawn for _, y in points]
        self._y_range = (min(values), max(values)) if values else None
        self._x_low = min((x for _, points in drawn for x, _ in points), default=None)
        if not drawn:
            plt.title(f"{title} · no datapoints yet")
        border_title = " · ".join(legend)
        if self.border_title != border_title:
            self.border_title = border_title
        self.refresh()

    def render(self) -> RenderResult:
        # The ticks follow the rows the chart has now (it is drawn again on a resize).
        if self._y_range is not None:
            rows = max(self.size.height - _CHROME_ROWS, 4)
            bottom, top, ticks = y_axis(*self._y_range, rows)
            step = ticks[1] - ticks[0]
            self.plt.ylim(bottom, top)
            self.plt.yticks(ticks, [tick_label(tick, step) for tick in ticks])
        if self._x_low is not None:
            # Round minutes (-60, -45, ... 0), not plotext's even cuts of the data (-45.5).
            left, ticks = x_axis(self._x_low, max(self.size.width - _Y_LABEL_COLUMNS, 12))
            step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
            self.plt.xlim(left, 0)
            self.plt.xticks(ticks, [tick_label(tick, step) for tick in ticks])
        return super().render()
