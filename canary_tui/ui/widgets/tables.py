"""The variants table (and the DataTable machinery it uses): rows keyed by name, cells
updated in place. The endpoint list is a line-API list of its own (``endpoint_list.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import zip_longest

from rich.cells import cell_len
from textual._two_way_dict import TwoWayDict
from textual.widgets import DataTable
from textual.widgets.data_table import (
    CellDoesNotExist,
    CellKey,
    ColumnKey,
    DuplicateKey,
    Row,
    RowDoesNotExist,
    RowKey,
)

from canary_tui.domain.models import Endpoint, Variant
from canary_tui.ui.view import NO_VALUE, VariantRow
from canary_tui.ui.widgets.endpoint_list import EndpointList

#: The endpoint list's old name (a DataTable until issue 13), for code written against it.
EndpointsTable = EndpointList


def _plain(text: str) -> bool:
    """Rendered by DataTable as exactly its characters: no markup, one line, no tabs."""
    return "[" not in text and "\n" not in text and "\r" not in text and "\t" not in text


class RowRefreshTable(DataTable[str]):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable's column measuring, with plain one-line text measured by its cell length.

        DataTable measures every cell of every new row by building a Rich renderable (markup
        parsed) and measuring it: 20,000 cells when a filter is widened back to 5,000
        endpoints, ~0.45 s on the event loop. For a string without markup or newlines that
        measure is its cell length; anything else (labels, auto height, markup) still goes
        through DataTable. Re-check on a Textual upgrade (a private method, like write_cell).
        """
        columns = self.ordered_columns
        keys = [column.key for column in columns]
        widths = [column.content_width for column in columns]
        rows, data = self.rows, self._data
        slow: list[RowKey] = []
        for row_key in new_rows:
            row = rows.get(row_key)
            cells = data.get(row_key)
            if row is None or cells is None:
                continue  # removed before the table was idle
            if row.label is not None or row.auto_height:
                slow.append(row_key)
                continue
            measured = []
            for key in keys:
                value = cells.get(key)
                if not isinstance(value, str) or not _plain(value):
                    break
                measured.append(len(value) if value.isascii() else cell_len(value))
            else:
                widths = [max(pair) for pair in zip(widths, measured, strict=True)]
                continue
            slow.append(row_key)
        for column, width in zip(columns, widths, strict=True):
            column.content_width = width
        # Also what DataTable does after measuring: the virtual size, from the new widths.
        super()._update_dimensions(slow)

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

    def append_rows(self, rows: Sequence[tuple[str, Sequence[str]]]) -> None:
        """``add_row`` for many one-line rows at once (a filter widened back to 5,000
        endpoints adds them all): the same writes, with the cursor check, the first-row
        highlight and the idle check done once instead of per row (~50 µs each)."""
        if not rows:
            return
        columns = self.ordered_columns
        was_empty = self.row_count == 0
        index = self.row_count
        for key, cells in rows:
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            if len(cells) > len(columns):
                raise ValueError("More values provided than there are columns.")
            self._row_locations[row_key] = index
            index += 1
            self._data[row_key] = {column.key: cell for column, cell in zip_longest(columns, cells)}
            self.rows[row_key] = Row(row_key, 1, None, False)
            self._new_rows.add(row_key)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()


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
    columns = {column.key.value: column.key for column in table.columns.values()}
    # Kept rows are the head of ``rows`` (checked above): the rest are appended at once.
    table.append_rows([(key, cells) for key, cells in rows[len(kept) :]])
    for key, cells in rows[: len(kept)]:
        # DataTable's own cells, read as get_cell reads them (a get_cell call per cell was
        # a third of a 5,000-row sync).
        current = table._data[row_keys[key]]
        for column_key, cell in zip(column_keys, cells, strict=True):
            column = columns.get(column_key)
            if column is None or column not in current:
                table.update_cell(key, column_key, cell)  # raises CellDoesNotExist
            elif current[column] != cell:
                table.write_cell(key, column_key, cell)


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

    def sync(
        self,
        rows: Sequence[VariantRow],
        baseline: str | None,
        endpoint: Endpoint | None = None,
    ) -> None:
        """Production rows, then (with ``endpoint``) its shadow variants; serverless
        variants show memory and concurrency instead of instances, variants hosting
        inference components their components' copy counts instead of a model."""
        cells = [
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
        ]
        if endpoint is not None:
            cells = [_kind_cells(endpoint, name, values) for name, values in cells]
            cells += [_shadow_cells(endpoint, variant) for variant in endpoint.shadow_variants]
        _sync_rows(self, cells, [key for _, key in VARIANT_COLUMNS])

    @property
    def selected_variant(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None


VariantCells = tuple[str, tuple[str, str, str, str, str, str, str]]


def serverless_text(variant: Variant) -> str:
    """``2 GB · max 20 · prov 5``, with ``→`` on what a pending change moves."""
    current, desired = variant.current_serverless, variant.desired_serverless
    now = current or desired
    if now is None:
        return "serverless"
    after = desired or now

    def part(label: str, before: int | None, later: int | None) -> str:
        text = f"{label} {before if before is not None else '-'}"
        return text if later == before else f"{text} → {later if later is not None else '-'}"

    memory = f"{now.memory_mb / 1024:g} GB"
    if after.memory_mb != now.memory_mb:
        memory += f" → {after.memory_mb / 1024:g} GB"
    parts = [memory, part("max", now.max_concurrency, after.max_concurrency)]
    if now.provisioned_concurrency is not None or after.provisioned_concurrency is not None:
        parts.append(part("prov", now.provisioned_concurrency, after.provisioned_concurrency))
    return " · ".join(parts)


def components_text(endpoint: Endpoint, variant: str) -> str:
    """``c1 x2, c2 x3→4``: each component the variant hosts with its copy count."""
    parts = []
    for component in endpoint.inference_components:
        if component.variant not in (None, variant):
            continue
        copies = "?" if component.current_copies is None else str(component.current_copies)
        if component.desired_copies is not None and component.desired_copies != (
            component.current_copies
        ):
            copies += f"→{component.desired_copies}"
        parts.append(f"{component.name} x{copies}")
    return ", ".join(parts) if parts else "inference components: none listed"


def _kind_cells(endpoint: Endpoint, name: str, values: tuple[str, ...]) -> VariantCells:
    label, traffic, weight, instances, status, limits, model = values
    try:
        variant = endpoint.variant(name)
    except KeyError:
        return name, (label, traffic, weight, instances, status, limits, model)
    if variant.is_serverless:
        instances, limits = serverless_text(variant), NO_VALUE
    elif variant.hosts_inference_components:
        model = components_text(endpoint, name)
    return name, (label, traffic, weight, instances, status, limits, model)


def _shadow_cells(endpoint: Endpoint, variant: Variant) -> VariantCells:
    sampling = endpoint.shadow_sampling_percent(variant.name)
    traffic = f"copy {sampling:.0f}%" if sampling is not None else "copy ?"
    if variant.is_serverless:
        instances = serverless_text(variant)
    else:
        count = variant.current_instance_count
        instances = f"{variant.instance_type or '?'} x{'?' if count is None else count}"
        desired = variant.desired_instance_count
        if desired is not None and desired != count:
            instances += f" → {desired}"
    return variant.name, (
        f"{variant.name} (shadow)",
        traffic,
        f"{variant.current_weight:g}",
        instances,
        variant.status or ("settling" if variant.is_settling else "ok"),
        NO_VALUE,
        variant.model_name or NO_VALUE,
    )
