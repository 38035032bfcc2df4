"""Issue 16: at 120x40 nothing in the variants table is cut, for every endpoint of the demo;
at 80x24 the expanded verdict scrolls in its panel instead of pushing the metrics off screen.

The cells are read back from what the table renders (its lines on screen), not from its
data: a column narrower than its text, or a pane narrower than the table, fails here.
Model names are the demo's (``<endpoint>-<variant>``, seed.py), the longest it shows.
"""

from __future__ import annotations

import dataclasses
from functools import partial

import pytest

from canary_tui.domain.models import Endpoint
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.widgets.footer import KeyFooter
from canary_tui.ui.widgets.metrics import MetricsPanel, VariantMetricsRow
from canary_tui.ui.widgets.tables import VARIANT_COLUMNS, VariantsTable
from canary_tui.ui.widgets.verdict import VerdictPanel
from tests.ui.fakes import FakeChangeService, demo_endpoints, fake_backend, frozen_clock
from tests.ui.helpers import console, refresh_and_settle, table_rows, wait_for


def with_demo_model_names(endpoints: dict[str, Endpoint]) -> dict[str, Endpoint]:
    return {
        name: dataclasses.replace(
            endpoint,
            variants=tuple(
                dataclasses.replace(v, model_name=f"{name}-{v.name}") for v in endpoint.variants
            ),
        )
        for name, endpoint in endpoints.items()
    }


def rendered_lines(table: VariantsTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


@pytest.mark.parametrize("size", [(120, 40), (160, 50)], ids=["120x40", "160x50"])
async def test_no_cell_of_the_variants_table_is_cut(size: tuple[int, int]) -> None:
    endpoints = with_demo_model_names(demo_endpoints())
    backend = fake_backend(endpoints)
    app = CanaryApp(
        backend,
        FakeChangeService(backend.sagemaker),
        ConsoleOptions(poll=False, region="us-east-1", mode_label="demo"),
        clock=frozen_clock,
    )
    async with app.run_test(size=size) as pilot:
        await refresh_and_settle(pilot)
        screen = console(app)
        table = screen.query_one("#variants", VariantsTable)
        names = list(screen.summaries)

        def shown(name: str) -> bool:
            return screen.selected == name and table.shown_for == name

        for index, name in enumerate(names):
            if index:
                await pilot.press("down")
                await wait_for(pilot, partial(shown, name), f"{name}'s variants shown")
                await pilot.pause()
            lines = rendered_lines(table)
            header = lines[0].split()
            assert header == [label for label, _ in VARIANT_COLUMNS], (name, lines[0])
            rows = table_rows(table)
            assert len(rows) == len(endpoints[name].variants)
            for row, line in zip(rows, lines[1:], strict=False):
                for cell in row:
                    assert cell in line, f"{name}: {cell!r} cut in {line!r}"
                # The model name is the longest cell: check it really is there whole.
                assert row[-1].startswith(name), row


async def test_the_expanded_verdict_scrolls_inside_its_panel_at_80x24() -> None:
    backend = fake_backend()
    app = CanaryApp(
        backend,
        FakeChangeService(backend.sagemaker),
        ConsoleOptions(poll=False, region="us-east-1", mode_label="demo"),
        clock=frozen_clock,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        screen = console(app)
        await pilot.press("v")
        await pilot.pause()
        verdict = screen.query_one(VerdictPanel)
        metrics = screen.query_one(MetricsPanel)
        footer_top = screen.query_one(KeyFooter).region.y
        # The metrics pane, every variant's row and its bottom border stay on screen.
        assert metrics.region.height >= 2 + 1 + len(screen.query(VariantMetricsRow))
        assert metrics.region.bottom <= footer_top
        assert verdict.region.bottom <= metrics.region.y
        # The verdict's lines are all there, below the fold: the panel scrolls to them.
        assert verdict.plain.count("\n") + 1 > verdict.region.height
        assert verdict.max_scroll_y > 0
        verdict.focus()
        await pilot.press("end")
        await pilot.pause()
        assert verdict.scroll_y == verdict.max_scroll_y
        # Collapsed again, it is one line and cannot take the focus.
        await pilot.press("v")
        await pilot.pause()
        assert verdict.region.height == 1
        assert not verdict.can_focus
