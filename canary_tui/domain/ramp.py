"""Ramp plans and the ramp state machine: pure, no I/O, no clock of its own.

A ramp moves a canary variant through traffic steps (default 10, 25, 50, 100 %). Each step is
applied, baked for a while, then checked (verdict + CloudWatch alarms); the ramp advances on
PASS with every alarm OK, rolls back to the baseline on FAIL or ALARM, and keeps baking on
INCONCLUSIVE up to ``max_extra_bakes`` times before it holds (pauses) for a person to decide:
a ramp never advances on data it could not judge.

The runner (``canary_tui.ramp``) feeds :class:`RampState` events and performs what
:meth:`RampState.next_action` says. The next action depends on the state alone, so a state
persisted as JSON and loaded after a crash resumes exactly where it stopped.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from canary_tui.domain import numbers

DEFAULT_STEPS = (10.0, 25.0, 50.0, 100.0)
#: Extra bakes of one step while the verdict stays INCONCLUSIVE, before the ramp holds.
DEFAULT_MAX_EXTRA_BAKES = 2
STATE_FORMAT_VERSION = 1
# Shares within this many percentage points are the same step (weights are rounded floats).
SHARE_TOLERANCE = 0.05
#: A step is a canary traffic share above 0 and at most 100 %.
STEP_PERCENT = numbers.Bounds(0, 100, low_inclusive=False, unit="%")


#: A longer bake is a typo (and a deadline past year 9999 cannot even be represented).
MAX_BAKE_SECONDS = numbers.MAX_DURATION_SECONDS


class RampPlanError(ValueError):
    """A plan that cannot run. ``message`` is one line for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``10m``, ``1h30m``, ``1d`` -> seconds (1 s to 7 days), else
    RampPlanError; the strict number parser's durations."""
    try:
        return numbers.parse_duration(text)
    except numbers.NumberInputError as error:
        raise RampPlanError(error.message) from None


def parse_steps(text: str) -> tuple[float, ...]:
    """``10,25,50,100`` (``%`` optional) -> validated steps; empty text is an error."""
    steps = []
    for part in text.split(","):
        raw = part.strip(" \t").removesuffix("%").strip(" \t")
        if not raw:
            raise RampPlanError(f"empty step in {text!r}; use e.g. 10,25,50,100")
        try:
            steps.append(numbers.parse_decimal(raw, STEP_PERCENT, field="step"))
        except numbers.NumberInputError as error:
            raise RampPlanError(error.message) from None
    return validate_steps(steps)


def validate_steps(steps: Sequence[float]) -> tuple[float, ...]:
    if not steps:
        raise RampPlanError("a ramp needs at least one step")
    for step in steps:
        if not math.isfinite(step) or not 0 < step <= 100:
            raise RampPlanError(f"each step is a traffic % above 0 and at most 100 (got {step:g})")
    for before, after in itertools.pairwise(steps):
        if after <= before:
            raise RampPlanError(f"steps must increase ({before:g} then {after:g})")
    return tuple(float(step) for step in steps)


