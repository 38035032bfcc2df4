"""The endpoint list, its filter, the selection and the variants pane of the selection.

Owns ``selected`` and ``filter_text`` in the shared view. Moving the cursor selects at
once (variants and metrics redraw from what is known) and loads after a short debounce,
so arrowing through 5,000 rows does not describe each one passed over.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import events
from textual.timer import Timer
from textual.widgets import Input

from canary_tui.domain.models import Endpoint, EndpointSummary
from canary_tui.domain.shadow_verdict import metric_variant_names
from canary_tui.domain.text import printable
from canary_tui.ui.console.state import ConsoleView
from canary_tui.ui.screens.typeahead import post_keys, type_into
from canary_tui.ui.view import EndpointRow, endpoint_row, variant_rows
from canary_tui.ui.widgets.endpoint_list import EndpointList
from canary_tui.ui.widgets.tables import VariantsTable
from canary_tui.ui.widgets.titles import set_border_titles

if TYPE_CHECKING:
    from canary_tui.ui.screens.console import ConsoleScreen

#: Data this recent is not fetched again just because its endpoint was selected.
FRESH_SECONDS = 5.0
#: Selecting rows with the arrow keys should not describe every endpoint passed over.
SELECT_DEBOUNCE_SECONDS = 0.15
#: How long typing in the filter pauses before the panes follow the list's cursor.
FILTER_SETTLE_SECONDS = 0.15


class EndpointsPart:
    def __init__(self, screen: ConsoleScreen, view: ConsoleView) -> None:
        self.screen = screen
        self.view = view
        self._select_timer: Timer | None = None
        self._initial_pick_pending = True
        self._auto_selected: str | None = None
        self._rows: dict[str, tuple[EndpointSummary, Endpoint | None, EndpointRow]] = {}
        #: A filter narrowed the list past the selection: the panes follow when it fires.
        self._filter_timer: Timer | None = None
        #: A list has been drawn since the last listing: an empty one means no endpoints.
        self.listed = False

    # -- render ---------------------------------------------------------------------------
    def _row(self, name: str) -> EndpointRow:
        """The row of ``name``, built again only when its list entry or description is a
        new object (5,000 rows are asked for on every filter keystroke)."""
        summary = self.view.summaries[name]
        endpoint = self.view.endpoints.get(name)
        cached = self._rows.get(name)
        if cached is not None and cached[0] is summary and cached[1] is endpoint:
            return cached[2]
        row = endpoint_row(summary, endpoint)
        self._rows[name] = (summary, endpoint, row)
        return row

    def render_list(self, names: list[str] | None = None) -> None:
        view = self.view
        names = view.visible_names() if names is None else names
        rows = [self._row(name) for name in names]
        self.listed = True
        if len(self._rows) > 2 * len(view.summaries) + 100:
            # Endpoints gone from the list: drop their rows now and then, not on each call.
            self._rows = {n: r for n, r in self._rows.items() if n in view.summaries}
        table = self.screen.query_one(EndpointList)
        table.sync(rows)
        pane = self.screen.query_one("#endpoints-pane")
        total = len(view.summaries)
        count = f"{len(names)}/{total}" if view.filter_text else str(len(names))
        set_border_titles(pane, f"Endpoints ({count})", self._subtitle())
        if not names and view.selected is None:
            self.screen.selection_changed()  # the variants and metrics panes say why
        if view.selected in names:
            row_index = table.get_row_index(view.selected)
            if table.cursor_row != row_index:
                table.move_cursor(row=row_index, animate=False)

    def _subtitle(self) -> str | None:
        """The filter, and the first pass of background describes while it runs: until an
        endpoint is described, its row shows no variant count nor canary share."""
        parts = [f"/{self.view.filter_text}"] if self.view.filter_text else []
        described, listed = self.view.described_count(), len(self.view.summaries)
        # Only while more than the next round is missing: a short list fills at once.
        if listed - described > self.screen.options.background_batch:
            rate = self.screen.options.background_describe_rate
            left = (listed - described) / max(rate, 0.01)
            eta = f"~{left / 60:.0f} min" if left >= 90 else f"~{left:.0f} s"
            parts.append(f"described {described}/{listed}, {eta}")
        return " · ".join(parts) or None

    def render_endpoint(self, name: str) -> None:
        """One endpoint was described: its row only, unless it is not in the table yet."""
        view = self.view
        summary = view.summaries.get(name)
        table = self.screen.query_one(EndpointList)
        hidden = view.filter_text.strip().lower() not in name.lower()
        if summary is None or not (hidden or table.sync_row(self._row(name))):
            self.render_list()
            return
        pane = self.screen.query_one("#endpoints-pane")
        set_border_titles(pane, pane.border_title, self._subtitle())

    def render_variants(self) -> None:
        view = self.view
        table = self.screen.query_one(VariantsTable)
        endpoint = view.selected_endpoint
        if endpoint is None:
            table.sync([], None)
            if view.selected:
                title = f"Variants · {view.selected}"
            else:
                title = f"Variants · {self.empty_text()}"
            set_border_titles(table, title)
            return
        table.show_endpoint(endpoint.name)
        table.sync(
            variant_rows(endpoint, view.scaling.get(endpoint.name)),
            view.baselines.get(endpoint.name),
            endpoint,
        )
        set_border_titles(
            table,
            f"Variants · {endpoint.name} · {endpoint.status}",
            f"failed: {endpoint.failure_reason}" if endpoint.failure_reason else None,
        )

    def empty_text(self) -> str:
        """What the variants and metrics panes say while no endpoint is selected: an empty
        region or a filter matching nothing is not something to select from."""
        view = self.view
        if view.summaries and view.filter_text and not view.visible_names():
            return f"no endpoint matches /{view.filter_text}"
        if not view.summaries and self.listed:
            region = self.screen.options.region
            return f"no endpoints in {region}" if region else "no endpoints in this region"
        return "select an endpoint"

    # -- selection ------------------------------------------------------------------------
    def select_cursor_row(self) -> None:
        name = self.screen.query_one(EndpointList).highlighted_name
        if name is None:
            if self.view.selected is not None:
                self.view.selected = None
                self.screen.selection_changed()
            return
        self.select(name)

    def select(self, name: str) -> None:
        if name == self.view.selected:
            return
        self.view.selected = name
        self.view.metrics_frame = None
        self.screen.selection_changed()
        if self._select_timer is not None:
            self._select_timer.stop()
        self._select_timer = self.screen.set_timer(
            SELECT_DEBOUNCE_SECONDS, partial(self._load_selected, name), name="select"
        )

    def _load_selected(self, name: str) -> None:
        self._select_timer = None
        view = self.view
        if name != view.selected:
            return
        endpoint = view.endpoints.get(name)
        described_at = view.described_at.get(name)
        if (
            endpoint is not None
            and described_at is not None
            and time.monotonic() - described_at < FRESH_SECONDS
            and view.metrics.is_current(
                name, metric_variant_names(endpoint), self.screen.clock(), view.window
            )
        ):
            return  # a poll has just loaded it (the first poll does, for the first endpoint)
        self.screen.load_selected(name)

    def select_named(self, name: str) -> None:
        view = self.view
        if name not in view.summaries:
            matches = [n for n in view.summaries if n.lower() == name.lower()]
            if len(matches) != 1:
                shown = escape(printable(name, 80))
                self.screen.notify(f"No endpoint {shown} in this list.", severity="warning")
                return
            name = matches[0]
        if name not in view.visible_names():
            self.screen.query_one("#filter", Input).value = ""
            self.screen.query_one("#filter", Input).display = False
            self.filter_changed("")
        self.select(name)
        self.render_list()
        self.screen.query_one(EndpointList).focus()

    def forgotten(self, name: str) -> None:
        if self.view.selected == name:
            self.view.selected = None
            self.screen.selection_changed()

    def pick_a_canary_once(self) -> None:
        """Once, at start: if the first endpoint in the list runs no canary, move to the first
        one that does (that is what someone opening this console came to see). Only while
        the person has not picked an endpoint themselves."""
        if not self._initial_pick_pending:
            return
        view = self.view
        if self._auto_selected is None:
            self._auto_selected = view.selected
        if view.selected is None or view.selected != self._auto_selected:
            self._initial_pick_pending = view.selected is None
            return
        current = view.endpoints.get(view.selected)
        if current is None:
            return
        if len(current.variants) > 1:
            self._initial_pick_pending = False
            return
        names = view.visible_names()
        for name in names:
            endpoint = view.endpoints.get(name)
            if endpoint is not None and len(endpoint.variants) > 1:
                self._initial_pick_pending = False
                self.select(name)
                self.render_list()
                return
        if all(name in view.endpoints for name in names):
            self._initial_pick_pending = False

    def selected_variant(self, endpoint: Endpoint) -> str | None:
        variant = self.screen.query_one(VariantsTable).selected_variant
        if variant not in endpoint.variant_names:
            self.screen.notify(
                "Select a variant in the variants pane first (tab).", severity="warning"
            )
            return None
        return variant

    # -- the filter -----------------------------------------------------------------------
    def open_filter(self, typed_ahead: list[events.Key]) -> None:
        """Show the filter with the focus on it, and type into it what was typed after `/`
        (an enter or escape among those keys acts as one typed in the field)."""
        field = self.screen.query_one("#filter", Input)
        field.display = True
        self.screen.set_focus(field)  # synchronously: the next key typed goes there
        ended, rest = type_into(field, typed_ahead)
        if typed_ahead:
            # Now, not when the field's Changed message comes: an enter below keeps this filter.
            self.filter_changed(field.value)
        if ended == "enter":
            self.leave_filter()
        elif ended == "escape":
            self.escape()
        post_keys(self.screen, rest)

    def filter_changed(self, value: str) -> None:
        self.view.filter_text = value
        names = self.view.visible_names()
        self.render_list(names)
        # The panes follow the list's cursor once typing pauses (or on enter / esc):
        # redrawing the variants, metrics and verdict for every letter of a name cost a
        # 5,000-endpoint console ~30 ms a key. Until then the panes keep showing the
        # endpoint their titles name, so nothing on screen is about the wrong endpoint.
        self._defer_selection(self.view.selected not in names)

    def _defer_selection(self, pending: bool) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        if pending:
            self._filter_timer = self.screen.set_timer(
                FILTER_SETTLE_SECONDS, self._settle_filter, name="filter-select"
            )

    def _settle_filter(self) -> None:
        self._filter_timer = None
        if self.view.selected not in self.view.visible_names():
            self.select_cursor_row()

    def flush_filter_selection(self) -> None:
        """The pending selection of a filter now (enter, esc, a key that acts on it)."""
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._settle_filter()

    def leave_filter(self) -> None:
        self.flush_filter_selection()
        field = self.screen.query_one("#filter", Input)
        field.display = bool(self.view.filter_text)
        # Synchronously: keys typed on in the same burst go to the list, not the field.
        self.screen.set_focus(self.screen.query_one(EndpointList))

    def escape(self) -> None:
        """esc clears the filter (in the field, or on the list after enter kept it): a filter
        left behind, worse one matching nothing, hides endpoints from someone in a hurry.
        The selection stays where it is."""
        field = self.screen.query_one("#filter", Input)
        table = self.screen.query_one(EndpointList)
        focused = self.screen.focused  # has_focus lags the Focus event in a burst
        if not (focused is field or (focused is table and self.view.filter_text)):
            return
        self.flush_filter_selection()
        field.value = ""
        field.display = False
        self.filter_changed("")
        table.focus()
