"""The change path's audit records: the intent, and the outcome written whatever happens."""

from __future__ import annotations

from collections.abc import Mapping

from canary_tui.audit import AuditLog, AuditWriteError, OutcomeResult
from canary_tui.change_guards import AuditFields
from canary_tui.notify.publish import intent_recorded, outcome_recorded


def record_intent(
    audit: AuditLog,
    fields: AuditFields,
    *,
    endpoint: str,
    source: str,
    profile: str | None,
    region: str | None,
    reason: str | None,
    caller: str | None = None,
) -> str:
    """Write (and fsync) the intent; raises AuditWriteError. Returns the change id."""
    change_id = audit.record_intent(
        endpoint=endpoint,
        kind=fields.kind,
        source=source,
        weights_before=fields.weights_before,
        weights_after=fields.weights_after,
        caller=caller,
        profile=profile,
        region=region,
        reason=reason,
        instance_counts_before=fields.counts_before,
        instance_counts_after=fields.counts_after,
        request=fields.request,
    )
    intent_recorded(
        change_id,
        fields,
        endpoint=endpoint,
        source=source,
        profile=profile,
        region=region,
        reason=reason,
        caller=caller,
    )  # webhooks (notify)
    return change_id


def record_outcome_quietly(
    audit: AuditLog,
    change_id: str,
    result: OutcomeResult,
    endpoint: str,
    error_kind: str | None = None,
    error_message: str | None = None,
    desired_weights_after: Mapping[str, float] | None = None,
    evidence: str | None = None,
) -> str | None:
    """Returns None, or a one-line warning when the outcome could not be written."""
    # The call has already happened; failing to record its outcome must not hide its
    # result from the caller. The intent stays unfinished and is reported at next start.
    outcome_recorded(
        change_id,
        result,
        error_message=error_message,
        desired_weights_after=desired_weights_after,
        evidence=evidence,
    )
    try:
        audit.record_outcome(
            change_id,
            result=result,
            endpoint=endpoint,
            error_kind=error_kind,
            error_message=error_message,
            desired_weights_after=desired_weights_after,
            evidence=evidence,
        )
    except AuditWriteError as error:
        return error.message.replace("; nothing was sent", "; the change was sent")
    return None
