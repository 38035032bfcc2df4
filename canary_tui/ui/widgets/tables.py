"""The endpoints and variants tables: rows keyed by name, cells updated in place."""

from __future__ import annotations

from collections.abc import Sequence

from textual._two_way_dict import TwoWayDict
from textual.widgets import DataTable
from textual.widgets.data_table import (
    CellDoesNotExist,
    CellKey,
    ColumnKey,
    RowDoesNotExist,
    RowKey,
)

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

    def remove_rows(self, row_keys: Sequence[str | None]) -> None:
        """``remove_row`` for many rows in one pass.

        ``DataTable.remove_row`` renumbers every row after the one it removes, so removing
        4,000 of 5,000 rows (a filter keystroke) took ~20 s; this renumbers once. It does
        what ``remove_row`` does to DataTable's ``_row_locations``, ``rows``, ``_data`` and
        ``_updated_cells`` (re-check on a Textual upgrade; tests/test_redraw.py pins it).
        """
        if len(row_keys) == 1:
            self.remove_row(RowKey(row_keys[0]))
            return
        gone_values = set(row_keys)
        locations = self._row_locations
        # The table's own RowKey objects (identity hits in its dicts, no StringKey.__eq__).
        gone = [row_key for row_key in locations if row_key.value in gone_values]
        if len(gone) != len(gone_values):
            raise RowDoesNotExist(f"Row keys {sorted(map(str, gone_values))!r} are not all valid.")
        self._require_update_dimensions = True
        self.check_idle()
        kept = sorted(
            (index, row_key)
            for row_key in locations
            if row_key.value not in gone_values and (index := locations.get(row_key)) is not None
        )
        self._row_locations = TwoWayDict({row_key: new for new, (_, row_key) in enumerate(kept)})
        for row_key in gone:
            for column_key in self._data[row_key]:
                self._updated_cells.discard(CellKey(row_key, column_key))
            del self.rows[row_key]
            del self._data[row_key]
        self.cursor_coordinate = self.cursor_coordinate
        self.hover_coordinate = self.hover_coordinate
        self._update_count += 1
        self.refresh(layout=True)


def _sync_rows(
    table: RowRefreshTable,
    rows: Sequence[tuple[str, tuple[str, ...]]],
    column_keys: Sequence[str],
) -> None:
    """Make the table show ``rows`` with the fewest changes: new rows are added, gone rows
    removed, and only cells whose text changed are written (small redraws over SSH).

    Linear in the number of rows (issue 13: 5,000 endpoints): one set of the keys shown,
    gone rows removed in one pass, and no removals when the table is rebuilt anyway."""
    order = [key for key, _ in rows]
    wanted = set(order)
    # DataTable's own key objects: dict lookups with them are identity hits, without
    # StringKey.__eq__ (a Python call) for each of 5,000 rows x 4 cells.
    row_keys = {row_key.value: row_key for row_key in table.rows}
    existing_order = list(row_keys)
    kept = [key for key in existing_order if key in wanted]
    if kept != order[: len(kept)]:
        # A row must go in the middle (new filter, new endpoint): rebuilding is simplest
        # and rare; appending at the end and updating cells is the common case.
        table.clear()
        kept = []
    elif len(kept) != len(existing_order):
        table.remove_rows([key for key in existing_order if key not in wanted])
    shown = set(kept)
    columns = {column.key.value: column.key for column in table.columns.values()}
    for key, cells in rows:
        if key not in shown:
            table.add_row(*cells, key=key)
            shown.add(key)
            continue
        # DataTable's own cells, read as get_cell reads them (a get_cell call per cell was
        # a third of a 5,000-row sync).
        current = table._data[row_keys[key]]
        for column_key, cell in zip(column_keys, cells, strict=True):
            column = columns.get(column_key)
            if column is None or column not in current:
                table.update_cell(key, column_key, cell)  # raises CellDoesNotExist
            elif current[column] != cell:
                table.write_cell(key, column_key, cell)


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
