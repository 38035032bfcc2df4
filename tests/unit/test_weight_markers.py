"""The chart's change markers name one variant consistently: the canary, not whichever of
two variants the tie-break happened to pick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from canary_tui.audit_model import AuditEntry, AuditIntent, AuditOutcome
from canary_tui.ui.ramping import weight_changes

T0 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def change(minute: int, before: dict[str, float], after: dict[str, float]) -> AuditEntry:
    at = T0 + timedelta(minutes=minute)
    intent = AuditIntent(
        change_id=f"c{minute}",
        time=at,
        caller=None,
        profile=None,
        region="us-east-1",
        endpoint="ep",
        kind="weights",
        source="console",
        reason=None,
        weights_before={k: v / 100 for k, v in before.items()},
        weights_after={k: v / 100 for k, v in after.items()},
        traffic_percent_before=before,
        traffic_percent_after=after,
    )
    return AuditEntry(intent, AuditOutcome(f"c{minute}", at, "ep", "applied"))


def test_every_marker_names_the_canary_when_the_baseline_is_known() -> None:
    entries = [
        change(1, {"current": 100, "new": 0}, {"current": 90, "new": 10}),
        change(2, {"current": 90, "new": 10}, {"current": 50, "new": 50}),
        change(3, {"current": 50, "new": 50}, {"current": 0, "new": 100}),
        change(4, {"current": 0, "new": 100}, {"current": 90, "new": 10}),
    ]
    labels = [c.label() for c in weight_changes(entries, baseline="current")]
    assert labels == [
        "▲ 10:01 new 0→10%",
        "▲ 10:02 new 10→50%",
        "▲ 10:03 new 50→100%",
        "▲ 10:04 new 100→10%",
    ]
    # Without a baseline the smaller side of a tie is named (the old rule, kept).
    assert weight_changes(entries)[3].variant == "current"


def test_with_three_variants_the_non_baseline_that_moved_most_is_named() -> None:
    entries = [change(1, {"a": 60, "b": 30, "c": 10}, {"a": 40, "b": 30, "c": 30})]
    assert weight_changes(entries, baseline="a")[0].variant == "c"
