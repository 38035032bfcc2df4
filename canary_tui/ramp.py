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
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from canary_tui.aws.errors import AwsError
from canary_tui.changes import ChangeOutcomeUnknown, ChangeRefused, ChangeService, SettleTimeout
from canary_tui.domain.metrics import VariantRef
from canary_tui.domain.models import Endpoint, terminal_status_message
from canary_tui.domain.ramp import (
    SHARE_TOLERANCE,
    Abort,
    ActionKind,
    Applied,
    ApplyFailed,
    Checked,
    Interfered,
    Pause,
    Phase,
    RampEvent,
    RampPlan,
    RampPlanError,
    RampState,
    Resume,
    RollbackFailed,
    RolledBack,
    Skip,
    Tick,
    format_seconds,
)
from canary_tui.domain.verdict import Verdict, VerdictThresholds, compute_verdict
from canary_tui.domain.weights import WeightInputError, plan_all_to, plan_canary_share
from canary_tui.settle import EndpointStuck, Settler, endpoint_was_busy, send_when_settled

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend

RAMPS_DIR_NAME = "ramps"


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


def _control_event(request: str, now: datetime) -> RampEvent:
    if request == "pause":
        return Pause(now)
    if request == "resume":
        return Resume(now)
    if request == "skip":
        return Skip(now)
    return Abort(now)


# -- persistence -------------------------------------------------------------------------


class RampBusy(Exception):
    """Another process is driving this endpoint's ramp."""


def _file_stem(endpoint: str) -> str:
    # Endpoint names are [a-zA-Z0-9-]; anything else is replaced so a name is never a path.
    return re.sub(r"[^A-Za-z0-9._-]", "_", endpoint)


