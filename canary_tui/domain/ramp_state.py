"""The ramp state machine: :class:`RampState`, its transitions and its JSON form.

A state is an immutable value: :meth:`RampState.on` returns the state after an event, and
:meth:`RampState.next_action` says what the runner must do next. The next action depends on
the state alone, so a state persisted with :meth:`RampState.to_dict` and loaded with
:meth:`RampState.from_dict` after a crash resumes exactly where it stopped; the format is
versioned (:data:`STATE_FORMAT_VERSION`) so an older canary-tui refuses a newer file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from canary_tui.domain.ramp_events import (
    ALARM_FIRING,
    ALARM_OK,
    TERMINAL_PHASES,
    Abort,
    Action,
    ActionKind,
    Applied,
    ApplyFailed,
    Checked,
    HistoryEntry,
    Interfered,
    Pause,
    Phase,
    RampEvent,
    Resume,
    RollbackFailed,
    RolledBack,
    Skip,
    Tick,
)
from canary_tui.domain.ramp_plan import RampPlan, bake_deadline, format_seconds
from canary_tui.domain.ramp_requests import (
    extra_bake_seconds,
    requests_progress,
    requests_reached,
    requests_shortfall,
)
from canary_tui.domain.ramp_state_json import state_arguments, state_fields

STATE_FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class RampState:
    plan: RampPlan
    baseline: str
    #: Weights before the ramp started, for the record and for a person deciding by hand.
    weights_before: Mapping[str, float]
    started_at: datetime
    step_index: int = 0
    phase: Phase = Phase.APPLYING
    #: When the current step's weights were applied: the start of its verdict window.
    step_applied_at: datetime | None = None
    bake_deadline: datetime | None = None
    extra_bakes: int = 0
    #: While paused: the phase to go back to, and the bake time that was left.
    paused_from: Phase | None = None
    bake_remaining_seconds: float | None = None
    #: Why the ramp is paused, rolling back or over (one line for a person).
    status_reason: str | None = None
    last_verdict: str | None = None
    last_verdict_reason: str | None = None
    last_alarms: Mapping[str, str] = field(default_factory=dict)
    rollback_attempts: int = 0
    #: The canary's share as the ramp last left it (before the ramp: as it found it); None
    #: after a person resumed over weights someone else changed. Anything else on the
    #: endpoint means someone interfered.
    applied_share: float | None = None
    #: Set by an operator's abort: the rollback ends in ABORTED rather than ROLLED_BACK.
    aborting: bool = False
    #: The canary's requests since the step as last observed (None: not known), and whether
    #: every period of it was returned whole (if not, the count is a lower bound).
    step_requests: float | None = None
    step_requests_complete: bool = True
    history: tuple[HistoryEntry, ...] = ()

    # -- construction and queries -------------------------------------------------------

    @classmethod
    def start(cls, plan: RampPlan, weights_before: Mapping[str, float], now: datetime) -> RampState:
        baseline = plan.choose_baseline(weights_before)
        # Refused before step 1 is sent: a ramp whose bake deadline cannot be computed would
        # be saved and then left with nothing driving it.
        bake_deadline(now, plan.bake_seconds)
        total = sum(weights_before.values())
        state = cls(
            plan=plan,
            baseline=baseline,
            weights_before=dict(weights_before),
            started_at=now,
            applied_share=weights_before[plan.canary] / total * 100.0 if total > 0 else 0.0,
        )
        return state._log(now, f"started: {plan.describe()}; baseline {baseline}")

    @property
    def step_share(self) -> float:
        return self.plan.steps[self.step_index]

    @property
    def progress_text(self) -> str:
        """Where the ramp is, in words: ``step 2/4 (baking)``."""
        phase = self.phase.value.lower().replace("_", " ")
        return f"step {self.step_index + 1}/{len(self.plan.steps)} ({phase})"

    @property
    def is_last_step(self) -> bool:
        return self.step_index == len(self.plan.steps) - 1

    @property
    def is_over(self) -> bool:
        return self.phase in TERMINAL_PHASES

    def bake_left(self, now: datetime) -> float | None:
        """Seconds of bake left, or None when not baking."""
        if self.phase is Phase.BAKING and self.bake_deadline is not None:
            return max(0.0, (self.bake_deadline - now).total_seconds())
        if self.phase is Phase.PAUSED and self.bake_remaining_seconds is not None:
            return self.bake_remaining_seconds
        return None

    def next_action(self) -> Action:
        if self.phase is Phase.APPLYING:
            return Action(ActionKind.APPLY, share=self.step_share)
        if self.phase is Phase.BAKING:
            return Action(ActionKind.WAIT, until=self.bake_deadline)
        if self.phase is Phase.CHECKING:
            # At 100 % the baseline takes no traffic, so there is nothing to compare with:
            # the last bake watches the alarms only.
            return Action(ActionKind.CHECK, needs_verdict=self.step_share < 100.0)
        if self.phase is Phase.PAUSED:
            return Action(ActionKind.WAIT, until=None, reason=self.status_reason)
        if self.phase is Phase.ROLLING_BACK:
            return Action(ActionKind.ROLLBACK, reason=self.status_reason)
        return Action(ActionKind.STOP, reason=self.status_reason)

    # -- transitions ----------------------------------------------------------------------

    def _log(self, now: datetime, message: str) -> RampState:
        entry = HistoryEntry(now, self.step_index, self.phase, message)
        return replace(self, history=(*self.history, entry))

    def _start_rollback(self, now: datetime, reason: str, *, aborting: bool = False) -> RampState:
        state = replace(
            self,
            phase=Phase.ROLLING_BACK,
            status_reason=reason,
            aborting=aborting or self.aborting,
            bake_deadline=None,
            paused_from=None,
        )
        return state._log(now, f"rolling back to {self.baseline}: {reason}")

    def _advance(self, now: datetime, message: str) -> RampState:
        if self.is_last_step:
            state = replace(self, phase=Phase.DONE, bake_deadline=None, status_reason=message)
            return state._log(now, f"done: {self.plan.canary} at {self.step_share:g}%; {message}")
        state = replace(
            self,
            step_index=self.step_index + 1,
            phase=Phase.APPLYING,
            step_applied_at=None,
            bake_deadline=None,
            extra_bakes=0,
            paused_from=None,
            bake_remaining_seconds=None,
            status_reason=None,
            # A verdict belongs to one traffic split; the next step starts without one.
            last_verdict=None,
            last_verdict_reason=None,
            # step_requests stays until the next step is applied: its audit record says
            # what this step passed with.
        )
        return state._log(now, f"{message}; next step {state.step_share:g}%")

    def _hold(self, now: datetime, reason: str, paused_from: Phase) -> RampState:
        state = replace(
            self,
            phase=Phase.PAUSED,
            paused_from=paused_from,
            bake_deadline=None,
            bake_remaining_seconds=None,
            status_reason=reason,
        )
        return state._log(now, f"holding: {reason}")

    def on(self, event: RampEvent) -> RampState:
        """The state after ``event``. Events that make no sense in this phase are ignored
        (a pause after the ramp ended, a late tick), so callers need not race-check."""
        if self.is_over:
            return self
        match event:
            case Abort(now=now):
                if self.phase is Phase.ROLLING_BACK:
                    return replace(self, aborting=True)
                return self._start_rollback(now, "aborted by the operator", aborting=True)
            case RolledBack(now=now) if self.phase is Phase.ROLLING_BACK:
                phase = Phase.ABORTED if self.aborting else Phase.ROLLED_BACK
                state = replace(self, phase=phase)
                return state._log(now, f"all traffic back on {self.baseline}")
            case RollbackFailed(now=now, message=message) if self.phase is Phase.ROLLING_BACK:
                state = replace(self, rollback_attempts=self.rollback_attempts + 1)
                return state._log(now, f"rollback attempt failed: {message}")
            case _ if self.phase is Phase.ROLLING_BACK:
                return self  # nothing stops a rollback
            case Applied(now=now) if self.phase is Phase.APPLYING:
                state = replace(
                    self,
                    phase=Phase.BAKING,
                    applied_share=self.step_share,
                    step_applied_at=now,
                    bake_deadline=bake_deadline(now, self.plan.bake_seconds),
                    extra_bakes=0,
                    status_reason=None,
                    step_requests=None,
                    step_requests_complete=True,
                )
                return state._log(
                    now, f"{self.plan.canary} at {self.step_share:g}%; baking {self.plan.bake_text}"
                )
            case ApplyFailed(now=now, message=message) if self.phase is Phase.APPLYING:
                return self._hold(
                    now, f"could not apply {self.step_share:g}%: {message}", Phase.APPLYING
                )
            case Interfered(now=now, message=message) if self.phase in (
                Phase.APPLYING,
                Phase.BAKING,
                Phase.CHECKING,
            ):
                # The count so far was of a split that is gone; re-applying counts afresh.
                return replace(self, step_requests=None, step_requests_complete=True)._hold(
                    now,
                    f"{message}; resume to re-apply {self.step_share:g}% over the live "
                    "weights, abort to roll back",
                    Phase.APPLYING,
                )
            case Tick(now=now) if self.phase is Phase.BAKING:
                if self.bake_deadline is not None and now >= self.bake_deadline:
                    return replace(self, phase=Phase.CHECKING)
                return self
            case Checked() if self.phase in (Phase.BAKING, Phase.CHECKING):
                return self._on_checked(event)
            case Pause(now=now) if self.phase in (Phase.BAKING, Phase.CHECKING, Phase.APPLYING):
                state = replace(
                    self,
                    phase=Phase.PAUSED,
                    paused_from=self.phase,
                    bake_remaining_seconds=self.bake_left(now),
                    bake_deadline=None,
                    status_reason="paused by the operator",
                )
                return state._log(now, "paused by the operator")
            case Resume(now=now) if self.phase is Phase.PAUSED:
                return self._resume(now)
            case Skip(now=now) if self.phase in (Phase.BAKING, Phase.CHECKING, Phase.PAUSED):
                return self._advance(now, f"step {self.step_share:g}% skipped by the operator")
        return self

    def _resume(self, now: datetime) -> RampState:
        if self.paused_from is Phase.APPLYING:
            # Resuming is the person accepting the live weights as the starting point.
            state = replace(
                self,
                phase=Phase.APPLYING,
                paused_from=None,
                status_reason=None,
                applied_share=None,
            )
            return state._log(now, f"resumed: applying {self.step_share:g}% again")
        # Back to baking: what was left of an interrupted bake, or a fresh bake after a hold.
        remaining = self.bake_remaining_seconds
        if remaining is None or self.paused_from is Phase.CHECKING:
            remaining = self.plan.bake_seconds
        state = replace(
            self,
            phase=Phase.BAKING,
            paused_from=None,
            bake_deadline=bake_deadline(now, remaining),
            bake_remaining_seconds=None,
            extra_bakes=0,
            status_reason=None,
        )
        return state._log(now, f"resumed: baking {format_seconds(remaining)} more")

    def _on_checked(self, event: Checked) -> RampState:
        now = event.now
        firing = sorted(name for name, value in event.alarms.items() if value == ALARM_FIRING)
        not_ok = sorted(name for name, value in event.alarms.items() if value != ALARM_OK)
        state = replace(
            self,
            last_verdict=event.verdict if event.verdict is not None else self.last_verdict,
            last_verdict_reason=event.reason
            if event.verdict is not None
            else self.last_verdict_reason,
            last_alarms=dict(event.alarms),
            step_requests=event.canary_requests,
            step_requests_complete=event.requests_complete,
        )
        if firing:
            return state._start_rollback(now, f"alarm in ALARM state: {', '.join(firing)}")
        if event.verdict == "FAIL":
            return state._start_rollback(now, f"verdict FAIL: {event.reason}")
        verdict_ok = event.verdict in ("PASS", None)
        requests_ok = state.requests_reached
        if not event.final:
            judged = event.verdict == "PASS" or (event.verdict is None and self.step_share >= 100)
            if self.extra_bakes and judged and requests_ok and not not_ok:
                # The step's bake time has passed and what the extra bake waited for is
                # here: the bake ends now rather than at its deadline.
                return state._checking_now(now)
            return state
        if verdict_ok and requests_ok and not not_ok:
            what = f"verdict {event.verdict}" if event.verdict else "alarms OK"
            return state._advance(now, f"step {self.step_share:g}% passed ({what}{state._seen})")
        reasons = []
        if not requests_ok:
            reasons.append(state.requests_shortfall(now))
        if not_ok:
            states = ", ".join(f"{name} {event.alarms[name]}" for name in not_ok)
            reasons.append(f"alarms not OK ({states})")
        if not verdict_ok:
            reasons.append(f"verdict INCONCLUSIVE: {event.reason}")
        why = "; ".join(reasons)
        if self.extra_bakes < self.plan.max_extra_bakes:
            # Bake again at least as long as the missing data takes to come at the traffic
            # seen (a shorter bake would only end INCONCLUSIVE again); it ends early when
            # everything is there.
            again = extra_bake_seconds(
                self.plan, event.data_wait_seconds, state.step_requests, self.step_applied_at, now
            )
            state = replace(
                state,
                phase=Phase.BAKING,
                extra_bakes=self.extra_bakes + 1,
                bake_deadline=bake_deadline(now, again),
            )
            return state._log(
                now,
                f"{why}; baking again ({self.extra_bakes + 1} of {self.plan.max_extra_bakes})",
            )
        return state._hold(
            now,
            f"{why} after {self.plan.max_extra_bakes} extra bakes; resume to keep baking, "
            "skip to advance anyway, abort to roll back",
            Phase.CHECKING,
        )

    # -- the request count of a step --------------------------------------------------------

    @property
    def requests_reached(self) -> bool:
        """The step has seen the plan's ``bake_requests`` on the canary."""
        return requests_reached(self.plan, self.step_requests)

    def requests_shortfall(self, now: datetime) -> str:
        return requests_shortfall(
            self.plan, self.step_requests, self.step_requests_complete, self.step_applied_at, now
        )

    @property
    def _seen(self) -> str:
        progress = requests_progress(self.plan, self.step_requests, self.step_requests_complete)
        return f", {progress}" if progress else ""

    def _checking_now(self, now: datetime) -> RampState:
        state = replace(self, phase=Phase.CHECKING, bake_deadline=None)
        what = requests_progress(self.plan, self.step_requests, self.step_requests_complete)
        return state._log(now, f"bake over: {what or 'verdict and alarms OK'}")

    # -- persistence (the fields: ramp_state_json) -----------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"version": STATE_FORMAT_VERSION, **state_fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RampState:
        version = int(data.get("version", 0))
        if version > STATE_FORMAT_VERSION:
            raise ValueError(f"ramp state version {version} is newer than this canary-tui")
        return cls(**state_arguments(data))
