"""Per-variant sparklines with the latest value beside each (the big chart: widgets/chart.py)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Label, Sparkline, Static

from canary_tui.ui.view import MetricCell, VariantMetricsView

_CELLS = ("invocations", "error_rate", "latency")
#: Before a shadow variant's name: its metrics are of a copy of production's requests.
SHADOW_MARK = "↳"
#: Shorter forms of the built-in headings, longest first: a pane too narrow for the full one
#: (80 columns with a quality metric) shows the longest that fits instead of cutting it to
#: "invocations/m…".
_SHORTER = {
    "invocations/min": ("requests/min", "req/min"),
    "errors 4xx+5xx %": ("4xx+5xx %", "err %"),
}


def heading_forms(text: str) -> tuple[str, ...]:
    """``text`` and its shorter forms, longest first."""
    if text in _SHORTER:
        return (text, *_SHORTER[text])
    forms = [text]
    if text.startswith("latency "):  # "latency p99 ms" -> "p99 ms"
        forms.append(text.removeprefix("latency "))
    if text.endswith(")") and " (" in text:  # "accuracy % (-30m)" -> "accuracy %"
        forms.append(text[: text.rindex(" (")])
    return tuple(forms)


def fitting(text: str, width: int) -> str:
    """The longest form of a heading that fits ``width`` cells (the shortest otherwise)."""
    forms = heading_forms(text)
    return next((form for form in forms if len(form) <= width), forms[-1])


def _cells(view: VariantMetricsView) -> list[tuple[str, MetricCell]]:
    """The built-in cells, then one per quality metric (``q0``, ``q1``...)."""
    cells: list[tuple[str, MetricCell]] = [(name, getattr(view, name)) for name in _CELLS]
    cells += [(f"q{index}", cell) for index, (_, cell) in enumerate(view.quality)]
    return cells


def _latest(cell: MetricCell) -> str | Content:
    """The latest value; dimmed when it is old (no traffic in the latest period), its age
    beside it (issue 14: it read as current)."""
    if cell.age_seconds is None:
        return cell.latest
    return Content.styled(cell.latest, "dim")


class VariantMetricsRow(Horizontal):
    """One variant: name, then sparkline + latest value per metric."""

    def __init__(self, view: VariantMetricsView, index: int, *, shadow: bool = False) -> None:
        super().__init__(
            id=f"metrics-row-{index}", classes="metrics-row -shadow" if shadow else "metrics-row"
        )
        self.variant = view.variant
        #: A shadow variant (a sampled copy of production traffic): its name is marked.
        self.shadow = shadow
        self._initial = view
        #: Data that arrived before the children were mounted (two refreshes in one tick).
        self._pending: VariantMetricsView | None = None
        self._children_mounted = False

    def compose(self) -> ComposeResult:
        # Built with its data, so a new row never shows empty for a frame.
        name = f"{SHADOW_MARK}{self.variant}" if self.shadow else self.variant
        yield Label(name, classes="metric-variant")
        for cell_name, cell in _cells(self._initial):
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
        for cell_name, cell in _cells(view):
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


class MetricHeading(Label):
    """A column heading that shortens itself to its width rather than being cut."""

    def __init__(self, text: str, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(text, id=id, classes=f"metric-heading {classes}".strip())
        self.text = text

    def set_text(self, text: str) -> None:
        self.text = text
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        width = self.content_region.width or len(self.text)
        shown = fitting(self.text, width)
        if str(self.content) != shown:
            self.update(shown)


class MetricsPanel(Vertical):
    """A header line and one row per variant of the selected endpoint."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._variants: tuple[tuple[str, bool], ...] = ()
        self._quality_headings: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Horizontal(id="metrics-header", classes="metrics-row"):
            yield Label("variant", classes="metric-variant")
            yield MetricHeading("invocations/min")
            yield MetricHeading("errors 4xx+5xx %")
            yield MetricHeading("latency avg", id="latency-heading")
        yield Static("select an endpoint", id="metrics-empty")
        # What only this kind of endpoint publishes (ui/kind_metrics_view.py); hidden if none.
        yield Static("", id="kind-metrics")

    def on_mount(self) -> None:
        self.query_one("#kind-metrics", Static).display = False

    def set_kind_lines(self, lines: Sequence[str]) -> None:
        """Cold starts, the queue, the model cache, components: one line each (none: hidden)."""
        text = "\n".join(lines)
        kind = self.query_one("#kind-metrics", Static)
        kind.display = bool(lines)
        if str(kind.content) != text:
            kind.update(Content(text))

    def set_latency_label(self, label: str) -> None:
        self.query_one("#latency-heading", MetricHeading).set_text(label)

    def set_quality_headings(self, headings: Sequence[str]) -> None:
        """A heading per quality metric after the built-in ones (none: none configured)."""
        if tuple(headings) == self._quality_headings:
            return
        self._quality_headings = tuple(headings)
        header = self.query_one("#metrics-header", Horizontal)
        header.query(".quality-heading").remove()
        header.mount_all(MetricHeading(text, classes="quality-heading") for text in headings)
        self._variants = ()  # the rows are built again with their quality cells

    def show(
        self,
        views: Sequence[VariantMetricsView],
        message: str | None = None,
        *,
        shadows: frozenset[str] = frozenset(),
    ) -> None:
        """``shadows``: the variants that are shadow variants (marked with ``SHADOW_MARK``)."""
        names = tuple((view.variant, view.variant in shadows) for view in views)
        if names != self._variants:
            self._variants = names
            self.query(VariantMetricsRow).remove()
            self.mount_all(
                (
                    VariantMetricsRow(view, index, shadow=view.variant in shadows)
                    for index, view in enumerate(views)
                ),
                before="#kind-metrics",  # the kind lines stay under the rows
            )
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
