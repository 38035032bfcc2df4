"""MetricsPanel rows fed before they have finished mounting (found by the soak test)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Label, Sparkline

from canary_tui.ui.view import MetricCell, VariantMetricsView
from canary_tui.ui.widgets.metrics import MetricsPanel, VariantMetricsRow


def view(variant: str, latest: float) -> VariantMetricsView:
    cell = MetricCell((1.0, latest), f"{latest:.0f}", ((-1.0, 1.0), (0.0, latest)))
    return VariantMetricsView(variant, cell, cell, cell)


class PanelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield MetricsPanel(id="metrics")


async def test_a_second_refresh_before_the_rows_have_mounted_shows_the_newer_data() -> None:
    # Two metrics results in one tick (a poll and a selection refresh landing together):
    # the second used to query the sparklines of rows still mounting, and crash the app.
    app = PanelApp()
    async with app.run_test() as pilot:
        panel = app.query_one(MetricsPanel)
        panel.show([view("current-model", 10.0), view("new-model", 20.0)])
        panel.show([view("current-model", 11.0), view("new-model", 21.0)])
        await pilot.pause()
        rows = list(panel.query(VariantMetricsRow))
        assert [row.variant for row in rows] == ["current-model", "new-model"]
        assert [
            list(row.query_one(".spark-invocations", Sparkline).data or []) for row in rows
        ] == [
            [1.0, 11.0],
            [1.0, 21.0],
        ]
        assert [str(row.query_one(".value-latency", Label).content) for row in rows] == [
            "11",
            "21",
        ]
