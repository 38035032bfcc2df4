"""Shared Pilot helpers: build the app on a fake or real backend, wait on conditions."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence

from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Static

from canary_tui.domain.shadow_verdict import metric_variant_names
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.view import EndpointRow
from canary_tui.ui.widgets.endpoint_list import EndpointList
from canary_tui.ui.widgets.metrics import VariantMetricsRow
from canary_tui.ui.widgets.tables import RowRefreshTable, _sync_rows


async def wait_for(
    pilot: Pilot[int], condition: Callable[[], bool], what: str, timeout: float = 10.0
) -> None:
    """Let the app run until ``condition`` holds (workers, timers, messages), or fail."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def static_text(widget: Static) -> str:
    """The plain text a Static shows, tables included."""
    printer = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    printer.print(widget.content)
    return printer.export_text()


def screen_text(screen: Screen[object]) -> str:
    return "\n".join(static_text(widget) for widget in screen.query(Static))


def console(app: CanaryApp) -> ConsoleScreen:
    return app.console_screen


def table_rows(table: DataTable[str] | EndpointList) -> list[list[str]]:
    if isinstance(table, EndpointList):
        return [list(cells) for cells in table.visible_rows]
    return [[str(cell) for cell in table.get_row(key)] for key in table.rows]


async def refresh_and_settle(pilot: Pilot[int], endpoint: str | None = None) -> None:
    """ctrl+r, then wait until the selected endpoint's variants and metrics are on screen."""
    app = pilot.app
    assert isinstance(app, CanaryApp)
    screen = console(app)
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: bool(screen.summaries), "the endpoint list")
    target = endpoint or next(iter(screen.summaries))
    await wait_for(
        pilot,
        lambda: (
            screen.selected == target
            and target in screen.endpoints
            and screen.metrics.has(target)
            and len(screen.query(VariantMetricsRow))
            == len(metric_variant_names(screen.endpoints[target]))
        ),
        f"{target} with its metrics",
    )
    await app.workers.wait_for_complete()
    await pilot.pause()


class FourColumnTable(RowRefreshTable):
    """The endpoint list's four columns as the DataTable it was until issue 13: what
    ``RowRefreshTable``'s own tests drive (``VariantsTable`` is one too)."""

    KEYS = ("name", "status", "variants", "canary")

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = False
        for label, key in zip(("endpoint", "status", "var", "canary"), self.KEYS, strict=True):
            self.add_column(label, key=key)

    def sync(self, rows: Sequence[EndpointRow]) -> None:
        cells = [(row.name, (row.name, row.status, row.variants, row.canary)) for row in rows]
        _sync_rows(self, cells, self.KEYS)
