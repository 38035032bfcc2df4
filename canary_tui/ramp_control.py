"""What goes into a running ramp and what comes out of it, apart from the runner's loop.

In: the clock it waits on (:class:`RampClock`; tests pass a fake one), the operator's requests
(:class:`RampControl`: console keys and signals, from any thread) and its settings
(:class:`RampSettings`). Out: a :class:`RampProgress` after each change or poll, and
:class:`RampRollbackFailed` when a rollback does not take. The CLI and the console build and
read these without reaching into :class:`~canary_tui.ramp.RampRunner`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from canary_tui.domain.ramp import (
    Abort,
    Pause,
    Phase,
    RampEvent,
    RampState,
    Resume,
    Skip,
    format_seconds,
)
from canary_tui.domain.ramp_requests import requests_count_text
from canary_tui.domain.verdict import Verdict, VerdictThresholds

# -- time --------------------------------------------------------------------------------


class RampClock(Protocol):
    def now(self) -> datetime: ...

    def wait(self, seconds: float, wake: threading.Event) -> None:
        """Block up to ``seconds``, returning early when ``wake`` is set."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def wait(self, seconds: float, wake: threading.Event) -> None:
        wake.wait(max(0.0, seconds))


# -- operator controls -------------------------------------------------------------------


class RampControl:
    """Thread-safe requests from the operator (console keys, signals) to a running ramp."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[str] = []
        self._detached = False
        #: Set whenever something is requested, so a waiting runner wakes up at once.
        self.wake = threading.Event()

    def _request(self, what: str) -> None:
        with self._lock:
            self._requests.append(what)
        self.wake.set()

    def pause(self) -> None:
        self._request("pause")

    def resume(self) -> None:
        self._request("resume")

    def skip(self) -> None:
        self._request("skip")

    def abort(self) -> None:
        self._request("abort")

    def detach(self) -> None:
        """Stop driving the ramp and leave its state on disk as it is (the app is closing)."""
        with self._lock:
            self._detached = True
        self.wake.set()

    @property
    def detached(self) -> bool:
        with self._lock:
            return self._detached

    def drain(self) -> list[str]:
        with self._lock:
            requests, self._requests = self._requests, []
            self.wake.clear()
            return requests


def control_event(request: str, now: datetime) -> RampEvent:
    if request == "pause":
        return Pause(now)
    if request == "resume":
        return Resume(now)
    if request == "skip":
        return Skip(now)
    return Abort(now)


# -- settings and reports ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RampSettings:
    #: How often alarms and the verdict are read during a bake, and controls are looked at.
    poll_seconds: float = 60.0
    #: CloudWatch period of the verdict's series.
    period_seconds: int = 60
    thresholds: VerdictThresholds = field(default_factory=VerdictThresholds)
    #: How long a step may take to be in effect (endpoint InService, current == desired).
    settle_timeout_seconds: float = 1800.0
    #: How long a rollback waits for an endpoint that is being updated to settle.
    rollback_wait_seconds: float = 1800.0
    #: Mid-bake looks at the verdict use alpha / this: looking every poll would otherwise
    #: multiply the chance of rolling back a healthy canary on noise (a crude alpha spend).
    interim_alpha_divisor: float = 10.0
    #: Return instead of waiting when the ramp holds (CLI: a person must decide).
    return_when_paused: bool = False


@dataclass(frozen=True, slots=True)
class RampProgress:
    """What the CLI prints and the console renders after each change or poll."""

    now: datetime
    state: RampState
    message: str
    verdict: Verdict | None = None

    @property
    def line(self) -> str:
        state = self.state
        step = f"step {state.step_index + 1}/{len(state.plan.steps)} ({state.step_share:g}%)"
        parts = [f"{state.plan.endpoint} {step} {state.phase.value}"]
        left = state.bake_left(self.now)
        if left is not None:
            parts.append(f"bake {format_seconds(left)} left")
        if state.plan.bake_requests and state.phase in (Phase.BAKING, Phase.CHECKING):
            seen = requests_count_text(
                state.plan, state.step_requests, state.step_requests_complete
            )
            parts.append(f"requests {seen}")
        if state.last_verdict:
            parts.append(f"verdict {state.last_verdict}")
        return ", ".join(parts) + f": {self.message}"


class RampRollbackFailed(Exception):
    """The rollback did not take; the endpoint still sends traffic to the canary."""

    def __init__(self, message: str, state: RampState) -> None:
        super().__init__(message)
        self.message = message
        self.state = state
