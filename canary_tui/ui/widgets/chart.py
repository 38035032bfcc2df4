"""The big comparison chart (plotext).

Its own module because textual-plotext takes ~15 ms to import: the console creates the chart
only when it is shown (from 36 rows up, or on ``g``), so an 80x24 console never waits for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot


class MetricChart(PlotextPlot):
    """Compares the variants on one metric over the window. Owns its own ``plt``."""

    def show(self, title: str, series: dict[str, Sequence[tuple[float, float]]]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel("minutes before now")
        drawn = False
        for variant, points in series.items():
            if not points:
                continue
            xs = [x for x, _ in points]
            ys = [y for _, y in points]
            plt.plot(xs, ys, label=variant, marker="braille")
            drawn = True
        if not drawn:
            plt.title(f"{title} · no datapoints yet")
        self.refresh()
