"""The AWS side of the ramp's actions: applying a step, checking it, rolling back.

Each method does what one :class:`~canary_tui.domain.ramp.Action` asks against AWS and returns
the event that answers it (``Applied`` / ``ApplyFailed`` / ``Interfered``, ``Checked``,
``RolledBack`` / ``RollbackFailed``); the runner's loop (:mod:`canary_tui.ramp`) feeds those
to the state machine and saves the result. Writes go through the guarded
:class:`~canary_tui.changes.ChangeService` (audit, stale check; source "ramp"); every wait is
on the runner's clock, so tests drive it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from canary_tui.aws.errors import AwsError
from canary_tui.changes import ChangeOutcomeUnknown, ChangeRefused, ChangeService, SettleTimeout
from canary_tui.domain.metrics import MetricKey, VariantMetrics, VariantRef
from canary_tui.domain.models import Endpoint, terminal_status_message
from canary_tui.domain.ramp import (
    SHARE_TOLERANCE,
    Applied,
    ApplyFailed,
    Checked,
    Interfered,
    RampEvent,
    RampState,
    RollbackFailed,
    RolledBack,
)
from canary_tui.domain.ramp_requests import requests_progress
from canary_tui.domain.verdict import Verdict, compute_verdict
from canary_tui.domain.weights import WeightInputError, plan_all_to, plan_canary_share
from canary_tui.ramp_control import RampClock, RampSettings
from canary_tui.settle import EndpointStuck, Settler, endpoint_was_busy, send_when_settled

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend


class RampActions:
    """Performs the runner's APPLY, CHECK and ROLLBACK actions; ``emit`` reports progress
    (a rollback waiting for the endpoint, AWS that could not be read)."""

    def __init__(
        self,
        backend: Backend,
        changes: ChangeService,
        clock: RampClock,
        settings: RampSettings,
        emit: Callable[[RampState, str], None],
    ) -> None:
        self.backend = backend
        self.changes = changes
        self.clock = clock
        self.settings = settings
        self._emit = emit
        #: The verdict of the last observation that had one, for progress reports.
        self.last_verdict: Verdict | None = None
        #: The canary's requests in the window the last verdict judged.
        self._judged_requests: StepRequests | None = None

    def settle(self, endpoint_name: str) -> Endpoint:
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

    def apply_step(self, state: RampState) -> RampEvent:
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
                    f"{plan.canary} to {share:g}%{_bake_audit(state)}"
                )
                self.changes.apply(weight_plan, endpoint, reason=reason)
            settled = self.settle(plan.endpoint)
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

    def rollback(self, state: RampState) -> RampEvent:
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
                reason=f"ramp rollback: {state.status_reason or 'rolled back'}"
                + _requests_audit(state),
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
            self.settle(plan.endpoint)
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
        self._judged_requests = None
        start = self._step_start(state, now)
        if start is None:
            return None
        period = self.settings.period_seconds
        if endpoint is None:
            endpoint = self.backend.sagemaker.describe_endpoint(state.plan.endpoint)
        refs = [VariantRef(endpoint.name, name) for name in endpoint.variant_names]
        thresholds = self.settings.thresholds
        # Quality metrics: only outcomes of requests served since the step (their labels
        # may come later: a delayed metric's window ends that much earlier).
        cloudwatch = self.backend.cloudwatch
        batch = (
            cloudwatch.fetch(
                refs, start, now, period, quality=thresholds.quality, quality_not_before=start
            )
            if thresholds.quality
            else cloudwatch.fetch(refs, start, now, period)
        )
        metrics = {ref.variant: batch.variants[ref] for ref in refs}
        if state.plan.canary in metrics:
            self._judged_requests = StepRequests.of(metrics[state.plan.canary])
        # The gate's p99 over the step so far, where CloudWatch computes percentiles.
        window = (
            cloudwatch.window_latency(refs, start, now, now)
            if batch.percentiles_available
            else None
        )
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
            window_latency=None
            if window is None
            else {ref.variant: window.variants[ref] for ref in refs if ref in window.variants},
            weights_note=(
                f"traffic split judged against the weights of step {state.step_index + 1} "
                f"({state.step_share:g}%), in force since {start:%H:%M} UTC"
            ),
        )

    def _step_start(self, state: RampState, now: datetime) -> datetime | None:
        """Where the step's window starts (the first whole period after its weights were
        applied: the period of the change mixes two splits); None before one has passed."""
        applied = state.step_applied_at
        if applied is None:
            return None
        period = self.settings.period_seconds
        start = datetime.fromtimestamp(math.ceil(applied.timestamp() / period) * period, tz=UTC)
        return None if now - start < timedelta(seconds=period) else start

    def step_requests(
        self, state: RampState, now: datetime, endpoint: Endpoint
    ) -> StepRequests | None:
        """The canary's Invocations since the step, for the plan's request gate: from the
        verdict's own fetch when there was one, else (at 100 %) one fetch of the canary."""
        if not state.plan.bake_requests:
            return None
        if self._judged_requests is not None:
            return self._judged_requests
        start = self._step_start(state, now)
        if start is None:
            return StepRequests(0.0, True)  # not one whole period yet: nothing counted
        ref = VariantRef(endpoint.name, state.plan.canary)
        batch = self.backend.cloudwatch.fetch([ref], start, now, self.settings.period_seconds)
        return StepRequests.of(batch.variants[ref])

    def observe(self, state: RampState, *, final: bool) -> RampEvent | None:
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
            self._judged_requests = None
            verdict = (
                self.compute_verdict(state, now, interim=not final, endpoint=endpoint)
                if needs_verdict
                else None
            )
            requests = self.step_requests(state, now, endpoint)
        except AwsError as error:
            self._emit(state, f"could not read AWS ({error.message}); trying again")
            return None
        except ValueError as error:
            # The endpoint no longer has the canary or the baseline (redeployed under us):
            # nothing to judge, and nothing to advance on. Keep watching, say why.
            self._emit(state, f"cannot judge this step: {error}; trying again")
            return None
        seen, whole = (None, True) if requests is None else (requests.total, requests.complete)
        word: str | None
        if verdict is not None:
            self.last_verdict = verdict
            word, reason = verdict.outcome.value, verdict.reason
            wait = _data_wait(verdict, state)
        elif needs_verdict:
            # Without a verdict a step cannot pass, so a final check counts as INCONCLUSIVE.
            word = "INCONCLUSIVE" if final else None
            reason, wait = "no whole metric period since the step was applied yet", 0.0
        else:
            word, wait = None, 0.0
            reason = "at 100% there is no baseline traffic to compare"
        return Checked(
            now,
            word,
            reason,
            alarms,
            final,
            canary_requests=seen,
            requests_complete=whole,
            data_wait_seconds=wait,
        )


