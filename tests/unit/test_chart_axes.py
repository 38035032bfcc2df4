"""The chart's axes read as round numbers: y ticks in 1/2/2.5/5 steps, x ticks in minutes an
operator reads as time (issue 16: plotext's own cuts gave 2544.0 and -45.5)."""

from __future__ import annotations

import pytest

from canary_tui.ui.widgets.chart import tick_label, x_axis, y_axis


@pytest.mark.parametrize(
    ("low", "columns", "labels"),
    [
        (-60, 100, ["-60", "-50", "-40", "-30", "-20", "-10", "0"]),
        (-60, 60, ["-60", "-45", "-30", "-15", "0"]),
        (-59, 100, ["-50", "-40", "-30", "-20", "-10", "0"]),
        (-360, 140, ["-360", "-300", "-240", "-180", "-120", "-60", "0"]),
        (-0.5, 30, ["-1", "0"]),
    ],
)
def test_x_ticks_are_round_minutes_up_to_now(low: float, columns: int, labels: list[str]) -> None:
    left, ticks = x_axis(low, columns)
    assert left == min(low, -1)
    assert ticks[-1] == 0 and all(left <= tick <= 0 for tick in ticks)
    assert [tick_label(tick, ticks[1] - ticks[0]) for tick in ticks] == labels


def test_y_ticks_are_round_and_cover_the_data() -> None:
    bottom, top, ticks = y_axis(148.7, 2544.0, 6)
    assert bottom <= 148.7 and top >= 2544.0
    assert [tick_label(tick, ticks[1] - ticks[0]) for tick in ticks] == [
        "0",
        "1,000",
        "2,000",
        "3,000",
    ]
