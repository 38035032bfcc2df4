"""Closing an intent left without an outcome (``audit --resolve``, and at start).

The best witness is the log itself: the next change on the same endpoint recorded the state
it started from (``before``, described just before it), which is the state this one left.
Only when no later record settles it is the live endpoint asked, and then it says only what
is true now (a later change may since have moved it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from canary_tui.audit import AuditEntry, AuditLog, ChangeKind, OutcomeResult
from canary_tui.aws.errors import NotFound
from canary_tui.change_outcome import DesiredState, matches
from canary_tui.domain.models import Endpoint, traffic_shares

_STAMP = "reconciled after an interruption"


class EndpointReader(Protocol):
    def describe_endpoint(self, name: str) -> Endpoint: ...


def _same(
    first: DesiredState, weights: Mapping[str, float], counts: Mapping[str, int | None]
) -> bool:
    if first.kind == "capacity":
        return bool(first.counts) and all(
            counts.get(name) == count for name, count in first.counts.items()
        )
    if set(first.weights) != set(weights) or not weights:
        return False
    mine, theirs = traffic_shares(first.weights), traffic_shares(weights)
    return all(abs(mine[name] - theirs[name]) < 0.01 for name in mine)


def _from_later_records(
    entry: AuditEntry, later: list[AuditEntry]
) -> tuple[OutcomeResult, str] | None:
    intent = entry.intent
    kind: ChangeKind = intent.kind
    before = DesiredState(kind, intent.weights_before, intent.instance_counts_before)
    after = DesiredState(kind, intent.weights_after, intent.instance_counts_after)
    for following in later:
        seen_weights = following.intent.weights_before
        seen_counts = following.intent.instance_counts_before
        is_after = _same(after, seen_weights, seen_counts)
        is_before = _same(before, seen_weights, seen_counts)
        started = DesiredState(kind, seen_weights, seen_counts).describe()
        label = f"the next change {following.change_id[:8]}"
        when = following.intent.time.strftime("%Y-%m-%d %H:%M:%SZ")
        if is_after and not is_before:
            return "applied", f"{_STAMP}: {label} ({when}) started from {started}"
        if is_before and not is_after:
            return "not-applied", f"{_STAMP}: {label} ({when}) started from {started}, as before"
        # Neither (someone changed it outside canary-tui in between) or both: no verdict
        # from this record; only the first later change saw this one's result directly.
        return None
    return None


def _from_live(live: Endpoint | None, entry: AuditEntry) -> tuple[OutcomeResult, str]:
    intent = entry.intent
    if live is None:
        return "unknown", f"{_STAMP}: {intent.endpoint} no longer exists"
    if matches(live, intent.weights_after, intent.instance_counts_after, intent.kind):
        return "applied", f"{_STAMP}: the live endpoint has the intended values"
    if matches(live, intent.weights_before, intent.instance_counts_before, intent.kind):
        return "not-applied", f"{_STAMP}: the live endpoint is as before"
    shares = ", ".join(
        f"{name} {share:.1f}%" for name, share in live.desired_traffic_shares.items()
    )
    return "unknown", f"{_STAMP}: live desired traffic is {shares}"


def resolve_unfinished(
    sagemaker: EndpointReader, audit: AuditLog, entry: AuditEntry
) -> tuple[OutcomeResult, str]:
    """Write an outcome for ``entry`` (an intent without one) and return (result, why).

    Later changes on the same endpoint are looked at first (see the module doc), then the
    live endpoint. Raises ``AuditWriteError`` when the outcome cannot be written.
    """
    if entry.outcome is not None:
        raise ValueError(f"change {entry.change_id} already has an outcome")
    intent = entry.intent
    # Entries come oldest first, and two written in the same millisecond keep the order
    # they were appended in: "later" is what follows this one, not a strictly later time.
    entries = audit.entries(intent.endpoint)
    position = next(
        (index for index, other in enumerate(entries) if other.change_id == entry.change_id),
        None,
    )
    later = (
        entries[position + 1 :]
        if position is not None
        else [other for other in entries if other.intent.time > intent.time]
    )
    decided = _from_later_records(entry, later)
    live: Endpoint | None = None
    if decided is None:
        try:
            live = sagemaker.describe_endpoint(intent.endpoint)
        except NotFound:
            live = None
        decided = _from_live(live, entry)
    result, message = decided
    audit.record_outcome(
        intent.change_id,
        result=result,
        endpoint=intent.endpoint,
        # The process was interrupted, whatever the endpoint shows: that is the "error";
        # what the result rests on is the evidence (shown once, not twice).
        error_kind="interrupted",
        error_message="the process stopped between the intent and the outcome",
        evidence=message,
        desired_weights_after=live.desired_weights if live is not None else None,
    )
    return result, message
