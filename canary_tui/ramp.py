"""The ramp runner: drives a :class:`~canary_tui.domain.ramp.RampState` against AWS.

Blocking; the CLI runs it in the main thread, the console in a thread worker. It does what
the state's next action says:

* apply a step: ``plan_canary_share`` through the guarded :class:`ChangeService` (audit,
  stale check; source "ramp"), then follow the endpoint until the new weights are in effect;
* bake: every ``poll_seconds`` read the alarms and the verdict so far (ALARM or a FAIL ends
  the bake at once), and listen to the operator's controls;
* check: the verdict over the step (from when its weights were applied) and the alarms;
* roll back: all traffic to the baseline through the same guarded path. An endpoint that is
  being updated (a scaling activity, someone's change) is waited for until it settles, reads
  only and bounded by ``rollback_wait_seconds`` (:mod:`canary_tui.settle`), and then the
  rollback is sent once; if it still does not take, the runner says so loudly at once (the
  state stays ``rolling_back`` on disk so ``--resume`` carries on).

After every change of state the state is written (atomically) to
``<audit log dir>/ramps/<endpoint>.json``, so a restarted console or CLI finds a ramp in
progress and reports or resumes it. A lock file keeps two processes from driving one ramp.

The parts: this module is the loop (start, run, feed events, save, report);
:mod:`canary_tui.ramp_actions` does each action against AWS; :mod:`canary_tui.ramp_control`
holds the clock, the operator's controls, the settings and the progress reports;
:mod:`canary_tui.ramp_store` the state files and their locks. Their public names are
importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import TYPE_CHECKING

from canary_tui.changes import ChangeService
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import (
    ActionKind,
    Pause,
    Phase,
    RampEvent,
    RampPlan,
    RampPlanError,
    RampState,
    RollbackFailed,
    Tick,
)
from canary_tui.domain.verdict import Verdict
from canary_tui.notify.publish import ramp_changed
from canary_tui.ramp_actions import RampActions
from canary_tui.ramp_control import (
    RampClock,
    RampControl,
    RampProgress,
    RampRollbackFailed,
    RampSettings,
    SystemClock,
    control_event,
)
from canary_tui.ramp_store import RAMPS_DIR_NAME, RampBusy, RampStore

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend

__all__ = [
    "RAMPS_DIR_NAME",
    "RampBusy",
    "RampClock",
    "RampControl",
    "RampProgress",
    "RampRollbackFailed",
    "RampRunner",
    "RampSettings",
    "RampStore",
    "SystemClock",
]


class RampRunner:
    def __init__(
        self,
        backend: Backend,
        changes: ChangeService,
        store: RampStore,
        *,
        clock: RampClock | None = None,
        settings: RampSettings | None = None,
        control: RampControl | None = None,
        on_progress: Callable[[RampProgress], None] | None = None,
    ) -> None:
        self.backend = backend
        self.changes = changes
        self.store = store
        self.clock = clock or SystemClock()
        self.settings = settings or RampSettings()
        self.control = control or RampControl()
        self._on_progress = on_progress
        self.actions = RampActions(backend, changes, self.clock, self.settings, self._emit)

    @property
    def last_verdict(self) -> Verdict | None:
        """The verdict of the last observation that had one."""
        return self.actions.last_verdict

    def compute_verdict(
        self,
        state: RampState,
        now: datetime,
        *,
        interim: bool = False,
        endpoint: Endpoint | None = None,
    ) -> Verdict | None:
        """The verdict of the current step so far; None before one whole period has passed."""
        return self.actions.compute_verdict(state, now, interim=interim, endpoint=endpoint)

    # -- starting -----------------------------------------------------------------------

    def prepare(self, plan: RampPlan) -> tuple[RampState, Endpoint]:
        """Validate ``plan`` against the live endpoint and its alarms; nothing is changed
        or saved. Raises RampPlanError (bad plan, ramp already in progress) or AwsError."""
        existing = self.store.load(plan.endpoint)
        if existing is not None and not existing.is_over:
            raise RampPlanError(
                f"a ramp of {existing.plan.canary} on {plan.endpoint} is in progress "
                f"({existing.phase.value} at {existing.step_share:g}%); "
                "use --resume to continue it or --abort to roll it back"
            )
        endpoint = self.backend.sagemaker.describe_endpoint(plan.endpoint)
        if not endpoint.is_writable:
            raise RampPlanError(f"{endpoint.name} is {endpoint.status}, not InService")
        if plan.alarm_names:
            from canary_tui.aws.cloudwatch import ALARM_MISSING

            states = self.backend.cloudwatch.alarm_states(plan.alarm_names)
            missing = [name for name, value in states.items() if value == ALARM_MISSING]
            if missing:
                raise RampPlanError(f"no CloudWatch alarm named {', '.join(missing)}")
        return RampState.start(plan, endpoint.desired_weights, self.clock.now()), endpoint

    def start(self, plan: RampPlan) -> RampState:
        state, _ = self.prepare(plan)
        self.store.save(state)
        return state

    # -- running ------------------------------------------------------------------------

    def run(self, state: RampState) -> RampState:
        """Drive ``state`` until the ramp is over, held (with ``return_when_paused``) or
        detached. Raises RampRollbackFailed when a rollback cannot be made to take."""
        with self.store.lock(state.plan.endpoint):
            saved = self.store.load(state.plan.endpoint)
            if saved is not None and not saved.is_over and saved.started_at != state.started_at:
                raise RampBusy(
                    f"another ramp on {state.plan.endpoint} was started meanwhile "
                    f"({saved.plan.canary}, {saved.phase.value})"
                )
            self.store.save(state)
            self._emit(state, "running")
            ramp_changed(self, None, state)
            try:
                with self._team_lease(state):
                    return self._loop(state)
            except KeyboardInterrupt:
                # Ctrl+C pauses: the state on disk says where the endpoint is, and the next
                # start reports it (--resume continues, --abort rolls back).
                state = self._load_latest(state).on(Pause(self.clock.now()))
                self.store.save(state)
                raise

    def _load_latest(self, fallback: RampState) -> RampState:
        try:
            return self.store.load(fallback.plan.endpoint) or fallback
        except RampPlanError:
            return fallback

    def _loop(self, state: RampState) -> RampState:
        while True:
            state = self._apply_controls(state)
            if self.control.detached:
                self._emit(state, "detached; the ramp state is saved")
                return state
            action = state.next_action()
            if action.kind is ActionKind.STOP:
                return state
            if action.kind is ActionKind.APPLY:
                state = self._change(state, self.actions.apply_step(state))
            elif action.kind is ActionKind.CHECK:
                checked: RampEvent | None = self.actions.observe(state, final=True)
                if checked is None:
                    self.clock.wait(self.settings.poll_seconds, self.control.wake)
                else:
                    state = self._change(state, checked)
            elif action.kind is ActionKind.ROLLBACK:
                event = self.actions.rollback(state)
                state = self._change(state, event)
                if isinstance(event, RollbackFailed):
                    # The rollback already waited for the endpoint to settle: trying the
                    # same write again on a timer would only collect the same answer.
                    raise RampRollbackFailed(
                        f"could not roll {state.plan.endpoint} back to {state.baseline} "
                        f"({event.message}); "
                        f"{state.plan.canary} still receives traffic: act now "
                        f"(canary-tui rollback {state.plan.endpoint} --to {state.baseline})",
                        state,
                    )
            elif action.until is None:  # paused or held: a person decides
                if self.settings.return_when_paused:
                    return state
                self.clock.wait(self.settings.poll_seconds, self.control.wake)
            else:
                state = self._bake(state, action.until)

    def _change(self, state: RampState, event: RampEvent) -> RampState:
        new_state = state.on(event)
        if new_state != state:
            self.store.save(new_state)
            ramp_changed(self, state, new_state)
            if len(new_state.history) > len(state.history):
                self._emit(new_state, new_state.history[-1].message)
            team = self.changes.team
            if team is not None:  # the lease says where the ramp is, for a teammate
                team.leases.describe(
                    state.plan.endpoint, self.changes.region(), lease_text(new_state)
                )
        return new_state

    def _team_lease(self, state: RampState) -> AbstractContextManager[object]:
        """With a team table, the team's lease for the whole drive (renewed by its
        heartbeat): a teammate's change or ramp is refused until this one stops."""
        team = self.changes.team
        if team is None:
            return nullcontext()
        return team.leases.hold(state.plan.endpoint, self.changes.region(), lease_text(state))

    def _emit(self, state: RampState, message: str) -> None:
        if self._on_progress is not None:
            self._on_progress(
                RampProgress(self.clock.now(), state, message, verdict=self.last_verdict)
            )

    def _apply_controls(self, state: RampState) -> RampState:
        for request in self.control.drain():
            state = self._change(state, control_event(request, self.clock.now()))
        return state

    def _bake(self, state: RampState, until: datetime) -> RampState:
        now = self.clock.now()
        if now < until:
            wait = min(self.settings.poll_seconds, (until - now).total_seconds())
            self.clock.wait(wait, self.control.wake)
        state = self._apply_controls(state)
        if state.phase is not Phase.BAKING:
            return state
        now = self.clock.now()
        state = self._change(state, Tick(now))
        if state.phase is not Phase.BAKING:
            return state  # the bake is over: the next loop checks
        event = self.actions.observe(state, final=False)
        if event is not None:
            state = self._change(state, event)
        if state.phase is Phase.BAKING:
            self._emit(state, self._bake_message(state))
        return state

    def _bake_message(self, state: RampState) -> str:
        if state.step_share >= 100.0:
            return "baking; watching alarms only (at 100% no baseline traffic to compare with)"
        if state.last_verdict_reason and state.last_verdict:
            return f"baking; so far {state.last_verdict}: {state.last_verdict_reason}"
        return "baking; no verdict until a whole metric period has passed since the change"


def lease_text(state: RampState) -> str:
    """What the team's lease says a ramp is doing: ``ramp new-model step 2/4 (baking)``."""
    return f"ramp {state.plan.canary} {state.progress_text}"
