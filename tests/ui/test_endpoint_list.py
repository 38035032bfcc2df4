"""The endpoint list (a line-API virtual list, issue 13): header, cursor keys, the message a
moved cursor posts, a filter narrowing and widening 5,000 rows, one row repainted alone."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Region

from canary_tui.ui.view import EndpointRow
from canary_tui.ui.widgets.endpoint_list import EndpointList


class ListApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[str] = []

    def compose(self) -> ComposeResult:
        yield EndpointList(id="endpoints")

    def on_endpoint_list_highlighted(self, message: EndpointList.Highlighted) -> None:
        self.highlighted.append(message.name)


def row(name: str, canary: str = "10.0%") -> EndpointRow:
    return EndpointRow(name, "InService", "3", canary)


def line(widget: EndpointList, y: int) -> str:
    return "".join(segment.text for segment in widget.render_line(y))


NAMES = [f"bench-{index:04}" for index in range(5000)]


async def test_header_and_columns_sized_to_the_longest_cell() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 12)) as pilot:
        widget = app.query_one(EndpointList)
        widget.sync([row("a"), row("a-much-longer-name", "—")])
        await pilot.pause()
        assert line(widget, 0).split() == ["endpoint", "status", "var", "canary"]
        # One space each side of a cell, each column as wide as its widest cell or label.
        assert line(widget, 1).startswith(" a" + " " * 17 + "  InService  3    10.0%  ")
        assert line(widget, 2).startswith(" a-much-longer-name  InService  3    —       ")
        assert widget.virtual_size.width == len(" a-much-longer-name  InService  var  canary ")


async def test_cursor_keys_move_scroll_and_post_the_endpoint() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 12)) as pilot:
        widget = app.query_one(EndpointList)
        widget.sync([row(name) for name in NAMES[:100]])
        widget.focus()
        await pilot.pause()
        assert widget.highlighted_name == "bench-0000"
        await pilot.press("down", "down")
        await pilot.pause()
        assert widget.cursor_row == 2
        assert app.highlighted == ["bench-0001", "bench-0002"]
        await pilot.press("pagedown")
        await pilot.pause()
        assert widget.cursor_row == 2 + 11  # a page: the height less the header line
        await pilot.press("end")
        await pilot.pause()
        assert widget.highlighted_name == "bench-0099"
        assert line(widget, 11).startswith(" bench-0099")  # scrolled into view
        assert line(widget, 0).split()[0] == "endpoint"  # the header stays
        await pilot.press("home", "up")
        await pilot.pause()
        assert widget.cursor_row == 0
        assert app.highlighted[-1] == "bench-0000"
        assert line(widget, 1).startswith(" bench-0000")


async def test_a_filter_narrows_and_widens_5000_rows_keeping_the_cursor_on_its_endpoint() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 12)) as pilot:
        widget = app.query_one(EndpointList)
        widget.sync([row(name) for name in NAMES])
        widget.move_cursor(row=4999)
        await pilot.pause()
        posted = len(app.highlighted)
        for wanted in ([n for n in NAMES if "bench-49" in n], ["bench-4999"], NAMES, []):
            widget.sync([row(name) for name in wanted])
            await pilot.pause()
            assert widget.row_count == len(wanted)
            assert widget.names == wanted
            assert widget.virtual_size.height == len(wanted) + 1
            if wanted:
                assert widget.highlighted_name == "bench-4999"
                assert any(line(widget, y).startswith(" bench-4999") for y in range(1, 12))
            else:
                assert widget.highlighted_name is None
                assert line(widget, 1).strip() == ""
        assert len(app.highlighted) == posted  # a changed list posts nothing: the console decides


async def test_a_changed_row_repaints_its_line_only_when_on_screen() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 12)) as pilot:
        widget = app.query_one(EndpointList)
        widget.sync([row(name) for name in NAMES[:50]])
        await pilot.pause()
        repaints: list[tuple[Any, ...]] = []
        original = widget.refresh

        def recording_refresh(*regions: Region, **kwargs: Any) -> Any:
            repaints.append(regions)
            return original(*regions, **kwargs)

        widget.refresh = recording_refresh  # type: ignore[method-assign]
        assert widget.sync_row(row("bench-0040", "25.0%"))  # below the fold
        assert repaints == []
        assert widget.sync_row(row("bench-0002", "50.0%"))
        assert len(repaints) == 1
        (region,) = repaints[0]
        assert region.height == 1
        assert not widget.sync_row(row("not-listed"))
        await pilot.pause()
        assert "50.0%" in line(widget, 3)
        assert widget.row_cells("bench-0040")[3] == "25.0%"


async def test_a_click_moves_the_cursor() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 12)) as pilot:
        widget = app.query_one(EndpointList)
        widget.sync([row(name) for name in NAMES[:20]])
        await pilot.pause()
        await pilot.click(EndpointList, offset=(3, 4))
        await pilot.pause()
        assert widget.highlighted_name == "bench-0003"
        assert app.highlighted == ["bench-0003"]
