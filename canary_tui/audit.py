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
import stat
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from canary_tui.audit_model import (
    AUDIT_FILE_NAME,
    FORMAT_VERSION,
    OUTCOME_RESULTS,
    AuditEntry,
    AuditIntent,
    AuditOutcome,
    AuditReading,
    ChangeKind,
    OutcomeResult,
    SkippedLine,
    legacy_result,
)
from canary_tui.audit_read import AuditReadError, read_log
from canary_tui.domain.models import traffic_shares

__all__ = [
    "AUDIT_FILE_NAME",
    "FORMAT_VERSION",
    "AuditEntry",
    "AuditIntent",
    "AuditLog",
    "AuditOutcome",
    "AuditReadError",
    "AuditReading",
    "AuditWriteError",
    "ChangeKind",
    "OutcomeResult",
    "SkippedLine",
    "default_audit_path",
    "legacy_result",
]


class AuditWriteError(Exception):
    """The log could not be written (disk full, permissions...). ``message`` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def default_audit_path() -> Path:
    """``<user data dir>/canary-tui/audit.jsonl`` (platformdirs; honours XDG_DATA_HOME)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("canary-tui", appauthor=False)) / AUDIT_FILE_NAME


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rounded(shares: Mapping[str, float]) -> dict[str, float]:
    # Percentages are for people; 4 decimals keeps the log readable and exact enough.
    return {name: round(share, 4) for name, share in shares.items()}


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
        #: Called with each record once it is fsynced here (the team table's copy,
        #: :class:`~canary_tui.team_coordination.TeamAuditMirror`); never stops a write.
        self.mirror: Callable[[Mapping[str, Any]], None] | None = None

    # -- writing -------------------------------------------------------------------------

    def _append(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"), sort_keys=False, allow_nan=False)
        payload = (line + "\n").encode("utf-8")
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                is_new = not self.path.exists()
                # O_NONBLOCK: a FIFO at the path must fail here, not hang the change.
                descriptor = os.open(
                    self.path,
                    os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK,
                    0o600,
                )
                try:
                    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                        # /dev/full or a terminal would take the record and keep nothing.
                        raise OSError(0, "not a regular file")
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
        if self.mirror is not None:
            self.mirror(record)

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
        if result not in OUTCOME_RESULTS:
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
        """Every change (intent paired with outcome), oldest first, and unreadable lines.
        Raises OSError (AuditReadError) when the path is not a readable regular file."""
        return read_log(self.path, endpoint)

    def read_unfinished(self, endpoint: str | None = None) -> AuditReading:
        """Only the intents with no outcome, and the unreadable lines: cheap on a long log."""
        return read_log(self.path, endpoint, unfinished=True)

    def entries(self, endpoint: str | None = None) -> list[AuditEntry]:
        """Changes, newest last, optionally only those of one endpoint."""
        return list(self.read(endpoint).entries)

    def unfinished(self, endpoint: str | None = None) -> list[AuditEntry]:
        """Intents with no outcome: a crash or kill between the two records."""
        return list(self.read_unfinished(endpoint).entries)


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