class RampStore:
    """One JSON file per endpoint, written atomically (temp file, fsync, rename)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @classmethod
    def next_to(cls, audit_path: Path) -> RampStore:
        return cls(Path(audit_path).parent / RAMPS_DIR_NAME)

    def path_for(self, endpoint: str) -> Path:
        return self.directory / f"{_file_stem(endpoint)}.json"

    def load(self, endpoint: str) -> RampState | None:
        path = self.path_for(endpoint)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return RampState.from_dict(json.loads(text))
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as error:
            # OverflowError: int() of an Infinity in the file (json reads it as a float).
            raise RampPlanError(f"cannot read the ramp state {path}: {error}") from error

    def save(self, state: RampState) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(state.plan.endpoint)
        payload = json.dumps(state.to_dict(), indent=2, allow_nan=False).encode("utf-8")
        descriptor, temp_name = tempfile.mkstemp(dir=self.directory, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)

    def in_progress(self) -> list[RampState]:
        """Every ramp that has not ended, for reporting at start."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                state = RampState.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if not state.is_over:
                found.append(state)
        return found

    @contextmanager
    def lock(self, endpoint: str) -> Iterator[None]:
        """Exclusive per endpoint across processes; RampBusy if someone else holds it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        lock_path = self.directory / f".{_file_stem(endpoint)}.lock"
        with open(lock_path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RampBusy(
                    f"another canary-tui process is running the ramp on {endpoint}; "
                    "control it there (Ctrl+C in a CLI pauses it), then try again"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


# -- the runner --------------------------------------------------------------------------


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
        if state.last_verdict:
            parts.append(f"verdict {state.last_verdict}")
        return ", ".join(parts) + f": {self.message}"


class RampRollbackFailed(Exception):
    """The rollback did not take; the endpoint still sends traffic to the canary."""

    def __init__(self, message: str, state: RampState) -> None:
        super().__init__(message)
        self.message = message
        self.state = state


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
        self.last_verdict: Verdict | None = None

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
            try:
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
                state = self._change(state, self._apply_step(state))
            elif action.kind is ActionKind.CHECK:
                checked: RampEvent | None = self._observe(state, final=True)
                if checked is None:
                    self.clock.wait(self.settings.poll_seconds, self.control.wake)
                else:
                    state = self._change(state, checked)
            elif action.kind is ActionKind.ROLLBACK:
                event = self._rollback(state)
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
            if len(new_state.history) > len(state.history):
                self._emit(new_state, new_state.history[-1].message)
        return new_state

    def _emit(self, state: RampState, message: str) -> None:
        if self._on_progress is not None:
            self._on_progress(
                RampProgress(self.clock.now(), state, message, verdict=self.last_verdict)
            )

    def _apply_controls(self, state: RampState) -> RampState:
        for request in self.control.drain():
            state = self._change(state, _control_event(request, self.clock.now()))
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
        event = self._observe(state, final=False)
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

    # -- the AWS side of each action ------------------------------------------------------

    def _settle(self, endpoint_name: str) -> Endpoint:
        def monotonic() -> float:
            return self.clock.now().timestamp()

        def sleep(seconds: float) -> None:
            self.clock.wait(seconds, threading.Event())

        return self.changes.wait_until_settled(
            endpoint_name,
            self.settings.settle_timeout_seconds,
            poll_seconds=min(15.0, self.settings.poll_seconds),
            clock=monotonic,
            sleep=sleep,
        )

    def _apply_step(self, state: RampState) -> RampEvent:
        plan = state.plan
        share = state.step_share
        try:
            endpoint = self.backend.sagemaker.describe_endpoint(plan.endpoint)
            live_share = endpoint.desired_traffic_shares.get(plan.canary)
            # Already there (a run that died after applying): do not send it twice.
            if live_share is None or abs(live_share - share) > SHARE_TOLERANCE:
                interference = _interference(state, endpoint, state.applied_share)
                if interference is not None:
                    return Interfered(self.clock.now(), interference)
                weight_plan = plan_canary_share(endpoint, plan.canary, share)
                reason = (
                    f"ramp step {state.step_index + 1}/{len(plan.steps)}: "
                    f"{plan.canary} to {share:g}%"
                )
                self.changes.apply(weight_plan, endpoint, reason=reason)
            settled = self._settle(plan.endpoint)
        except ChangeOutcomeUnknown as unknown:
            # Neither continue (the step may not be in effect) nor roll back blindly (it may
            # be someone else's change): hold until a person has looked at the endpoint.
            return ApplyFailed(
                self.clock.now(),
                f"{unknown.message}; the ramp is paused: look at the endpoint, then resume "
                "or abort",
            )
        except (ChangeRefused, AwsError, WeightInputError) as error:
            return ApplyFailed(self.clock.now(), getattr(error, "message", str(error)))
        except SettleTimeout as error:
            return ApplyFailed(self.clock.now(), error.message)
        if settled.is_terminal:
            return ApplyFailed(self.clock.now(), terminal_status_message(settled))
        return Applied(self.clock.now())

    def _rollback(self, state: RampState) -> RampEvent:
        plan = state.plan

        def describe() -> Endpoint:
            return self.backend.sagemaker.describe_endpoint(plan.endpoint)

        def is_done(endpoint: Endpoint) -> bool:
            share = endpoint.desired_traffic_shares.get(state.baseline, 0.0)
            return abs(share - 100.0) <= SHARE_TOLERANCE

        def send(endpoint: Endpoint) -> object:
            return self.changes.apply(
                plan_all_to(endpoint, state.baseline),
                endpoint,
                reason=f"ramp rollback: {state.status_reason or 'rolled back'}",
            )

        def on_wait(endpoint: Endpoint | None, pause: float) -> None:
            status = endpoint.status if endpoint is not None else "unreadable"
            self._emit(state, f"rollback waits for {plan.endpoint} to settle ({status})")

        settler = Settler(
            describe,
            clock=lambda: self.clock.now().timestamp(),
            # Not the control's wake event: a request would cut every pause short and turn
            # the backoff into a busy loop of reads. Nothing stops a rollback anyway.
            sleep=lambda seconds: self.clock.wait(seconds, threading.Event()),
            on_wait=on_wait,
        )
        try:
            send_when_settled(
                settler,
                send,
                timeout=self.settings.rollback_wait_seconds,
                is_done=is_done,
                try_again=endpoint_was_busy,
            )
            self._settle(plan.endpoint)
        except (ChangeRefused, AwsError, WeightInputError) as error:
            return RollbackFailed(self.clock.now(), getattr(error, "message", str(error)))
        except (SettleTimeout, EndpointStuck) as error:
            return RollbackFailed(self.clock.now(), error.message)
        return RolledBack(self.clock.now())

    def compute_verdict(
        self,
        state: RampState,
        now: datetime,
        *,
        interim: bool = False,
        endpoint: Endpoint | None = None,
    ) -> Verdict | None:
        """The verdict of the current step so far; None before one whole period has passed."""
        applied = state.step_applied_at
        if applied is None:
            return None
        period = self.settings.period_seconds
        # The period in which the weights changed mixes two splits: start after it.
        start_epoch = math.ceil(applied.timestamp() / period) * period
        start = datetime.fromtimestamp(start_epoch, tz=UTC)
        if now - start < timedelta(seconds=period):
            return None
        if endpoint is None:
            endpoint = self.backend.sagemaker.describe_endpoint(state.plan.endpoint)
        refs = [VariantRef(endpoint.name, name) for name in endpoint.variant_names]
        batch = self.backend.cloudwatch.fetch(refs, start, now, period)
        metrics = {ref.variant: batch.variants[ref] for ref in refs}
        thresholds = self.settings.thresholds
        if interim:
            thresholds = replace(
                thresholds, alpha=thresholds.alpha / self.settings.interim_alpha_divisor
            )
        return compute_verdict(
            endpoint.name,
            metrics,
            endpoint.current_weights,
            period_seconds=period,
            window_seconds=(now - start).total_seconds(),
            thresholds=thresholds,
            baseline=state.baseline,
            canaries=[state.plan.canary],
            weights_note=(
                f"traffic split judged against the weights of step {state.step_index + 1} "
                f"({state.step_share:g}%), in force since {start:%H:%M} UTC"
            ),
        )

    def _observe(self, state: RampState, *, final: bool) -> RampEvent | None:
        """Alarms and (below 100 %) the verdict; Interfered when someone else changed the
        weights; None when AWS could not be read."""
        now = self.clock.now()
        needs_verdict = state.step_share < 100.0
        try:
            endpoint = self.backend.sagemaker.describe_endpoint(state.plan.endpoint)
            interference = _interference(state, endpoint, state.applied_share)
            if interference is not None:
                return Interfered(now, interference)
            alarms = (
                self.backend.cloudwatch.alarm_states(state.plan.alarm_names)
                if state.plan.alarm_names
                else {}
            )
            verdict = (
                self.compute_verdict(state, now, interim=not final, endpoint=endpoint)
                if needs_verdict
                else None
            )
        except AwsError as error:
            self._emit(state, f"could not read AWS ({error.message}); trying again")
            return None
        except ValueError as error:
            # The endpoint no longer has the canary or the baseline (redeployed under us):
            # nothing to judge, and nothing to advance on. Keep watching, say why.
            self._emit(state, f"cannot judge this step: {error}; trying again")
            return None
        if verdict is not None:
            self.last_verdict = verdict
            return Checked(now, verdict.outcome.value, verdict.reason, alarms, final)
        if needs_verdict:
            reason = "no whole metric period since the step was applied yet"
            # Without a verdict a step cannot pass, so a final check counts as INCONCLUSIVE.
            return Checked(now, "INCONCLUSIVE" if final else None, reason, alarms, final)
        return Checked(now, None, "at 100% there is no baseline traffic to compare", alarms, final)


def _interference(state: RampState, endpoint: Endpoint, expected: float | None) -> str | None:
    """Why the live weights are not what the ramp left them at, or None."""
    if expected is None:
        return None
    canary = state.plan.canary
    live = endpoint.desired_traffic_shares.get(canary)
    if live is None:
        return f"{canary} is no longer a variant of {endpoint.name}"
    if abs(live - expected) > SHARE_TOLERANCE:
        return (
            f"weights changed outside the ramp: {canary} is at {live:.1f}%, "
            f"the ramp left it at {expected:.1f}%"
        )
    return None
