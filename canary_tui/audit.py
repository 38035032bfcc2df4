"""Append-only audit log of every change, as JSON lines in the user's data directory.

Each change writes two records: an ``intent`` before the API call and an ``outcome`` after
it, paired by ``id``. An intent without an outcome means the process died in between; it is
reported at the next start instead of being lost.

Durability: every record is one ``os.write`` on a descriptor opened with ``O_APPEND``, then
``fsync``. POSIX appends of one buffer are not interleaved with other appenders, so several
consoles and CLI runs can share the file; a lock serialises threads of one process.
"""

from __future__ import annotations

import json
import math
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from canary_tui.domain.models import traffic_shares

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
_OUTCOME_RESULTS = frozenset({"applied", "not-applied", "unknown", "refused"})
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


class AuditWriteError(Exception):
    """The log could not be written (disk full, permissions...). ``message`` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def default_audit_path() -> Path:
    """``<user data dir>/canary-tui/audit.jsonl`` (platformdirs; honours XDG_DATA_HOME)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("canary-tui", appauthor=False)) / AUDIT_FILE_NAME


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
        return f"{path}:{self.line_number}: skipped unreadable audit record ({self.problem})"


@dataclass(frozen=True, slots=True)
class AuditReading:
    entries: tuple[AuditEntry, ...]
    skipped: tuple[SkippedLine, ...]

    @property
    def unfinished(self) -> tuple[AuditEntry, ...]:
        return tuple(entry for entry in self.entries if not entry.is_finished)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _float_map(raw: object) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise ValueError("expected an object of numbers")
    return {str(key): float(value) for key, value in raw.items()}


def _count_map(raw: object) -> dict[str, int | None]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError("expected an object of instance counts")
    return {str(key): (None if value is None else int(value)) for key, value in raw.items()}


def _optional_str(raw: object) -> str | None:
    return None if raw is None else str(raw)


def _rounded(shares: Mapping[str, float]) -> dict[str, float]:
    # Percentages are for people; 4 decimals keeps the log readable and exact enough.
    return {name: round(share, 4) for name, share in shares.items()}


def _intent_from_record(record: Mapping[str, Any]) -> AuditIntent:
    before = record["before"]
    after = record["after"]
    kind = record["kind"]
    if kind not in ("weights", "capacity"):
        raise ValueError(f"unknown kind {kind!r}")
    return AuditIntent(
        change_id=str(record["id"]),
        time=_parse_time(str(record["time"])),
        caller=_optional_str(record.get("caller")),
        profile=_optional_str(record.get("profile")),
        region=_optional_str(record.get("region")),
        endpoint=str(record["endpoint"]),
        kind=kind,
        source=str(record["source"]),
        reason=_optional_str(record.get("reason")),
        weights_before=_float_map(before["weights"]),
        weights_after=_float_map(after["weights"]),
        traffic_percent_before=_float_map(before["traffic_percent"]),
        traffic_percent_after=_float_map(after["traffic_percent"]),
        instance_counts_before=_count_map(before.get("instance_counts")),
        instance_counts_after=_count_map(after.get("instance_counts")),
        request=record.get("request"),
    )


def _outcome_from_record(record: Mapping[str, Any]) -> AuditOutcome:
    result = record["result"]
    error_kind = _optional_str(record.get("error_kind"))
    if result not in _OUTCOME_RESULTS:
        result = legacy_result(result, error_kind)
    elif record.get("v") == 1 and result == "refused" and error_kind == "in-progress":
        # Version 1 logged botocore's retry of our own accepted write ("Cannot update
        # in-progress endpoint") as refused: it may well have been applied.
        result = "unknown"
    weights = record.get("desired_weights_after")
    return AuditOutcome(
        change_id=str(record["id"]),
        time=_parse_time(str(record["time"])),
        endpoint=_optional_str(record.get("endpoint")),
        result=result,
        error_kind=error_kind,
        error_message=_optional_str(record.get("error_message")),
        desired_weights_after=None if weights is None else _float_map(weights),
        evidence=_optional_str(record.get("evidence")),
    )


