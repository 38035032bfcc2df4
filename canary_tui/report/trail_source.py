"""CloudTrail as a timeline source: who called UpdateEndpointWeightsAndCapacities or
UpdateEndpoint on the endpoint, when, and what they asked for (``CloudTrailGateway``,
LookupEvents, read once per report).

CloudTrail is a witness, not a requirement: a report is still written when it cannot be read
(no ``cloudtrail:LookupEvents``, a backend without it), and says so among the timeline's
problems. A call by canary-tui that the audit log holds is left to the audit log (it says
more: why, the outcome); one it does not hold (another machine's log, no team table) is
listed, marked as canary-tui's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from canary_tui.aws.cloudtrail import TrailReading
from canary_tui.aws.errors import AwsError
from canary_tui.domain.metrics import Span
from canary_tui.domain.models import Endpoint, traffic_shares
from canary_tui.domain.trail_events import TrailChange
from canary_tui.report.timeline import SourceReading, TimelineEvent

#: Event history shows a call about 5 minutes after it was made (AWS: 15 on average).
TRAIL_DELAY = timedelta(minutes=15)


class TrailGateway(Protocol):
    def endpoint_changes(self, endpoint: str, start: datetime, end: datetime) -> TrailReading: ...


def trail_event(change: TrailChange, endpoint: Endpoint) -> TimelineEvent:
    """One CloudTrail record as a timeline event."""
    names = set(endpoint.variant_names)
    full_split = bool(change.weights) and names <= set(change.weights)
    after = traffic_shares(change.weights) if full_split else None
    moves = change.error is None and (bool(change.weights) or change.endpoint_config is not None)
    if change.endpoint_config is None and not change.weights:
        kind = "capacity"
    else:
        kind = "outside" if not change.by_canary_tui else "weights"
    result = "called" if change.error is None else f"refused by AWS: {change.error}"
    notes = [f"{change.event} (CloudTrail)"]
    if moves and after is None:
        notes.append("the split after it is not known from the call alone")
    return TimelineEvent(
        time=change.time,
        source="CloudTrail",
        kind=kind,
        origin="canary-tui (not in this audit log)"
        if change.by_canary_tui
        else "outside canary-tui",
        who=change.caller,
        reason=None,
        result=result,
        summary=change.summary,
        note="; ".join(notes),
        traffic_after=after,
        moves_split=moves,
        after_known=after is not None,
        same_as_audited=change.by_canary_tui,
    )


@dataclass
class CloudTrailSource:
    gateway: TrailGateway
    #: When the report is made: a window ending less than ``TRAIL_DELAY`` before it may
    #: miss the newest calls.
    now: datetime
    name: str = "CloudTrail"

    def read(self, endpoint: Endpoint, span: Span) -> SourceReading:
        try:
            reading = self.gateway.endpoint_changes(endpoint.name, span[0], span[1])
        except AwsError as error:
            return SourceReading((), (f"not read ({error.message})",))
        problems: list[str] = [f"{reading.calls} LookupEvents calls"]
        if reading.truncated:
            problems.append("more events than were read: the oldest may be missing")
        if self.now - span[1] < TRAIL_DELAY:
            problems.append(
                "a call shows in CloudTrail about 5 minutes after it was made: the newest "
                "may be missing"
            )
        events: Sequence[TimelineEvent] = [
            trail_event(change, endpoint) for change in reading.changes
        ]
        return SourceReading(tuple(events), tuple(problems))
