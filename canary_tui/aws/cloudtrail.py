"""CloudTrail gateway: who changed an endpoint, from the account's Event history (boto3
only, typed errors). Read only, and only on demand (the audit view, ``who-changed``, a
report): LookupEvents is limited to 2 requests a second per account and region, so it is
never part of a refresh.

LookupEvents takes one lookup attribute: we ask by event name (the two SageMaker calls that
change an endpoint) and keep the events whose request names the endpoint. Events reach
Event history about 5 minutes after the call (AWS says within 15 on average), so the
newest change may not be there yet; the answer says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from canary_tui.aws.errors import translated
from canary_tui.domain.trail_events import CHANGE_EVENTS, TrailChange, parse_trail_event

#: Pages of 50 events per event name: the account's other endpoints' changes count too.
DEFAULT_MAX_PAGES = 10


@dataclass(frozen=True, slots=True)
class TrailReading:
    changes: tuple[TrailChange, ...]  # oldest first
    #: True when more events were there than the pages read (the oldest are missing).
    truncated: bool
    calls: int


class CloudTrailGateway:
    def __init__(self, client: Callable[[], Any], profile: str | None = None) -> None:
        self._client = client
        self._profile = profile

    def endpoint_changes(
        self,
        endpoint: str,
        start: datetime,
        end: datetime,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> TrailReading:
        found: list[TrailChange] = []
        truncated = False
        calls = 0
        client = self._client()
        with translated(self._profile):
            for event_name in CHANGE_EVENTS:
                request: dict[str, Any] = {
                    "LookupAttributes": [
                        {"AttributeKey": "EventName", "AttributeValue": event_name}
                    ],
                    "StartTime": start,
                    "EndTime": end,
                    "MaxResults": 50,
                }
                for _ in range(max_pages):
                    answer = client.lookup_events(**request)
                    calls += 1
                    for event in answer.get("Events", []):
                        change = parse_trail_event(event, endpoint)
                        if change is not None:
                            found.append(change)
                    token = answer.get("NextToken")
                    if not token:
                        break
                    request["NextToken"] = token
                else:
                    truncated = True
        found.sort(key=lambda change: change.time)
        return TrailReading(tuple(found), truncated, calls)
