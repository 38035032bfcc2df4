"""Changes CloudTrail shows were made outside canary-tui become chart markers; the console
asks CloudTrail at most every 5 minutes per endpoint, a refusal included (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from canary_tui.aws.cloudtrail import CloudTrailGateway
from canary_tui.aws.errors import AccessDenied
from canary_tui.domain.trail_events import TrailChange
from canary_tui.ui.ramping import trail_weight_changes

T = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def change(minutes: int, canary: float, *, ours: bool = False, error: str | None = None) -> Any:
    return TrailChange(
        time=T + timedelta(minutes=minutes),
        event="UpdateEndpointWeightsAndCapacities",
        endpoint="shop",
        caller="arn:aws:sts::1:assumed-role/ops/alice",
        weights={"current-model": 1 - canary, "new-model": canary},
        error=error,
        by_canary_tui=ours,
    )


def test_outside_changes_are_markers_with_the_share_before_when_known() -> None:
    markers = trail_weight_changes(
        [change(5, 0.3), change(1, 0.2, ours=True), change(9, 0.5, error="Throttling")],
        baseline="current-model",
    )
    assert [(m.variant, m.share_before, m.share_after, m.source) for m in markers] == [
        ("new-model", 20.0, 30.0, "cloudtrail")
    ]
    assert markers[0].label() == "▲ 10:05 new-model 20→30% outside"
    first = trail_weight_changes([change(5, 0.3)], baseline="current-model")[0]
    assert first.label(ascii_only=True) == "^ 10:05 new-model ->30% outside"


class Client:
    def __init__(self, error: bool = False) -> None:
        self.calls = 0
        self.error = error

    def lookup_events(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        if self.error:
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "LookupEvents"
            )
        return {"Events": []}


def test_recent_changes_are_asked_at_most_every_five_minutes() -> None:
    now = [0.0]
    client = Client()
    gateway = CloudTrailGateway(lambda: client, clock=lambda: now[0])
    for _ in range(3):
        gateway.recent_changes("shop", T, T + timedelta(hours=1))
    assert client.calls == 2  # one page per event name, once
    now[0] += 301
    gateway.recent_changes("shop", T, T + timedelta(hours=1))
    assert client.calls == 4


def test_a_refusal_is_kept_too() -> None:
    client = Client(error=True)
    gateway = CloudTrailGateway(lambda: client, clock=lambda: 0.0)
    for _ in range(3):
        with pytest.raises(AccessDenied):
            gateway.recent_changes("shop", T, T + timedelta(hours=1))
    assert client.calls == 1
