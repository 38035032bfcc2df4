"""RowRefreshTable's sync at thousands of rows (issue 13): same result as DataTable's own calls."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.coordinate import Coordinate

from canary_tui.ui.view import EndpointRow
from tests.ui.helpers import FourColumnTable


class TwoTables(App[None]):
    def compose(self) -> ComposeResult:
        yield FourColumnTable(id="one")
        yield FourColumnTable(id="two")


def row(name: str, canary: str = "10.0%") -> EndpointRow:
    return EndpointRow(name, "InService", "3", canary)


def shown(table: FourColumnTable) -> list[tuple[str | None, ...]]:
    keys = [
        table.coordinate_to_cell_key(Coordinate(index, 0)).row_key.value
        for index in range(table.row_count)
    ]
    return [(key, *(str(cell) for cell in table.get_row(key))) for key in keys if key]


async def test_remove_rows_leaves_the_table_as_remove_row_does() -> None:
    app = TwoTables()
    async with app.run_test(size=(80, 30)) as pilot:
        one, two = app.query_one("#one", FourColumnTable), app.query_one("#two", FourColumnTable)
        names = [f"ep-{index:02}" for index in range(50)]
        for table in (one, two):
            table.sync([row(name) for name in names])
            table.move_cursor(row=45, animate=False)
        await pilot.pause()
        gone = [names[3], *names[10:40], names[49]]
        for name in gone:
            one.remove_row(name)
        two.remove_rows(gone)
        await pilot.pause()
        assert shown(two) == shown(one)
        assert [two.get_row_index(n) for n in names if n not in gone] == list(range(18))
        assert two.cursor_coordinate == one.cursor_coordinate == Coordinate(17, 0)
        assert [s.text for s in two.render_line(5)] == [s.text for s in one.render_line(5)]
        two.write_cell("ep-44", "canary", "25.0%")  # later rows are still found by key
        assert two.get_cell("ep-44", "canary") == "25.0%"


async def test_sync_narrows_and_widens_a_large_list_like_a_fresh_table() -> None:
    app = TwoTables()
    async with app.run_test(size=(80, 30)) as pilot:
        table, fresh = (
            app.query_one("#one", FourColumnTable),
            app.query_one("#two", FourColumnTable),
        )
        names = [f"bench-{index:04}" for index in range(5000)]
        table.sync([row(name) for name in names])
        await pilot.pause()
        for wanted in (
            [n for n in names if "bench-4" in n],  # a filter keystroke: 5,000 -> 1,000
            [n for n in names if "bench-49" in n],
            names,  # backspace: the rows come back (rebuilt, in list order)
            names[:10] + names[11:],  # one endpoint deleted
        ):
            rows = [row(name, "5.0%" if name.endswith("7") else "10.0%") for name in wanted]
            table.sync(rows)
            fresh.clear()
            fresh.sync(rows)
            await pilot.pause()
            assert table.row_count == len(wanted)
            assert shown(table) == shown(fresh)
