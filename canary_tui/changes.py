"""The one guarded path every weight or capacity change takes (console, CLI and ramps).

confirm (before -> after) -> caller identity, region -> the endpoint's lock (one change per
endpoint on this machine) -> audit "intent" (fsynced) -> re-describe, refuse if it changed
or is not InService -> UpdateEndpointWeightsAndCapacities, sent once -> re-describe ->
audit "outcome" (applied / not-applied / unknown, with evidence). Blocking: run it in a
worker thread.

When the write fails in a way that may have reached AWS, the endpoint is described again
and compared with the plan (:mod:`canary_tui.change_outcome`): the outcome is established,
never guessed. Refusals raise :class:`ChangeRefused` (nothing was sent). They are also
written to the audit log with a ``refused`` outcome, so the log shows every attempt; a
refusal is never blocked by a failing audit write, because nothing was sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Literal, NoReturn

from canary_tui.audit import AuditEntry, AuditLog, AuditWriteError
from canary_tui.aws.dynamodb import LeaseHeld, LeaseLost
from canary_tui.aws.errors import AwsError, CredentialsProblem, NotFound
from canary_tui.change_errors import (
    AuditUnavailable,
    ChangeBusy,
    ChangeNotApplied,
    ChangeOutcomeUnknown,
    ChangeRefused,
    ChangeResult,
    SettleTimeout,
)
from canary_tui.change_failure import after_failed_write
from canary_tui.change_guards import (
    AnyPlan,
    AuditFields,
    Plan,
    audit_fields,
    describe_drift,
    is_noop,
    kind_refusal,
    not_writable_message,
    serverless_unconfirmed,
    shares_after,
)
from canary_tui.change_outcome import (
    Assessment,
    DesiredState,
    assess_after_success,
)
from canary_tui.change_record import record_intent, record_outcome_quietly
from canary_tui.domain.models import Endpoint
from canary_tui.endpoint_lock import EndpointBusy, EndpointLocks
from canary_tui.team_coordination import held_for_change

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend

__all__ = [
    "AuditUnavailable",
    "ChangeBusy",
    "ChangeNotApplied",
    "ChangeOutcomeUnknown",
    "ChangeRefused",
    "ChangeResult",
    "ChangeService",
    "ChangeSource",
    "Plan",
    "SettleTimeout",
    "describe_drift",
    "not_writable_message",
    "shares_after",
]

ChangeSource = Literal["console", "cli", "ramp"]


class ChangeService:
    """Applies confirmed plans through the guards; see the module docstring."""

    def __init__(
        self,
        backend: Backend,
        audit: AuditLog,
        source: ChangeSource,
        *,
        locks: EndpointLocks | None = None,
    ) -> None:
        self.backend = backend
        self.audit = audit
        self.source = source
        self.locks = locks if locks is not None else EndpointLocks()
        self.team = backend.team
        if self.team is not None:
            audit.mirror = self.team.mirror

    def lock(self, endpoint: str) -> AbstractContextManager[None]:
        """The endpoint's lock (re-entrant in one thread), and the team's lease with a team
        table: the CLI holds it from before it describes the endpoint, so a second run
        starts from the first one's result."""
        return held_for_change(self.locks, self.team, endpoint, self._region())

    # -- the guarded path ----------------------------------------------------------------

    def apply(
        self, plan: AnyPlan, confirmed: Endpoint, *, reason: str | None = None
    ) -> ChangeResult:
        """Apply ``plan`` if the endpoint is still exactly as ``confirmed``.

        Raises :class:`ChangeRefused` when a guard says no or the endpoint's lock is held
        (nothing sent), :class:`AuditUnavailable` when the intent cannot be written (nothing
        sent), :class:`ChangeOutcomeUnknown` when the request may have reached AWS and the
        endpoint does not say whether it took, :class:`ChangeNotApplied` when a re-read after
        a failure shows it did not, and :class:`~canary_tui.aws.errors.AwsError` when AWS
        refused or the request was never sent. Every outcome is in the audit log.
        """
        if plan.endpoint_name != confirmed.name:
            raise ValueError(f"plan is for {plan.endpoint_name}, confirmed is {confirmed.name}")
        reason = (reason.strip() or None) if reason is not None else None
        fields = audit_fields(plan, confirmed)
        if is_noop(plan):
            raise ChangeRefused(
                f"nothing to change on {confirmed.name}: the plan equals the current state",
                confirmed,
            )
        refusal = kind_refusal(plan, confirmed)
        if refusal is not None:
            # Only a deployment ends by itself: with it, the refusal carries the endpoint, so
            # a rollback waiting for the endpoint to settle may try again; the others never.
            waitable = confirmed if confirmed.pending_deployment is not None else None
            self._refuse(refusal, waitable, fields, confirmed, reason)
            raise ChangeRefused(refusal, waitable)
        # Everything slow or fallible comes first, so the guard's re-read is the last step
        # before the write: a change landing during a slow STS answer is then seen, not
        # overwritten. Unknown identity is recorded as None; credentials that AWS rejects
        # stop here, because the write would fail the same way.
        caller = self._caller()
        region = self._region()
        try:
            with held_for_change(self.locks, self.team, confirmed.name, region):
                return self._apply_locked(plan, confirmed, fields, caller, region, reason)
        except EndpointBusy as busy:
            self._refuse(busy.message, None, fields, confirmed, reason, kind="busy")
            raise ChangeBusy(busy.message, None) from busy
        except LeaseHeld as held:
            self._refuse(held.message, None, fields, confirmed, reason, kind="busy")
            raise ChangeBusy(held.message, None) from held

    def _apply_locked(
        self,
        plan: AnyPlan,
        confirmed: Endpoint,
        fields: AuditFields,
        caller: str | None,
        region: str | None,
        reason: str | None,
    ) -> ChangeResult:
        # (a) Intent first, fsynced: if we die after sending, the log still says so.
        try:
            change_id = record_intent(
                self.audit,
                fields,
                endpoint=confirmed.name,
                source=self.source,
                profile=self.backend.clients.profile_name,
                region=region,
                reason=reason,
                caller=caller,
            )
        except AuditWriteError as error:
            raise AuditUnavailable(error.message, None) from error

        # (b) The guard's re-read, the last step before the write: what the person
        # confirmed must still be what is there.
        try:
            live: Endpoint | None = self.backend.sagemaker.describe_endpoint(confirmed.name)
        except NotFound:
            live = None
        except AwsError as error:
            record_outcome_quietly(
                self.audit, change_id, "refused", confirmed.name, "guard", error.message
            )
            raise
        if live is None:
            self._refuse_intent(
                change_id, f"{confirmed.name} no longer exists; nothing was sent", None, confirmed
            )
        refusal = kind_refusal(plan, live)
        if refusal is not None:  # a deployment started since, say
            self._refuse_intent(change_id, refusal, live, confirmed)
        if not live.is_writable:
            self._refuse_intent(change_id, not_writable_message(live), live, confirmed)
        drift = describe_drift(confirmed, live)
        if drift is not None:
            self._refuse_intent(change_id, drift, live, confirmed)

        if self.team is not None:
            try:  # a lease broken by a teammate since it was taken: send nothing more
                self.team.leases.check(confirmed.name, region)
            except LeaseLost as lost:
                self._refuse_intent(change_id, lost.message, live, confirmed)

        # (c) The call, sent once (no botocore retry: see AwsClients.sagemaker_write).
        before, planned = fields.states()
        try:
            endpoint_arn = self.backend.sagemaker.update_weights_and_capacities(fields.request)
        except AwsError as error:
            return self._after_failure(change_id, confirmed, fields, error, before, planned)

        # (d) Outcome, with what AWS now says the desired state is.
        after = self._describe_quietly(confirmed.name)
        assessment = assess_after_success(after, before, planned)
        if (unconfirmed := serverless_unconfirmed(plan, after)) is not None:
            assessment = Assessment("unknown", unconfirmed)
        audit_warning = record_outcome_quietly(
            self.audit,
            change_id,
            assessment.result,
            confirmed.name,
            error_kind=None if assessment.result == "applied" else "concurrent-change",
            desired_weights_after=after.desired_weights if after is not None else None,
            # A plain success needs no explanation in the log (the weights after say it);
            # anything less certain does.
            evidence=None if assessment.plain_success else assessment.evidence,
        )
        if assessment.result != "applied":
            raise ChangeOutcomeUnknown(
                f"{confirmed.name}: outcome unknown: {assessment.evidence}",
                evidence=assessment.evidence,
                change_id=change_id,
                live=after,
            )
        return ChangeResult(
            change_id=change_id,
            endpoint_arn=endpoint_arn,
            request=fields.request,
            live=after,
            caller=caller,
            audit_warning=audit_warning,
            evidence=assessment.evidence,
        )

    def _after_failure(
        self,
        change_id: str,
        confirmed: Endpoint,
        fields: AuditFields,
        error: AwsError,
        before: DesiredState,
        planned: DesiredState,
    ) -> ChangeResult:
        """Establish what a failed write did, record it, and return or raise accordingly."""
        return after_failed_write(
            self.backend, self.audit, change_id, confirmed, fields, error, before, planned
        )

    def _refuse(
        self,
        message: str,
        live: Endpoint | None,
        fields: AuditFields,
        confirmed: Endpoint,
        reason: str | None,
        kind: str = "guard",
    ) -> None:
        """Record a refused attempt (best effort: nothing was sent)."""
        try:
            change_id = record_intent(
                self.audit,
                fields,
                endpoint=confirmed.name,
                source=self.source,
                profile=self.backend.clients.profile_name,
                region=self._region(),
                reason=reason,
            )
            self.audit.record_outcome(
                change_id,
                result="refused",
                endpoint=confirmed.name,
                error_kind=kind,
                error_message=message,
                desired_weights_after=live.desired_weights if live is not None else None,
            )
        except AuditWriteError:
            pass

    def _refuse_intent(
        self, change_id: str, message: str, live: Endpoint | None, confirmed: Endpoint
    ) -> NoReturn:
        """A guard said no after the intent was written: close it as refused and raise."""
        record_outcome_quietly(
            self.audit,
            change_id,
            "refused",
            confirmed.name,
            "guard",
            message,
            live.desired_weights if live is not None else None,
        )
        raise ChangeRefused(message, live)

    def _caller(self) -> str | None:
        try:
            return self.backend.identity.caller_arn()
        except CredentialsProblem:
            raise
        except AwsError:
            return None

    def region(self) -> str | None:
        """The region changes go to (the team's lease and trail are kept per region)."""
        return self._region()

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

    # -- unfinished changes ------------------------------------------------------------------

    def resolve_unfinished(self, entry: AuditEntry) -> tuple[str, str]:
        """Close an intent left without an outcome; see :mod:`canary_tui.audit_resolve`."""
        from canary_tui.audit_resolve import resolve_unfinished

        return resolve_unfinished(self.backend.sagemaker, self.audit, entry)

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
        """Follow ``endpoint_name`` until it settles; see
        :func:`canary_tui.settle.follow_until_settled`."""
        from canary_tui.settle import follow_until_settled  # settle.py imports this module

        return follow_until_settled(
            lambda: self.backend.sagemaker.describe_endpoint(endpoint_name),
            endpoint_name,
            timeout,
            poll_seconds,
            on_progress,
            clock=clock,
            sleep=sleep,
        )
