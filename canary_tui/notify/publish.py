"""The one call each event source makes. Each asks :func:`~canary_tui.notify.hub.active`
first, so with no webhook configured nothing is built; none of them does I/O or raises.

* :func:`intent_recorded` and :func:`outcome_recorded` follow the change path's audit
  records (:mod:`canary_tui.change_record`), which carry everything a change event says;
* :func:`ramp_changed` follows the ramp runner's transitions;
* :func:`verdict_changed` follows the console's verdict of an endpoint.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

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


@dataclass(frozen=True, slots=True)
class _Intent:
    endpoint: str
    fields: AuditFields
    where: Where
    source: str
    reason: str | None


#: Intents waiting for their outcome, by change id (oldest first). Bounded: an intent whose
#: outcome never comes (the process died between the two) must not pile up.
_intents: OrderedDict[str, _Intent] = OrderedDict()
_intents_lock = threading.Lock()
MAX_WAITING_INTENTS = 256
#: The outcome each change event stands for; "refused" (nothing was sent) is none.
_OUTCOME_EVENTS: Mapping[str, EventKind] = {
    "applied": EventKind.CHANGE_APPLIED,
    "not-applied": EventKind.CHANGE_FAILED,
    "unknown": EventKind.CHANGE_UNKNOWN,
}


def intent_recorded(
    change_id: str,
    fields: AuditFields,
    *,
    endpoint: str,
    source: str,
    profile: str | None,
    region: str | None,
    reason: str | None,
    caller: str | None,
) -> None:
    """The change path wrote an intent: remember what the change is, for its outcome."""
    if active() is None:
        return
    where = Where(region=region, profile=profile, caller_arn=caller)
    with _intents_lock:
        _intents[change_id] = _Intent(endpoint, fields, where, source, reason)
        while len(_intents) > MAX_WAITING_INTENTS:
            _intents.popitem(last=False)


def outcome_recorded(
    change_id: str,
    result: str,
    *,
    error_message: str | None = None,
    desired_weights_after: Mapping[str, float] | None = None,
    evidence: str | None = None,
) -> None:
    """The change path wrote (or tried to write) an outcome: publish change applied, failed
    (not-applied) or unknown. A refusal sent nothing and publishes nothing."""
    try:
        with _intents_lock:
            intent = _intents.pop(change_id, None)
        hub = active()
        kind = _OUTCOME_EVENTS.get(result)
        if hub is None or intent is None or kind is None:
            return
        if not hub.wants(kind, intent.where.profile):
            return
        fields = intent.fields
        if desired_weights_after is not None:
            after, after_is = desired_weights_after, "read back"
        elif kind is EventKind.CHANGE_FAILED:
            after, after_is = fields.weights_before, "unchanged"
        else:
            after, after_is = fields.weights_after, "the plan (not read back)"
        why = evidence or (error_message if kind is not EventKind.CHANGE_APPLIED else None)
        if error_message and evidence and kind is not EventKind.CHANGE_APPLIED:
            why = f"{evidence} ({error_message})" if error_message not in evidence else evidence
        event = change_event(
            kind,
            time=datetime.now(UTC),
            endpoint=intent.endpoint,
            where=intent.where,
            change_kind=fields.kind,
            weights_before=fields.weights_before,
            weights_after=after,
            why=why,
            source=intent.source,
            change_id=change_id,
            reason=intent.reason,
            counts_before=fields.counts_before,
            counts_after=fields.counts_after,
        )
        hub.publish(replace(event, details={**event.details, "traffic_after_is": after_is}))
    except Exception:  # a notification must never change a change's outcome
        LOG.exception("could not publish the change's notification")


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
