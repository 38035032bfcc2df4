"""What canary-tui itself did to an endpoint, by the audit log: the times of its weight and
instance-count changes and the traffic split its latest weight change set. The verdict
(console and CLI) tells its own changes from changes made outside with them
(``domain/split_origin.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from canary_tui.audit_model import AuditEntry


@dataclass(slots=True)
class OwnChanges:
    weights: list[datetime] = field(default_factory=list)
    counts: list[datetime] = field(default_factory=list)
    #: Traffic % the latest weight change set; None without one.
    last_shares: dict[str, float] | None = None


def own_changes(entries: Iterable[AuditEntry]) -> OwnChanges:
    """Changes that may have applied count (an unknown outcome too), oldest first."""
    found = OwnChanges()
    for entry in entries:
        if not entry.may_have_applied:
            continue
        moment = entry.outcome.time if entry.outcome is not None else entry.intent.time
        if entry.intent.kind == "weights":
            found.weights.append(moment)
            found.last_shares = dict(entry.intent.traffic_percent_after)
        else:
            found.counts.append(moment)
    return found
