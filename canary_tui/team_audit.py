"""The team's audit trail as the rest of canary-tui reads and writes it (opt-in: only with a
``team_table``): every local audit record copied to the table, the trail read back as
changes, merged into what the console shows, and the record of a broken lease.

The local audit log stays the record of truth for this machine: a copy that cannot be
written is said (``notify``) and retried with the next record; it never stops a change or
a rollback.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from canary_tui.audit_model import AuditEntry, AuditReading
from canary_tui.audit_records import RecordProblem, parse_line
from canary_tui.aws.dynamodb import TeamAuditTrail
from canary_tui.aws.errors import AwsError
from canary_tui.team_lease import Lease

if TYPE_CHECKING:
    from canary_tui.team_coordination import TeamCoordination

#: Records kept for a retry while the table cannot be written (then the oldest are dropped,
#: and said; the local audit log has them all).
MAX_PENDING_RECORDS = 200


class LocalAudit(Protocol):
    """The local audit log (:class:`canary_tui.audit.AuditLog`)."""

    def read(self, endpoint: str | None = None) -> AuditReading: ...

    def read_unfinished(self, endpoint: str | None = None) -> AuditReading: ...


class TeamAuditMirror:
    """Copies audit records to the team table; see the module docstring."""

    def __init__(
        self, trail: TeamAuditTrail, *, notify: Callable[[str], None] | None = None
    ) -> None:
        self.trail = trail
        self.notify = notify
        self._pending: list[tuple[Mapping[str, Any], str, str | None]] = []
        # An outcome names its change, not always its endpoint or region: the intent did.
        self._targets: dict[str, tuple[str, str | None]] = {}
        self._lock = threading.Lock()
        self.dropped = 0

    def __call__(self, record: Mapping[str, Any]) -> None:
        change_id = str(record.get("id") or "")
        with self._lock:
            if record.get("phase") == "intent":
                self._targets[change_id] = (str(record.get("endpoint")), record.get("region"))
            target = self._targets.get(change_id)
            if target is None:
                return  # an outcome of a change this process did not start: not ours to copy
            self._pending.append((record, *target))
            if len(self._pending) > MAX_PENDING_RECORDS:
                self._pending.pop(0)
                self.dropped += 1
            self._flush()

    def _flush(self) -> None:
        while self._pending:
            record, endpoint, region = self._pending[0]
            try:
                self.trail.put(record, endpoint, region)
            except AwsError as error:
                if self.notify is not None:
                    self.notify(
                        f"team table: could not copy the audit record ({error.message}); "
                        f"kept in the local audit log, retried with the next change"
                    )
                return
            self._pending.pop(0)


def entries_from_records(records: list[dict[str, Any]]) -> list[AuditEntry]:
    """The team trail's records as changes (intent with its outcome), oldest first; records
    that are not changes (a lease break) or not readable are left out, as the local
    reader leaves out lines it cannot use."""
    intents: dict[str, Any] = {}
    outcomes: dict[str, Any] = {}
    for record in records:
        try:
            parsed = parse_line(json.dumps(record).encode())
        except (RecordProblem, TypeError, ValueError):
            continue
        if parsed.intent is not None:
            intents[parsed.change_id] = parsed.intent
        elif parsed.outcome is not None:
            outcomes[parsed.change_id] = parsed.outcome
    entries = [AuditEntry(intent, outcomes.get(key)) for key, intent in intents.items()]
    entries.sort(key=lambda entry: entry.intent.time)
    return entries


def lease_break_record(broken: Lease, *, caller: str, region: str | None) -> dict[str, Any]:
    """The team trail's record of a broken lease: who broke whose, and when."""
    return {
        "v": 1,
        "id": uuid.uuid4().hex,
        "phase": "lease-break",
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "endpoint": broken.endpoint,
        "region": region,
        "caller": caller,
        "broken": {
            "owner_arn": broken.owner_arn,
            "host": broken.host,
            "command": broken.command,
            "since": broken.since,
        },
    }


#: How long the team's trail of an endpoint is reused: the verdict reads it on every
#: metrics refresh, and a teammate's change shows within this.
TEAM_TRAIL_SECONDS = 15.0


class TeamAuditReader:
    """The local audit log with the team's trail merged in, for one endpoint at a time (the
    trail is kept per endpoint): what the console's markers, verdict and audit view read.
    ``region`` gives the console's current region. A trail that cannot be read leaves the
    local reading as it is, and ``problem`` says why."""

    def __init__(
        self,
        local: LocalAudit,
        team: TeamCoordination,
        region: Callable[[], str | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.local = local
        self.team = team
        self.region = region
        self.clock = clock
        self.problem: str | None = None
        # On the team, not the reader: the console makes a reader per read.
        self._cache = team.trail_cache

    def read(self, endpoint: str | None = None) -> AuditReading:
        reading = self.local.read(endpoint)
        if endpoint is None:
            return reading  # the trail is per endpoint: "all" is this machine's log
        shared = self._shared(endpoint)
        known = {entry.change_id for entry in reading.entries}
        extra = [entry for entry in shared if entry.change_id not in known]
        if not extra:
            return reading
        merged = sorted([*reading.entries, *extra], key=lambda entry: entry.intent.time)
        return dataclasses.replace(reading, entries=tuple(merged))

    def read_unfinished(self, endpoint: str | None = None) -> AuditReading:
        # A teammate's unfinished change is theirs to resolve, from their own log.
        return self.local.read_unfinished(endpoint)

    def _shared(self, endpoint: str) -> list[AuditEntry]:
        key = (endpoint, self.region())
        cached = self._cache.get(key)
        now = self.clock()
        if cached is not None and now - cached[0] < TEAM_TRAIL_SECONDS:
            return cached[1]
        try:
            entries = entries_from_records(self.team.trail.records(endpoint, key[1]))
        except AwsError as error:
            self.problem = f"team table {self.team.table_name}: {error.message}"
            return cached[1] if cached is not None else []
        self.problem = None
        self._cache[key] = (now, entries)
        return entries
