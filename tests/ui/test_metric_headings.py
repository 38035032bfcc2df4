"""Metric headings shorten to their column rather than being cut ("invocations/m…" at 80
columns once a quality metric adds a fourth column)."""

from __future__ import annotations

import pytest

from canary_tui.ui.widgets.metrics import MetricHeading, MetricsPanel, fitting
from tests.ui.helpers import console, refresh_and_settle
from tests.ui.test_ecosystem import make_app


def test_the_longest_form_that_fits_is_chosen() -> None:
    assert fitting("invocations/min", 15) == "invocations/min"
    assert fitting("invocations/min", 14) == "requests/min"
    assert fitting("invocations/min", 3) == "req/min"
    assert fitting("latency p99 ms", 10) == "p99 ms"
    assert fitting("accuracy % (-30m)", 12) == "accuracy %"
    assert fitting("plain", 2) == "plain"


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((80, 24), ["requests/min", "4xx+5xx %", "latency avg ms", "accuracy %"]),
        ((120, 40), ["invocations/min", "errors 4xx+5xx %", "latency avg ms", "accuracy % (-2m)"]),
    ],
)
async def test_headings_fit_their_columns(size: tuple[int, int], expected: list[str]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await refresh_and_settle(pilot)
        panel = console(app).query_one(MetricsPanel)
        panel.set_quality_headings(["accuracy % (-2m)"])
        await pilot.pause()
        await pilot.pause()
        headings = list(panel.query(MetricHeading))
        assert [str(h.content) for h in headings] == expected
        for heading in headings:
            assert len(str(heading.content)) <= heading.content_region.width
