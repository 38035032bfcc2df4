"""The endpoint list: a line-API virtual list (Textual's ``ScrollView`` + ``render_line``).

Only the rows on screen are rendered, from a list of row tuples, so a filter keystroke at
5,000 endpoints is a list of the matching rows, a new virtual size and a repaint of the
visible lines (issue 13): no widget per row, nothing measured by Rich, no table rebuilt
when a filter is widened back to thousands of rows (DataTable cannot insert or hide rows,
so that cost ~0.1-0.9 s). Column widths are the widest cell of the rows given, so the pane
is as wide as its content and the panes beside or below it get the rest (issue 16).

It looks like the DataTable it replaces (same component classes' styles: bold header on
``$panel``, the block cursor, blurred when the list has no focus) and posts
:class:`EndpointList.Highlighted` when a person moves the cursor (keys, click).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from canary_tui.ui.view import EndpointRow

#: Header labels, in cell order (name, status, variants, canary share).
ENDPOINT_HEADERS = ("endpoint", "status", "var", "canary")
#: Spaces on each side of a cell, as DataTable's default ``cell_padding``.
CELL_PADDING = 1

Cells = tuple[str, str, str, str]


def endpoint_cells(row: EndpointRow) -> Cells:
    return (row.name, row.status, row.variants, row.canary)


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


class EndpointList(ScrollView, can_focus=True):
    """Endpoints, one line each, under a header line that stays put while the rows scroll."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "endpoint-list--header",
        "endpoint-list--cursor",
    }

    DEFAULT_CSS = """
    EndpointList {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .endpoint-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .endpoint-list--header {
                background-tint: $foreground 5%;
            }
        }
        & > .endpoint-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .endpoint-list--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .endpoint-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class Highlighted(Message):
        """A person moved the cursor onto ``name`` (keys or mouse)."""

        def __init__(self, endpoint_list: EndpointList, name: str) -> None:
            super().__init__()
            self.endpoint_list = endpoint_list
            self.name = name

        @property
        def control(self) -> EndpointList:
            return self.endpoint_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._names: list[str] = []
        self._cells: list[Cells] = []
        self._index: dict[str, int] = {}
        self._widths: list[int] = [_width(label) for label in ENDPOINT_HEADERS]
        self._cursor = 0

    # -- what the console and tests read --------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._names)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def highlighted_name(self) -> str | None:
        """The endpoint under the cursor (None: the list is empty)."""
        return self._names[self._cursor] if self._names else None

    @property
    def names(self) -> list[str]:
        return list(self._names)

    @property
    def visible_rows(self) -> list[Cells]:
        """Every row's cells, in order (what the list would show if it were tall enough)."""
        return list(self._cells)

    def get_row_index(self, name: str) -> int:
        return self._index[name]

    def row_cells(self, name: str) -> Cells:
        return self._cells[self._index[name]]

    # -- data -----------------------------------------------------------------------------
    def sync(self, rows: Sequence[EndpointRow]) -> None:
        """Show ``rows`` (in order). The cursor stays on the endpoint it was on if that is
        still listed; otherwise it keeps its place, within the list. No message is posted:
        the console decides what a changed list selects."""
        on = self.highlighted_name
        cells = [endpoint_cells(row) for row in rows]
        names = [row.name for row in rows]
        if cells == self._cells and names == self._names:
            return
        self._cells, self._names = cells, names
        self._index = {name: index for index, name in enumerate(names)}
        self._measure()
        index = self._index.get(on) if on is not None else None
        self._cursor = index if index is not None else min(self._cursor, max(len(names) - 1, 0))
        self._resize()
        self.refresh()

    def sync_row(self, row: EndpointRow) -> bool:
        """One endpoint's row changed (a describe arrived): only its line is repainted, when
        it is on screen. False when it is not in the list."""
        index = self._index.get(row.name)
        if index is None:
            return False
        cells = endpoint_cells(row)
        if cells == self._cells[index]:
            return True
        self._cells[index] = cells
        wider = any(_width(cell) > self._widths[i] for i, cell in enumerate(cells))
        if wider:
            self._measure()
            self._resize()
            self.refresh()
        else:
            self._refresh_row(index)
        return True

    def _measure(self) -> None:
        widths = [_width(label) for label in ENDPOINT_HEADERS]
        for column in range(len(widths)):
            values = {cells[column] for cells in self._cells} if column else None
            # Names are distinct, the other columns have few distinct values.
            texts = (cells[0] for cells in self._cells) if values is None else values
            widths[column] = max(widths[column], max(map(_width, texts), default=0))
        self._widths = widths

    def _resize(self) -> None:
        width = sum(self._widths) + 2 * CELL_PADDING * len(self._widths)
        self.virtual_size = Size(width, len(self._names) + 1)
        self._scroll_cursor_into_view()

    # -- rendering ------------------------------------------------------------------------
    def _line_text(self, cells: Sequence[str]) -> str:
        pad = " " * CELL_PADDING
        return "".join(
            f"{pad}{text}{' ' * (width - _width(text))}{pad}"
            for text, width in zip(cells, self._widths, strict=True)
        )

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y == 0:
            text = self._line_text(ENDPOINT_HEADERS)
            style = base + self.get_component_rich_style("endpoint-list--header")
        else:
            index = scroll_y + y - 1
            if index >= len(self._cells):
                return Strip.blank(width, base)
            text = self._line_text(self._cells[index])
            style = base
            if index == self._cursor:
                style = base + self.get_component_rich_style("endpoint-list--cursor")
        line = text[scroll_x : scroll_x + width] if text.isascii() else None
        if line is not None:
            return Strip([Segment(line.ljust(width), style)], width)
        return Strip([Segment(text, style)]).crop_extend(scroll_x, scroll_x + width, style)

    def _refresh_row(self, index: int) -> None:
        """Repaint the line of row ``index`` if it is on screen, nothing else."""
        y = index - self.scroll_offset.y + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # -- the cursor -----------------------------------------------------------------------
    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        """Put the cursor on ``row`` (clamped) and scroll it into view; posts nothing."""
        del animate  # the list never animates: a jump is what a person asked for
        self._set_cursor(row)

    def _set_cursor(self, row: int) -> bool:
        if not self._names:
            return False
        row = max(0, min(row, len(self._names) - 1))
        if row == self._cursor:
            self._scroll_cursor_into_view()
            return False
        old, self._cursor = self._cursor, row
        self._refresh_row(old)
        self._refresh_row(row)
        self._scroll_cursor_into_view()
        return True

    def _moved_to(self, row: int) -> None:
        if self._set_cursor(row):
            name = self.highlighted_name
            if name is not None:
                self.post_message(self.Highlighted(self, name))

    @property
    def _page(self) -> int:
        return max(self.size.height - 1, 1)

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_offset.y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True, immediate=True)
        elif self._cursor >= top + self._page:
            target = self._cursor - self._page + 1
            self.scroll_to(y=target, animate=False, force=True, immediate=True)

    def action_cursor_up(self) -> None:
        self._moved_to(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._moved_to(self._cursor + 1)

    def action_page_up(self) -> None:
        self._moved_to(self._cursor - self._page)

    def action_page_down(self) -> None:
        self._moved_to(self._cursor + self._page)

    def action_first(self) -> None:
        self._moved_to(0)

    def action_last(self) -> None:
        self._moved_to(len(self._names) - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        self._moved_to(round(self.scroll_offset.y) + offset.y - 1)

    def on_resize(self) -> None:
        self._scroll_cursor_into_view()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.virtual_size.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._names) + 1
