"""Issue 16: at 120x40 nothing in the variants table is cut, for every endpoint of the demo.

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
from canary_tui.ui.widgets.tables import VARIANT_COLUMNS, VariantsTable
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