class AuditLog:
    """The audit log file. Safe to share between threads and processes."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.path = Path(path) if path is not None else default_audit_path()
        self._clock = clock
        self._lock = threading.Lock()

    # -- writing -------------------------------------------------------------------------

    def _append(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"), sort_keys=False, allow_nan=False)
        payload = (line + "\n").encode("utf-8")
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                is_new = not self.path.exists()
                descriptor = os.open(
                    self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600
                )
                try:
                    # A crash mid-write can leave a last line without its newline; start on
                    # a fresh line so this record is not glued to the broken one.
                    size = os.fstat(descriptor).st_size
                    if size and _last_byte(self.path, size) != b"\n":
                        payload = b"\n" + payload
                    written = os.write(descriptor, payload)
                    if written != len(payload):
                        raise OSError(f"short write ({written} of {len(payload)} bytes)")
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
                if is_new:
                    # A new file's directory entry must be durable too, or a power cut
                    # could lose the whole log even though its records were fsynced.
                    _fsync_directory(self.path.parent)
            except OSError as error:
                reason = error.strerror or str(error)
                raise AuditWriteError(
                    f"cannot write the audit log {self.path}: {reason}; nothing was sent"
                ) from error

    def record_intent(
        self,
        *,
        endpoint: str,
        kind: ChangeKind,
        source: str,
        weights_before: Mapping[str, float],
        weights_after: Mapping[str, float],
        caller: str | None = None,
        profile: str | None = None,
        region: str | None = None,
        reason: str | None = None,
        instance_counts_before: Mapping[str, int | None] | None = None,
        instance_counts_after: Mapping[str, int | None] | None = None,
        request: Mapping[str, Any] | None = None,
    ) -> str:
        """Write (and fsync) the intent record; returns the change id for the outcome."""
        for weights in (weights_before, weights_after):
            if not all(math.isfinite(value) for value in weights.values()):
                raise ValueError("audit weights must be finite numbers")
        change_id = uuid.uuid4().hex
        self._append(
            {
                "v": FORMAT_VERSION,
                "id": change_id,
                "phase": "intent",
                "time": _iso(self._clock()),
                "caller": caller,
                "profile": profile,
                "region": region,
                "endpoint": endpoint,
                "kind": kind,
                "source": source,
                "reason": reason,
                "before": {
                    "weights": dict(weights_before),
                    "traffic_percent": _rounded(traffic_shares(weights_before)),
                    "instance_counts": dict(instance_counts_before or {}),
                },
                "after": {
                    "weights": dict(weights_after),
                    "traffic_percent": _rounded(traffic_shares(weights_after)),
                    "instance_counts": dict(instance_counts_after or {}),
                },
                "request": dict(request) if request is not None else None,
            }
        )
        return change_id

    def record_outcome(
        self,
        change_id: str,
        *,
        result: OutcomeResult,
        endpoint: str | None = None,
        error_kind: str | None = None,
        error_message: str | None = None,
        desired_weights_after: Mapping[str, float] | None = None,
        evidence: str | None = None,
    ) -> None:
        """Write (and fsync) the outcome of the change ``change_id``."""
        if result not in _OUTCOME_RESULTS:
            raise ValueError(f"unknown result {result!r}")
        self._append(
            {
                "v": FORMAT_VERSION,
                "id": change_id,
                "phase": "outcome",
                "time": _iso(self._clock()),
                "endpoint": endpoint,
                "result": result,
                "error_kind": error_kind,
                "error_message": error_message,
                "evidence": evidence,
                "desired_weights_after": (
                    dict(desired_weights_after) if desired_weights_after is not None else None
                ),
                "traffic_percent_after": (
                    _rounded(traffic_shares(desired_weights_after))
                    if desired_weights_after is not None
                    else None
                ),
            }
        )

    # -- reading -------------------------------------------------------------------------

    def read(self, endpoint: str | None = None) -> AuditReading:
        """Every change (intent paired with outcome), oldest first, and unreadable lines."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return AuditReading((), ())
        intents: dict[str, AuditIntent] = {}
        outcomes: dict[str, AuditOutcome] = {}
        skipped: list[SkippedLine] = []
        for number, raw_line in enumerate(data.split(b"\n"), start=1):
            if not raw_line.strip():
                continue
            try:
                record = json.loads(raw_line)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                phase = record.get("phase")
                if phase == "intent":
                    intent = _intent_from_record(record)
                    intents[intent.change_id] = intent
                elif phase == "outcome":
                    outcome = _outcome_from_record(record)
                    outcomes[outcome.change_id] = outcome
                else:
                    raise ValueError(f"unknown phase {phase!r}")
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                problem = (
                    "truncated or not JSON"
                    if isinstance(error, json.JSONDecodeError)
                    else (f"{type(error).__name__}: {error}")
                )
                skipped.append(SkippedLine(number, problem))
        entries = [
            AuditEntry(intent, outcomes.get(change_id)) for change_id, intent in intents.items()
        ]
        # Intents are appended in time order; sort anyway, since several processes append.
        entries.sort(key=lambda entry: entry.intent.time)
        if endpoint is not None:
            entries = [entry for entry in entries if entry.endpoint == endpoint]
        return AuditReading(tuple(entries), tuple(skipped))

    def entries(self, endpoint: str | None = None) -> list[AuditEntry]:
        """Changes, newest last, optionally only those of one endpoint."""
        return list(self.read(endpoint).entries)

    def unfinished(self, endpoint: str | None = None) -> list[AuditEntry]:
        """Intents with no outcome: a crash or kill between the two records."""
        return list(self.read(endpoint).unfinished)


def _last_byte(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return handle.read(1)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
