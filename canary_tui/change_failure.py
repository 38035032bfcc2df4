"""What a failed write did: a request that never left, one AWS refused, or one that may
have reached AWS (then only the endpoint can say). Recorded in the audit log either way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from canary_tui.audit import AuditLog
from canary_tui.aws.delivery import delivery_of
from canary_tui.aws.errors import AwsError, UpdateInProgress
from canary_tui.change_errors import (
    ChangeNotApplied,
    ChangeOutcomeUnknown,
    ChangeRefused,
    ChangeResult,
)
from canary_tui.change_guards import AuditFields
from canary_tui.change_outcome import DesiredState, assess_after_failure
from canary_tui.change_record import record_outcome_quietly
from canary_tui.domain.models import Endpoint

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend


def after_failed_write(
    backend: Backend,
    audit: AuditLog,
    change_id: str,
    confirmed: Endpoint,
    fields: AuditFields,
    error: AwsError,
    before: DesiredState,
    planned: DesiredState,
) -> ChangeResult:
    """Establish what a failed write did, record it, and return or raise accordingly."""
    name = confirmed.name
    delivery = delivery_of(error)
    if delivery != "maybe":
        evidence = (
            "the request was not sent" if delivery == "not-sent" else "AWS refused the request"
        )
        record_outcome_quietly(
            audit,
            change_id,
            "not-applied",
            name,
            error.kind,
            error.message,
            evidence=evidence,
        )
        raise error
    # It may have reached AWS: only the endpoint can say what happened (reads retry).
    try:
        live: Endpoint | None = backend.sagemaker.describe_endpoint(name)
    except AwsError:
        live = None
    assessment = assess_after_failure(
        live,
        before,
        planned,
        failure=error.message,
        in_progress=isinstance(error, UpdateInProgress),
    )
    weights = live.desired_weights if live is not None else None
    if assessment.result == "refused":
        # Someone else's update was in flight when ours arrived: AWS refused ours.
        message = f"{name} is Updating (another update is in progress); nothing was changed"
        record_outcome_quietly(
            audit,
            change_id,
            "refused",
            name,
            error.kind,
            message,
            weights,
            assessment.evidence,
        )
        raise ChangeRefused(message, live) from error
    audit_warning = record_outcome_quietly(
        audit,
        change_id,
        assessment.result,
        name,
        error.kind,
        error.message,
        weights,
        assessment.evidence,
    )
    if assessment.result == "applied":
        return ChangeResult(
            change_id=change_id,
            endpoint_arn="",
            request=fields.request,
            live=live,
            caller=None,
            audit_warning=audit_warning,
            evidence=assessment.evidence,
            checked=True,
        )
    if assessment.result == "not-applied":
        raise ChangeNotApplied(
            f"not applied: {assessment.evidence}; nothing was changed",
            kind=error.kind,
            evidence=assessment.evidence,
            change_id=change_id,
            live=live,
        ) from error
    raise ChangeOutcomeUnknown(
        f"{name}: outcome unknown: {assessment.evidence}; check the endpoint before "
        "changing it again",
        evidence=assessment.evidence,
        change_id=change_id,
        live=live,
    ) from error
