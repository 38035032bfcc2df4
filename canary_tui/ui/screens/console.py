"""The main screen: composes the console's parts and wires them together.

Each part owns its state and workers (see ``canary_tui/ui/console/``): ``RefreshPart`` the
reads (poll, follow, background describes, when ``RefreshSchedule`` says), ``EndpointsPart``
the list, filter, selection and variants pane, ``MetricsPart`` the metrics and chart,
``VerdictPart`` the verdict and markers, ``RampPart`` the ramps, ``ChangeFlows`` the writes.
What more than one part reads is the shared ``ConsoleView``. Workers post typed messages to
this screen, which hands each to its part and redraws what depends on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import ScreenResume, ScreenSuspend, Unmount
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from canary_tui.domain.models import Endpoint, EndpointSummary
from canary_tui.ui.console.bindings import CONSOLE_BINDINGS, NAVIGATION, WRITE_ACTIONS
from canary_tui.ui.console.change_flows import ChangeFlows
from canary_tui.ui.console.editor_keys import EditorKeys
from canary_tui.ui.console.endpoints_part import EndpointsPart
from canary_tui.ui.console.errors import error_text
from canary_tui.ui.console.heap import HeapSettler
from canary_tui.ui.console.metrics_part import MetricsPart, new_chart
from canary_tui.ui.console.ramp_part import RampEnded, RampPart, RampProgressed, RampsFound
from canary_tui.ui.console.refresher import RefreshPart
from canary_tui.ui.console.state import ConsoleView
from canary_tui.ui.console.unfinished import report_unfinished_changes
from canary_tui.ui.console.verdict_part import VerdictComputed, VerdictPart
from canary_tui.ui.messages import (
    EndpointDescribed,
    EndpointGone,
    EndpointsListed,
    MetricsFetched,
    ScalingRead,
)
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ports import AuditReader, ChangeApplier, ConsoleBackend
from canary_tui.ui.refresh import WINDOW_NAMES, MetricsCache
from canary_tui.ui.view import MetricsFrame
from canary_tui.ui.widgets.endpoint_list import EndpointList
from canary_tui.ui.widgets.footer import KeyFooter
from canary_tui.ui.widgets.metrics import MetricsPanel
from canary_tui.ui.widgets.notice_line import NoticeLine
from canary_tui.ui.widgets.ramp import RampPanel
from canary_tui.ui.widgets.status_line import StatusLine
from canary_tui.ui.widgets.tables import VariantsTable
from canary_tui.ui.widgets.verdict import VerdictPanel

if TYPE_CHECKING:
    from canary_tui.ui.console.ramp_part import RampEntry
    from canary_tui.ui.widgets.chart import MetricChart

Clock = Callable[[], datetime]


class ConsoleScreen(Screen[None]):
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [*CONSOLE_BINDINGS]
    #: Listed in help; handled by Textual's focus chain.
    NAVIGATION = NAVIGATION

    def __init__(
        self,
        backend: ConsoleBackend,
        change_service: ChangeApplier | None,
        options: ConsoleOptions,
        clock: Clock,
        *,
        audit: AuditReader | None = None,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.audit = audit
        self.change_service = change_service
        self.options = options
        self.clock = clock
        self.read_only = options.read_only
        if self.read_only:
            # Still bound, so pressing one says why nothing happens; just never advertised.
            # New lists: the ones in the map are shared with the class's merged bindings, so
            # editing them in place would hide the keys in every later (writable) console.
            key_to_bindings = self._bindings.key_to_bindings
            for key, bindings in list(key_to_bindings.items()):
                key_to_bindings[key] = [
                    dataclasses.replace(b, show=False) if b.action in WRITE_ACTIONS else b
                    for b in bindings
                ]
        self.view = ConsoleView(
            window=options.window if options.window in WINDOW_NAMES else "1h",
            metrics=MetricsCache(period_seconds=options.metric_period_seconds),
        )
        self.endpoints_part = EndpointsPart(self, self.view)
        self.metrics_part = MetricsPart(self, self.view, on_rendered=self._metrics_rendered)
        self.refresher = RefreshPart(self, self.view, fetch_metrics=self.metrics_part.fetch)
        self.verdict = VerdictPart(self, self.view)
        self.ramp_part = RampPart(self, self.view)
        self.changes = ChangeFlows(self, self.view)
        #: Keys typed right after w, c, / or : (one packet: ``w ] enter y``), for that field.
        self.typed_after = EditorKeys(self)
        self.heap = HeapSettler()

    # -- what tests, benchmarks and the app read ------------------------------------------
    @property
    def summaries(self) -> dict[str, EndpointSummary]:
        return self.view.summaries

    @property
    def endpoints(self) -> dict[str, Endpoint]:
        return self.view.endpoints

    @property
    def selected(self) -> str | None:
        return self.view.selected

    @property
    def following(self) -> set[str]:
        return self.view.following

    @property
    def metrics(self) -> MetricsCache:
        return self.view.metrics

    @property
    def metrics_frame(self) -> MetricsFrame | None:
        return self.view.metrics_frame

    @property
    def stale_cause(self) -> str | None:
        return self.refresher.stale_cause

    @property
    def ramps(self) -> dict[str, RampEntry]:
        return self.ramp_part.ramps

    def chart(self) -> MetricChart | None:
        return self.metrics_part.chart()

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="top"):
            with Vertical(id="endpoints-pane", classes="pane"):
                yield Input(
                    placeholder="filter by name; enter keeps it, esc clears it", id="filter"
                )
                yield EndpointList(id="endpoints")
            with Vertical(id="right"):
                yield VariantsTable(id="variants", classes="pane")
                yield RampPanel(id="ramp-progress")
                yield VerdictPanel(id="verdict")
                yield MetricsPanel(id="metrics", classes="pane")
        if self.metrics_part.chart_at_start():
            yield new_chart()
        yield NoticeLine(id="notice")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#endpoints-pane").border_title = "Endpoints"
        self.query_one("#variants").border_title = "Variants"
        self.query_one("#filter").display = False
        self.set_class(self.metrics_part.chart_at_start(), "-chart")
        endpoints = self.query_one("#endpoints", EndpointList)
        endpoints.focus()
        self.call_after_refresh(self.metrics_part.keep_a_table_focused, endpoints)
        self.refresher.render_status()
        self.metrics_part.render()
        if self.options.poll:
            self.refresher.start_poll()
        if self.audit is not None:
            report_unfinished_changes(self, self.audit)
        self.ramp_part.mounted()

    def use_backend(
        self, backend: ConsoleBackend, change_service: ChangeApplier | None, options: ConsoleOptions
    ) -> None:
        """The demo's real backend and settings, arrived behind the first frame."""
        self.backend = backend
        self.change_service = change_service
        self.options = options
        self.refresher.use_options(options)
        self.refresh_bindings()  # the settings may have made it read-only
        if options.poll:
            self.refresher.start_poll()
        else:
            self.refresher.render_status()

    # -- wiring: what one part's change means for the others --------------------------------
    def selection_changed(self) -> None:
        self.endpoints_part.render_variants()
        self.metrics_part.render()

    def _metrics_rendered(self) -> None:
        self.verdict.update()
        self.ramp_part.render()

    def load_selected(self, name: str) -> None:
        self.refresher.load_selected(name)

    def list_round_done(self) -> None:
        self.endpoints_part.pick_a_canary_once()
        self.heap.round_done(self.view.described_count(), len(self.view.summaries))

    def endpoint_forgotten(self, name: str) -> None:
        self.endpoints_part.forgotten(name)

    def follow(self, name: str) -> None:
        self.refresher.follow(name)

    def watch_started(self) -> None:
        self.refresher.want_follow()

    def selected_variant(self, endpoint: Endpoint) -> str | None:
        return self.endpoints_part.selected_variant(endpoint)

    def refuse_write(self) -> bool:
        return self.changes.refuse_write()

    def select_named(self, name: str) -> None:
        """`:ep NAME`: select it (the filter is cleared if it hides it)."""
        self.endpoints_part.select_named(name)

    def selected_endpoint(self) -> Endpoint | None:
        endpoint = self.view.selected_endpoint
        if endpoint is None:
            self.notify(
                "Select an endpoint first (its details are still loading?)", severity="warning"
            )
        return endpoint

    # -- messages from workers ------------------------------------------------------------
    def on_endpoints_listed(self, message: EndpointsListed) -> None:
        self.refresher.listed(message.summaries)
        self.endpoints_part.render_list()
        if self.view.selected not in self.view.summaries:
            self.endpoints_part.select_cursor_row()

    def on_endpoint_described(self, message: EndpointDescribed) -> None:
        endpoint = message.endpoint
        self.changes.described(self.view.endpoints.get(endpoint.name), endpoint)
        self.refresher.described(endpoint)
        self.endpoints_part.render_endpoint(endpoint.name)
        if endpoint.name == self.view.selected:
            self.selection_changed()

    def on_scaling_read(self, message: ScalingRead) -> None:
        self.refresher.scaling_read(message.scaling, message.variants)
        if message.scaling.endpoint == self.view.selected:
            self.endpoints_part.render_variants()

    def on_endpoint_gone(self, message: EndpointGone) -> None:
        self.refresher.gone(message.name)
        self.endpoints_part.render_list()
        if self.view.selected is None:
            self.endpoints_part.select_cursor_row()

    def on_metrics_fetched(self, message: MetricsFetched) -> None:
        self.metrics_part.fetched(message)

    def on_verdict_computed(self, message: VerdictComputed) -> None:
        self.verdict.computed(message)

    def on_ramps_found(self, message: RampsFound) -> None:
        self.ramp_part.found(message)

    def on_ramp_progressed(self, message: RampProgressed) -> None:
        self.ramp_part.progressed(message)

    def on_ramp_ended(self, message: RampEnded) -> None:
        self.ramp_part.ended(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if self.refresher.worker_changed(worker, event.state):
            return
        # The change worker's failures are handled by its flow; anything else failing is
        # reported, never a crash.
        if event.state is WorkerState.ERROR and worker.group != "change":
            self.notify(
                error_text(worker.error or RuntimeError("unknown failure")),
                title=f"{worker.group} failed",
                severity="error",
            )

    def on_resize(self, event: events.Resize) -> None:
        self.ramp_part.render()  # a narrow footer leaves some keys out while a ramp runs

    def on_screen_suspend(self, event: ScreenSuspend) -> None:
        self.refresher.suspend()

    def on_screen_resume(self, event: ScreenResume) -> None:
        self.refresher.unsuspend()
        self.query_one(KeyFooter).screen_resumed()

    @on(Unmount)
    def _stop(self) -> None:
        self.changes.closing.set()
        self.ramp_part.detach_all()

    # -- the list and the filter ------------------------------------------------------------
    @on(EndpointList.Highlighted, "#endpoints")
    def _endpoint_highlighted(self, event: EndpointList.Highlighted) -> None:
        self.endpoints_part.select(event.name)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.endpoints_part.filter_changed(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.endpoints_part.leave_filter()

    def on_key(self, event: events.Key) -> None:
        self.typed_after.key_typed(event)

    def key_escape(self) -> None:
        self.endpoints_part.escape()

    def action_filter(self) -> None:
        self.endpoints_part.open_filter(self.typed_after.take().take())

    # -- view keys ------------------------------------------------------------------------
    def action_cycle_metric(self) -> None:
        self.metrics_part.cycle_metric()

    def action_window(self, window: str) -> None:
        if self.metrics_part.set_window(window):
            self.refresher.render_status()
            if self.view.selected is not None:
                self.refresher.load_selected(self.view.selected)

    def action_toggle_chart(self) -> None:
        self.metrics_part.toggle_chart()

    def action_toggle_verdict(self) -> None:
        self.verdict.toggle()

    def action_toggle_pause(self) -> None:
        self.refresher.toggle_pause()

    def action_refresh_now(self) -> None:
        self.refresher.refresh_now()

    def action_audit(self) -> None:
        if self.audit is None:
            self.notify("No audit log configured.", severity="warning")
            return
        from canary_tui.ui.console.team_view import console_audit, outside_changes
        from canary_tui.ui.screens.audit import AuditScreen

        self.app.push_screen(
            AuditScreen(
                console_audit(self) or self.audit, self.view.selected, outside_changes(self)
            )
        )

    def action_help(self) -> None:
        from canary_tui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.help_bindings(), self.read_only))

    def action_quit(self) -> None:
        if not self.ramp_part.quit_blocked():
            self.app.exit(0)

    def help_bindings(self) -> list[Binding]:
        own = [
            binding
            for binding in self.BINDINGS
            if isinstance(binding, Binding)
            and not (self.read_only and binding.action in WRITE_ACTIONS)
        ]
        return own + self.NAVIGATION

    def palette_actions(self) -> list[tuple[Binding, Callable[[], object]]]:
        return [
            (binding, partial(self.run_action, binding.action))
            for binding in self.help_bindings()
            if binding.action
            and binding.action not in {"focus_next", "focus_previous"}
            and binding.action != "command_palette"
        ]

    # -- write keys -------------------------------------------------------------------------
    def action_edit_weights(self) -> None:
        self.changes.edit_weights()

    def action_rollback(self) -> None:
        self.changes.rollback()

    def action_promote(self) -> None:
        self.changes.promote()

    def action_edit_capacity(self) -> None:
        self.changes.edit_capacity()

    def action_mark_baseline(self) -> None:
        self.changes.mark_baseline()

    def action_start_ramp(self) -> None:
        self.ramp_part.start()

    def action_ramp_pause(self) -> None:
        self.ramp_part.pause()

    def action_ramp_skip(self) -> None:
        self.ramp_part.skip()

    def action_ramp_abort(self) -> None:
        self.ramp_part.abort()
