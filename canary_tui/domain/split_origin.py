"""From when the traffic split is judged: the last change of weights inside the window, and
who made it.

The traffic-split check compares the canary's share of requests with its configured weight,
so it must only count periods with the current weights. canary-tui knows its own changes (the
audit log). Someone else's (`aws sagemaker update-endpoint-weights-and-capacities`, another
tool, a runbook) it learns from SageMaker: the console's poll sees the weights move, and
DescribeEndpoint's LastModifiedTime moves with any update. Without this, a 0.9/0.1 → 0.7/0.3
change made outside read as ``traffic_split FAIL 11.4% observed vs 30.0% configured``, and a
gate like ``verdict && promote`` blocked a healthy canary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class ChangeSource(StrEnum):
    AUDIT = "audit log"
    POLL = "seen by the poll"
    LAST_MODIFIED = "LastModifiedTime"


@dataclass(frozen=True, slots=True)
class SplitOrigin:
    #: When the weights last changed inside the window; None: not inside it.
    changed_at: datetime | None
    source: ChangeSource | None
    #: The first whole period after the change (the one it fell in mixes two splits).
    judged_from: datetime | None
    note: str


def first_whole_period(moment: datetime, period_seconds: int) -> datetime:
    epoch = math.ceil(moment.timestamp() / period_seconds) * period_seconds
    return datetime.fromtimestamp(epoch, tz=UTC)


def split_origin(
    *,
    window_start: datetime,
    window_end: datetime,
    period_seconds: int,
    audit_changes: Iterable[datetime] = (),
    seen_change: datetime | None = None,
    last_modified: datetime | None = None,
    other_own_changes: Iterable[datetime] = (),
    weights_differ_from_ours: bool = False,
) -> SplitOrigin:
    """The latest of: our own change (audit log), a change of weights the console's poll
    saw, and the endpoint's LastModifiedTime, inside the window. One that comes more than a
    period after our latest change was made outside canary-tui (ours is audited when sent;
    SageMaker's clock and the poll see it a little later). ``other_own_changes``: our audited
    changes that leave the weights alone (instance counts): LastModifiedTime moves with them.
    LastModifiedTime also moves with Auto Scaling's instance changes, so it counts only when
    ``weights_differ_from_ours``: the desired weights now are not the ones our last change
    set. Then even a change seen right after ours is someone else's (ours set other weights)."""
    inside = [t for t in audit_changes if window_start <= t <= window_end]
    ours = max(inside) if inside else None
    slack = timedelta(seconds=max(period_seconds, 60))
    others = list(other_own_changes)
    latest, source = ours, ChangeSource.AUDIT if ours is not None else None
    seen = ((seen_change, ChangeSource.POLL), (last_modified, ChangeSource.LAST_MODIFIED))
    for moment, kind in seen:
        if moment is None or not window_start <= moment <= window_end:
            continue
        if ours is not None and moment <= ours + slack and not weights_differ_from_ours:
            continue  # our own change, seen again (the weights are still the ones we set)
        if kind is ChangeSource.LAST_MODIFIED and (
            not weights_differ_from_ours
            or any(timedelta(0) <= moment - other <= slack for other in others)
        ):
            continue  # not a change of weights (scaling, creation), or our own count change
        if latest is None or moment > latest:
            latest, source = moment, kind
    if latest is None or source is None:
        return SplitOrigin(None, None, None, "traffic split judged against the current weights")
    since = first_whole_period(latest, period_seconds)
    tail = f"traffic split judged from {since:%H:%M} UTC on"
    if source is ChangeSource.AUDIT:
        note = f"weights changed at {latest:%H:%M} UTC (audit log): {tail}"
    elif source is ChangeSource.POLL:
        note = (
            f"weights changed outside canary-tui at about {latest:%H:%M} UTC "
            f"(seen by the poll): {tail}"
        )
    else:
        note = (
            f"endpoint changed outside canary-tui at {latest:%H:%M} UTC (LastModifiedTime; "
            f"no change of ours then): {tail}"
        )
    return SplitOrigin(latest, source, since, note)


def differs(shares: dict[str, float], recorded: dict[str, float], tolerance: float = 0.05) -> bool:
    """Traffic % now against what a change recorded (names and values, within rounding)."""
    if set(shares) != set(recorded):
        return True
    return any(abs(shares[name] - recorded[name]) > tolerance for name in shares)
