"""What the audit log holds: a change's intent, its outcome, and the two paired.

Pure data, shared by the writer (``audit.py``) and the reader (``audit_read.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from canary_tui.domain.models import traffic_shares
from canary_tui.domain.text import printable

#: Bumped if a record's meaning changes; readers accept records of this version or older.
#: 2: outcomes say what is known about the endpoint (applied / not-applied / unknown /
#: refused) and carry ``evidence``; version 1 said whether the call raised (ok / error).
FORMAT_VERSION = 2
AUDIT_FILE_NAME = "audit.jsonl"

ChangeKind = Literal["weights", "capacity"]
#: applied: the endpoint was seen with the plan's values after the call.
#: not-applied: AWS rejected the request, or the endpoint was seen unchanged after it.
#: unknown: the request may have reached AWS and the endpoint could not settle the question.
#: refused: we did not send anything (a guard said no).
OutcomeResult = Literal["applied", "not-applied", "unknown", "refused"]
OUTCOME_RESULTS = frozenset({"applied", "not-applied", "unknown", "refused"})
#: Errors that mean AWS looked at the request and said no: nothing was applied.
_REJECTED_KINDS = frozenset(
    {"validation", "access-denied", "credentials", "not-found", "configuration", "guard"}
)


def legacy_result(result: str, error_kind: str | None) -> OutcomeResult:
    """Version 1's ``ok`` / ``error`` in today's words. ``error`` only says the call
    raised: a rejection was not applied, but a timeout or a 5xx may have been."""
    if result == "ok":
        return "applied"
    if result == "error":
        return "not-applied" if error_kind in _REJECTED_KINDS else "unknown"
    raise ValueError(f"unknown result {result!r}")


@dataclass(frozen=True, slots=True)
class AuditIntent:
    """What was about to be sent, and what the person saw when they confirmed it."""

    change_id: str
    time: datetime
    caller: str | None
    profile: str | None
    region: str | None
    endpoint: str
    kind: ChangeKind
    source: str
    reason: str | None
    weights_before: Mapping[str, float]
    weights_after: Mapping[str, float]
    traffic_percent_before: Mapping[str, float]
    traffic_percent_after: Mapping[str, float]
    instance_counts_before: Mapping[str, int | None] = field(default_factory=dict)
    instance_counts_after: Mapping[str, int | None] = field(default_factory=dict)
    #: The exact UpdateEndpointWeightsAndCapacities parameters.
    request: Mapping[str, Any] | None = None
    #: The record's time had no time zone (written by hand or another tool): read as UTC.
    time_zone_assumed: bool = False


@dataclass(frozen=True, slots=True)
class AuditOutcome:
    change_id: str
    time: datetime
    endpoint: str | None
    result: OutcomeResult
    error_kind: str | None = None
    error_message: str | None = None
    #: Desired weights read back after the call; None when they could not be read.
    desired_weights_after: Mapping[str, float] | None = None
    #: What the result rests on, in words ("re-read after a timeout: desired 90/10 is the
    #: plan"); None in version-1 records.
    evidence: str | None = None
    time_zone_assumed: bool = False

    @property
    def traffic_percent_after(self) -> dict[str, float] | None:
        if self.desired_weights_after is None:
            return None
        return traffic_shares(self.desired_weights_after)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: its intent and, unless the process died in between, its outcome."""

    intent: AuditIntent
    outcome: AuditOutcome | None

    @property
    def change_id(self) -> str:
        return self.intent.change_id

    @property
    def endpoint(self) -> str:
        return self.intent.endpoint

    @property
    def is_finished(self) -> bool:
        return self.outcome is not None

    @property
    def may_have_applied(self) -> bool:
        """Whether the endpoint may carry this change: applied, unknown or unfinished."""
        return self.result in ("applied", "unknown", "unfinished")

    @property
    def result(self) -> str:
        """applied, not-applied, unknown, refused, or ``unfinished`` (intent, no outcome)."""
        return self.outcome.result if self.outcome is not None else "unfinished"


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A line that is not a valid record, e.g. cut short by a crash mid-write."""

    line_number: int
    problem: str

    def describe(self, path: Path) -> str:
        problem = printable(self.problem, 120)
        return f"{path}:{self.line_number}: skipped unreadable audit record ({problem})"


@dataclass(frozen=True, slots=True)
class AuditReading:
    entries: tuple[AuditEntry, ...]
    skipped: tuple[SkippedLine, ...]
    #: Lines that were read with an assumption (a time without a time zone taken as UTC).
    flagged: tuple[SkippedLine, ...] = ()

    @property
    def unfinished(self) -> tuple[AuditEntry, ...]:
        return tuple(entry for entry in self.entries if not entry.is_finished)