@dataclass(frozen=True, slots=True)
class RampPlan:
    endpoint: str
    canary: str
    steps: tuple[float, ...] = DEFAULT_STEPS
    bake_seconds: float = 600.0
    #: CloudWatch alarms that must stay OK; ALARM anywhere in a bake rolls back.
    alarm_names: tuple[str, ...] = ()
    max_extra_bakes: int = DEFAULT_MAX_EXTRA_BAKES

    def __post_init__(self) -> None:
        if not self.endpoint.strip():
            raise RampPlanError("give the endpoint to ramp")
        if not self.canary.strip():
            raise RampPlanError("give the canary variant to ramp (--canary)")
        validate_steps(self.steps)
        if not math.isfinite(self.bake_seconds) or not 0 < self.bake_seconds <= MAX_BAKE_SECONDS:
            raise RampPlanError(
                f"the bake time must be above 0 and at most "
                f"{numbers.format_bound_seconds(MAX_BAKE_SECONDS)}"
            )
        if any(not name.strip() for name in self.alarm_names):
            raise RampPlanError("an alarm name cannot be empty")
        if len(set(self.alarm_names)) != len(self.alarm_names):
            raise RampPlanError("an alarm is named more than once")
        if self.max_extra_bakes < 0:
            raise RampPlanError("max extra bakes cannot be negative")

    def choose_baseline(self, weights: Mapping[str, float]) -> str:
        """Check the plan against the endpoint's weights before the ramp; return the baseline:
        the variant other than the canary with the largest weight."""
        if self.canary not in weights:
            raise RampPlanError(
                f"{self.endpoint} has no variant {self.canary!r} (it has {', '.join(weights)})"
            )
        others = {name: weight for name, weight in weights.items() if name != self.canary}
        if not others:
            raise RampPlanError(
                f"{self.endpoint} has only {self.canary}; there is nothing to ramp from"
            )
        baseline = max(others, key=lambda name: others[name])
        total = sum(weights.values())
        canary_share = weights[self.canary] / total * 100.0 if total > 0 else 0.0
        if self.steps[-1] <= canary_share + SHARE_TOLERANCE:
            raise RampPlanError(
                f"{self.canary} already takes {canary_share:.1f}% of traffic; "
                f"the last step ({self.steps[-1]:g}%) would not move it forward"
            )
        if self.steps[0] < canary_share - SHARE_TOLERANCE:
            raise RampPlanError(
                f"{self.canary} already takes {canary_share:.1f}%; the first step "
                f"({self.steps[0]:g}%) would move traffic back; start at or above it"
            )
        return baseline

    def describe(self) -> str:
        alarms = f", alarms {', '.join(self.alarm_names)}" if self.alarm_names else ""
        steps = " -> ".join(f"{step:g}%" for step in self.steps)
        bake = format_seconds(self.bake_seconds)
        return f"ramp {self.canary} on {self.endpoint}: {steps}, bake {bake} per step{alarms}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "canary": self.canary,
            "steps": list(self.steps),
            "bake_seconds": self.bake_seconds,
            "alarm_names": list(self.alarm_names),
            "max_extra_bakes": self.max_extra_bakes,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RampPlan:
        return cls(
            endpoint=str(data["endpoint"]),
            canary=str(data["canary"]),
            steps=tuple(float(step) for step in data["steps"]),
            bake_seconds=float(data["bake_seconds"]),
            alarm_names=tuple(str(name) for name in data.get("alarm_names", ())),
            max_extra_bakes=int(data.get("max_extra_bakes", DEFAULT_MAX_EXTRA_BAKES)),
        )


def bake_deadline(now: datetime, seconds: float) -> datetime:
    """``now + seconds``, or RampPlanError when that is past what a datetime can hold."""
    try:
        return now + timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        raise RampPlanError(
            f"a bake of {format_seconds(seconds)} from {now:%Y-%m-%d} ends past the year 9999"
        ) from None


