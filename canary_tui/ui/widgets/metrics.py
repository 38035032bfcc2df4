"""Per-variant sparklines with the latest value beside each (the big chart: widgets/chart.py)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Label, Sparkline, Static

from canary_tui.ui.view import MetricCell, VariantMetricsView

_CELLS = ("invocations", "error_rate", "latency")


def _latest(cell: MetricCell) -> str | Content:
    """The latest value; dimmed when it is old (no traffic in the latest period), its age
    beside it (issue 14: it read as current)."""
    if cell.age_seconds is None:
        return cell.latest
    return Content.styled(cell.latest, "dim")


class VariantMetricsRow(Horizontal):
    """One variant: name, then sparkline + latest value per metric."""

    def __init__(self, view: VariantMetricsView, index: int) -> None:
        super().__init__(id=f"metrics-row-{index}", classes="metrics-row")
        self.variant = view.variant
        self._initial = view
        #: Data that arrived before the children were mounted (two refreshes in one tick).
        self._pending: VariantMetricsView | None = None
        self._children_mounted = False

    def compose(self) -> ComposeResult:
        # Built with its data, so a new row never shows empty for a frame.
        yield Label(self.variant, classes="metric-variant")
        for cell_name in _CELLS:
            cell: MetricCell = getattr(self._initial, cell_name)
            yield Sparkline(list(cell.values), classes=f"spark spark-{cell_name}")
            yield Label(_latest(cell), classes=f"metric-value value-{cell_name}")

    def on_mount(self) -> None:
        # Mount comes after compose's children are mounted: only now can show() find them.
        self._children_mounted = True
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.show(pending)

    def show(self, view: VariantMetricsView) -> None:
        if not self._children_mounted:
            self._pending = view
            return
        for cell_name in _CELLS:
            cell: MetricCell = getattr(view, cell_name)
            sparkline = self.query_one(f".spark-{cell_name}", Sparkline)
            values = list(cell.values)
            if list(sparkline.data or []) != values:
                sparkline.data = values
            label = self.query_one(f".value-{cell_name}", Label)
            latest = _latest(cell)
            if str(label.content) != str(latest):
                # Fixed width in app.tcss: no layout pass, which would repaint every
                # scrollbar on screen for a changed number.
                label.update(latest, layout=False)


class MetricsPanel(Vertical):
    """A header line and one row per variant of the selected endpoint."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._variants: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Horizontal(id="metrics-header", classes="metrics-row"):
            yield Label("variant", classes="metric-variant")
            yield Label("invocations/min", classes="metric-heading")
            yield Label("errors 4xx+5xx %", classes="metric-heading")
            yield Label("latency avg", id="latency-heading", classes="metric-heading")
        yield Static("select an endpoint", id="metrics-empty")

    def set_latency_label(self, label: str) -> None:
        heading = self.query_one("#latency-heading", Label)
        if str(heading.content) != label:
            heading.update(label)

    def show(self, views: Sequence[VariantMetricsView], message: str | None = None) -> None:
        names = tuple(view.variant for view in views)
        if names != self._variants:
            self._variants = names
            self.query(VariantMetricsRow).remove()
            self.mount_all(VariantMetricsRow(view, index) for index, view in enumerate(views))
        else:
            self._fill(views)
        empty = self.query_one("#metrics-empty", Static)
        empty.display = message is not None
        if message is not None:
            empty.update(message)

    def _fill(self, views: Sequence[VariantMetricsView]) -> None:
        rows = list(self.query(VariantMetricsRow))
        for row, view in zip(rows, views, strict=False):
            if row.variant == view.variant:
                row.show(view)
