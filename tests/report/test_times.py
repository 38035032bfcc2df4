"""--since / --until parsing and CloudWatch's retention, with a fixed now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from canary_tui.report.times import (
    TimeInputError,
    parse_moment,
    report_window,
    retention_problem,
)

NOW = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6h", NOW - timedelta(hours=6)),
        ("1h30m", NOW - timedelta(minutes=90)),
        ("2d", NOW - timedelta(days=2)),
        ("2026-12-03T10:00Z", datetime(2026, 12, 3, 10, 0, tzinfo=UTC)),
        ("2026-12-03T10:00", datetime(2026, 12, 3, 10, 0, tzinfo=UTC)),  # no zone: UTC
        ("2026-12-03T11:00+01:00", datetime(2026, 12, 3, 10, 0, tzinfo=UTC)),
    ],
)
def test_durations_and_iso_times(text: str, expected: datetime) -> None:
    assert parse_moment(text, "--since", NOW) == expected


@pytest.mark.parametrize("text", ["", " ", "soon", "6 hours", "2026-02-30", "٣h", "nan", "-1h"])
def test_bad_times_are_one_line_naming_the_flag(text: str) -> None:
    with pytest.raises(TimeInputError) as error:
        parse_moment(text, "--since", NOW)
    assert str(error.value).startswith("--since: ") and "\n" not in str(error.value)


def test_the_window_must_be_in_order_and_not_in_the_future() -> None:
    day = timedelta(hours=24)
    assert report_window(None, None, NOW, day) == (NOW - day, NOW)
    with pytest.raises(TimeInputError, match="must be before"):
        report_window("1h", "2h", NOW, day)
    with pytest.raises(TimeInputError, match="in the future"):
        report_window(None, "2027-01-01T00:00Z", NOW, day)


@pytest.mark.parametrize(
    ("age", "period", "shortest"),
    [
        (timedelta(hours=2), 1, None),
        (timedelta(hours=4), 10, 60),
        (timedelta(days=14), 60, None),
        (timedelta(days=16), 60, 300),
        (timedelta(days=62), 300, None),
        (timedelta(days=64), 300, 3600),
        (timedelta(days=400), 3600, None),
    ],
)
def test_a_period_older_than_cloudwatch_keeps_is_refused(
    age: timedelta, period: int, shortest: int | None
) -> None:
    problem = retention_problem(NOW - age, NOW, period)
    if shortest is None:
        assert problem is None
    else:
        assert problem is not None and f"use --period {shortest} or more" in problem
