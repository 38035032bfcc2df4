"""Ramps in the console: ``r`` shows the plan (editable, validated) and starts it on ``y``;
a RampRunner runs in a thread worker and posts its progress; ``P`` pauses or resumes,
``S`` skips ahead, ``X`` aborts (rolls back; both asked first). Ramps found unfinished on
disk at start are reported and shown; ``r`` resumes one. Quitting with a ramp running asks
first; detaching leaves the state saved. The dialogs' questions are in ``ramp_questions``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer

from canary_tui.aws.errors import AwsError
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import Abort, Phase, RampPlan, RampPlanError, RampState, Resume
from canary_tui.ramp import RampBusy, RampControl, RampProgress, RampRollbackFailed
from canary_tui.ui.console import ramp_questions
from canary_tui.ui.console.bindings import FOOTER_ROOMY_COLUMNS, show_ramp_keys
from canary_tui.ui.console.state import ConsoleView
from canary_tui.ui.ramping import RampLauncher
from canary_tui.ui.refresh import cached_request_rates
from canary_tui.ui.widgets.ramp import RampPanel, RampView, phase_word, ramp_keys
from canary_tui.ui.widgets.tables import VariantsTable

if TYPE_CHECKING:
    from canary_tui.ui.screens.console import ConsoleScreen
    from canary_tui.ui.screens.ramp import RampQuestion

RAMP_KEYS = "P pause/resume · S skip · X abort"


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
class RampEntry:
    state: RampState
    message: str
    #: Set while this console drives the ramp; None for one only found on disk.
    control: RampControl | None = None

    @property
    def driven_here(self) -> bool:
        """This console drives the ramp and it is not over: its steps are its own story."""
        return self.control is not None and not self.state.is_over


class RampPart:
    def __init__(self, screen: ConsoleScreen, view: ConsoleView) -> None:
        self.screen = screen
        self.view = view
        self.ramps: dict[str, RampEntry] = {}
        self._countdown: Timer | None = None

    @property
    def launcher(self) -> RampLauncher | None:
        if self.screen.read_only:
            return None
        app = self.screen.app
        launcher = getattr(app, "ramps", None)
        if not isinstance(launcher, RampLauncher):
            return None
        # After a profile or region switch the launcher still talks to the old account.
        return launcher if launcher.backend is getattr(app, "backend", None) else None

    def mounted(self) -> None:
        launcher = self.launcher
        if launcher is not None:
            self.screen.run_worker(
                partial(self._find_saved, launcher),
                thread=True,
                group="ramp-found",
                exit_on_error=False,
            )
        if self.screen.options.poll:
            # The bake countdown; only redraws the two-line panel.
            self._countdown = self.screen.set_interval(1.0, self.render, name="ramp-countdown")

    def _flow(self, flow: Awaitable[None]) -> None:
        self.screen.run_worker(flow, group="flow", exclusive=True, exit_on_error=False)

    # -- starting -------------------------------------------------------------------------
    def start(self) -> None:
        screen = self.screen
        if screen.refuse_write():
            return
        launcher = self.launcher
        if launcher is None:
            screen.notify("Ramps are not available in this console.", severity="error")
            return
        endpoint = screen.selected_endpoint()
        if endpoint is None:
            return
        entry = self.ramps.get(endpoint.name)
        if entry is not None and entry.control is not None:
            screen.notify(
                f"A ramp of {entry.state.plan.canary} is running on {endpoint.name}: {RAMP_KEYS}.",
                severity="warning",
            )
            return
        if entry is not None and not entry.state.is_over:
            self._flow(self._resume_flow(launcher, entry.state))
            return
        canary = self._canary(endpoint)
        if canary is not None:
            self._flow(self._plan_flow(launcher, endpoint, canary))

    def _canary(self, endpoint: Endpoint) -> str | None:
        """The selected variant, unless it is the baseline of a two-variant endpoint (then
        the other one: ramping the baseline up is never what was meant)."""
        if len(endpoint.variants) < 2:
            self.screen.notify(
                f"{endpoint.name} has one variant: nothing to ramp.", severity="warning"
            )
            return None
        variant = self.screen.query_one(VariantsTable).selected_variant
        baseline = self.view.baseline_of(endpoint) or endpoint.dominant_variant
        if variant not in endpoint.variant_names or variant == baseline:
            others = [n for n in endpoint.variant_names if n != baseline]
            if len(others) == 1:
                return others[0]
            self.screen.notify(
                "Select the variant to ramp in the variants pane first (tab).",
                severity="warning",
            )
            return None
        return variant

    async def _plan_flow(self, launcher: RampLauncher, endpoint: Endpoint, canary: str) -> None:
        from canary_tui.ui.screens.ramp import RampPlanDialog

        screen = self.screen
        dialog = RampPlanDialog(
            endpoint,
            canary,
            steps=launcher.default_steps,
            bake_seconds=launcher.default_bake_seconds,
            bake_requests=launcher.default_bake_requests,
            rates=cached_request_rates(self.view.metrics, endpoint, screen.clock()),
            warning_factor=screen.options.capacity_warning_factor,
            verdict=getattr(screen.verdict.verdicts.get(endpoint.name), "verdict", None),
        )
        plan = await screen.app.push_screen_wait(dialog)
        if plan is None:
            screen.notify("Ramp cancelled: nothing was sent.", timeout=3)
            return
        shown = RampState.start(plan, endpoint.desired_weights, launcher.clock.now())
        self._drive(launcher, endpoint.name, shown=shown, plan=plan)

    async def _resume_flow(self, launcher: RampLauncher, state: RampState) -> None:
        answer = await self.screen.app.push_screen_wait(ramp_questions.resume(state))
        now = launcher.clock.now()
        if answer == "y":
            resumed = state.on(Resume(now)) if state.phase is Phase.PAUSED else state
            self._drive(launcher, state.plan.endpoint, shown=resumed, state=resumed)
        elif answer == "x":
            aborted = state.on(Abort(now))
            self._drive(launcher, state.plan.endpoint, shown=aborted, state=aborted)
        else:
            self.screen.notify("Nothing was changed.", timeout=3)

    def _drive(
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
        self.ramps[endpoint] = RampEntry(shown, "starting…", control)
        self.render()
        work = partial(self._run, launcher, control, endpoint, plan, state)
        self.screen.run_worker(work, thread=True, group="ramp", exit_on_error=False)

    def _run(
        self,
        launcher: RampLauncher,
        control: RampControl,
        endpoint: str,
        plan: RampPlan | None,
        state: RampState | None,
    ) -> None:
        post = self.screen.post_message

        def report(progress: RampProgress) -> None:
            post(RampProgressed(progress))

        runner = launcher.runner(control, report)
        try:
            if state is None:
                assert plan is not None
                state, _ = runner.prepare(plan)
            final = runner.run(state)
        except RampPlanError as error:
            post(RampEnded(endpoint, None, f"Ramp not started: {error.message}"))
        except RampBusy as error:
            post(RampEnded(endpoint, None, str(error)))
        except RampRollbackFailed as error:
            post(RampEnded(endpoint, error.state, f"ROLLBACK FAILED: {error.message}"))
        except AwsError as error:
            post(RampEnded(endpoint, state, f"Ramp stopped: {error.message}"))
        else:
            post(RampEnded(endpoint, final))

    def _find_saved(self, launcher: RampLauncher) -> None:
        states = launcher.in_progress()
        if states:
            self.screen.post_message(RampsFound(states))

    # -- progress -------------------------------------------------------------------------
    def found(self, message: RampsFound) -> None:
        for state in message.states:
            name = state.plan.endpoint
            if name in self.ramps and self.ramps[name].control is not None:
                continue
            self.ramps[name] = RampEntry(state, state.status_reason or "found at start")
            self.screen.notify(
                f"A ramp of {state.plan.canary} on {name} is {phase_word(state.phase)} at "
                f"{state.step_share:g}% and nothing is driving it. Select {name} and press r "
                "to resume it (or abort it).",
                title="Ramp in progress",
                severity="warning",
                timeout=20,
            )
        self.render()

    def progressed(self, message: RampProgressed) -> None:
        progress = message.progress
        state = progress.state
        name = state.plan.endpoint
        entry = self.ramps.get(name)
        previous = entry.state if entry is not None else None
        control = entry.control if entry is not None else None
        self.ramps[name] = RampEntry(state, progress.message, control)
        if (
            previous is None
            or previous.phase is not state.phase
            or (previous.step_index != state.step_index)
        ):
            ramp_questions.announce(self.screen.notify, state, previous)
            # The ramp changes weights: follow the endpoint like any change from here.
            self.screen.follow(name)
        self.render()

    def ended(self, message: RampEnded) -> None:
        screen = self.screen
        entry = self.ramps.get(message.endpoint)
        if message.error is not None:
            screen.notify(message.error, title="Ramp", severity="error", timeout=30)
        state = message.state
        if state is None:
            # Never started (plan refused, another process drives it): nothing to show.
            self.ramps.pop(message.endpoint, None)
            self.render()
            return
        text = entry.message if entry is not None else ""
        self.ramps[message.endpoint] = RampEntry(state, message.error or text)
        if message.error is None:
            ramp_questions.announce_end(screen.notify, state)
        screen.follow(message.endpoint)
        self.render()

    def _shown(self) -> RampEntry | None:
        """The selected endpoint's ramp; else one this console drives elsewhere, so a running
        ramp stays on screen (and under P/S/X) whichever endpoint is selected."""
        selected = self.view.selected
        entry = self.ramps.get(selected) if selected else None
        if entry is not None:
            return entry
        running = [e for e in self.ramps.values() if e.control is not None]
        return running[0] if running else None

    def _footer_keys(self, entry: RampEntry | None) -> None:
        """P, S and X are in the footer exactly while the ramp on screen is driven here."""
        screen = self.screen
        driven = entry is not None and entry.driven_here and not screen.read_only
        # Read-only hides the write keys itself: the crowded-out ones are left alone then.
        crowded = None if screen.read_only else screen.size.width < FOOTER_ROOMY_COLUMNS
        if show_ramp_keys(screen._bindings.key_to_bindings, driven, crowded=crowded):
            self.screen.refresh_bindings()

    def render(self) -> None:
        screen = self.screen
        panel = screen.query_one(RampPanel)
        entry = self._shown()
        self._footer_keys(entry)
        if entry is None:
            panel.show(None)
            return
        launcher = getattr(screen.app, "ramps", None)
        now = launcher.clock.now() if isinstance(launcher, RampLauncher) else screen.clock()
        panel.show(
            RampView(
                entry.state,
                entry.message,
                now,
                running=entry.control is not None,
                keys="" if screen.read_only else ramp_keys(entry.state),
                elsewhere=entry.state.plan.endpoint != self.view.selected,
            )
        )

    # -- the operator's keys --------------------------------------------------------------
    def _running(self) -> RampEntry | None:
        if self.screen.refuse_write():
            return None
        entry = self._shown()
        if entry is None or entry.state.is_over:
            self.screen.notify(
                "No ramp is running on this endpoint (r starts one).", severity="warning"
            )
            return None
        if entry.control is None:
            self.screen.notify(
                "This ramp is not driven by this console: r resumes it (or aborts it).",
                severity="warning",
            )
            return None
        return entry

    def pause(self) -> None:
        entry = self._running()
        if entry is None or entry.control is None:
            return
        if entry.state.phase is Phase.PAUSED:
            entry.control.resume()
            self.screen.notify("Resuming the ramp.", timeout=3)
        else:
            entry.control.pause()
            self.screen.notify("Pausing the ramp (P resumes).", timeout=3)

    def skip(self) -> None:
        entry = self._running()
        if entry is not None and entry.control is not None:
            question = ramp_questions.skip(entry.state)
            self._flow(self._ask_then(question, "y", entry.control.skip))

    def abort(self) -> None:
        entry = self._running()
        if entry is not None and entry.control is not None:
            question = ramp_questions.abort(entry.state)
            self._flow(self._ask_then(question, "y", entry.control.abort))

    async def _ask_then(
        self, question: RampQuestion, expected: str, action: Callable[[], None]
    ) -> None:
        if await self.screen.app.push_screen_wait(question) == expected:
            action()
        else:
            self.screen.notify("Nothing was changed.", timeout=3)

    # -- quitting -------------------------------------------------------------------------
    def detach_all(self) -> None:
        # However the app ends (q, ctrl+q, a signal), a runner thread must not keep driving
        # an endpoint nobody watches, nor keep the process alive: stop it where it is.
        for entry in self.ramps.values():
            if entry.control is not None:
                entry.control.detach()

    def quit_blocked(self) -> bool:
        """True when a ramp runs here: the person is asked first (detach or stay)."""
        running = [entry for entry in self.ramps.values() if entry.control is not None]
        if not running:
            return False
        names = ", ".join(entry.state.plan.endpoint for entry in running)
        self.screen.app.push_screen(
            ramp_questions.quit_with_ramp(names, demo=self.screen.options.demo),
            partial(self._quit_answered, running),
        )
        return True

    def _quit_answered(self, running: list[RampEntry], answer: str | None) -> None:
        if answer != "d":
            return
        for entry in running:
            if entry.control is not None:
                entry.control.detach()
        self.screen.app.exit(0)
