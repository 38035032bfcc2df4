"""What the change path raises and returns (see :mod:`canary_tui.changes`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from canary_tui.aws.errors import AwsError
from canary_tui.domain.models import Endpoint


class ChangeRefused(Exception):
    """A guard said no and nothing was sent. ``message`` is one line for a person;
    ``live`` is the endpoint as it is now, to start again from (None if it is gone)."""

    def __init__(self, message: str, live: Endpoint | None) -> None:
        super().__init__(message)
        self.message = message
        self.live = live


class ChangeBusy(ChangeRefused):
    """Another run on this machine holds the endpoint's lock (see :mod:`endpoint_lock`)."""


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
    #: What the outcome rests on (the re-read after the write, in words).
    evidence: str | None = None
    #: True when the write's answer was lost and a re-read showed the change applied.
    checked: bool = False

    @property
    def desired_weights_after(self) -> dict[str, float] | None:
        return self.live.desired_weights if self.live is not None else None


class ChangeNotApplied(AwsError):
    """The write failed and a re-read shows the endpoint as before: nothing was changed."""

    def __init__(
        self, message: str, *, kind: str, evidence: str, change_id: str, live: Endpoint | None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.evidence = evidence
        self.change_id = change_id
        self.live = live


class ChangeOutcomeUnknown(AwsError):
    """The request may have reached AWS and the endpoint does not settle the question (or
    someone else changed it meanwhile). ``evidence`` says what was seen."""

    kind = "unknown-outcome"

    def __init__(
        self, message: str, *, evidence: str, change_id: str, live: Endpoint | None
    ) -> None:
        super().__init__(message)
        self.evidence = evidence
        self.change_id = change_id
        self.live = live


class SettleTimeout(Exception):
    """The endpoint did not reach a steady state in time. ``last`` is the last description."""

    def __init__(self, message: str, last: Endpoint | None) -> None:
        super().__init__(message)
        self.message = message
        self.last = last
