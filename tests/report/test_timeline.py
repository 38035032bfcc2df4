"""The timeline, the change intervals and the chart points, without AWS: audit entries built
by hand, the way the log's reader returns them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from canary_tui.audit_model import AuditEntry, AuditIntent, AuditOutcome
from canary_tui.domain.metrics import DataStatus, Series, Span
from canary_tui.domain.models import Endpoint, Variant
from canary_tui.report.charts import chart_points, inline_svg
from canary_tui.report.intervals import change_intervals
from canary_tui.report.render_md import md_text
from canary_tui.report.timeline import (
    AuditLogSource,
    SourceReading,
    TimelineEvent,
    build_timeline,
)

T0 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
WINDOW: Span = (T0, T0 + timedelta(hours=2))


def _endpoint(canary_weight: float = 0.3, last_modified: datetime | None = None) -> Endpoint:
    return Endpoint(
        name="ep",
        status="InService",
        variants=(
            Variant("current-model", 1 - canary_weight, 1 - canary_weight, 1, 1),
            Variant("new-model", canary_weight, canary_weight, 1, 1),
        ),
        last_modified=last_modified,
    )


def _change(
    change_id: str,
    minutes: int,
    before: float,
    after: float,
    result: str | None = "applied",
    reason: str | None = None,
) -> AuditEntry:
    moment = T0 + timedelta(minutes=minutes)
    split = {"current-model": 100 - before, "new-model": before}
    target = {"current-model": 100 - after, "new-model": after}
    intent = AuditIntent(
        change_id=change_id,
        time=moment,
        caller="arn:aws:sts::123456789012:assumed-role/Ops/alice",
        profile=None,
        region="us-east-1",
        endpoint="ep",
        kind="weights",
        source="console",
        reason=reason,
        weights_before=split,
        weights_after=target,
        traffic_percent_before=split,
        traffic_percent_after=target,
    )
    outcome = (
        None
        if result is None
        else AuditOutcome(change_id, moment + timedelta(seconds=20), "ep", result)  # type: ignore[arg-type]
    )
    return AuditEntry(intent, outcome)


def test_a_change_made_outside_between_two_of_ours_is_inferred_and_its_interval_unknown() -> None:
    entries = [_change("aaaa1111", 20, 10, 20), _change("bbbb2222", 60, 40, 50)]
    timeline = build_timeline(_endpoint(0.5), WINDOW, [AuditLogSource(entries)])
    kinds = [event.kind for event in timeline.events]
    assert kinds == ["weights", "outside", "weights"]
    outside = timeline.events[1]
    assert outside.not_before == T0 + timedelta(minutes=20, seconds=20)
    assert "new-model 20.0% -> 40.0%" in outside.summary
    intervals = change_intervals(timeline, WINDOW, 60, {"current-model": 50, "new-model": 50})
    assert [interval.traffic for interval in intervals] == [
        {"current-model": 90, "new-model": 10},
        None,  # someone else moved it at a time we do not know
        {"current-model": 50, "new-model": 50},
    ]
    # Judged from the first whole period after the outcome, to the period before the next.
    assert intervals[0].judged == (T0, T0 + timedelta(minutes=20))
    assert intervals[2].judged_start == T0 + timedelta(minutes=61)


def test_the_outside_change_goes_before_ours_even_when_both_outcomes_share_a_time() -> None:
    # A frozen clock (or a fast change) writes intent and outcome at the same second.
    first, second = _change("aaaa1111", 20, 10, 30), _change("bbbb2222", 60, 10, 30)
    frozen = [
        AuditEntry(entry.intent, replace(entry.outcome, time=entry.intent.time))
        for entry in (first, second)
        if entry.outcome is not None
    ]
    timeline = build_timeline(_endpoint(0.3), WINDOW, [AuditLogSource(frozen)])
    assert [event.kind for event in timeline.events] == ["weights", "outside", "weights"]
    intervals = change_intervals(timeline, WINDOW, 60, {"current-model": 70, "new-model": 30})
    assert [interval.traffic for interval in intervals] == [
        {"current-model": 90, "new-model": 10},
        None,
        {"current-model": 70, "new-model": 30},
    ]


def test_refused_changes_are_listed_but_do_not_cut_the_window() -> None:
    entries = [_change("cccc3333", 30, 10, 90, result="refused", reason="try \x1b[2J")]
    timeline = build_timeline(_endpoint(0.1), WINDOW, [AuditLogSource(entries)])
    assert [event.result for event in timeline.events] == ["refused"]
    assert timeline.events[0].reason == "try \x1b[2J"  # escaped when rendered, kept here
    intervals = change_intervals(timeline, WINDOW, 60, {"current-model": 90, "new-model": 10})
    assert len(intervals) == 1 and intervals[0].traffic == {"current-model": 90, "new-model": 10}


def test_an_unfinished_change_leaves_the_split_after_it_unknown() -> None:
    entries = [_change("dddd4444", 30, 10, 30, result=None)]
    timeline = build_timeline(_endpoint(0.3), WINDOW, [AuditLogSource(entries)])
    intervals = change_intervals(timeline, WINDOW, 60, {"current-model": 70, "new-model": 30})
    assert intervals[1].traffic is None and "unfinished" in intervals[1].traffic_note


def test_last_modified_after_our_change_with_other_weights_is_an_outside_change() -> None:
    entries = [_change("eeee5555", 30, 10, 30)]
    later = T0 + timedelta(minutes=90)
    timeline = build_timeline(_endpoint(0.5, later), WINDOW, [AuditLogSource(entries)])
    assert [event.kind for event in timeline.events] == ["weights", "outside"]
    assert timeline.events[1].time == later
    # The same weights as ours: LastModifiedTime alone (scaling) is no change of split.
    same = build_timeline(_endpoint(0.3, later), WINDOW, [AuditLogSource(entries)])
    assert [event.kind for event in same.events] == ["weights"]


@dataclass
class _TeamTable:
    """Another source naming the same change (as the team table's shared audit will)."""

    event: TimelineEvent
    name: str = "team table"

    def read(self, endpoint: Endpoint, span: Span) -> SourceReading:
        return SourceReading((self.event,), ("1 item unreadable",))


def test_sources_are_merged_one_event_per_change_id() -> None:
    entry = _change("ffff6666", 30, 10, 30)
    local = AuditLogSource([entry])
    duplicate = local.read(_endpoint(), WINDOW).events[0]
    team = _TeamTable(duplicate)
    timeline = build_timeline(_endpoint(), WINDOW, [local, team])
    assert len(timeline.events) == 1 and timeline.events[0].source == "audit log"
    assert timeline.sources == ("audit log", "team table")
    assert timeline.problems == ("team table: 1 item unreadable",)


def test_chart_points_never_invent_a_number() -> None:
    start = T0
    window: Span = (start, start + timedelta(minutes=5))
    minute = timedelta(minutes=1)
    counts = Series(points=((start, 5.0), (start + 2 * minute, 7.0)))
    points = chart_points(
        counts, window, 60, count=True, until=start + 4 * minute + timedelta(seconds=10)
    )
    # Minute 1 and 3 are known and empty: zero requests; minute 4 is still in progress.
    assert points.values == (5.0, 0.0, 7.0, 0.0, None)
    latency = chart_points(counts, window, 60, count=False)
    assert latency.values == (5.0, None, 7.0, None, None)  # no requests, no average
    partial = Series(
        points=((start, 5.0),),
        unknown=((start + minute, start + 3 * minute),),
        status=DataStatus.PARTIAL_DATA,
    )
    assert chart_points(partial, window, 60, count=True).values == (5.0, None, None, 0.0, 0.0)


def test_inline_svg_names_no_address_and_markdown_text_is_inert() -> None:
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="1" xmlns="http://www.w3.org/2000/svg">'
        '<metadata><rdf:RDF xmlns:dc="http://purl.org/dc/elements/1.1/"/></metadata>'
        '<use xlink:href="#a"/></svg>'
    )
    inline = inline_svg(svg)
    assert inline.startswith("<svg") and "http" not in inline and 'href="#a"' in inline
    assert md_text("a|b *c* [x](y) <b>") == "a\\|b \\*c\\* \\[x\\](y) \\<b\\>"
