"""Small redraws over SSH (issue 6): a changed cell repaints its row, not the whole table."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Region

from tests.ui.helpers import FourColumnTable


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FourColumnTable()

    def on_mount(self) -> None:
        table = self.query_one(FourColumnTable)
        for index in range(50):
            table.add_row(f"ep-{index:02}", "InService", "2", "10.0%", key=f"ep-{index:02}")


async def test_a_changed_cell_repaints_only_its_row() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(FourColumnTable)
        await pilot.pause()
        repaints: list[tuple[Any, ...]] = []
        original = table.refresh

        def recording_refresh(*regions: Region, **kwargs: Any) -> Any:
            repaints.append(regions)
            return original(*regions, **kwargs)

        table.refresh = recording_refresh  # type: ignore[method-assign]

        table.write_cell("ep-40", "canary", "25.0%")  # below the fold
        assert table.get_cell("ep-40", "canary") == "25.0%"
        assert repaints == []  # nothing visible changed: nothing is sent

        table.write_cell("ep-02", "canary", "50.0%")
        assert table.get_cell("ep-02", "canary") == "50.0%"
        assert len(repaints) == 1
        (region,) = repaints[0]
        assert region.height == 1  # one row, not the table

        await pilot.pause()
        row = table.get_row_index("ep-02")
        assert "50.0%" in "".join(s.text for s in table.render_line(row + 1))
