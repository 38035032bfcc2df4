"""The main screen: owns every piece of state, runs the polls, and binds data down."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import ScreenResume, ScreenSuspend, Unmount
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input
from textual.worker import Worker, WorkerFailed, WorkerState

from canary_tui.aws.errors import AwsError, CredentialsProblem, NotFound
from canary_tui.changes import (
    ChangeNotApplied,
    ChangeOutcomeUnknown,
    ChangeRefused,
    ChangeResult,
    Plan,
    SettleTimeout,
)
from canary_tui.domain.baseline import Baseline, BaselineMark, split_label
from canary_tui.domain.capacity import (
    EndpointScaling,
    capacity_refusal,
    forecast_plan,
    limits_text,
    plan_warnings,
)
from canary_tui.domain.metrics import VariantRef
from canary_tui.domain.models import (
    TRANSITIONAL_STATUSES,
    Endpoint,
    EndpointSummary,
    terminal_status_message,
)
from canary_tui.domain.ramp import RampState
from canary_tui.domain.text import printable
from canary_tui.domain.weights import CapacityPlan, WeightInputError, WeightPlan, plan_all_to
from canary_tui.rollback import (
    TargetFinder,
    Targets,
    console_no_baseline_message,
    promote_title,
    rollback_plan,
    rollback_title,
    settle_then_roll_back,
)
from canary_tui.settle import Backoff, EndpointStuck, Settler
from canary_tui.ui.messages import (
    EndpointDescribed,
    EndpointGone,
    EndpointsListed,
    MetricsFetched,
    ScalingRead,
)
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ports import AuditReader, ChangeApplier, ConsoleBackend, scaling_reader
from canary_tui.ui.refresh import (
    WINDOW_NAMES,
    MetricsCache,
    MetricsRequest,
    background_due,
    backoff_seconds,
    cached_request_rates,
    changed_since_described,
    latency_label,
    refresh_describes,
)
from canary_tui.ui.screens.verdict_ramp import (
    RAMP_WRITE_ACTIONS,
    VERDICT_RAMP_BINDINGS,
    VerdictRampScreen,
)
from canary_tui.ui.view import (
    CHART_METRICS,
    MetricsFrame,
    chart_title,
    endpoint_row,
    share_text,
    variant_metrics_view,
    variant_rows,
)
from canary_tui.ui.widgets.footer import KeyFooter
from canary_tui.ui.widgets.metrics import MetricsPanel
from canary_tui.ui.widgets.status_line import StatusLine, StatusState
from canary_tui.ui.widgets.tables import EndpointsTable, VariantsTable
from canary_tui.ui.widgets.titles import set_border_titles

if TYPE_CHECKING:
    from canary_tui.ui.widgets.chart import MetricChart

#: Actions that would call a write API; hidden and refused in read-only mode.
WRITE_ACTIONS = (
    frozenset({"edit_weights", "rollback", "promote", "edit_capacity"}) | RAMP_WRITE_ACTIONS
)
#: Data this recent is not fetched again just because its endpoint was selected.
FRESH_SECONDS = 5.0
#: Selecting rows with the arrow keys should not describe every endpoint passed over.
SELECT_DEBOUNCE_SECONDS = 0.15

Clock = Callable[[], datetime]


def _error_text(error: BaseException) -> str:
    if isinstance(
        error, AwsError | ChangeRefused | WeightInputError | SettleTimeout | EndpointStuck
    ):
        return error.message
    return f"{type(error).__name__}: {error}"


class ConsoleScreen(VerdictRampScreen):
    BINDINGS = [
        Binding("w", "edit_weights", "weights", tooltip="edit variant weights", id="weights"),
        Binding(
            "b",
            "rollback",
            "rollback",
            tooltip="roll back: the split before the canary episode",
            id="rollback",
        ),
        Binding(
            "p",
            "promote",
            "promote",
            tooltip="promote the canary (or the variant you moved to) to 100%",
            id="promote",
        ),
        Binding(
            "c",
            "edit_capacity",
            "count",
            tooltip="edit instance count of the selected variant",
            id="capacity",
        ),
        Binding(
            "B",
            "mark_baseline",
            "baseline",
            show=False,
            tooltip="mark the current split as the rollback baseline",
            id="baseline",
        ),
        Binding("slash", "filter", "filter", tooltip="filter endpoints by name", id="filter"),
        Binding(
            "a",
            "audit",
            "audit",
            show=False,
            tooltip="audit log of changes (this endpoint / all)",
            id="audit",
        ),
        Binding(
            "m",
            "cycle_metric",
            "metric",
            show=False,
            tooltip="chart: next metric (invocations, errors, latency)",
            id="metric",
        ),
        Binding(
            "1", "window('15m')", "15m", show=False, tooltip="window: 15 minutes", id="window-15m"
        ),
        Binding("2", "window('1h')", "1h", show=False, tooltip="window: 1 hour", id="window-1h"),
        Binding("3", "window('3h')", "3h", show=False, tooltip="window: 3 hours", id="window-3h"),
        Binding(
            "4", "window('12h')", "12h", show=False, tooltip="window: 12 hours", id="window-12h"
        ),
        Binding(
            "g",
            "toggle_chart",
            "chart",
            show=False,
            tooltip="show or hide the big chart",
            id="chart",
        ),
        Binding(
            "space",
            "toggle_pause",
            "pause",
            show=False,
            tooltip="pause or resume refreshing",
            id="pause",
        ),
        Binding(
            "ctrl+r", "refresh_now", "refresh", show=False, tooltip="refresh now", id="refresh"
        ),
        *VERDICT_RAMP_BINDINGS,
        Binding("question_mark", "help", "help", tooltip="all keys", id="help"),
        Binding("q", "quit", "quit", tooltip="quit", id="quit"),
    ]
    #: Listed in help; handled by Textual's focus chain.
    NAVIGATION = [
        Binding("tab", "focus_next", "next pane", tooltip="next pane"),
        Binding("shift+tab", "focus_previous", "previous pane", tooltip="previous pane"),
        Binding("up,down", "", "", tooltip="move in a table (selects the endpoint)"),
        Binding("escape", "", "", tooltip="leave the filter"),
        Binding("ctrl+p", "command_palette", "", tooltip="search every action"),
    ]

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
        # -- state (the screen owns it; widgets get it bound down) --
        self.summaries: dict[str, EndpointSummary] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self.described_at: dict[str, float] = {}
        self.baselines: dict[str, str] = {}
        #: Application Auto Scaling limits per endpoint, and when (monotonic) they were read.
        self.scaling: dict[str, EndpointScaling] = {}
        self._scaling_read_at: dict[str, tuple[float, tuple[str, ...]]] = {}
        #: Where b and p go (audit log, ramps, marks): the same answers as the CLI's.
        self.targets = TargetFinder.for_audit(audit)
        #: Set when the screen goes: a rollback waiting for an endpoint stops waiting.
        self.closing = threading.Event()
        self.settle_backoff = Backoff()
        self.following: set[str] = set()
        self.selected: str | None = None
        self.filter_text = ""
        self.window = options.window if options.window in WINDOW_NAMES else "1h"
        self.chart_metric = CHART_METRICS[0]
        self.metrics = MetricsCache(period_seconds=options.metric_period_seconds)
        self.metrics_frame: MetricsFrame | None = None
        self.paused = False
        self.suspended = False
        self.stale_cause: str | None = None
        self.last_refresh: datetime | None = None
        self.poll_failures = 0
        self._poll_timer: Timer | None = None
        self._poll_due = False
        self._poll_again = False
        self._follow_timer: Timer | None = None
        self._select_timer: Timer | None = None
        self._background_timer: Timer | None = None
        self._background_after_refresh = False
        self._reset_credentials_next = False
        self._initial_pick_pending = True
        #: (had the focus, was given it) when showing the chart hid the focused pane.
        self._focus_hidden_by_chart: tuple[Widget, Widget] | None = None
        self._auto_selected: str | None = None
        #: The endpoint an open change dialog is about (see _watching).
        self.watching: str | None = None
        self._watch_noticed = False
        self.init_verdict_ramp()

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="top"):
            with Vertical(id="endpoints-pane", classes="pane"):
                yield Input(placeholder="filter by name; enter/esc to leave", id="filter")
                yield EndpointsTable(id="endpoints")
            with Vertical(id="right"):
                yield VariantsTable(id="variants", classes="pane")
                yield from self.compose_verdict_ramp()
                yield MetricsPanel(id="metrics", classes="pane")
        if self._chart_at_start():
            yield self._new_chart()
        yield KeyFooter(compact=True)

    def _chart_at_start(self) -> bool:
        show_chart = self.options.show_chart
        return self.app.size.height >= 36 if show_chart is None else show_chart

    def _new_chart(self) -> MetricChart:
        from canary_tui.ui.widgets.chart import MetricChart

        chart = MetricChart(id="chart", classes="pane")
        chart.border_title = "Chart"
        return chart

    def chart(self, *, create: bool = False) -> MetricChart | None:
        """The big chart; it exists from the first time it is shown (see widgets/chart.py).
        ``create``: make it now (mounted above the footer) if it does not exist yet."""
        chart = cast("MetricChart | None", self.query_one_optional("#chart"))
        if chart is not None or not create:
            return chart
        chart = self._new_chart()
        self.mount(chart, before=self.query_one(KeyFooter))
        return chart

    def on_mount(self) -> None:
        self.query_one("#endpoints-pane").border_title = "Endpoints"
        self.query_one("#variants").border_title = "Variants"
        self.query_one("#filter").display = False
        self.set_class(self._chart_at_start(), "-chart")
        endpoints = self.query_one("#endpoints", EndpointsTable)
        endpoints.focus()
        self.call_after_refresh(self._keep_a_table_focused, endpoints)
        self._render_status()
        self._render_metrics()
        if self.options.poll:
            self.start_poll()
        if self.audit is not None:
            self._report_unfinished_changes(self.audit)
        self.verdict_ramp_mounted()

    @work(thread=True, exit_on_error=False, group="audit")
    def _report_unfinished_changes(self, audit: AuditReader) -> None:
        """A change whose outcome was never written (crash, kill, power loss) must not go
        unnoticed: nobody knows whether it was applied."""
        unfinished = audit.read_unfinished().entries
        if not unfinished:
            return
        latest = unfinished[-1].intent
        where = escape(printable(latest.endpoint, 80))
        self.app.call_from_thread(
            self.notify,
            f"{len(unfinished)} change(s) in the audit log have no outcome (the process "
            f"stopped mid-change); latest: {where} at {latest.time:%Y-%m-%d %H:%M} "
            "UTC. Check the endpoint; a shows the log.",
            title="Unfinished change",
            severity="warning",
            timeout=20,
        )

    def action_audit(self) -> None:
        if self.audit is None:
            self.notify("No audit log configured.", severity="warning")
            return
        from canary_tui.ui.screens.audit import AuditScreen

        self.app.push_screen(AuditScreen(self.audit, self.selected))

    # -- polling --------------------------------------------------------------------------
    @property
    def polling_active(self) -> bool:
        return self._group_running("poll")

    def _group_running(self, group: str) -> bool:
        return any(w.group == group and w.is_running for w in self.app.workers if w.node is self)

    def start_poll(self) -> None:
        """Poll now unless paused, hidden behind a dialog, or a poll is already running."""
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        if self.paused or self.suspended:
            self._poll_due = True
            return
        if self.polling_active:
            self._poll_again = True
            return
        self._poll_due = False
        describe = refresh_describes(
            selected=self.selected, transitional=self._transitional_names(), changed=()
        )
        self._render_status(refreshing=True)
        reset = self._reset_credentials_next
        self._reset_credentials_next = False
        self._poll_worker(describe, self.selected, self.window, dict(self.endpoints), reset)

    def _schedule_poll(self, delay: float) -> None:
        if not self.options.poll:
            return
        if self._poll_timer is not None:
            self._poll_timer.stop()
        self._poll_timer = self.set_timer(delay, self.start_poll, name="poll")

    @work(thread=True, exit_on_error=False, group="poll")
    def _poll_worker(
        self,
        describe: list[str],
        selected: str | None,
        window: str,
        described: dict[str, Endpoint],
        reset_credentials: bool = False,
    ) -> None:
        if reset_credentials:
            # The last poll was refused for credentials: pick up whatever the person fixed
            # (aws sso login, new environment) without a restart.
            self.backend.reset_credentials()
        summaries = self.backend.sagemaker.list_endpoints()
        self.post_message(EndpointsListed(summaries))
        listed = {summary.name for summary in summaries}
        # The first poll starts with no list: the first endpoint is the one to select.
        if selected is None and summaries:
            selected = summaries[0].name
        ordered = refresh_describes(
            selected=selected,
            transitional=[name for name in describe if name != selected],
            changed=changed_since_described(summaries, described),
        )
        selected_endpoint = None
        for name in ordered:
            if name not in listed:
                continue
            endpoint = self._describe(name)
            if name == selected:
                selected_endpoint = endpoint
        if selected_endpoint is not None:
            self._read_scaling(selected_endpoint)
            self._fetch_metrics(selected_endpoint, window)

    @work(thread=True, exit_on_error=False, group="background")
    def _background_worker(self, names: list[str]) -> None:
        for name in names:
            self._describe(name)

    def _schedule_background(self) -> None:
        """Describe a few not-selected endpoints soon, if any are due. Spread out on purpose:
        filling a 500-endpoint list must not burst DescribeEndpoint into throttling."""
        if self.paused or self._background_timer is not None:
            return
        if self._group_running("background") or not self._background_due():
            return
        if not self.options.poll:
            # No timers (tests, snapshots): one round right after each asked-for refresh.
            if not self._background_after_refresh:
                self._background_after_refresh = True
                self._start_background()
            return
        self._background_timer = self.set_timer(
            self.options.follow_seconds, self._start_background, name="background"
        )

    def _background_due(self) -> list[str]:
        return background_due(
            names=self.summaries,
            described_at=self.described_at,
            now_monotonic=time.monotonic(),
            interval=self.options.background_describe_seconds,
            batch=self.options.background_batch,
        )

    def _start_background(self) -> None:
        self._background_timer = None
        if self.paused or self.suspended or self._group_running("background"):
            return
        due = self._background_due()
        if due:
            self._background_worker(due)

    def _describe(self, name: str) -> Endpoint | None:
        """Describe one endpoint from a worker thread and post the answer."""
        try:
            endpoint = self.backend.sagemaker.describe_endpoint(name)
        except NotFound:
            self.post_message(EndpointGone(name))
            return None
        self.post_message(EndpointDescribed(endpoint))
        return endpoint

    def _scaling_due(self, endpoint: Endpoint) -> bool:
        """Scaling limits change rarely: read on the slow (background describe) cadence,
        and again when the variants change, not on every tick."""
        last = self._scaling_read_at.get(endpoint.name)
        if last is None or last[1] != endpoint.variant_names:
            return True
        return time.monotonic() - last[0] >= self.options.background_describe_seconds

    def _read_scaling(self, endpoint: Endpoint) -> None:
        """From a worker thread: the endpoint's scaling limits, if due (never raises for
        AWS errors: unreadable limits come back as unknown)."""
        reader = scaling_reader(self.backend)
        if reader is None or not endpoint.variants:
            return
        if not self.app.call_from_thread(self._scaling_due, endpoint):
            return
        scaling = reader.endpoint_scaling(endpoint.name, endpoint.variant_names)
        self.post_message(ScalingRead(scaling, endpoint.variant_names))

    def _fetch_metrics(self, endpoint: Endpoint, window: str) -> None:
        if not endpoint.variants:
            return
        # The cache lives on the event loop; ask it there what this fetch must cover.
        request: MetricsRequest = self.app.call_from_thread(
            self.metrics.request, endpoint.name, endpoint.variant_names, self.clock(), window
        )
        batch = self.backend.cloudwatch.fetch(
            request.refs, request.start, request.end, request.period_seconds
        )
        self.post_message(MetricsFetched(request, batch))

    @work(thread=True, exit_on_error=False, group="select", exclusive=True)
    def _select_worker(self, name: str, window: str) -> None:
        endpoint = self._describe(name)
        if endpoint is not None:
            self._read_scaling(endpoint)
            self._fetch_metrics(endpoint, window)

    @work(thread=True, exit_on_error=False, group="follow")
    def _follow_worker(self, names: list[str]) -> None:
        for name in names:
            self._describe(name)

    def _transitional_names(self) -> list[str]:
        names = {n for n, s in self.summaries.items() if s.status in TRANSITIONAL_STATUSES}
        names |= {n for n, e in self.endpoints.items() if e.is_transitional}
        names |= self.following
        watched = {self.watching} if self.watching else set()
        return sorted(names & set(self.summaries) | self.following | watched)

    def start_follow(self) -> None:
        if self._follow_timer is not None:
            self._follow_timer.stop()
            self._follow_timer = None
        if self.paused or self._group_running("follow"):
            return
        names = self._transitional_names()
        if names:
            self._follow_worker(names)

    def _schedule_follow(self) -> None:
        if not self.options.poll or self._follow_timer is not None or self.paused:
            return
        if self._group_running("follow"):
            return
        if self._transitional_names():
            self._follow_timer = self.set_timer(
                self.options.follow_seconds, self.start_follow, name="follow"
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "background" and event.state in {
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        }:
            # Background describes only fill the list: a failure here is not worth a STALE
            # mark (the refresh reports outages); just try the next round later.
            self._pick_a_canary_once()
            self._schedule_background()
            return
        if worker.group not in {"poll", "select", "follow"}:
            # The change worker's failures are handled by its flow; anything else failing is
            # reported, never a crash.
            if event.state is WorkerState.ERROR and worker.group != "change":
                self.notify(
                    _error_text(worker.error or RuntimeError("unknown failure")),
                    title=f"{worker.group} failed",
                    severity="error",
                )
            return
        if event.state is WorkerState.SUCCESS:
            if worker.group == "poll":
                self.poll_failures = 0
                self.stale_cause = None
                self.last_refresh = self.clock()
                self._pick_a_canary_once()
                self._after_poll(self.options.effective_refresh_seconds)
            elif worker.group == "follow":
                self._schedule_follow()
            self._render_status()
        elif event.state is WorkerState.ERROR:
            error = worker.error or RuntimeError("unknown failure")
            cause = _error_text(error)
            if cause != self.stale_cause:
                self.notify(cause, title="Refresh failed", severity="warning", timeout=8)
            self.stale_cause = cause
            if isinstance(error, CredentialsProblem):
                self._reset_credentials_next = True
            if worker.group == "poll":
                transient = isinstance(error, AwsError) and error.transient
                self.poll_failures = self.poll_failures + 1 if transient else 0
                base = self.options.effective_refresh_seconds
                self._after_poll(backoff_seconds(base, self.poll_failures))
            elif worker.group == "follow":
                self._schedule_follow()
            self._render_status()

    def _pick_a_canary_once(self) -> None:
        """Once, at start: if the first endpoint in the list runs no canary, move to the first
        one that does (that is what someone opening this console came to see). Only while
        the person has not picked an endpoint themselves."""
        if not self._initial_pick_pending:
            return
        if self._auto_selected is None:
            self._auto_selected = self.selected
        if self.selected is None or self.selected != self._auto_selected:
            self._initial_pick_pending = self.selected is None
            return
        current = self.endpoints.get(self.selected)
        if current is None:
            return
        if len(current.variants) > 1:
            self._initial_pick_pending = False
            return
        names = self.visible_endpoint_names()
        for name in names:
            endpoint = self.endpoints.get(name)
            if endpoint is not None and len(endpoint.variants) > 1:
                self._initial_pick_pending = False
                self.select_endpoint(name)
                self._render_endpoints()
                return
        if all(name in self.endpoints for name in names):
            self._initial_pick_pending = False

    def _after_poll(self, delay: float) -> None:
        self._background_after_refresh = False
        if self._poll_again:
            self._poll_again = False
            self.call_later(self.start_poll)
        else:
            self._schedule_poll(delay)
        self._schedule_follow()
        self._schedule_background()

    def on_screen_suspend(self, event: ScreenSuspend) -> None:
        # A dialog is open: the person is reading or deciding; do not move data under them.
        self.suspended = True

    def on_screen_resume(self, event: ScreenResume) -> None:
        self.suspended = False
        if self._poll_due:
            self.start_poll()

    # -- messages from workers --------------------------------------------------------------
    def on_endpoints_listed(self, message: EndpointsListed) -> None:
        listed = {summary.name: summary for summary in message.summaries}
        for name in set(self.summaries) - set(listed):
            self._forget(name, f"{name} no longer exists")
        self.summaries = listed
        self._render_endpoints()
        if self.selected is None or self.selected not in listed:
            self._select_cursor_row()
        self._schedule_follow()

    def on_endpoint_described(self, message: EndpointDescribed) -> None:
        endpoint = message.endpoint
        previous = self.endpoints.get(endpoint.name)
        if (
            endpoint.name == self.watching
            and previous is not None
            and not self._watch_noticed
            and (previous.desired_weights, previous.status)
            != (endpoint.desired_weights, endpoint.status)
        ):
            self._watch_noticed = True
            self.notify(
                f"{endpoint.name} changed since this dialog opened; applying will be refused. "
                "Cancel and start again from the live state.",
                title="Endpoint changed",
                severity="warning",
                timeout=10,
            )
        self.endpoints[endpoint.name] = endpoint
        self.described_at[endpoint.name] = time.monotonic()
        if endpoint.name in self.summaries:
            # A describe is fresher than the last list for status.
            summary = self.summaries[endpoint.name]
            self.summaries[endpoint.name] = dataclasses.replace(summary, status=endpoint.status)
        if len(endpoint.variants) > 1 and endpoint.name not in self.baselines:
            dominant = endpoint.dominant_variant
            if dominant is not None:
                self.baselines[endpoint.name] = dominant
        # A terminal status (UpdateRollbackFailed) will not settle by itself: stop following.
        settled = endpoint.is_terminal or (
            not endpoint.is_transitional
            and not any(variant.is_settling for variant in endpoint.variants)
        )
        if endpoint.name in self.following and settled:
            self.following.discard(endpoint.name)
            shares = ", ".join(
                f"{name} {share_text(share)}"
                for name, share in endpoint.current_traffic_shares.items()
            )
            if endpoint.status == "InService":
                self.notify(f"{endpoint.name} is InService: {shares}", title="Change done")
            else:
                reason = f": {endpoint.failure_reason}" if endpoint.failure_reason else ""
                self.notify(
                    terminal_status_message(endpoint)
                    if endpoint.is_terminal
                    else f"{endpoint.name} is {endpoint.status}{reason}",
                    title="Change finished",
                    severity="error",
                )
        self._render_endpoints()
        if endpoint.name == self.selected:
            self._render_variants()
            self._render_metrics()

    def on_scaling_read(self, message: ScalingRead) -> None:
        name = message.scaling.endpoint
        self.scaling[name] = message.scaling
        self._scaling_read_at[name] = (time.monotonic(), message.variants)
        if name == self.selected:
            self._render_variants()

    def on_endpoint_gone(self, message: EndpointGone) -> None:
        self._forget(message.name, f"{message.name} was deleted")
        self.summaries.pop(message.name, None)
        self._render_endpoints()
        if self.selected is None:
            self._select_cursor_row()

    def _forget(self, name: str, notice: str) -> None:
        self.endpoints.pop(name, None)
        self.described_at.pop(name, None)
        self.scaling.pop(name, None)
        self._scaling_read_at.pop(name, None)
        self.following.discard(name)
        self.metrics.forget(name)
        if name in self.summaries:
            self.notify(notice, title="Endpoint gone", severity="warning")
        # A dialog about an endpoint that no longer exists can only mislead: close it.
        for screen in reversed(self.app.screen_stack):
            if getattr(screen, "endpoint_name", None) == name and isinstance(screen, ModalScreen):
                screen.dismiss(None)
                self.notify(f"Closed the dialog: {notice}.", severity="warning")
        if self.selected == name:
            self.selected = None
            self._render_variants()
            self._render_metrics()

    def on_metrics_fetched(self, message: MetricsFetched) -> None:
        request = message.request
        if request.window != self.window:
            return  # the window changed while this was in flight; a new fetch is coming
        self.metrics.merge(request, message.batch)
        if request.endpoint == self.selected:
            self.metrics_frame = MetricsFrame(
                request.window_start, request.end, request.period_seconds
            )
            self._render_metrics()

    # -- rendering (bind state down) ---------------------------------------------------------
    def visible_endpoint_names(self) -> list[str]:
        needle = self.filter_text.strip().lower()
        return [name for name in self.summaries if needle in name.lower()]

    def _render_status(self, refreshing: bool = False) -> None:
        label = self.options.mode_label or self.backend.label
        self.query_one(StatusLine).show(
            StatusState(
                label=label,
                region=self.options.region or "default region",
                read_only=self.read_only,
                last_refresh=self.last_refresh,
                refreshing=refreshing,
                paused=self.paused,
                stale_cause=self.stale_cause,
                window=self.window,
                refresh_seconds=self.options.effective_refresh_seconds,
                production=self.options.production,
            )
        )

    def _render_endpoints(self) -> None:
        names = self.visible_endpoint_names()
        rows = [endpoint_row(self.summaries[n], self.endpoints.get(n)) for n in names]
        table = self.query_one(EndpointsTable)
        table.sync(rows)
        pane = self.query_one("#endpoints-pane")
        count = f"{len(names)}/{len(self.summaries)}" if self.filter_text else str(len(names))
        set_border_titles(
            pane, f"Endpoints ({count})", f"/{self.filter_text}" if self.filter_text else None
        )
        if self.selected in names:
            row_index = table.get_row_index(self.selected)
            if table.cursor_row != row_index:
                table.move_cursor(row=row_index, animate=False)

    def _render_variants(self) -> None:
        table = self.query_one(VariantsTable)
        endpoint = self.endpoints.get(self.selected) if self.selected else None
        if endpoint is None:
            table.sync([], None)
            set_border_titles(table, f"Variants · {self.selected}" if self.selected else "Variants")
            return
        table.show_endpoint(endpoint.name)
        table.sync(
            variant_rows(endpoint, self.scaling.get(endpoint.name)),
            self.baselines.get(endpoint.name),
        )
        set_border_titles(
            table,
            f"Variants · {endpoint.name} · {endpoint.status}",
            f"failed: {endpoint.failure_reason}" if endpoint.failure_reason else None,
        )

    def _render_metrics(self) -> None:
        panel = self.query_one(MetricsPanel)
        chart = self.chart(create=self.has_class("-chart"))
        percentiles = self.metrics.percentiles_available
        panel.set_latency_label(f"{latency_label(percentiles)} ms")
        set_border_titles(panel, f"Metrics · last {self.window}", panel.border_subtitle)
        endpoint = self.endpoints.get(self.selected) if self.selected else None
        frame = self.metrics_frame
        if endpoint is None or frame is None or not self.metrics.has(endpoint.name):
            message = "select an endpoint" if self.selected is None else "loading metrics…"
            panel.show([], message)
            if chart is not None:
                chart.show(chart_title(self.chart_metric, percentiles, self.window), {})
            self.after_metrics_rendered()
            return
        views = [
            variant_metrics_view(
                variant,
                self.metrics.get(VariantRef(endpoint.name, variant)),
                frame,
                percentiles,
            )
            for variant in endpoint.variant_names
        ]
        panel.show(views)
        if chart is not None:
            chart.show(
                chart_title(self.chart_metric, percentiles, self.window),
                {view.variant: view.cell(self.chart_metric).points for view in views},
            )
        self.after_metrics_rendered()

    # -- selection and filter -----------------------------------------------------------------
    def _select_cursor_row(self) -> None:
        table = self.query_one(EndpointsTable)
        if table.row_count == 0:
            if self.selected is not None:
                self.selected = None
                self._render_variants()
                self._render_metrics()
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if row_key is not None:
            self.select_endpoint(row_key)

    @on(DataTable.RowHighlighted, "#endpoints")
    def _endpoint_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.select_endpoint(event.row_key.value)

    def select_endpoint(self, name: str) -> None:
        if name == self.selected:
            return
        self.selected = name
        self.metrics_frame = None
        self._render_variants()
        self._render_metrics()
        if self._select_timer is not None:
            self._select_timer.stop()
        self._select_timer = self.set_timer(
            SELECT_DEBOUNCE_SECONDS, partial(self._load_selected, name), name="select"
        )

    def _load_selected(self, name: str) -> None:
        self._select_timer = None
        if name != self.selected:
            return
        endpoint = self.endpoints.get(name)
        described_at = self.described_at.get(name)
        if (
            endpoint is not None
            and described_at is not None
            and time.monotonic() - described_at < FRESH_SECONDS
            and self.metrics.is_current(name, endpoint.variant_names, self.clock(), self.window)
        ):
            return  # a poll has just loaded it (the first poll does, for the first endpoint)
        self._select_worker(name, self.window)

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self._render_endpoints()
        if self.selected not in self.visible_endpoint_names():
            self._select_cursor_row()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self._leave_filter()

    def _leave_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = bool(self.filter_text)
        self.query_one(EndpointsTable).focus()

    def key_escape(self) -> None:
        field = self.query_one("#filter", Input)
        if field.has_focus:
            if not field.value:
                field.display = False
            self._leave_filter()

    # -- view keys ------------------------------------------------------------------------------
    def action_cycle_metric(self) -> None:
        index = CHART_METRICS.index(self.chart_metric)
        self.chart_metric = CHART_METRICS[(index + 1) % len(CHART_METRICS)]
        if not self.has_class("-chart"):
            self._show_chart(True)
        self._render_metrics()

    def action_window(self, window: str) -> None:
        if window == self.window or window not in WINDOW_NAMES:
            return
        self.window = window
        self.metrics_frame = None
        self._render_status()
        self._render_metrics()
        if self.selected is not None:
            self._select_worker(self.selected, window)

    def action_toggle_chart(self) -> None:
        self._show_chart(not self.has_class("-chart"))
        if self.has_class("-chart") and self.chart() is None:
            self._render_metrics()  # creates and fills it

    def _show_chart(self, shown: bool) -> None:
        had_focus = self.focused
        self.set_class(shown, "-chart")
        self.call_after_refresh(self._keep_a_table_focused, had_focus)

    def _keep_a_table_focused(self, had_focus: Widget | None) -> None:
        """On a short terminal the chart takes the endpoints pane's place, and Textual drops
        the focus of a widget it hides: the arrows would do nothing. Give the focus to the
        first table on screen, and back to where it was when the chart goes."""
        taken = self._focus_hidden_by_chart
        if not self.has_class("-chart") and taken is not None:
            self._focus_hidden_by_chart = None
            owner, stand_in = taken
            if self.focused in (stand_in, None) and owner in self.focus_chain:
                owner.focus()
                return
        if self.focused is not None:
            return
        tables = [w for w in self.focus_chain if isinstance(w, EndpointsTable | VariantsTable)]
        if not tables:
            return
        if self.has_class("-chart") and had_focus is not None:
            self._focus_hidden_by_chart = (had_focus, tables[0])
        tables[0].focus()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self._render_status()
        if self.paused:
            for timer in (self._poll_timer, self._follow_timer, self._background_timer):
                if timer is not None:
                    timer.stop()
            self._poll_timer = self._follow_timer = self._background_timer = None
            self._poll_due = True
            self.notify("Refresh paused; space resumes.", timeout=3)
        else:
            self.start_poll()

    def action_refresh_now(self) -> None:
        if self.paused:
            self.paused = False
        self.start_poll()

    def action_help(self) -> None:
        from canary_tui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.help_bindings(), self.read_only))

    def action_quit(self) -> None:
        if self.quit_blocked_by_ramp():
            return
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

    # -- writes: each one awaited flow ----------------------------------------------------------
    def _selected_endpoint(self) -> Endpoint | None:
        endpoint = self.endpoints.get(self.selected) if self.selected else None
        if endpoint is None:
            self.notify(
                "Select an endpoint first (its details are still loading?)", severity="warning"
            )
        return endpoint

    def _selected_variant(self, endpoint: Endpoint) -> str | None:
        variant = self.query_one(VariantsTable).selected_variant
        if variant not in endpoint.variant_names:
            self.notify("Select a variant in the variants pane first (tab).", severity="warning")
            return None
        return variant

    def _refuse_write(self) -> bool:
        if self.read_only:
            self.notify(
                "Read-only console: changes are disabled (--read-only, the read_only setting, "
                "or a profile in read_only_profiles).",
                title="Refused",
                severity="warning",
            )
            return True
        if self.change_service is None:
            self.notify("No change service configured; nothing can be sent.", severity="error")
            return True
        if self._change_in_flight():
            # A new flow would cancel the one waiting for this change: its result, the follow
            # to InService and the refusal message would be lost, and the new editor would
            # start from the weights before the change.
            self.notify(
                "A change is still being sent; wait for its result.",
                title="Refused",
                severity="warning",
            )
            return True
        return False

    def _change_in_flight(self) -> bool:
        return any(
            worker.group == "change" and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in self.workers
        )

    def action_edit_weights(self) -> None:
        if self._refuse_write():
            return
        endpoint = self._selected_endpoint()
        if endpoint is None:
            return
        variants = self.query_one(VariantsTable)
        focus = variants.selected_variant if variants.has_focus else self._likely_canary(endpoint)
        self._weights_flow(endpoint, focus)

    def _likely_canary(self, endpoint: Endpoint) -> str | None:
        """From the endpoints pane the usual intent is to step the canary: the variant with
        the most traffic after the baseline (◆), so `[`/`]` move the canary."""
        baseline = self._baseline_of(endpoint) or endpoint.dominant_variant
        others = [v for v in endpoint.variants if v.name != baseline]
        return max(others, key=lambda v: v.desired_weight).name if others else baseline

    def action_rollback(self) -> None:
        if self._refuse_write():
            return
        endpoint = self._selected_endpoint()
        if endpoint is not None:
            self._rollback_flow(endpoint, self._ramp_state(endpoint.name))

    def action_promote(self) -> None:
        if self._refuse_write():
            return
        endpoint = self._selected_endpoint()
        if endpoint is None:
            return
        table = self.query_one(VariantsTable)
        moved = table.moved_by_user_on(endpoint.name) and table.selected_variant
        chosen = table.selected_variant if moved else None
        self._promote_flow(endpoint, chosen, self._ramp_state(endpoint.name))

    def _ramp_state(self, name: str) -> RampState | None:
        entry = self.ramps.get(name)
        return entry.state if entry is not None else None

    @work(thread=True, exit_on_error=False, group="targets")
    def _targets_worker(self, endpoint: Endpoint, ramp: RampState | None) -> Targets:
        return self.targets.find(endpoint, ramp)

    @work(group="flow", exclusive=True, exit_on_error=False)
    async def _rollback_flow(self, endpoint: Endpoint, ramp: RampState | None) -> None:
        with self._watching(endpoint.name):
            targets: Targets = await self._targets_worker(endpoint, ramp).wait()
            baseline = targets.baseline
            if baseline is None:
                message = console_no_baseline_message(endpoint)
                self.notify(message, title="No baseline", severity="warning", timeout=15)
                return
            plan = rollback_plan(endpoint, baseline)
            if plan.is_noop:
                self.notify(f"{endpoint.name} is already at its baseline, {baseline.label}.")
                return
            title = rollback_title(endpoint, baseline)
            await self._confirm_and_apply(title, plan, endpoint, rollback_to=baseline)

    @work(group="flow", exclusive=True, exit_on_error=False)
    async def _promote_flow(
        self, endpoint: Endpoint, chosen: str | None, ramp: RampState | None
    ) -> None:
        with self._watching(endpoint.name):
            variant = chosen
            if variant is None:
                # The canary the log or a ramp knows; else the variant w and r start on
                # (the dialog names it, and nothing is sent without y).
                targets: Targets = await self._targets_worker(endpoint, ramp).wait()
                variant = targets.canary or self._likely_canary(endpoint)
            if variant is None:
                return
            plan = plan_all_to(endpoint, variant)
            if plan.is_noop:
                self.notify(f"{variant} already takes all traffic.")
                return
            await self._confirm_and_apply(promote_title(endpoint, variant), plan, endpoint)

    def action_edit_capacity(self) -> None:
        if self._refuse_write():
            return
        endpoint = self._selected_endpoint()
        variant = self._selected_variant(endpoint) if endpoint else None
        if endpoint is None or variant is None:
            return
        self._capacity_flow(endpoint, variant)

    def action_mark_baseline(self) -> None:
        endpoint = self._selected_endpoint()
        variant = self._selected_variant(endpoint) if endpoint else None
        if endpoint is None or variant is None:
            return
        self.baselines[endpoint.name] = variant
        mark = self.targets.remember(endpoint, self.clock())
        self._save_mark(mark)
        self._render_variants()
        self.notify(
            f"Rollback baseline of {endpoint.name}: {split_label(mark.shares)} (b goes back "
            f"to it); {variant} is the verdict's baseline."
        )

    @work(thread=True, exit_on_error=False, group="marks")
    def _save_mark(self, mark: BaselineMark) -> None:
        try:
            self.targets.save(mark)
        except OSError as error:
            self.app.call_from_thread(
                self.notify,
                f"The mark holds in this console only: cannot save it ({error.strerror}).",
                severity="warning",
            )

    @work(group="flow", exclusive=True, exit_on_error=False)
    async def _weights_flow(self, endpoint: Endpoint, focus: str | None) -> None:
        from canary_tui.ui.screens.editor import WeightEditor

        with self._watching(endpoint.name):
            plan = await self.app.push_screen_wait(WeightEditor(endpoint, focus))
            if plan is None:
                self.notify("Edit cancelled: nothing was sent.", timeout=3)
                return
            await self._confirm_and_apply(f"Change weights of {endpoint.name}", plan, endpoint)

    @work(group="flow", exclusive=True, exit_on_error=False)
    async def _capacity_flow(self, endpoint: Endpoint, variant: str) -> None:
        from canary_tui.ui.screens.editor import CapacityEditor

        scaling = self.scaling.get(endpoint.name)
        editor = CapacityEditor(
            endpoint,
            variant,
            check=lambda plan: capacity_refusal(plan, scaling),
            limits=limits_text(scaling, variant),
        )
        with self._watching(endpoint.name):
            plan = await self.app.push_screen_wait(editor)
            if plan is None:
                self.notify("Edit cancelled: nothing was sent.", timeout=3)
                return
            await self._confirm_and_apply(f"Instances of {variant}", plan, endpoint)

    @contextmanager
    def _watching(self, name: str) -> Iterator[None]:
        """While a dialog about ``name`` is open, the list poll waits, but that one endpoint
        is still described on the follow cadence: if it is deleted the dialog closes, and
        if someone else changes it the person hears about it before confirming."""
        self.watching = name
        self._watch_noticed = False
        self._schedule_follow()
        try:
            yield
        finally:
            self.watching = None

    async def _confirm_and_apply(
        self, title: str, plan: Plan, confirmed: Endpoint, rollback_to: Baseline | None = None
    ) -> None:
        from canary_tui.ui.screens.confirm import ConfirmChange

        forecast = forecast_plan(
            plan,
            confirmed,
            cached_request_rates(self.metrics, confirmed, self.clock()),
            self.options.capacity_warning_factor,
        )
        warnings = plan_warnings(plan, forecast, self.scaling.get(confirmed.name))
        dialog = ConfirmChange(title, plan, forecast, warnings)
        if not await self.app.push_screen_wait(dialog):
            self.notify("Cancelled: nothing was sent.", timeout=3)
            return
        worker = (
            self._apply_worker(plan, confirmed, dialog.reason)
            if rollback_to is None
            else self._rollback_worker(rollback_to, confirmed, dialog.reason)
        )
        try:
            result: ChangeResult = await worker.wait()
        except WorkerFailed as failed:
            await self._change_failed(failed.error, plan)
            return
        if result.live is not None:
            self.post_message(EndpointDescribed(result.live))
        if result.audit_warning:
            self.notify(result.audit_warning, title="Audit log", severity="warning", timeout=10)
        self.following.add(confirmed.name)
        if result.checked:
            # The answer was lost; a re-read showed the change in place.
            self.notify(
                f"Applied to {confirmed.name} ({result.evidence}); following it until InService.",
                title="Change applied after a check",
            )
        else:
            self.notify(
                f"Sent to {confirmed.name}; following it until InService.",
                title="Change sent",
            )
        self.start_follow()

    async def _change_failed(self, error: BaseException, plan: Plan) -> None:
        if isinstance(error, ChangeRefused):
            from canary_tui.ui.screens.confirm import RefusedDialog

            if error.live is not None:
                self.post_message(EndpointDescribed(error.live))
            reopen = await self.app.push_screen_wait(
                RefusedDialog(error.message, error.live, isinstance(plan, WeightPlan))
            )
            if reopen and error.live is not None:
                self._weights_flow(error.live, None)
            return
        if isinstance(error, ChangeOutcomeUnknown | ChangeNotApplied):
            if error.live is not None:
                self.post_message(EndpointDescribed(error.live))
            unknown = isinstance(error, ChangeOutcomeUnknown)
            self.notify(
                error.message,
                title="Change outcome unknown" if unknown else "Change not applied",
                severity="error",
                timeout=30 if unknown else 10,
            )
            return
        self.notify(_error_text(error), title="Change failed", severity="error", timeout=10)

    @work(thread=True, exit_on_error=False, group="change")
    def _apply_worker(
        self, plan: WeightPlan | CapacityPlan, confirmed: Endpoint, reason: str | None
    ) -> ChangeResult:
        assert self.change_service is not None  # refused earlier when missing
        return self.change_service.apply(plan, confirmed, reason=reason)

    @work(thread=True, exit_on_error=False, group="change")
    def _rollback_worker(
        self, baseline: Baseline, confirmed: Endpoint, reason: str | None
    ) -> ChangeResult:
        """A rollback that meets an update waits for the endpoint to settle (reads only,
        up to rollback_wait_seconds), then sends once."""
        assert self.change_service is not None
        told: list[bool] = []

        def on_wait(live: Endpoint | None, pause: float) -> None:
            if not told:
                told.append(True)
                status = live.status if live is not None else "unreadable"
                self.app.call_from_thread(
                    self.notify,
                    f"{confirmed.name} is {status}: the rollback waits for it to settle "
                    "(reads only), then sends.",
                    title="Waiting",
                )

        def pause(seconds: float) -> None:
            if self.closing.wait(seconds):
                raise SettleTimeout("the console closed; the rollback was not sent", None)

        settler = Settler(
            lambda: self.backend.sagemaker.describe_endpoint(confirmed.name),
            sleep=pause,
            backoff=self.settle_backoff,
            on_wait=on_wait,
        )
        return settle_then_roll_back(
            self.change_service,
            settler,
            baseline,
            confirmed,
            timeout=self.options.rollback_wait_seconds,
            reason=reason,
        )

    @on(Unmount)
    def _stop_waiting(self) -> None:
        self.closing.set()
