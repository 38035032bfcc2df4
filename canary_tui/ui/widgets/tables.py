"""The endpoints and variants tables: rows keyed by name, cells updated in place."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowKey

from canary_tui.ui.view import EndpointRow, VariantRow

ENDPOINT_COLUMNS = (("endpoint", "name"), ("status", "status"), ("var", "variants"))
ENDPOINT_CANARY_COLUMN = ("canary", "canary")


class RowRefreshTable(DataTable[str]):
    def write_cell(self, row_key: str, column_key: str, value: str) -> None:
        """``update_cell`` that repaints only the row it changes.

        ``DataTable.update_cell`` repaints the whole visible table for one cell, so filling
        in off-screen rows (the background describes of a 200-endpoint list) resent the
        visible ones every round: about 11 KB at 80x24, 200 KB over the first minute.
        Like ``update_cell`` without ``update_width``, column widths stay as they are.
        """
        self._data[RowKey(row_key)][ColumnKey(column_key)] = value
        self._update_count += 1  # invalidates DataTable's render caches, as update_cell does
        self.refresh_row(self.get_row_index(row_key))


def _sync_rows(
    table: RowRefreshTable,
    rows: Sequence[tuple[str, tuple[str, ...]]],
    column_keys: Sequence[str],
) -> None:
    """Make the table show ``rows`` with the fewest changes: new rows are added, gone rows
    removed, and only cells whose text changed are written (small redraws over SSH)."""
    wanted = {key for key, _ in rows}
    for row_key in [key.value for key in table.rows if key.value not in wanted]:
        if row_key is not None:
            table.remove_row(row_key)
    order = [key for key, _ in rows]
    existing_order = [key.value for key in table.rows]
    if existing_order != order[: len(existing_order)]:
        # A row must go in the middle (new filter, new endpoint): rebuilding is simplest
        # and rare; appending at the end and updating cells is the common case.
        table.clear()
    for key, cells in rows:
        if key not in {row.value for row in table.rows}:
            table.add_row(*cells, key=key)
            continue
        for column_key, cell in zip(column_keys, cells, strict=True):
            try:
                if table.get_cell(key, column_key) != cell:
                    table.write_cell(key, column_key, cell)
            except CellDoesNotExist:
                table.update_cell(key, column_key, cell)


class EndpointsTable(RowRefreshTable):
    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = False
        for label, key in (*ENDPOINT_COLUMNS, ENDPOINT_CANARY_COLUMN):
            self.add_column(label, key=key)

    def sync(self, rows: Sequence[EndpointRow]) -> None:
        _sync_rows(
            self,
            [(row.name, _endpoint_cells(row)) for row in rows],
            list(ENDPOINT_CELL_KEYS),
        )

    def sync_row(self, row: EndpointRow) -> bool:
        """Update one endpoint's row in place (a describe arrived): O(1), where ``sync``
        walks the whole list. False when the row is not in the table."""
        if RowKey(row.name) not in self.rows:
            return False
        for column_key, cell in zip(ENDPOINT_CELL_KEYS, _endpoint_cells(row), strict=True):
            if self.get_cell(row.name, column_key) != cell:
                self.write_cell(row.name, column_key, cell)
        return True


ENDPOINT_CELL_KEYS = ("name", "status", "variants", "canary")


def _endpoint_cells(row: EndpointRow) -> tuple[str, str, str, str]:
    return (row.name, row.status, row.variants, row.canary)


VARIANT_COLUMNS = (
    ("variant", "name"),
    ("traffic", "traffic"),
    ("weight", "weight"),
    ("instances", "instances"),
    ("status", "status"),
    # After status: in the wide layout's narrower pane, status must stay in view.
    ("min-max", "limits"),
    ("model", "model"),
)


class VariantsTable(RowRefreshTable):
    #: The endpoint whose variants are shown, and whether a person moved the cursor since it
    #: was shown: then ``p`` promotes the selected variant, otherwise the canary.
    shown_for: str | None = None
    cursor_moved_by_user = False

    def show_endpoint(self, name: str) -> None:
        if name != self.shown_for:
            self.shown_for = name
            self.cursor_moved_by_user = False

    def moved_by_user_on(self, name: str) -> bool:
        return self.cursor_moved_by_user and self.shown_for == name

    def _moved(self) -> None:
        self.cursor_moved_by_user = True

    # Every way a person moves the cursor: the keys (DataTable's actions) and the mouse.
    def action_cursor_up(self) -> None:
        self._moved()
        super().action_cursor_up()

    def action_cursor_down(self) -> None:
        self._moved()
        super().action_cursor_down()

    def action_page_up(self) -> None:
        self._moved()
        super().action_page_up()

    def action_page_down(self) -> None:
        self._moved()
        super().action_page_down()

    def action_scroll_top(self) -> None:
        self._moved()
        super().action_scroll_top()

    def action_scroll_bottom(self) -> None:
        self._moved()
        super().action_scroll_bottom()

    def action_scroll_home(self) -> None:
        self._moved()
        super().action_scroll_home()

    def action_scroll_end(self) -> None:
        self._moved()
        super().action_scroll_end()

    def on_click(self) -> None:
        self._moved()

    def on_mount(self) -> None:
        self.cursor_type = "row"
        for label, key in VARIANT_COLUMNS:
            self.add_column(label, key=key)

    def sync(self, rows: Sequence[VariantRow], baseline: str | None) -> None:
        _sync_rows(
            self,
            [
                (
                    row.name,
                    (
                        f"{row.name} ◆" if row.name == baseline else row.name,
                        row.traffic,
                        row.weight,
                        row.instances,
                        row.status,
                        row.limits,
                        row.model,
                    ),
                )
                for row in rows
            ],
            [key for _, key in VARIANT_COLUMNS],
        )

    @property
    def selected_variant(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None
