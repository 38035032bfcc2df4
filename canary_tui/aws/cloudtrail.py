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

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from canary_tui.aws.errors import AwsError, translated
from canary_tui.domain.trail_events import CHANGE_EVENTS, TrailChange, parse_trail_event

#: Pages of 50 events per event name: the account's other endpoints' changes count too.
DEFAULT_MAX_PAGES = 10


@dataclass(frozen=True, slots=True)
class TrailReading:
    changes: tuple[TrailChange, ...]  # oldest first
    #: True when more events were there than the pages read (the oldest are missing).
    truncated: bool
    calls: int


#: How long :meth:`CloudTrailGateway.recent_changes` reuses an answer: the console's chart
#: markers ask on every verdict, and Event history is minutes behind anyway.
RECENT_SECONDS = 300.0


class CloudTrailGateway:
    def __init__(
        self,
        client: Callable[[], Any],
        profile: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._profile = profile
        self._clock = clock
        # By endpoint and span: the chart's window and the audit view's day are kept apart.
        self._recent: dict[tuple[str, int], tuple[float, TrailReading | AwsError]] = {}
        self._lock = threading.Lock()

    def recent_changes(self, endpoint: str, start: datetime, end: datetime) -> TrailReading:
        """:meth:`endpoint_changes` over [start, end], asked at most every 5 minutes per
        endpoint (the console's markers): a change shows within 5 minutes of reaching
        Event history, itself about 5 minutes after the call."""
        now = self._clock()
        key = (endpoint, round((end - start).total_seconds() / 60))
        with self._lock:
            kept = self._recent.get(key)
        if kept is not None and now - kept[0] < RECENT_SECONDS:
            if isinstance(kept[1], AwsError):
                raise kept[1]  # no LookupEvents permission, say: not asked again for a while
            return kept[1]
        try:
            reading = self.endpoint_changes(endpoint, start, end)
        except AwsError as error:
            with self._lock:
                self._recent[key] = (now, error)
            raise
        with self._lock:
            self._recent[key] = (now, reading)
        return reading

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
