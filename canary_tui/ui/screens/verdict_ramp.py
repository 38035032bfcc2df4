"""The console's verdict panel, ramps and weight-change markers.

A base class of :class:`~canary_tui.ui.screens.console.ConsoleScreen`, kept apart so the
console's own file stays about endpoints, polls and single changes. The console calls four
hooks (``compose``-time widgets, ``verdict_ramp_mounted``, ``after_metrics_rendered``,
``quit_blocked_by_ramp``); everything else (state, workers, messages, keys) lives here.

* Verdict: computed from the metrics the console already fetched (no extra API call), in a
  thread worker (it reads the audit log and runs the exact tests: file and CPU work, kept off
  the event loop), each time the selected endpoint's metrics window moves. The audit log
  says when the weights last changed, so the traffic split is judged from then on.
* Ramps: ``r`` shows the plan (editable, validated) and starts it on ``y``; a RampRunner runs
  in a thread worker and posts its progress; ``P`` pauses or resumes, ``S`` skips ahead,
  ``X`` aborts (rolls back; both asked first). Ramps found unfinished on disk at start are
  reported and shown; ``r`` resumes one. Quitting with a ramp running asks first; detaching
  leaves the state saved.
* Markers: weight changes from the audit log as vertical lines on the chart and a line of
  labels under the sparklines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget

from canary_tui.aws.errors import AwsError
from canary_tui.domain.metrics import VariantMetrics, VariantRef
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import Abort, Phase, RampPlan, RampPlanError, RampState, Resume
from canary_tui.domain.verdict import VerdictThresholds, compute_verdict
from canary_tui.ramp import RampBusy, RampControl, RampProgress, RampRollbackFailed
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ports import AuditReader
from canary_tui.ui.ramping import RampLauncher, WeightChange, split_start, weight_changes
from canary_tui.ui.refresh import MetricsCache, cached_request_rates
from canary_tui.ui.view import MetricsFrame
from canary_tui.ui.widgets.ramp import RampPanel, RampView
from canary_tui.ui.widgets.verdict import VerdictPanel, VerdictView

if TYPE_CHECKING:
    from canary_tui.ui.screens.ramp import RampQuestion
    from canary_tui.ui.widgets.chart import MetricChart

#: Keys of this part of the console; the console lists them with its own.
VERDICT_RAMP_BINDINGS = [
    Binding(
        "r", "start_ramp", "ramp", tooltip="ramp the selected variant up, step by step", id="ramp"
    ),
    Binding(
        "v",
        "toggle_verdict",
        "verdict",
        show=False,
        tooltip="verdict: one line or every check",
        id="verdict",
    ),
    Binding(
        "P",
        "ramp_pause",
        "pause ramp",
        show=False,
        tooltip="pause or resume the ramp of this endpoint",
        id="ramp-pause",
    ),
    Binding(
        "S",
        "ramp_skip",
        "skip step",
        show=False,
        tooltip="ramp: go to the next step without waiting for the verdict",
        id="ramp-skip",
    ),
    Binding(
        "X",
        "ramp_abort",
        "abort ramp",
        show=False,
        tooltip="ramp: abort and roll back to the baseline",
        id="ramp-abort",
    ),
]
#: Hidden and refused in read-only mode.
RAMP_WRITE_ACTIONS = frozenset({"start_ramp", "ramp_pause", "ramp_skip", "ramp_abort"})
#: Tall terminals show every check of the verdict; short ones one line (v toggles).
EXPANDED_VERDICT_MIN_HEIGHT = 36
RAMP_KEYS = "P pause/resume · S skip · X abort"


# -- messages from the workers -------------------------------------------------------------


class VerdictComputed(Message):
    def __init__(
        self, endpoint: str, key: tuple[object, ...], view: VerdictView, markers: list[WeightChange]
    ) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.key = key
        self.view = view
        self.markers = markers


class RampProgressed(Message):
    def __init__(self, progress: RampProgress) -> None:
        super().__init__()
        self.progress = progress


class RampEnded(Message):
    """The runner returned (final state) or gave up (``error``: one line for a person)."""

    def __init__(self, endpoint: str, state: RampState | None, error: str | None = None) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.state = state
        self.error = error


class RampsFound(Message):
    def __init__(self, states: list[RampState]) -> None:
        super().__init__()
        self.states = states


@dataclass(slots=True)
class _RampEntry:
    state: RampState
    message: str
    #: Set while this console drives the ramp; None for one only found on disk.
    control: RampControl | None = None


class VerdictRampScreen(Screen[None]):
    """See the module docstring. Subclassed by the console, which owns the state below."""

    # -- provided by the console ------------------------------------------------------------
    options: ConsoleOptions
    audit: AuditReader | None
    read_only: bool
    selected: str | None
    endpoints: dict[str, Endpoint]
    following: set[str]
    metrics: MetricsCache
    metrics_frame: MetricsFrame | None
    window: str
    clock: Callable[[], datetime]

    def _refuse_write(self) -> bool:
        raise NotImplementedError

    def _selected_endpoint(self) -> Endpoint | None:
        raise NotImplementedError

    def start_follow(self) -> None:
        raise NotImplementedError

    def chart(self, *, create: bool = False) -> MetricChart | None:
        raise NotImplementedError

    # -- state ------------------------------------------------------------------------------
    def init_verdict_ramp(self) -> None:
        self.verdict_expanded: bool | None = None
        self.verdicts: dict[str, VerdictView] = {}
        self.markers: dict[str, list[WeightChange]] = {}
        self._verdict_keys: dict[str, tuple[object, ...]] = {}
        self.ramps: dict[str, _RampEntry] = {}
        self._ramp_timer: Timer | None = None

    @property
    def ramp_launcher(self) -> RampLauncher | None:
        if self.read_only:
            return None
        launcher = getattr(self.app, "ramps", None)
        if not isinstance(launcher, RampLauncher):
            return None
        # After a profile or region switch the launcher still talks to the old account.
        return launcher if launcher.backend is getattr(self.app, "backend", None) else None

    @property
    def verdict_thresholds(self) -> VerdictThresholds:
        launcher = getattr(self.app, "ramps", None)
        if isinstance(launcher, RampLauncher):
            return launcher.thresholds
        return VerdictThresholds()

    def compose_verdict_ramp(self) -> Iterable[Widget]:
        yield RampPanel(id="ramp-progress")
        yield VerdictPanel(id="verdict")

    def verdict_ramp_mounted(self) -> None:
        if self.ramp_launcher is not None:
            self._find_saved_ramps(self.ramp_launcher)
        if self.options.poll:
            # The bake countdown; only redraws the two-line panel.
            self._ramp_timer = self.set_interval(1.0, self._render_ramp, name="ramp-countdown")

    # -- verdict ----------------------------------------------------------------------------
    @property
    def verdict_is_expanded(self) -> bool:
        if self.verdict_expanded is not None:
            return self.verdict_expanded
        return self.app.size.height >= EXPANDED_VERDICT_MIN_HEIGHT

    def action_toggle_verdict(self) -> None:
        self.verdict_expanded = not self.verdict_is_expanded
        self._render_verdict()

    def after_metrics_rendered(self) -> None:
        """Called by the console each time it renders the metrics of the selected endpoint:
        redraw the verdict, markers and ramp, and recompute the verdict if the data moved."""
        self._render_verdict()
        self._render_ramp()
        self._render_markers()
        endpoint = self.endpoints.get(self.selected) if self.selected else None
        frame = self.metrics_frame
        if endpoint is None or frame is None or len(endpoint.variants) < 2:
            return
        if not self.metrics.has(endpoint.name):
            return
        key: tuple[object, ...] = (
            frame.start,
            frame.end,
            frame.period_seconds,
            tuple(sorted(endpoint.current_weights.items())),
            self.window,
        )
        if self._verdict_keys.get(endpoint.name) == key:
            return
        self._verdict_keys[endpoint.name] = key
        metrics = {
            name: self.metrics.get(VariantRef(endpoint.name, name))
            for name in endpoint.variant_names
        }
        if endpoint.name not in self.verdicts:
            self.verdicts[endpoint.name] = VerdictView(
                endpoint.name, message="computing…", window=self.window
            )
            self._render_verdict()
        self._verdict_worker(
            endpoint, metrics, frame, self.clock(), self.window, self.verdict_thresholds, key
        )

    @work(thread=True, exit_on_error=False, group="verdict")
    def _verdict_worker(
        self,
        endpoint: Endpoint,
        metrics: Mapping[str, VariantMetrics],
        frame: MetricsFrame,
        now: datetime,
        window: str,
        thresholds: VerdictThresholds,
        key: tuple[object, ...],
    ) -> None:
        changes = self._read_weight_changes(endpoint.name)
        inside = [change for change in changes if frame.start <= change.time <= frame.end]
        changed_at = inside[-1].time if inside else None
        end = min(now, frame.end) if now > frame.start else frame.end
        window_seconds = max((end - frame.start).total_seconds(), float(frame.period_seconds))
        try:
            verdict = compute_verdict(
                endpoint.name,
                metrics,
                endpoint.current_weights,
                period_seconds=frame.period_seconds,
                window_seconds=window_seconds,
                thresholds=thresholds,
                baseline=self._baseline_of(endpoint),
                weights_note=(
                    f"weights changed at {changed_at:%H:%M} UTC (audit log): traffic split "
                    "judged from the next period on"
                    if changed_at is not None
                    else "traffic split judged against the current weights"
                ),
                split_since=split_start(changed_at, frame.period_seconds),
            )
        except ValueError as error:
            view = VerdictView(endpoint.name, message=f"cannot judge: {error}", window=window)
        else:
            view = VerdictView(endpoint.name, verdict=verdict, window=window)
        self.post_message(VerdictComputed(endpoint.name, key, view, inside))

    def _baseline_of(self, endpoint: Endpoint) -> str | None:
        baselines: dict[str, str] = getattr(self, "baselines", {})
        baseline = baselines.get(endpoint.name)
        return baseline if baseline in endpoint.variant_names else None

    def _read_weight_changes(self, endpoint: str) -> list[WeightChange]:
        """From a worker thread: the audit log's weight changes of ``endpoint``."""
        if self.audit is None:
            return []
        try:
            return weight_changes(self.audit.read(endpoint).entries)
        except (OSError, ValueError):
            return []  # no log yet, or unreadable: no markers, the verdict still works

    def on_verdict_computed(self, message: VerdictComputed) -> None:
        if self._verdict_keys.get(message.endpoint) != message.key:
            return  # a newer computation is on its way
        self.verdicts[message.endpoint] = message.view
        self.markers[message.endpoint] = message.markers
        if message.endpoint == self.selected:
            self._render_verdict()
            self._render_markers()

    def _render_verdict(self) -> None:
        panel = self.query_one(VerdictPanel)
        endpoint = self.endpoints.get(self.selected) if self.selected else None
        if endpoint is None or len(endpoint.variants) < 2:
            panel.display = False
            panel.show(None, self.verdict_is_expanded)
            return
        panel.display = True
        view = self.verdicts.get(endpoint.name) or VerdictView(
            endpoint.name, message="waiting for metrics…", window=self.window
        )
        panel.show(view, self.verdict_is_expanded)

    # -- markers ----------------------------------------------------------------------------
    def _render_markers(self) -> None:
        from canary_tui.ui.widgets.metrics import MetricsPanel

        markers = self.markers.get(self.selected, []) if self.selected else []
        frame = self.metrics_frame
        labels = [change.label(self.options.ascii) for change in markers]
        subtitle = " ".join(labels[-3:]) if labels else None
        panel = self.query_one(MetricsPanel)
        if panel.border_subtitle != subtitle:
            panel.border_subtitle = subtitle
        chart = self.chart()
        if chart is None:  # not shown yet: markers are drawn when it is created
            return
        chart.border_subtitle = subtitle
        if frame is None or not markers:
            return
        for change in markers:
            chart.plt.vline(frame.minutes_before_end(change.time), "orange")
        chart.refresh()

    # -- ramps: starting --------------------------------------------------------------------
    def action_start_ramp(self) -> None:
        if self._refuse_write():
            return
        launcher = self.ramp_launcher
        if launcher is None:
            self.notify("Ramps are not available in this console.", severity="error")
            return
        endpoint = self._selected_endpoint()
        if endpoint is None:
            return
        entry = self.ramps.get(endpoint.name)
        if entry is not None and entry.control is not None:
            self.notify(
                f"A ramp of {entry.state.plan.canary} is running on {endpoint.name}: {RAMP_KEYS}.",
                severity="warning",
            )
            return
        if entry is not None and not entry.state.is_over:
            self._resume_flow(launcher, entry.state)
            return
        canary = self._ramp_canary(endpoint)
        if canary is None:
            return
        self._ramp_plan_flow(launcher, endpoint, canary)

    def _ramp_canary(self, endpoint: Endpoint) -> str | None:
        """The selected variant, unless it is the baseline of a two-variant endpoint (then
        the other one: ramping the baseline up is never what was meant)."""
        from canary_tui.ui.widgets.tables import VariantsTable

        if len(endpoint.variants) < 2:
            self.notify(f"{endpoint.name} has one variant: nothing to ramp.", severity="warning")
            return None
        variant = self.query_one(VariantsTable).selected_variant
        baseline = self._baseline_of(endpoint) or endpoint.dominant_variant
        if variant not in endpoint.variant_names or variant == baseline:
            others = [n for n in endpoint.variant_names if n != baseline]
            if len(others) == 1:
                return others[0]
            self.notify(
                "Select the variant to ramp in the variants pane first (tab).",
                severity="warning",
            )
            return None
        return variant

    @work(group="flow", exclusive=True, exit_on_error=False)
    async def _ramp_plan_flow(
        self, launcher: RampLauncher, endpoint: Endpoint, canary: str
    ) -> None:
        from canary_tui.ui.screens.ramp import RampPlanDialog

        dialog = RampPlanDialog(
            endpoint,
            canary,
            steps=launcher.default_steps,
            bake_seconds=launcher.default_bake_seconds,
            rates=cached_request_rates(self.metrics, endpoint, self.clock()),
            warning_factor=self.options.capacity_warning_factor,
        )
        plan = await self.app.push_screen_wait(dialog)
        if plan is None:
            self.notify("Ramp cancelled: nothing was sent.", timeout=3)
            return
        shown = RampState.start(plan, endpoint.desired_weights, launcher.clock.now())
        self._drive_ramp(launcher, endpoint.name, shown=shown, plan=plan)

    @work(group="flow", exclusive=True, exit_on_error=False)
    async def _resume_flow(self, launcher: RampLauncher, state: RampState) -> None:
        from canary_tui.ui.screens.ramp import RampQuestion

        question = RampQuestion(
            f"Ramp in progress on {state.plan.endpoint}",
            f"A ramp of {state.plan.canary} is {state.phase.value} at step "
            f"{state.step_index + 1}/{len(state.plan.steps)} ({state.step_share:g}%), "
            f"baseline {state.baseline}, started {state.started_at:%Y-%m-%d %H:%M} UTC."
            + (f"\nwhy: {state.status_reason}" if state.status_reason else ""),
            [("y", "resume it"), ("x", "abort: roll back to the baseline")],
            endpoint_name=state.plan.endpoint,
        )
        answer = await self.app.push_screen_wait(question)
        now = launcher.clock.now()
        if answer == "y":
            resumed = state.on(Resume(now)) if state.phase is Phase.PAUSED else state
            self._drive_ramp(launcher, state.plan.endpoint, shown=resumed, state=resumed)
        elif answer == "x":
            aborted = state.on(Abort(now))
            self._drive_ramp(launcher, state.plan.endpoint, shown=aborted, state=aborted)
        else:
            self.notify("Nothing was changed.", timeout=3)

    def _drive_ramp(
        self,
        launcher: RampLauncher,
        endpoint: str,
        *,
        shown: RampState,
        plan: RampPlan | None = None,
        state: RampState | None = None,
    ) -> None:
        """Run a new ``plan`` or a saved ``state`` in a thread worker; ``shown`` is what the
        panel says until the runner's first progress."""
        control = RampControl()
        self.ramps[endpoint] = _RampEntry(shown, "starting…", control)
        self._render_ramp()
        self._ramp_worker(launcher, control, endpoint, plan, state)

    @work(thread=True, exit_on_error=False, group="ramp")
    def _ramp_worker(
        self,
        launcher: RampLauncher,
        control: RampControl,
        endpoint: str,
        plan: RampPlan | None,
        state: RampState | None,
    ) -> None:
        def report(progress: RampProgress) -> None:
            self.post_message(RampProgressed(progress))

        runner = launcher.runner(control, report)
        try:
            if state is None:
                assert plan is not None
                state, _ = runner.prepare(plan)
            final = runner.run(state)
        except RampPlanError as error:
            self.post_message(RampEnded(endpoint, None, f"Ramp not started: {error.message}"))
        except RampBusy as error:
            self.post_message(RampEnded(endpoint, None, str(error)))
        except RampRollbackFailed as error:
            self.post_message(RampEnded(endpoint, error.state, f"ROLLBACK FAILED: {error.message}"))
        except AwsError as error:
            self.post_message(RampEnded(endpoint, state, f"Ramp stopped: {error.message}"))
        else:
            self.post_message(RampEnded(endpoint, final))

    @work(thread=True, exit_on_error=False, group="ramp-found")
    def _find_saved_ramps(self, launcher: RampLauncher) -> None:
        states = launcher.in_progress()
        if states:
            self.post_message(RampsFound(states))

    # -- ramps: progress --------------------------------------------------------------------
    def on_ramps_found(self, message: RampsFound) -> None:
        for state in message.states:
            name = state.plan.endpoint
            if name in self.ramps and self.ramps[name].control is not None:
                continue
            self.ramps[name] = _RampEntry(state, state.status_reason or "found at start")
            self.notify(
                f"A ramp of {state.plan.canary} on {name} is {state.phase.value} at "
                f"{state.step_share:g}% and nothing is driving it. Select {name} and press r "
                "to resume it (or abort it).",
                title="Ramp in progress",
                severity="warning",
                timeout=20,
            )
        self._render_ramp()

    def on_ramp_progressed(self, message: RampProgressed) -> None:
        progress = message.progress
        state = progress.state
        name = state.plan.endpoint
        entry = self.ramps.get(name)
        previous = entry.state if entry is not None else None
        control = entry.control if entry is not None else None
        self.ramps[name] = _RampEntry(state, progress.message, control)
        if (
            previous is None
            or previous.phase is not state.phase
            or (previous.step_index != state.step_index)
        ):
            self._announce(state, previous)
            # The ramp changes weights: follow the endpoint like any change from here.
            self.following.add(name)
            self.start_follow()
        self._render_ramp()

    def _announce(self, state: RampState, previous: RampState | None) -> None:
        where = f"{state.plan.endpoint}: {state.plan.canary} at {state.step_share:g}%"
        reason = state.status_reason or ""
        if state.phase is Phase.ROLLING_BACK:
            self.notify(
                f"Rolling back {state.plan.endpoint} to {state.baseline}: {reason}",
                title="Ramp rolling back",
                severity="error",
                timeout=30,
            )
        elif state.phase is Phase.PAUSED and previous is not None:
            self.notify(f"Ramp held, {where}: {reason}", title="Ramp paused", severity="warning")
        elif state.phase is Phase.BAKING and (
            previous is None
            or previous.step_index != state.step_index
            or previous.phase is Phase.APPLYING
        ):
            self.notify(f"Ramp step {state.step_index + 1} applied, {where}.", title="Ramp")

    def on_ramp_ended(self, message: RampEnded) -> None:
        entry = self.ramps.get(message.endpoint)
        if message.error is not None:
            self.notify(message.error, title="Ramp", severity="error", timeout=30)
        state = message.state
        if state is None:
            # Never started (plan refused, another process drives it): nothing to show.
            self.ramps.pop(message.endpoint, None)
            self._render_ramp()
            return
        text = entry.message if entry is not None else ""
        self.ramps[message.endpoint] = _RampEntry(state, message.error or text)
        if message.error is None:
            if state.phase is Phase.DONE:
                self.notify(
                    f"Ramp done: {state.plan.canary} takes {state.step_share:g}% of "
                    f"{state.plan.endpoint}.",
                    title="Ramp done",
                )
            elif state.phase is Phase.ROLLED_BACK:
                self.notify(
                    f"Ramp rolled back: all traffic on {state.baseline} ({state.status_reason}).",
                    title="Ramp rolled back",
                    severity="error",
                    timeout=30,
                )
            elif state.phase is Phase.ABORTED:
                self.notify(
                    f"Ramp aborted: all traffic on {state.baseline}.",
                    title="Ramp aborted",
                    severity="warning",
                )
        self.following.add(message.endpoint)
        self.start_follow()
        self._render_ramp()

    def _shown_ramp(self) -> _RampEntry | None:
        """The selected endpoint's ramp; else one this console drives elsewhere, so a running
        ramp stays on screen (and under P/S/X) whichever endpoint is selected."""
        entry = self.ramps.get(self.selected) if self.selected else None
        if entry is not None:
            return entry
        running = [e for e in self.ramps.values() if e.control is not None]
        return running[0] if running else None

    def _render_ramp(self) -> None:
        panel = self.query_one(RampPanel)
        entry = self._shown_ramp()
        if entry is None:
            panel.show(None)
            return
        launcher = getattr(self.app, "ramps", None)
        now = launcher.clock.now() if isinstance(launcher, RampLauncher) else self.clock()
        panel.show(
            RampView(
                entry.state,
                entry.message,
                now,
                running=entry.control is not None,
                keys="" if self.read_only else RAMP_KEYS,
                elsewhere=entry.state.plan.endpoint != self.selected,
            )
        )

    # -- ramps: the operator's keys ---------------------------------------------------------
    def _running_ramp(self) -> _RampEntry | None:
        entry = self._shown_ramp()
        if entry is None or entry.state.is_over:
            self.notify("No ramp is running on this endpoint (r starts one).", severity="warning")
            return None
        if entry.control is None:
            self.notify(
                "This ramp is not driven by this console: r resumes it (or aborts it).",
                severity="warning",
            )
            return None
        return entry

    def action_ramp_pause(self) -> None:
        if self._refuse_write():
            return
        entry = self._running_ramp()
        if entry is None or entry.control is None:
            return
        if entry.state.phase is Phase.PAUSED:
            entry.control.resume()
            self.notify("Resuming the ramp.", timeout=3)
        else:
            entry.control.pause()
            self.notify("Pausing the ramp (P resumes).", timeout=3)

    def action_ramp_skip(self) -> None:
        from canary_tui.ui.screens.ramp import RampQuestion

        if self._refuse_write():
            return
        entry = self._running_ramp()
        if entry is not None and entry.control is not None:
            state = entry.state
            target = (
                "finish the ramp"
                if state.is_last_step
                else f"move {state.plan.canary} to {state.plan.steps[state.step_index + 1]:g}%"
            )
            self._ask_then(
                RampQuestion(
                    "Skip this step?",
                    f"Skip the rest of this step and its verdict, and {target}?",
                    [("y", "skip")],
                    endpoint_name=state.plan.endpoint,
                ),
                "y",
                entry.control.skip,
            )

    def action_ramp_abort(self) -> None:
        from canary_tui.ui.screens.ramp import RampQuestion

        if self._refuse_write():
            return
        entry = self._running_ramp()
        if entry is not None and entry.control is not None:
            state = entry.state
            self._ask_then(
                RampQuestion(
                    "Abort the ramp?",
                    f"Abort the ramp of {state.plan.canary} and send all traffic of "
                    f"{state.plan.endpoint} back to {state.baseline}?",
                    [("y", "abort and roll back")],
                    endpoint_name=state.plan.endpoint,
                ),
                "y",
                entry.control.abort,
            )

    @work(group="flow", exclusive=True, exit_on_error=False)
    async def _ask_then(
        self, question: RampQuestion, expected: str, action: Callable[[], None]
    ) -> None:
        if await self.app.push_screen_wait(question) == expected:
            action()
        else:
            self.notify("Nothing was changed.", timeout=3)

    # -- quitting ---------------------------------------------------------------------------
    def on_unmount(self) -> None:
        # However the app ends (q, ctrl+q, a signal), a runner thread must not keep driving
        # an endpoint nobody watches, nor keep the process alive: stop it where it is.
        for entry in self.ramps.values():
            if entry.control is not None:
                entry.control.detach()

    def quit_blocked_by_ramp(self) -> bool:
        """True when a ramp runs here: the person is asked first (detach or stay)."""
        from canary_tui.ui.screens.ramp import RampQuestion

        running = [entry for entry in self.ramps.values() if entry.control is not None]
        if not running:
            return False
        names = ", ".join(entry.state.plan.endpoint for entry in running)
        question = RampQuestion(
            "A ramp is running",
            f"A ramp is running on {names}. Detach leaves it where it is, saved: the next "
            "console resumes it with r (or canary-tui ramp ENDPOINT --resume).",
            [("d", "detach and quit")],
        )
        self.app.push_screen(question, partial(self._quit_answered, running))
        return True

    def _quit_answered(self, running: list[_RampEntry], answer: str | None) -> None:
        if answer != "d":
            return
        for entry in running:
            if entry.control is not None:
                entry.control.detach()
        self.app.exit(0)
