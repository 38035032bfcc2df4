"""The one call each event source makes. Each asks :func:`~canary_tui.notify.hub.active`
first, so with no webhook configured nothing is built; none of them does I/O or raises.

* :class:`ChangeNotice` wraps the change path's call (``ChangeService.apply``);
* :func:`ramp_changed` follows the ramp runner's transitions;
* :func:`verdict_changed` follows the console's verdict of an endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from canary_tui.aws.errors import AwsError
from canary_tui.change_errors import ChangeOutcomeUnknown, ChangeResult
from canary_tui.notify.change_events import Where, change_event, ramp_event, ramp_transition
from canary_tui.notify.events import rounded_shares, turned_fail, verdict_event
from canary_tui.notify.hub import active
from canary_tui.notify.targets import EventKind

if TYPE_CHECKING:
    from canary_tui.change_guards import AuditFields
    from canary_tui.domain.models import Endpoint
    from canary_tui.domain.ramp_state import RampState
    from canary_tui.domain.verdict import Verdict

LOG = logging.getLogger("canary_tui.notify")


def _profile(backend: Any) -> str | None:
    try:
        return backend.clients.profile_name  # type: ignore[no-any-return]
    except Exception:
        return None


def _region(backend: Any) -> str | None:
    try:
        return backend.target.region or backend.clients.region  # type: ignore[no-any-return]
    except Exception:
        return None


def _account_lookup(backend: Any) -> Callable[[], str | None] | None:
    identity = getattr(backend, "identity", None)
    caller_arn = getattr(identity, "caller_arn", None)
    if caller_arn is None:
        return None

    def lookup() -> str | None:
        from canary_tui.notify.events import account_of

        return account_of(caller_arn())

    return lookup


class ChangeNotice:
    """``with ChangeNotice(...) as notice: return notice.done(apply())``: publishes change
    applied (a result), unknown (ChangeOutcomeUnknown) or failed (ChangeNotApplied, any
    other AwsError) when the block ends. A refusal (nothing was sent) publishes nothing."""

    def __init__(
        self,
        service: Any,
        confirmed: Endpoint,
        fields: AuditFields,
        caller: str | None,
        region: str | None,
        reason: str | None,
    ) -> None:
        self._service = service
        self._confirmed = confirmed
        self._fields = fields
        self._caller = caller
        self._region = region
        self._reason = reason
        self._result: ChangeResult | None = None

    def done(self, result: ChangeResult) -> ChangeResult:
        self._result = result
        return result

    def __enter__(self) -> ChangeNotice:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._publish(error)
        except Exception:  # a notification must never change a change's outcome
            LOG.exception("could not publish the change's notification")

    def _publish(self, error: BaseException | None) -> None:
        hub = active()
        if hub is None:
            return
        fields = self._fields
        after: Mapping[str, float] = fields.weights_after
        why: str | None = None
        change_id: str | None = None
        if error is None and self._result is not None:
            kind = EventKind.CHANGE_APPLIED
            live = self._result.live
            after = live.desired_weights if live is not None else fields.weights_after
            why = self._result.evidence if self._result.checked else None
            change_id = self._result.change_id
        elif isinstance(error, ChangeOutcomeUnknown):
            kind, why, change_id = EventKind.CHANGE_UNKNOWN, error.evidence, error.change_id
            after = error.live.desired_weights if error.live is not None else fields.weights_after
        elif isinstance(error, AwsError):
            kind, why = EventKind.CHANGE_FAILED, error.message
            live = getattr(error, "live", None)
            change_id = getattr(error, "change_id", None)
            after = live.desired_weights if live is not None else fields.weights_before
        else:
            return
        backend = self._service.backend
        profile = _profile(backend)
        if not hub.wants(kind, profile):
            return
        hub.publish(
            change_event(
                kind,
                time=datetime.now(UTC),
                endpoint=self._confirmed.name,
                where=Where(
                    region=self._region,
                    profile=profile,
                    caller_arn=self._caller,
                    account_lookup=_account_lookup(backend),
                ),
                change_kind=fields.kind,
                weights_before=fields.weights_before,
                weights_after=after,
                why=why,
                source=getattr(self._service, "source", None),
                change_id=change_id,
                reason=self._reason,
                counts_before=fields.counts_before,
                counts_after=fields.counts_after,
            )
        )


def ramp_changed(runner: Any, before: RampState | None, after: RampState) -> None:
    """After the ramp runner moved from ``before`` to ``after`` (``before`` None: it just
    started driving ``after``)."""
    try:
        hub = active()
        if hub is None:
            return
        kind = ramp_transition(before, after)
        if kind is None:
            return
        backend = runner.backend
        profile = _profile(backend)
        if not hub.wants(kind, profile):
            return
        time = after.history[-1].time if after.history else datetime.now(UTC)
        where = Where(_region(backend), profile, account_lookup=_account_lookup(backend))
        verdict = getattr(runner, "last_verdict", None)
        hub.publish(ramp_event(kind, before, after, time=time, where=where, verdict=verdict))
    except Exception:
        LOG.exception("could not publish the ramp's notification")


def verdict_changed(
    backend: Any,
    endpoint: Endpoint | None,
    previous: Verdict | None,
    current: Verdict | None,
    now: datetime | None = None,
) -> None:
    """After a verdict was recomputed: publishes verdict.failed on the turn to FAIL only."""
    try:
        hub = active()
        if hub is None or previous is None or current is None:
            return
        if not turned_fail(previous.outcome, current.outcome):
            return
        profile = _profile(backend)
        if not hub.wants(EventKind.VERDICT_FAILED, profile):
            return
        shares = rounded_shares(endpoint.current_weights) if endpoint is not None else {}
        hub.publish(
            verdict_event(
                current,
                time=now or datetime.now(UTC),
                shares=shares,
                region=_region(backend),
                profile=profile,
                account_lookup=_account_lookup(backend),
            )
        )
    except Exception:
        LOG.exception("could not publish the verdict's notification")