def format_seconds(seconds: float) -> str:
    total = max(0, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return text + (f"{secs}s" if secs or not text else "")


class Phase(StrEnum):
    APPLYING = "applying"
    BAKING = "baking"
    CHECKING = "checking"
    PAUSED = "paused"
    ROLLING_BACK = "rolling_back"
    DONE = "done"
    ROLLED_BACK = "rolled_back"
    ABORTED = "aborted"


TERMINAL_PHASES = frozenset({Phase.DONE, Phase.ROLLED_BACK, Phase.ABORTED})
ALARM_OK = "OK"
ALARM_FIRING = "ALARM"


# -- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Applied:
    """The current step's weights were accepted by SageMaker."""

    now: datetime


@dataclass(frozen=True, slots=True)
class ApplyFailed:
    """The step could not be applied (a guard refused, AWS failed): hold for a person."""

    now: datetime
    message: str


@dataclass(frozen=True, slots=True)
class Interfered:
    """Someone else changed the weights while the ramp ran (console, CLI, AWS console, a
    pipeline): hold, so the ramp never overrides a person's decision on its own."""

    now: datetime
    message: str


@dataclass(frozen=True, slots=True)
class Tick:
    now: datetime


@dataclass(frozen=True, slots=True)
class Checked:
    """What the runner observed: the verdict (None when none is possible, e.g. at 100 %,
    where the baseline takes no traffic) and each alarm's state.

    ``final`` is True at the end of a bake; mid-bake checks only act on FAIL or ALARM.
    """

    now: datetime
    verdict: str | None
    reason: str
    alarms: Mapping[str, str] = field(default_factory=dict)
    final: bool = True


@dataclass(frozen=True, slots=True)
class RolledBack:
    now: datetime


@dataclass(frozen=True, slots=True)
class RollbackFailed:
    now: datetime
    message: str


@dataclass(frozen=True, slots=True)
class Pause:
    now: datetime


@dataclass(frozen=True, slots=True)
class Resume:
    now: datetime


@dataclass(frozen=True, slots=True)
class Skip:
    """Advance to the next step now, without waiting for the bake or the verdict."""

    now: datetime


@dataclass(frozen=True, slots=True)
class Abort:
    """Stop the ramp and put all traffic back on the baseline."""

    now: datetime


RampEvent = (
    Applied
    | ApplyFailed
    | Interfered
    | Tick
    | Checked
    | RolledBack
    | RollbackFailed
    | Pause
    | Resume
    | Skip
    | Abort
)


# -- actions --------------------------------------------------------------------------------


class ActionKind(StrEnum):
    APPLY = "apply"  # set the canary's share to ``share``
    WAIT = "wait"  # bake until ``until`` (watching alarms), or until resumed when None
    CHECK = "check"  # fetch the verdict (if ``needs_verdict``) and alarms, send Checked
    ROLLBACK = "rollback"  # all traffic to the baseline, send RolledBack / RollbackFailed
    STOP = "stop"  # the ramp is over


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    share: float | None = None
    until: datetime | None = None
    needs_verdict: bool = False
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    time: datetime
    step_index: int
    phase: Phase
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": self.time.isoformat(),
            "step_index": self.step_index,
            "phase": self.phase.value,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HistoryEntry:
        return cls(
            time=datetime.fromisoformat(str(data["time"])),
            step_index=int(data["step_index"]),
            phase=Phase(str(data["phase"])),
            message=str(data["message"]),
        )


def _optional_time(raw: object) -> datetime | None:
    return None if raw is None else datetime.fromisoformat(str(raw))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


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
                )
                return state._log(
                    now,
                    f"{self.plan.canary} at {self.step_share:g}%; baking "
                    f"{format_seconds(self.plan.bake_seconds)}",
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
                return self._hold(
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
        )
        if firing:
            return state._start_rollback(now, f"alarm in ALARM state: {', '.join(firing)}")
        if event.verdict == "FAIL":
            return state._start_rollback(now, f"verdict FAIL: {event.reason}")
        if not event.final:
            return state
        verdict_ok = event.verdict in ("PASS", None)
        if verdict_ok and not not_ok:
            what = f"verdict {event.verdict}" if event.verdict else "alarms OK"
            return state._advance(now, f"step {self.step_share:g}% passed ({what})")
        if not_ok:
            states = ", ".join(f"{name} {event.alarms[name]}" for name in not_ok)
            why = f"alarms not OK ({states})"
        else:
            why = f"verdict INCONCLUSIVE: {event.reason}"
        if self.extra_bakes < self.plan.max_extra_bakes:
            state = replace(
                state,
                phase=Phase.BAKING,
                extra_bakes=self.extra_bakes + 1,
                bake_deadline=bake_deadline(now, self.plan.bake_seconds),
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

    # -- persistence ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_FORMAT_VERSION,
            "plan": self.plan.to_dict(),
            "baseline": self.baseline,
            "weights_before": dict(self.weights_before),
            "started_at": self.started_at.isoformat(),
            "step_index": self.step_index,
            "phase": self.phase.value,
            "step_applied_at": _iso(self.step_applied_at),
            "bake_deadline": _iso(self.bake_deadline),
            "extra_bakes": self.extra_bakes,
            "paused_from": None if self.paused_from is None else self.paused_from.value,
            "bake_remaining_seconds": self.bake_remaining_seconds,
            "status_reason": self.status_reason,
            "last_verdict": self.last_verdict,
            "last_verdict_reason": self.last_verdict_reason,
            "last_alarms": dict(self.last_alarms),
            "rollback_attempts": self.rollback_attempts,
            "applied_share": self.applied_share,
            "aborting": self.aborting,
            "history": [entry.to_dict() for entry in self.history],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RampState:
        version = int(data.get("version", 0))
        if version > STATE_FORMAT_VERSION:
            raise ValueError(f"ramp state version {version} is newer than this canary-tui")
        paused_from = data.get("paused_from")
        remaining = data.get("bake_remaining_seconds")
        applied = data.get("applied_share")
        return cls(
            plan=RampPlan.from_dict(data["plan"]),
            baseline=str(data["baseline"]),
            weights_before={str(k): float(v) for k, v in data["weights_before"].items()},
            started_at=datetime.fromisoformat(str(data["started_at"])),
            step_index=int(data["step_index"]),
            phase=Phase(str(data["phase"])),
            step_applied_at=_optional_time(data.get("step_applied_at")),
            bake_deadline=_optional_time(data.get("bake_deadline")),
            extra_bakes=int(data.get("extra_bakes", 0)),
            paused_from=None if paused_from is None else Phase(str(paused_from)),
            bake_remaining_seconds=None if remaining is None else float(remaining),
            status_reason=data.get("status_reason"),
            last_verdict=data.get("last_verdict"),
            last_verdict_reason=data.get("last_verdict_reason"),
            last_alarms={str(k): str(v) for k, v in (data.get("last_alarms") or {}).items()},
            rollback_attempts=int(data.get("rollback_attempts", 0)),
            applied_share=None if applied is None else float(applied),
            aborting=bool(data.get("aborting", False)),
            history=tuple(HistoryEntry.from_dict(entry) for entry in data.get("history", ())),
        )
