"""Marks next to the audit log, --to, and the finder the console uses (files in tmp_path)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from canary_tui.audit import AuditLog
from canary_tui.domain.baseline import BaselineMark
from canary_tui.domain.models import Endpoint, Variant
from canary_tui.domain.ramp import RampPlan, RampState
from canary_tui.domain.weights import WeightInputError
from canary_tui.rollback import (
    BaselineMarks,
    TargetFinder,
    no_baseline_message,
    parse_to,
    rollback_plan,
    rollback_title,
)

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def endpoint(current: float, new: float) -> Endpoint:
    return Endpoint(
        "prod-x",
        "InService",
        (Variant("current-model", current, current, 2, 2), Variant("new-model", new, new, 1, 1)),
    )


def test_a_mark_survives_a_restart_and_other_endpoints_keep_theirs(tmp_path: Path) -> None:
    marks = BaselineMarks(tmp_path / "baselines.json")
    marks.save(BaselineMark("prod-x", {"current-model": 90.0, "new-model": 10.0}, NOW))
    marks.save(BaselineMark("other", {"a": 100.0}, NOW))
    loaded = BaselineMarks(tmp_path / "baselines.json").load("prod-x")
    assert loaded is not None
    assert dict(loaded.shares) == {"current-model": 90.0, "new-model": 10.0}
    assert loaded.marked_at == NOW
    assert marks.load("other") is not None
    assert marks.load("missing") is None


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[1, 2]",
        b'{"prod-x": 5}',
        b'{"prod-x": {"shares": {"a": -1}, "marked_at": "2026-12-03T06:00:00+00:00"}}',
        b'{"prod-x": {"shares": {"a": "NaN"}, "marked_at": "2026-12-03T06:00:00+00:00"}}',
        b'{"prod-x": {"shares": {}, "marked_at": "2026-12-03T06:00:00+00:00"}}',
        b'{"prod-x": {"shares": {"a": 1}, "marked_at": "yesterday"}}',
        b"\xff\xfe\x00",
        b"[" * 100_000,
        b" " * 1_000_001,
    ],
)
def test_a_damaged_marks_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "baselines.json"
    path.write_bytes(content)
    assert BaselineMarks(path).load("prod-x") is None


def test_a_naive_mark_time_is_read_as_utc(tmp_path: Path) -> None:
    path = tmp_path / "baselines.json"
    path.write_text('{"prod-x": {"shares": {"a": 1}, "marked_at": "2026-12-03T06:00:00"}}')
    mark = BaselineMarks(path).load("prod-x")
    assert mark is not None and mark.marked_at == NOW


def test_the_finder_reads_the_log_the_marks_and_a_ramp(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    finder = TargetFinder.for_audit(audit)
    live = endpoint(0.4, 0.6)
    assert finder.find(live, None).baseline is None
    change_id = audit.record_intent(
        endpoint="prod-x",
        kind="weights",
        source="cli",
        weights_before={"current-model": 0.9, "new-model": 0.1},
        weights_after={"current-model": 0.4, "new-model": 0.6},
    )
    audit.record_outcome(change_id, result="applied", endpoint="prod-x")
    found = finder.find(live, None)
    assert found.baseline is not None and found.canary == "new-model"
    assert rollback_title(live, found.baseline) == (
        "Roll back prod-x to current-model 90% / new-model 10%"
    )
    ramp = RampState.start(
        RampPlan("prod-x", "new-model", steps=(70.0, 100.0)),
        {"current-model": 0.4, "new-model": 0.6},
        NOW,
    )
    from_ramp = finder.find(live, ramp).baseline
    assert from_ramp is not None and from_ramp.source == "ramp"
    # A mark made in the console is saved next to the log, where the CLI reads it.
    mark = finder.remember(endpoint(0.8, 0.2), datetime.now(UTC))
    finder.save(mark)
    from_file = TargetFinder.for_audit(AuditLog(tmp_path / "audit.jsonl")).find(live, None)
    assert from_file.baseline is not None and from_file.baseline.source == "mark"
    assert dict(from_file.baseline.shares) == pytest.approx(
        {"current-model": 80.0, "new-model": 20.0}
    )


def test_the_finder_without_a_log_still_keeps_session_marks() -> None:
    finder = TargetFinder(None, None)
    finder.remember(endpoint(0.9, 0.1), NOW)
    baseline = finder.find(endpoint(0.4, 0.6), None).baseline
    assert baseline is not None
    plan = rollback_plan(endpoint(0.4, 0.6), baseline)
    assert dict(plan.after) == pytest.approx({"current-model": 0.9, "new-model": 0.1})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("current-model", {"current-model": 100.0, "new-model": 0.0}),
        ("current-model=90%,new-model=10%", {"current-model": 90.0, "new-model": 10.0}),
        (" current-model = 9 , new-model = 1 ", {"current-model": 90.0, "new-model": 10.0}),
    ],
)
def test_parse_to(text: str, expected: dict[str, float]) -> None:
    assert dict(parse_to(endpoint(0.4, 0.6), text).shares) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    ["", "  ", "nope", "current-model=90%", "a=1,,b=2", "current-model=-1,new-model=1", "=5"],
)
def test_parse_to_refuses(text: str) -> None:
    with pytest.raises(WeightInputError):
        parse_to(endpoint(0.4, 0.6), text)


def test_no_baseline_message_is_one_line_with_a_to_to_copy() -> None:
    message = no_baseline_message(endpoint(1 / 3, 2 / 3))
    assert "\n" not in message
    assert "--to current-model=33.3%,new-model=66.7%" in message


def test_no_baseline_example_is_always_accepted_by_to() -> None:
    thirds = Endpoint(
        "prod-x",
        "InService",
        tuple(Variant(name, 1.0, 1.0, 1, 1) for name in ("a", "b", "c")),
    )
    message = no_baseline_message(thirds)
    example = message.rsplit("--to ", 1)[1]
    assert example == "a=1,b=1,c=1"
    assert dict(parse_to(thirds, example).shares) == pytest.approx(
        {"a": 100 / 3, "b": 100 / 3, "c": 100 / 3}, abs=1e-3
    )
