"""The console's reads of SageMaker: the poll, the follow, the background describes and
the selected endpoint's load, each a thread worker, run when ``RefreshSchedule`` says.

Owns the endpoint data in the shared view (list, descriptions, scaling limits, what is
followed), the status line (last refresh, stale cause, paused) and one timer: the
schedule's next wake. Data comes back as typed messages the screen hands to
:meth:`RefreshPart.listed`, :meth:`described` and friends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.markup import escape
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from canary_tui.aws.errors import AwsError, CredentialsProblem, NotFound
from canary_tui.domain.models import Endpoint, EndpointSummary, terminal_status_message
from canary_tui.ui.console.errors import error_text
from canary_tui.ui.console.schedule import Job, RefreshSchedule
from canary_tui.ui.console.state import ConsoleView
from canary_tui.ui.messages import EndpointDescribed, EndpointGone, EndpointsListed, ScalingRead
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ports import scaling_reader
from canary_tui.ui.refresh import background_due, changed_since_described, refresh_describes
from canary_tui.ui.view import share_text
from canary_tui.ui.widgets.status_line import StatusLine, StatusState, deployment_text

if TYPE_CHECKING:
    from datetime import datetime

    from canary_tui.domain.capacity import EndpointScaling
    from canary_tui.ui.screens.console import ConsoleScreen

#: Worker groups whose failure marks the data stale (the background only fills the list).
READ_GROUPS = frozenset({"poll", "select", "follow"})
# The shortest timer we set: Textual cannot run a timer whose interval is 0.
MIN_TIMER_SECONDS = 0.001
#: Fetches the selected endpoint's metrics from a worker thread (MetricsPart.fetch).
MetricsFetcher = Callable[[Endpoint, str], None]


def schedule_for(options: ConsoleOptions) -> RefreshSchedule:
    return RefreshSchedule(
        refresh_seconds=options.effective_refresh_seconds,
        follow_seconds=options.follow_seconds,
        background_seconds=options.background_round_seconds,
        timers=options.poll,
    )


class RefreshPart:
    def __init__(
        self, screen: ConsoleScreen, view: ConsoleView, fetch_metrics: MetricsFetcher
    ) -> None:
        self.screen = screen
        self.view = view
        self.fetch_metrics = fetch_metrics
        self.schedule = schedule_for(screen.options)
        self.stale_cause: str | None = None
        self.last_refresh: datetime | None = None
        self._scaling_read_at: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._wake_timer: Timer | None = None
        self._reset_credentials_next = False

    def use_options(self, options: ConsoleOptions) -> None:
        """New settings (the demo's, read behind the first frame): same state, new cadence."""
        self.schedule.retune(schedule_for(options))
        self.stale_cause = None

    # -- the timer: the schedule's next wake ----------------------------------------------
    def _arm(self) -> None:
        if self._wake_timer is not None:
            self._wake_timer.stop()
            self._wake_timer = None
        delay = self.schedule.next_wake(time.monotonic())
        if delay is not None:
            # Textual's Timer divides by its interval once it is late, so a wake due now
            # (delay 0) raised ZeroDivisionError when the loop was busy: never ask for 0.
            delay = max(delay, MIN_TIMER_SECONDS)
            self._wake_timer = self.screen.set_timer(delay, self._wake, name="refresh")

    def _wake(self) -> None:
        self._wake_timer = None
        for job in self.schedule.take_due(time.monotonic()):
            if job is Job.POLL:
                self._run_poll()
            elif job is Job.FOLLOW:
                self._run_follow()
            else:
                self._run_background()
        self._arm()

    # -- poll -----------------------------------------------------------------------------
    def start_poll(self) -> None:
        """Poll now unless paused, behind a dialog, or a poll is running (then right after)."""
        if self.schedule.request_poll():
            self._run_poll()
        self._arm()

    def _run_poll(self) -> None:
        view = self.view
        describe = refresh_describes(
            selected=view.selected, transitional=view.transitional_names(), changed=()
        )
        self.render_status(refreshing=True)
        reset, self._reset_credentials_next = self._reset_credentials_next, False
        self.schedule.started(Job.POLL)
        work = partial(
            self._poll, describe, view.selected, view.window, dict(view.endpoints), reset
        )
        self.screen.run_worker(work, thread=True, group="poll", exit_on_error=False)

    def _poll(
        self,
        describe: list[str],
        selected: str | None,
        window: str,
        described: dict[str, Endpoint],
        reset_credentials: bool,
    ) -> None:
        if reset_credentials:
            # The last poll was refused for credentials: pick up whatever the person fixed
            # (aws sso login, new environment) without a restart.
            self.screen.backend.reset_credentials()
        summaries = self.screen.backend.sagemaker.list_endpoints()
        self.screen.post_message(EndpointsListed(summaries))
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
            self.fetch_metrics(selected_endpoint, window)

    def load_selected(self, name: str) -> None:
        """Describe the selected endpoint and fetch its metrics (a new selection or window)."""
        work = partial(self._load, name, self.view.window)
        self.screen.run_worker(
            work, thread=True, group="select", exclusive=True, exit_on_error=False
        )

    def _load(self, name: str, window: str) -> None:
        endpoint = self._describe(name)
        if endpoint is not None:
            self._read_scaling(endpoint)
            self.fetch_metrics(endpoint, window)

    # -- follow ---------------------------------------------------------------------------
    def follow(self, name: str) -> None:
        """A change was sent (or a ramp moved): describe ``name`` until it settles."""
        self.view.following.add(name)
        if self.schedule.follow_now():
            self._run_follow()
        self._arm()

    def want_follow(self) -> None:
        now = time.monotonic()
        self.schedule.want_follow(now, anything_to_follow=bool(self.view.transitional_names()))
        self._arm()

    def _run_follow(self) -> None:
        names = self.view.transitional_names()
        if not names:
            return
        self.schedule.started(Job.FOLLOW)
        work = partial(self._describe_each, names)
        self.screen.run_worker(work, thread=True, group="follow", exit_on_error=False)

    # -- background -----------------------------------------------------------------------
    def _background_due(self) -> list[str]:
        options = self.screen.options
        return background_due(
            names=self.view.summaries,
            described_at=self.view.described_at,
            now_monotonic=time.monotonic(),
            interval=options.background_describe_seconds,
            batch=options.background_batch,
        )

    def want_background(self) -> None:
        now = time.monotonic()
        if self.schedule.want_background(now, anything_due=bool(self._background_due())):
            self._run_background()
        self._arm()

    def _run_background(self) -> None:
        due = self._background_due()
        if not due:
            return
        self.schedule.started(Job.BACKGROUND)
        work = partial(self._describe_each, due)
        self.screen.run_worker(work, thread=True, group="background", exit_on_error=False)

    def background_progress(self) -> tuple[int, int]:
        """(described at least once, listed): the first pass over a long list takes minutes."""
        return self.view.described_count(), len(self.view.summaries)

    # -- from worker threads --------------------------------------------------------------
    def _describe_each(self, names: list[str]) -> None:
        for name in names:
            self._describe(name)

    def _describe(self, name: str) -> Endpoint | None:
        try:
            endpoint = self.screen.backend.sagemaker.describe_endpoint(name)
        except NotFound:
            self.screen.post_message(EndpointGone(name))
            return None
        # An asynchronous endpoint is read by its own metrics (a fake reader may not care).
        note_endpoint = getattr(self.screen.backend.cloudwatch, "note_endpoint", None)
        if note_endpoint is not None:
            note_endpoint(endpoint)
        self.screen.post_message(EndpointDescribed(endpoint))
        return endpoint

    def _scaling_due(self, endpoint: Endpoint) -> bool:
        """Scaling limits change rarely: read on the slow (background describe) cadence,
        and again when the variants change, not on every tick."""
        last = self._scaling_read_at.get(endpoint.name)
        if last is None or last[1] != endpoint.variant_names:
            return True
        return time.monotonic() - last[0] >= self.screen.options.background_describe_seconds

    def _read_scaling(self, endpoint: Endpoint) -> None:
        """The endpoint's scaling limits, if due (unreadable limits come back as unknown)."""
        reader = scaling_reader(self.screen.backend)
        if reader is None or not endpoint.variants:
            return
        if not self.screen.app.call_from_thread(self._scaling_due, endpoint):
            return
        scaling = reader.endpoint_scaling(endpoint.name, endpoint.variant_names)
        self.screen.post_message(ScalingRead(scaling, endpoint.variant_names))

    # -- worker results -------------------------------------------------------------------
    def worker_changed(self, worker: Worker[object], state: WorkerState) -> bool:
        """Book a read worker's end; False when the worker is not one of ours."""
        group = worker.group
        if group == "background":
            if state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
                # Background describes only fill the list: a failure is not worth a STALE
                # mark (the poll reports outages); the next round comes later.
                self.schedule.job_finished(Job.BACKGROUND)
                self.screen.list_round_done()
                self.want_background()
            return True
        if group not in READ_GROUPS:
            return False
        if state is WorkerState.CANCELLED:
            if group != "select":  # the screen is going: only forget that it ran
                self.schedule.job_finished(Job(group))
            return True
        if state is WorkerState.SUCCESS:
            if group == "poll":
                self.stale_cause = None
                self.last_refresh = self.screen.clock()
                self.screen.list_round_done()
                self._after_poll(ok=True)
            elif group == "follow":
                self.schedule.job_finished(Job.FOLLOW)
                self.want_follow()
            self.render_status()
        elif state is WorkerState.ERROR:
            self._failed(worker.error or RuntimeError("unknown failure"), group)
        return True

    def _failed(self, error: BaseException, group: str) -> None:
        cause = error_text(error)
        if cause != self.stale_cause:
            self.screen.notify(cause, title="Refresh failed", severity="warning", timeout=8)
        self.stale_cause = cause
        if isinstance(error, CredentialsProblem):
            self._reset_credentials_next = True
        if group == "poll":
            transient = isinstance(error, AwsError) and error.transient
            self._after_poll(ok=False, transient=transient)
        elif group == "follow":
            self.schedule.job_finished(Job.FOLLOW)
            self.want_follow()
        self.render_status()

    def _after_poll(self, *, ok: bool, transient: bool = False) -> None:
        if self.schedule.poll_finished(time.monotonic(), ok=ok, transient=transient):
            self.screen.call_later(self.start_poll)
        self.want_follow()
        self.want_background()

    # -- pause and dialogs ----------------------------------------------------------------
    @property
    def paused(self) -> bool:
        return self.schedule.paused

    def toggle_pause(self) -> None:
        if self.schedule.paused:
            if self.schedule.resume():
                self._run_poll()
        else:
            self.schedule.pause()
            self.screen.notify("Refresh paused; space resumes.", timeout=3)
        self.render_status()
        self._arm()

    def refresh_now(self) -> None:
        if self.schedule.paused:
            self.schedule.paused = False
        self.start_poll()

    def suspend(self) -> None:
        # A dialog is open: the person is reading or deciding; do not move data under them.
        self.schedule.suspend()

    def unsuspend(self) -> None:
        if self.schedule.unsuspend():
            self._run_poll()
        self._arm()

    def _write_under_way(self, name: str) -> bool:
        entry = self.screen.ramps.get(name)
        return entry is not None and entry.driven_here

    # -- data from the workers ------------------------------------------------------------
    def listed(self, summaries: list[EndpointSummary]) -> None:
        listed = {summary.name: summary for summary in summaries}
        for name in set(self.view.summaries) - set(listed):
            self.forget(name, f"{name} no longer exists")
        self.view.summaries = listed
        self.want_follow()

    def described(self, endpoint: Endpoint) -> None:
        self.view.store_description(endpoint, seen_at=self.screen.clock())
        # A terminal status (UpdateRollbackFailed) will not settle by itself: stop following.
        settled = endpoint.is_terminal or (
            not endpoint.is_transitional
            and not any(variant.is_settling for variant in endpoint.variants)
        )
        if endpoint.name in self.view.following and settled:
            self.view.following.discard(endpoint.name)
            self._tell_settled(endpoint)

    def _tell_settled(self, endpoint: Endpoint) -> None:
        if self._write_under_way(endpoint.name):
            # A ramp driven here reports each step and its end itself: a
            # "Change done 50/50" while an abort was rolling back to 100/0 told a false story.
            return
        if endpoint.status == "InService":
            shares = ", ".join(
                f"{name} {share_text(share)}"
                for name, share in endpoint.current_traffic_shares.items()
            )
            self.screen.notify(f"{endpoint.name} is InService: {shares}", title="Change done")
            return
        reason = f": {endpoint.failure_reason}" if endpoint.failure_reason else ""
        self.screen.notify(
            terminal_status_message(endpoint)
            if endpoint.is_terminal
            else f"{endpoint.name} is {endpoint.status}{reason}",
            title="Change finished",
            severity="error",
        )

    def scaling_read(self, scaling: EndpointScaling, variants: tuple[str, ...]) -> None:
        self.view.scaling[scaling.endpoint] = scaling
        self._scaling_read_at[scaling.endpoint] = (time.monotonic(), variants)

    def gone(self, name: str) -> None:
        self.forget(name, f"{name} was deleted")
        self.view.summaries.pop(name, None)

    def forget(self, name: str, notice: str) -> None:
        self.view.forget(name)
        self._scaling_read_at.pop(name, None)
        if name in self.view.summaries:
            self.screen.notify(notice, title="Endpoint gone", severity="warning")
        # A dialog about an endpoint that no longer exists can only mislead: close it.
        for screen in reversed(self.screen.app.screen_stack):
            if getattr(screen, "endpoint_name", None) == name and isinstance(screen, ModalScreen):
                screen.dismiss(None)
                self.screen.notify(f"Closed the dialog: {escape(notice)}.", severity="warning")
        self.screen.endpoint_forgotten(name)

    # -- the status line ------------------------------------------------------------------
    def render_status(self, refreshing: bool = False) -> None:
        options = self.screen.options
        self.screen.query_one(StatusLine).show(
            StatusState(
                label=options.mode_label or self.screen.backend.label,
                region=options.region or "default region",
                read_only=self.screen.read_only,
                last_refresh=self.last_refresh,
                refreshing=refreshing,
                paused=self.schedule.paused,
                stale_cause=self.stale_cause,
                window=self.view.window,
                refresh_seconds=options.effective_refresh_seconds,
                production=options.production,
                deployment=deployment_text(self.view.endpoints.values(), self.view.selected),
            )
        )
