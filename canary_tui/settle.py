"""Wait for an endpoint to settle, then send a change: how a rollback meets an update.

An endpoint that is ``Updating`` (someone's change, an Application Auto Scaling activity,
a deployment) refuses UpdateEndpointWeightsAndCapacities with "Cannot update in-progress
endpoint". Retrying the write on a fixed schedule only collects refusals; instead we read
(DescribeEndpoint only) with a growing pause -- 5 s, 10 s, 20 s, 40 s, then every 60 s --
until the endpoint is InService with current == desired, and then send once. If another
update slips in between our read and our write (AWS answers "in progress" again, so nothing
was applied), we go back to waiting. The whole wait is bounded by one deadline.

Statuses that will not move on by themselves end the wait at once: ``Failed``,
``UpdateRollbackFailed`` (needs a manual UpdateEndpoint) and ``OutOfService``.

Blocking; the clock and the sleep are injected so tests do not sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from canary_tui.aws.errors import AwsError, Throttled, UpdateInProgress
from canary_tui.changes import AuditUnavailable, ChangeRefused, SettleTimeout
from canary_tui.domain.models import Endpoint

#: The endpoint will not become writable without a person (or AWS support) acting.
TERMINAL_STATUSES = frozenset({"Failed", "UpdateRollbackFailed", "OutOfService"})

Result = TypeVar("Result")


class EndpointStuck(Exception):
    """The endpoint is in a status it will not leave by itself; ``message`` says what to do."""

    def __init__(self, message: str, endpoint: Endpoint) -> None:
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint


@dataclass(frozen=True, slots=True)
class Backoff:
    """Pauses between reads: ``first``, then times ``factor`` each time, at most ``most``."""

    first: float = 5.0
    factor: float = 2.0
    most: float = 60.0

    def pause(self, attempt: int) -> float:
        return float(min(self.most, self.first * self.factor ** min(attempt, 32)))


def stuck_message(endpoint: Endpoint) -> str:
    reason = f" ({endpoint.failure_reason})" if endpoint.failure_reason else ""
    advice = {
        "Failed": "it needs a new UpdateEndpoint or to be recreated",
        "UpdateRollbackFailed": "it needs a manual UpdateEndpoint to repair it",
        "OutOfService": "it is not serving; see the SageMaker console",
    }.get(endpoint.status, "it will not settle by itself")
    return f"{endpoint.name} is {endpoint.status}{reason}: {advice}; nothing was sent"


def endpoint_was_busy(error: Exception) -> bool:
    """A change that met an update in progress, throttling, or a guard that saw the endpoint
    move under it: nothing was applied, so it may be sent again once the endpoint settles."""
    if isinstance(error, AuditUnavailable):
        return False
    if isinstance(error, ChangeRefused):
        return error.live is not None
    return isinstance(error, UpdateInProgress | Throttled)


def is_settling(endpoint: Endpoint) -> bool:
    """Something is still moving: a variant's weight, instance count or serverless config
    (shadow variants included), or a deployment (PendingDeploymentSummary) in progress."""
    variants = (*endpoint.variants, *endpoint.shadow_variants)
    return endpoint.pending_deployment is not None or any(v.is_settling for v in variants)


def is_settled(endpoint: Endpoint) -> bool:
    return endpoint.is_writable and not is_settling(endpoint)


class Settler:
    """Reads an endpoint until it settles; see the module docstring."""

    def __init__(
        self,
        describe: Callable[[], Endpoint],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        backoff: Backoff | None = None,
        on_wait: Callable[[Endpoint | None, float], None] | None = None,
    ) -> None:
        self.describe = describe
        self.clock = clock
        self.sleep = sleep
        self.backoff = backoff or Backoff()
        #: Told (last endpoint seen, seconds about to be waited) before each pause.
        self.on_wait = on_wait
        self.reads = 0

    def wait(self, deadline: float, timeout: float) -> Endpoint:
        """The endpoint once settled. Raises EndpointStuck on a terminal status,
        SettleTimeout at ``deadline``; transient read errors are waited out."""
        attempt = 0
        last: Endpoint | None = None
        while True:
            try:
                self.reads += 1
                last = self.describe()
            except AwsError as error:
                if not error.transient:
                    raise
            else:
                if last.status in TERMINAL_STATUSES:
                    raise EndpointStuck(stuck_message(last), last)
                if is_settled(last):
                    return last
            remaining = deadline - self.clock()
            if remaining <= 0:
                status = last.status if last is not None else "unknown"
                name = last.name if last is not None else "the endpoint"
                raise SettleTimeout(
                    f"{name} did not settle within {timeout:g}s (last status: {status}); "
                    "nothing was sent",
                    last,
                )
            pause = min(self.backoff.pause(attempt), remaining)
            if self.on_wait is not None:
                self.on_wait(last, pause)
            self.sleep(pause)
            attempt += 1


@dataclass(frozen=True, slots=True)
class Sent(Generic[Result]):
    """What :func:`send_when_settled` did: ``result`` is None when nothing had to be sent."""

    endpoint: Endpoint
    result: Result | None
    waited: bool


def send_when_settled(
    settler: Settler,
    send: Callable[[Endpoint], Result],
    *,
    timeout: float,
    is_done: Callable[[Endpoint], bool],
    try_again: Callable[[Exception], bool],
) -> Sent[Result]:
    """Wait until the endpoint settles, then ``send`` once (unless ``is_done`` already).

    When ``send`` raises an error for which ``try_again`` is true (AWS said the endpoint is
    busy, or a guard saw it change: nothing was applied), wait for it to settle again and look
    afresh, within the same deadline. Any other error propagates.
    """
    deadline = settler.clock() + timeout
    waited = False
    while True:
        endpoint = settler.wait(deadline, timeout)
        waited = waited or settler.reads > 1
        if is_done(endpoint):
            return Sent(endpoint, None, waited)
        try:
            return Sent(endpoint, send(endpoint), waited)
        except Exception as error:
            if not try_again(error):
                raise
            waited = True
            remaining = deadline - settler.clock()
            if remaining <= 0:
                raise SettleTimeout(
                    f"{endpoint.name} stayed busy for {timeout:g}s: {error}; "
                    "the change was not applied",
                    endpoint,
                ) from error
            pause = min(settler.backoff.first, remaining)
            if settler.on_wait is not None:
                settler.on_wait(endpoint, pause)
            settler.sleep(pause)


def follow_until_settled(
    describe: Callable[[], Endpoint],
    endpoint_name: str,
    timeout: float,
    poll_seconds: float = 5.0,
    on_progress: Callable[[Endpoint], None] | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Endpoint:
    """Poll until the endpoint is InService with current == desired, or Failed.

    Returns the final endpoint (check ``is_terminal``: Failed or UpdateRollbackFailed,
    which stop the wait at once because neither moves on without a person).
    Transient errors (throttling, 5xx) are waited out; others raise. Raises
    :class:`SettleTimeout` after ``timeout`` seconds.
    """
    deadline = clock() + timeout
    last: Endpoint | None = None
    while True:
        try:
            last = describe()
        except AwsError as error:
            if not error.transient:
                raise
        else:
            if on_progress is not None:
                on_progress(last)
            if last.is_terminal:
                return last
            if last.is_writable and not is_settling(last):
                return last
        remaining = deadline - clock()
        if remaining <= 0:
            state = last.status if last is not None else "unknown"
            raise SettleTimeout(
                f"{endpoint_name} did not settle within {timeout:g}s (last status: {state})",
                last,
            )
        sleep(min(poll_seconds, remaining))