@dataclass(frozen=True, slots=True)
class StepRequests:
    """The canary's requests in a step's window; with ``complete`` False a lower bound."""

    total: float
    complete: bool

    @classmethod
    def of(cls, metrics: VariantMetrics) -> StepRequests:
        invocations = metrics.get(MetricKey.INVOCATIONS)
        return cls(invocations.total(), invocations.complete)


def _bake_audit(state: RampState) -> str:
    """What the audit record of a step says about its bake: the plan's bake and request
    count, and how many requests the step before passed with."""
    plan = state.plan
    if not plan.bake_requests:
        return ""
    text = f" (bake {plan.bake_text}"
    if state.step_index > 0 and state.step_requests is not None:
        progress = requests_progress(plan, state.step_requests, state.step_requests_complete)
        text += f"; step {state.step_index} passed with {progress}"
    return text + ")"


def _requests_audit(state: RampState) -> str:
    plan = state.plan
    if not plan.bake_requests or state.step_requests is None:
        return ""
    progress = requests_progress(plan, state.step_requests, state.step_requests_complete)
    return f" ({plan.canary} saw {progress} in the step)"


def _data_wait(verdict: Verdict, state: RampState) -> float:
    """How long the verdict's missing data takes to come: its own estimate (requests at the
    current rate, periods), 0 when it is short of none."""
    try:
        shortfall = verdict.canary(state.plan.canary).shortfall
    except KeyError:
        return 0.0
    if shortfall is None:
        return 0.0
    periods = float(shortfall.more_periods * verdict.period_seconds)
    return periods if shortfall.eta_seconds is None else max(periods, shortfall.eta_seconds)


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
