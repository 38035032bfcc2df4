"""The selected endpoint's metrics: the fetch (from the read workers), the cache, the
metrics pane, the big chart, the window and the chart's metric.

The chart exists from the first time it is shown (from 36 rows, or on ``g``/``m``): an
80x24 console never imports plotext. Each render ends by calling ``on_rendered``, which
the screen uses to redraw what depends on the metrics (verdict, markers, ramp).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from textual.widget import Widget

from canary_tui.domain.kind_metrics import kind_refs
from canary_tui.domain.metrics import VariantRef
from canary_tui.domain.models import Endpoint
from canary_tui.domain.shadow_verdict import metric_variant_names
from canary_tui.ui.console.state import ConsoleView
from canary_tui.ui.kind_metrics_view import kind_lines
from canary_tui.ui.messages import MetricsFetched
from canary_tui.ui.ports import multi_model_variants
from canary_tui.ui.quality_view import quality_cells, quality_chart_title, quality_heading
from canary_tui.ui.refresh import (
    WINDOW_NAMES,
    MetricsRequest,
    endpoint_period,
    latency_label,
    period_note,
)
from canary_tui.ui.view import (
    CHART_METRICS,
    ChartMetric,
    MetricsFrame,
    chart_title,
    variant_metrics_view,
)
from canary_tui.ui.widgets.endpoint_list import EndpointList
from canary_tui.ui.widgets.footer import KeyFooter
from canary_tui.ui.widgets.metrics import SHADOW_MARK, MetricsPanel
from canary_tui.ui.widgets.tables import VariantsTable
from canary_tui.ui.widgets.titles import set_border_titles

if TYPE_CHECKING:
    from canary_tui.ui.screens.console import ConsoleScreen
    from canary_tui.ui.widgets.chart import MetricChart

#: From this many rows the chart is shown at start (unless the show_chart setting says).
CHART_MIN_HEIGHT = 36


def new_chart() -> MetricChart:
    from canary_tui.ui.widgets.chart import MetricChart

    chart = MetricChart(id="chart", classes="pane")
    chart.border_title = "Chart"
    return chart


class MetricsPart:
    def __init__(
        self, screen: ConsoleScreen, view: ConsoleView, on_rendered: Callable[[], None]
    ) -> None:
        self.screen = screen
        self.view = view
        self.on_rendered = on_rendered
        self.chart_metric: ChartMetric | str = CHART_METRICS[0]
        #: (had the focus, was given it) when showing the chart hid the focused pane.
        self._focus_hidden_by_chart: tuple[Widget, Widget] | None = None

    # -- the chart ------------------------------------------------------------------------
    def chart_at_start(self) -> bool:
        show_chart = self.screen.options.show_chart
        if show_chart is None:
            return self.screen.app.size.height >= CHART_MIN_HEIGHT
        return show_chart

    @property
    def chart_shown(self) -> bool:
        return self.screen.has_class("-chart")

    def chart(self, *, create: bool = False) -> MetricChart | None:
        """The big chart if it exists; ``create``: make it now, above the footer."""
        chart = cast("MetricChart | None", self.screen.query_one_optional("#chart"))
        if chart is not None or not create:
            return chart
        chart = new_chart()
        self.screen.mount(chart, before=self.screen.query_one(KeyFooter))
        return chart

    def cycle_metric(self) -> None:
        # The built-in metrics, then each configured quality metric by name.
        choices = (*CHART_METRICS, *(m.name for m in self.screen.options.quality_metrics))
        index = choices.index(self.chart_metric) if self.chart_metric in choices else -1
        self.chart_metric = choices[(index + 1) % len(choices)]
        if not self.chart_shown:
            self.show_chart(True)
        self.render()

    def toggle_chart(self) -> None:
        self.show_chart(not self.chart_shown)
        if self.chart_shown and self.chart() is None:
            self.render()  # creates and fills it

    def show_chart(self, shown: bool) -> None:
        had_focus = self.screen.focused
        self.screen.set_class(shown, "-chart")
        self.screen.call_after_refresh(self.keep_a_table_focused, had_focus)

    def keep_a_table_focused(self, had_focus: Widget | None) -> None:
        """On a short terminal the chart takes the endpoints pane's place, and Textual drops
        the focus of a widget it hides: the arrows would do nothing. Give the focus to the
        first table on screen, and back to where it was when the chart goes."""
        screen = self.screen
        taken = self._focus_hidden_by_chart
        if not self.chart_shown and taken is not None:
            self._focus_hidden_by_chart = None
            owner, stand_in = taken
            if screen.focused in (stand_in, None) and owner in screen.focus_chain:
                owner.focus()
                return
        if screen.focused is not None:
            return
        tables = [w for w in screen.focus_chain if isinstance(w, EndpointList | VariantsTable)]
        if not tables:
            return
        if self.chart_shown and had_focus is not None:
            self._focus_hidden_by_chart = (had_focus, tables[0])
        tables[0].focus()

    # -- the window -----------------------------------------------------------------------
    def set_window(self, window: str) -> bool:
        """True when the window changed (the caller refetches)."""
        if window == self.view.window or window not in WINDOW_NAMES:
            return False
        self.view.window = window
        self.view.metrics_frame = None
        self.render()
        return True

    # -- fetch (from a read worker's thread) and merge (on the event loop) ------------------
    def fetch(self, endpoint: Endpoint, window: str) -> None:
        if not endpoint.variants:
            return
        screen = self.screen
        cloudwatch = screen.backend.cloudwatch
        # What only its kind publishes (cold starts, queue, model cache, components).
        kind = kind_refs(endpoint, multi_model_variants(cloudwatch, endpoint))
        # The cache lives on the event loop; ask it there what this fetch must cover.
        request: MetricsRequest = screen.app.call_from_thread(
            self.view.metrics.request,
            endpoint.name,
            metric_variant_names(endpoint),  # shadow variants too, in the same calls
            screen.clock(),
            window,
            # Its MetricsConfig's publish period (enhanced metrics: 10 s to 5 min).
            endpoint_period(endpoint, screen.options.metric_period_seconds),
            kind,
        )
        # Only what is asked for, so a reader without quality or kind metrics works too.
        asked: dict[str, Any] = {}
        if screen.options.quality_metrics:
            asked["quality"] = screen.options.quality_metrics
        if request.kind:
            asked["kind"] = request.kind
        batch = cloudwatch.fetch(
            request.refs, request.start, request.end, request.period_seconds, **asked
        )
        screen.post_message(MetricsFetched(request, batch))

    def fetched(self, message: MetricsFetched) -> None:
        request = message.request
        if request.window != self.view.window:
            return  # the window changed while this was in flight; a new fetch is coming
        self.view.metrics.merge(request, message.batch, self.quality_reach(request.period_seconds))
        if request.endpoint == self.view.selected:
            self.view.metrics_frame = MetricsFrame(
                request.window_start, request.end, request.period_seconds
            )
            self.render()

    def quality_reach(self, period: int) -> dict[str, timedelta]:
        """How far before the window each quality series reaches (its delay, whole periods)."""
        reach: dict[str, timedelta] = {}
        for metric in self.screen.options.quality_metrics:
            shift = timedelta(seconds=-(-metric.delay_seconds // period) * period)
            for role, _ in metric.queries():
                reach[metric.series_key(role)] = shift
        return reach

    # -- render ---------------------------------------------------------------------------
    def render(self) -> None:
        view = self.view
        panel = self.screen.query_one(MetricsPanel)
        chart = self.chart(create=self.chart_shown)
        percentiles = view.metrics.percentiles_available
        panel.set_latency_label(f"{latency_label(percentiles)} ms")
        shown = view.selected_endpoint
        legend = f" · {SHADOW_MARK} shadow" if shown is not None and shown.shadow_variants else ""
        period = period_note(view.metrics_frame.period_seconds) if view.metrics_frame else ""
        set_border_titles(
            panel, f"Metrics · last {view.window}{period}{legend}", panel.border_subtitle
        )
        quality = self.screen.options.quality_metrics
        panel.set_quality_headings([quality_heading(metric) for metric in quality])
        charted = next((m for m in quality if m.name == self.chart_metric), None)
        if isinstance(self.chart_metric, ChartMetric) or charted is None:
            metric = self.chart_metric if isinstance(self.chart_metric, ChartMetric) else None
            title = chart_title(metric or CHART_METRICS[0], percentiles, view.window)
        else:
            title = quality_chart_title(charted, view.window)
        title += period
        endpoint = view.selected_endpoint
        frame = view.metrics_frame
        if endpoint is None or frame is None or not view.metrics.has(endpoint.name):
            panel.show(
                [],
                self.screen.endpoints_part.empty_text()
                if view.selected is None
                else "loading metrics…",
            )
            panel.set_kind_lines([])
            if chart is not None:
                chart.show(title, {})
            self.on_rendered()
            return
        views = [
            replace(
                variant_metrics_view(variant, metrics, frame, percentiles),
                quality=quality_cells(metrics, frame, quality),
            )
            for variant in metric_variant_names(endpoint)
            for metrics in (view.metrics.get(VariantRef(endpoint.name, variant)),)
        ]
        shadows = frozenset(variant.name for variant in endpoint.shadow_variants)
        panel.show(views, shadows=shadows)
        panel.set_kind_lines(
            kind_lines(view.metrics.kind_series(endpoint.name), frame, view.window)
        )
        if chart is not None:
            chart.show(
                title,
                {
                    f"{v.variant} (shadow)" if v.variant in shadows else v.variant: v.cell(
                        self.chart_metric
                    ).points
                    for v in views
                },
            )
        self.on_rendered()
