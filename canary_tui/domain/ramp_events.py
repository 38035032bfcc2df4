"""What the ramp state machine and its runner say to each other, and what it records.

Phases (where a ramp is), events (what the runner observed or the operator asked for: the
input of :meth:`~canary_tui.domain.ramp_state.RampState.on`), actions (what the runner must
do next: the output of :meth:`~canary_tui.domain.ramp_state.RampState.next_action`) and the
history entries a state keeps. Plain frozen values, so the runner, the CLI and the console
can build and compare them without the state machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


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

    ``final`` is True at the end of a bake; mid-bake checks act on FAIL or ALARM, and end
    an extra bake early once everything it waited for is there.

    ``canary_requests``: the canary's Invocations since the step (its first whole period),
    None when nothing is known; with ``requests_complete`` False some periods were not
    returned whole, so the sum is only a lower bound (unknown is not zero).
    ``data_wait_seconds``: how long the verdict's missing data takes to come by its own
    estimate (0 when it misses none), so a bake again lasts at least that long.
    """

    now: datetime
    verdict: str | None
    reason: str
    alarms: Mapping[str, str] = field(default_factory=dict)
    final: bool = True
    canary_requests: float | None = None
    requests_complete: bool = True
    data_wait_seconds: float = 0.0


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
