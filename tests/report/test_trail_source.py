"""CloudTrail as a timeline source, with a fake gateway: what it adds, what it replaces,
what it leaves to the audit log, and a trail that cannot be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from canary_tui.aws.cloudtrail import TrailReading
from canary_tui.aws.errors import AccessDenied
from canary_tui.domain.trail_events import TrailChange
from canary_tui.report.intervals import change_intervals
from canary_tui.report.timeline import AuditLogSource, build_timeline
from canary_tui.report.trail_source import CloudTrailSource
from tests.report.test_timeline import T0, WINDOW, _change, _endpoint

ALICE = "arn:aws:sts::123456789012:assumed-role/Ops/alice"


@dataclass
class FakeTrail:
    changes: tuple[TrailChange, ...] = ()
    error: Exception | None = None
    asked: list[tuple[str, datetime, datetime]] = field(default_factory=list)

    def endpoint_changes(self, endpoint: str, start: datetime, end: datetime) -> TrailReading:
        self.asked.append((endpoint, start, end))
        if self.error is not None:
            raise self.error
        return TrailReading(self.changes, truncated=False, calls=2)


def _call(minutes: int, new_model: float, **fields: object) -> TrailChange:
    return TrailChange(
        time=T0 + timedelta(minutes=minutes),
        event="UpdateEndpointWeightsAndCapacities",
        endpoint="ep",
        caller=ALICE,
        weights={"current-model": 100 - new_model, "new-model": new_model},
        **fields,  # type: ignore[arg-type]
    )


def test_a_dated_outside_change_replaces_the_implied_one_and_dates_the_split() -> None:
    # Ours left 10 -> 20; the next of ours started from 40: someone changed it in between.
    entries = [_change("aaaa1111", 20, 10, 20), _change("bbbb2222", 60, 40, 50)]
    trail = FakeTrail((_call(35, 40),))
    later = T0 + timedelta(hours=3)
    sources = [AuditLogSource(entries), CloudTrailSource(trail, later)]
    timeline = build_timeline(_endpoint(0.5), WINDOW, sources)
    assert [(e.source, e.kind) for e in timeline.events] == [
        ("audit log", "weights"),
        ("CloudTrail", "outside"),
        ("audit log", "weights"),
    ]
    outside = timeline.events[1]
    assert outside.who == ALICE and outside.not_before is None
    assert trail.asked == [("ep", *WINDOW)]
    assert timeline.problems == ("CloudTrail: 2 LookupEvents calls",)
    # Dated, it cuts the window where it happened, with the split it asked for.
    intervals = change_intervals(timeline, WINDOW, 60, {"current-model": 50, "new-model": 50})
    assert [interval.traffic for interval in intervals] == [
        {"current-model": 90, "new-model": 10},
        {"current-model": 80, "new-model": 20},
        {"current-model": 60, "new-model": 40},
        {"current-model": 50, "new-model": 50},
    ]


def test_canary_tuis_own_calls_are_left_to_the_audit_log() -> None:
    entries = [_change("aaaa1111", 20, 10, 20)]
    ours_elsewhere = _call(80, 30, by_canary_tui=True)  # another machine's log
    trail = FakeTrail((_call(20, 20, by_canary_tui=True), ours_elsewhere))
    later = T0 + timedelta(hours=3)
    timeline = build_timeline(
        _endpoint(0.3), WINDOW, [AuditLogSource(entries), CloudTrailSource(trail, later)]
    )
    assert [(e.source, e.origin) for e in timeline.events] == [
        ("audit log", "console"),
        ("CloudTrail", "canary-tui (not in this audit log)"),
    ]


def test_a_refused_call_or_a_partial_request_says_what_is_not_known() -> None:
    refused = _call(30, 50, error="ValidationException")
    partial = TrailChange(
        time=T0 + timedelta(minutes=50),
        event="UpdateEndpointWeightsAndCapacities",
        endpoint="ep",
        caller=ALICE,
        weights={"new-model": 0.5},  # the other variant's weight is not in the request
    )
    trail = FakeTrail((refused, partial))
    timeline = build_timeline(_endpoint(), WINDOW, [CloudTrailSource(trail, T0)])
    first, second = timeline.events
    assert first.result == "refused by AWS: ValidationException" and not first.moves_split
    assert second.moves_split and second.traffic_after is None and not second.after_known
    assert "a call shows in CloudTrail about 5 minutes after" in " ".join(timeline.problems)
    intervals = change_intervals(timeline, WINDOW, 60, {"current-model": 70, "new-model": 30})
    assert len(intervals) == 2 and intervals[1].traffic is None


def test_a_trail_that_cannot_be_read_is_a_line_not_a_failure() -> None:
    trail = FakeTrail(error=AccessDenied("not allowed: cloudtrail:LookupEvents"))
    entries = [_change("aaaa1111", 20, 10, 20)]
    timeline = build_timeline(
        _endpoint(0.2), WINDOW, [AuditLogSource(entries), CloudTrailSource(trail, T0)]
    )
    assert len(timeline.events) == 1
    assert timeline.problems == ("CloudTrail: not read (not allowed: cloudtrail:LookupEvents)",)
