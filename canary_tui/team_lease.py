"""Pure decisions about a shared endpoint lease on the team table: no I/O.

A lease item is keyed ``pk = "lease#<region>#<endpoint>"``, ``sk = "lease"``; it names its
owner (identity ARN, host, command, since) and a random ``token`` per acquisition, so a
retried conditional put whose first answer was lost is recognised as ours (same token), not
as someone else's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

LEASE_PREFIX = "lease#"
AUDIT_PREFIX = "audit#"
#: The sort key of an endpoint's lease item (its audit records sort by time instead).
LEASE_SORT_KEY = "lease"
DEFAULT_LEASE_SECONDS = 120


def lease_key(endpoint: str, region: str | None) -> str:
    return f"{LEASE_PREFIX}{region or 'default-region'}#{endpoint}"


def audit_key(endpoint: str, region: str | None) -> str:
    """The partition of an endpoint's shared audit trail: one Query reads it in order."""
    return f"{AUDIT_PREFIX}{region or 'default-region'}#{endpoint}"


def audit_sort_key(time: str, change_id: str, phase: str) -> str:
    """ISO times sort as text; the change id and phase keep two records apart."""
    return f"{time}#{change_id}#{phase}"


@dataclass(frozen=True, slots=True)
class Lease:
    endpoint: str
    owner_arn: str
    host: str
    command: str
    since: int  # epoch seconds
    expires_at: int  # epoch seconds; also the table's TTL attribute
    token: str
    #: The holder's process id on ``host`` (0: not recorded, an older item): a lease left by
    #: a process that died on this host can be taken over at once (see SharedLeases).
    pid: int = 0

    def is_expired(self, now: float) -> bool:
        return now >= self.expires_at

    def is_ours(self, token: str) -> bool:
        return self.token == token

    def refusal(self) -> str:
        since = datetime.fromtimestamp(self.since, UTC).strftime("%H:%M")
        return (
            f"{self.endpoint} is held by {self.owner_arn} on {self.host} since {since} UTC "
            f"({self.command}); nothing was sent"
        )


def lease_from_item(item: dict[str, Any]) -> Lease | None:
    """A lease from a DynamoDB item in the low-level format; None if it is not one."""
    try:
        return Lease(
            endpoint=str(item["endpoint"]["S"]),
            owner_arn=str(item["owner_arn"]["S"]),
            host=str(item["host"]["S"]),
            command=str(item["command"]["S"]),
            since=int(item["since"]["N"]),
            expires_at=int(item["expires_at"]["N"]),
            token=str(item["token"]["S"]),
            pid=int(item.get("pid", {}).get("N", 0)),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def lease_item(lease: Lease, region: str | None) -> dict[str, dict[str, str]]:
    return {
        "pk": {"S": lease_key(lease.endpoint, region)},
        "sk": {"S": LEASE_SORT_KEY},
        "endpoint": {"S": lease.endpoint},
        "owner_arn": {"S": lease.owner_arn},
        "host": {"S": lease.host},
        "command": {"S": lease.command},
        "since": {"N": str(lease.since)},
        "expires_at": {"N": str(lease.expires_at)},
        "token": {"S": lease.token},
        "pid": {"N": str(lease.pid)},
    }
