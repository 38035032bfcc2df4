"""The one guarded path every weight or capacity change takes (console, CLI and ramps).

confirm (before -> after) -> re-describe, refuse if it changed or is not InService ->
caller identity -> audit "intent" (fsynced) -> UpdateEndpointWeightsAndCapacities ->
audit "outcome". Blocking: run it in a worker thread.

Refusals raise :class:`ChangeRefused` (nothing was sent). They are also written to the audit
log as an intent with a ``refused`` outcome, so the log shows every attempt; a refusal is
never blocked by a failing audit write, because nothing was sent.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from canary_tui.audit import AuditEntry, AuditLog, AuditWriteError, ChangeKind, OutcomeResult
from canary_tui.aws.errors import AwsError, CredentialsProblem, NotFound, UpdateInProgress
from canary_tui.domain.models import Endpoint, traffic_shares
from canary_tui.domain.weights import CapacityPlan, WeightPlan

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend

ChangeSource = Literal["console", "cli", "ramp"]
#: Error answers that mean AWS did not apply the request.
# (quota: ResourceLimitExceeded; clock-skew: the signature was refused, nothing was done.)
_REJECTED_KINDS = frozenset(
    {"validation", "access-denied", "throttled", "credentials", "quota", "clock-skew"}
)
Plan = WeightPlan | CapacityPlan

# Weights travel as JSON floats; anything closer than this is the same weight.
_WEIGHT_TOLERANCE = 1e-9


class ChangeRefused(Exception):
    """A guard said no and nothing was sent. ``message`` is one line for a person;
    ``live`` is the endpoint as it is now, to start again from (None if it is gone)."""

    def __init__(self, message: str, live: Endpoint | None) -> None:
        super().__init__(message)
        self.message = message
        self.live = live


class AuditUnavailable(ChangeRefused):
    """The audit intent could not be written, so nothing was sent."""


@dataclass(frozen=True, slots=True)
class ChangeResult:
    change_id: str
    endpoint_arn: str
    request: dict[str, Any]
    #: The endpoint read back right after the call; None if that read failed.
    live: Endpoint | None = None
    caller: str | None = None
    #: Set when the outcome record could not be written (the change itself went through).
    audit_warning: str | None = None

    @property
    def desired_weights_after(self) -> dict[str, float] | None:
        return self.live.desired_weights if self.live is not None else None


class SettleTimeout(Exception):
    """The endpoint did not reach a steady state in time. ``last`` is the last description."""

    def __init__(self, message: str, last: Endpoint | None) -> None:
        super().__init__(message)
        self.message = message
        self.last = last


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def describe_drift(confirmed: Endpoint, live: Endpoint) -> str | None:
    """One line saying how ``live`` differs from what was confirmed, or None if it does not.

    Compared: the set of variants, desired weights (shown as traffic %), desired instance
    counts and the endpoint status.
    """
    suffix = " since you confirmed; review the live state"
    if set(confirmed.variant_names) != set(live.variant_names):
        return (
            f"variants changed {', '.join(confirmed.variant_names) or '(none)'} -> "
            f"{', '.join(live.variant_names) or '(none)'}{suffix}"
        )
    if confirmed.status != live.status:
        return f"endpoint status changed {confirmed.status} -> {live.status}{suffix}"
    confirmed_shares = confirmed.desired_traffic_shares
    live_shares = live.desired_traffic_shares
    for name in confirmed.variant_names:
        before = confirmed.variant(name).desired_weight
        after = live.variant(name).desired_weight
        if not math.isclose(before, after, rel_tol=_WEIGHT_TOLERANCE, abs_tol=_WEIGHT_TOLERANCE):
            before_share, after_share = confirmed_shares[name], live_shares[name]
            if round(before_share, 1) == round(after_share, 1):
                return f"{name} weight changed {before:g} -> {after:g}{suffix}"
            return (
                f"{name} weight changed {_percent(before_share)} -> {_percent(after_share)}{suffix}"
            )
    for name in confirmed.variant_names:
        count_before = confirmed.variant(name).desired_instance_count
        count_after = live.variant(name).desired_instance_count
        if count_before != count_after:
            return f"{name} desired instance count changed {count_before} -> {count_after}{suffix}"
    return None


def not_writable_message(endpoint: Endpoint) -> str:
    message = f"{endpoint.name} is {endpoint.status}, not InService; nothing was sent"
    if endpoint.failure_reason:
        message += f" (reason: {endpoint.failure_reason})"
    return message


@dataclass(frozen=True, slots=True)
class _AuditFields:
    kind: ChangeKind
    weights_before: dict[str, float]
    weights_after: dict[str, float]
    counts_before: dict[str, int | None]
    counts_after: dict[str, int | None]
    request: dict[str, Any] = field(default_factory=dict)


def _audit_fields(plan: Plan, confirmed: Endpoint) -> _AuditFields:
    counts = {variant.name: variant.desired_instance_count for variant in confirmed.variants}
    if isinstance(plan, WeightPlan):
        return _AuditFields(
            kind="weights",
            weights_before=dict(confirmed.desired_weights),
            weights_after=dict(plan.after),
            counts_before=counts,
            counts_after=dict(counts),
            request=dict(plan.api_request()),
        )
    counts_after = dict(counts)
    counts_after[plan.variant] = plan.count_after
    return _AuditFields(
        kind="capacity",
        weights_before=dict(confirmed.desired_weights),
        weights_after=dict(confirmed.desired_weights),
        counts_before=counts,
        counts_after=counts_after,
        request=dict(plan.api_request()),
    )


def _is_noop(plan: Plan) -> bool:
    if isinstance(plan, WeightPlan):
        return plan.is_noop
    return plan.count_before == plan.count_after


class ChangeService:
    """Applies confirmed plans through the guards; see the module docstring."""

    def __init__(self, backend: Backend, audit: AuditLog, source: ChangeSource) -> None:
        self.backend = backend
        self.audit = audit
        self.source = source

    # -- the guarded path ----------------------------------------------------------------

    def apply(self, plan: Plan, confirmed: Endpoint, *, reason: str | None = None) -> ChangeResult:
        """Apply ``plan`` if the endpoint is still exactly as ``confirmed``.

        Raises :class:`ChangeRefused` when a guard says no (nothing sent),
        :class:`AuditUnavailable` when the intent cannot be written (nothing sent), and
        :class:`~canary_tui.aws.errors.AwsError` when the call itself fails (after writing
        the outcome). ``UpdateInProgress`` from AWS is turned into ``ChangeRefused``.
        """
        if plan.endpoint_name != confirmed.name:
            raise ValueError(f"plan is for {plan.endpoint_name}, confirmed is {confirmed.name}")
        reason = (reason.strip() or None) if reason is not None else None
        fields = _audit_fields(plan, confirmed)
        if _is_noop(plan):
            raise ChangeRefused(
                f"nothing to change on {confirmed.name}: the plan equals the current state",
                confirmed,
            )

        # (a) Re-read the endpoint: what the person confirmed must still be what is there.
        try:
            live: Endpoint | None = self.backend.sagemaker.describe_endpoint(confirmed.name)
        except NotFound:
            live = None
        if live is None:
            self._refuse(
                f"{confirmed.name} no longer exists; nothing was sent",
                None,
                fields,
                confirmed,
                reason,
            )
        if not live.is_writable:
            self._refuse(not_writable_message(live), live, fields, confirmed, reason)
        drift = describe_drift(confirmed, live)
        if drift is not None:
            self._refuse(drift, live, fields, confirmed, reason)

        # (b) Who is doing it. Unknown is acceptable (recorded as None); credentials that
        # AWS rejects are not, because the call would fail the same way.
        caller = self._caller()

        # (c) Intent first, fsynced: if we die after sending, the log still says so.
        try:
            change_id = self.audit.record_intent(
                endpoint=confirmed.name,
                kind=fields.kind,
                source=self.source,
                weights_before=fields.weights_before,
                weights_after=fields.weights_after,
                caller=caller,
                profile=self.backend.clients.profile_name,
                region=self._region(),
                reason=reason,
                instance_counts_before=fields.counts_before,
                instance_counts_after=fields.counts_after,
                request=fields.request,
            )
        except AuditWriteError as error:
            raise AuditUnavailable(error.message, live) from error

        # (d) The call.
        try:
            endpoint_arn = self.backend.sagemaker.update_weights_and_capacities(fields.request)
        except UpdateInProgress as error:
            self._record_outcome_quietly(
                change_id, "refused", confirmed.name, error.kind, error.message
            )
            now = self._describe_quietly(confirmed.name)
            message = (
                not_writable_message(now)
                if now is not None and not now.is_writable
                else f"{confirmed.name} is being updated by someone else; nothing was changed"
            )
            raise ChangeRefused(message, now) from error
        except AwsError as error:
            self._record_outcome_quietly(
                change_id,
                "not-applied" if error.kind in _REJECTED_KINDS else "unknown",
                confirmed.name,
                error.kind,
                error.message,
            )
            raise

        # (e) Outcome, with what AWS now says the desired weights are.
        after = self._describe_quietly(confirmed.name)
        audit_warning = self._record_outcome_quietly(
            change_id,
            "applied",
            confirmed.name,
            desired_weights_after=after.desired_weights if after is not None else None,
        )
        return ChangeResult(
            change_id=change_id,
            endpoint_arn=endpoint_arn,
            request=fields.request,
            live=after,
            caller=caller,
            audit_warning=audit_warning,
        )

    def _refuse(
        self,
        message: str,
        live: Endpoint | None,
        fields: _AuditFields,
        confirmed: Endpoint,
        reason: str | None,
    ) -> NoReturn:
        """Record the refused attempt (best effort: nothing was sent) and raise."""
        try:
            change_id = self.audit.record_intent(
                endpoint=confirmed.name,
                kind=fields.kind,
                source=self.source,
                weights_before=fields.weights_before,
                weights_after=fields.weights_after,
                profile=self.backend.clients.profile_name,
                region=self._region(),
                reason=reason,
                instance_counts_before=fields.counts_before,
                instance_counts_after=fields.counts_after,
                request=fields.request,
            )
            self.audit.record_outcome(
                change_id,
                result="refused",
                endpoint=confirmed.name,
                error_kind="guard",
                error_message=message,
                desired_weights_after=live.desired_weights if live is not None else None,
            )
        except AuditWriteError:
            pass
        raise ChangeRefused(message, live)

    def _caller(self) -> str | None:
        try:
            return self.backend.identity.caller_arn()
        except CredentialsProblem:
            raise
        except AwsError:
            return None

    def _region(self) -> str | None:
        try:
            return self.backend.clients.region
        except Exception:  # an unresolvable region is reported by the call itself
            return self.backend.target.region

    def _describe_quietly(self, name: str) -> Endpoint | None:
        try:
            return self.backend.sagemaker.describe_endpoint(name)
        except AwsError:
            return None

    def _record_outcome_quietly(
        self,
        change_id: str,
        result: OutcomeResult,
        endpoint: str,
        error_kind: str | None = None,
        error_message: str | None = None,
        desired_weights_after: dict[str, float] | None = None,
    ) -> str | None:
        """Returns None, or a one-line warning when the outcome could not be written."""
        # The call has already happened; failing to record its outcome must not hide its
        # result from the caller. The intent stays unfinished and is reported at next start.
        try:
            self.audit.record_outcome(
                change_id,
                result=result,
                endpoint=endpoint,
                error_kind=error_kind,
                error_message=error_message,
                desired_weights_after=desired_weights_after,
            )
        except AuditWriteError as error:
            return error.message.replace("; nothing was sent", "; the change was sent")
        return None

    # -- unfinished changes ------------------------------------------------------------------

    def resolve_unfinished(self, entry: AuditEntry) -> tuple[str, str]:
        """Close an intent left without an outcome by comparing it with the live endpoint.

        Writes an outcome: ``ok`` when the live desired state is what the intent asked for,
        else ``error`` (kind ``interrupted``). Returns (result, one-line explanation).
        """
        if entry.outcome is not None:
            raise ValueError(f"change {entry.change_id} already has an outcome")
        intent = entry.intent
        try:
            live: Endpoint | None = self.backend.sagemaker.describe_endpoint(intent.endpoint)
        except NotFound:
            live = None
        stamp = "reconciled after an interruption"
        result: OutcomeResult
        if live is None:
            result, message = "unknown", f"{stamp}: {intent.endpoint} no longer exists"
        elif _matches(live, intent.weights_after, intent.instance_counts_after, intent.kind):
            result, message = "applied", f"{stamp}: the live endpoint has the intended values"
        elif _matches(live, intent.weights_before, intent.instance_counts_before, intent.kind):
            result, message = "not-applied", f"{stamp}: the live endpoint is as before"
        else:
            shares = ", ".join(
                f"{name} {share:.1f}%" for name, share in live.desired_traffic_shares.items()
            )
            result, message = "unknown", f"{stamp}: live desired traffic is {shares}"
        self.audit.record_outcome(
            intent.change_id,
            result=result,
            endpoint=intent.endpoint,
            error_kind=None if result == "applied" else "interrupted",
            error_message=message,
            evidence=message,
            desired_weights_after=live.desired_weights if live is not None else None,
        )
        return result, message

    # -- following an update ---------------------------------------------------------------

    def wait_until_settled(
        self,
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
                last = self.backend.sagemaker.describe_endpoint(endpoint_name)
            except AwsError as error:
                if not error.transient:
                    raise
            else:
                if on_progress is not None:
                    on_progress(last)
                if last.is_terminal:
                    return last
                settled = not any(variant.is_settling for variant in last.variants)
                if last.is_writable and settled:
                    return last
            remaining = deadline - clock()
            if remaining <= 0:
                state = last.status if last is not None else "unknown"
                raise SettleTimeout(
                    f"{endpoint_name} did not settle within {timeout:g}s (last status: {state})",
                    last,
                )
            sleep(min(poll_seconds, remaining))


def _matches(
    live: Endpoint,
    weights: Mapping[str, float],
    counts: Mapping[str, int | None],
    kind: ChangeKind,
) -> bool:
    """Whether ``live``'s desired state is ``weights`` (or, for capacity, ``counts``)."""
    if set(live.variant_names) != set(weights):
        return False
    if kind == "capacity":
        return all(
            live.variant(name).desired_instance_count == count for name, count in counts.items()
        )
    live_shares = live.desired_traffic_shares
    return all(
        abs(live_shares[name] - share) < 0.01 for name, share in traffic_shares(weights).items()
    )


def shares_after(plan: Plan, confirmed: Endpoint) -> dict[str, float]:
    """Traffic % per variant once ``plan`` is applied (capacity plans keep the split)."""
    if isinstance(plan, WeightPlan):
        return traffic_shares(plan.after)
    return confirmed.desired_traffic_shares
