"""`a`: the audit log, oldest first like ``canary-tui audit`` (the cursor starts on the
newest, at the bottom), for the selected endpoint or all of them; ``enter`` shows every
field of one change.

Columns are sized to the screen: at 80 columns the time takes two lines, ``by`` and
``source`` share one column, and the reason (with the outcome's note) wraps, so no field
is dropped; the detail view has them all, never cut.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from canary_tui.audit import AuditEntry, AuditReading
from canary_tui.audit_text import detail_fields, outcome_note, result_label
from canary_tui.aws.errors import AwsError
from canary_tui.domain.text import printable
from canary_tui.domain.trail_events import TrailChange
from canary_tui.ui.ports import AuditReader

_COLUMNS = ("time (UTC)", "endpoint", "change", "result", "by", "source", "reason")
#: Below this inner width the compact layout is used (two-line time, by/source together).
_WIDE = 110
#: Each column gets this much padding on each side (DataTable's cell_padding).
_PAD = 1


def _traffic(shares: dict[str, float] | None) -> str:
    if not shares:
        return "?"
    return "/".join(f"{share:.0f}" for share in shares.values())


def _change(entry: AuditEntry) -> str:
    intent = entry.intent
    if intent.kind == "capacity":
        return ", ".join(
            f"{name} x{intent.instance_counts_before.get(name)}→{count}"
            for name, count in intent.instance_counts_after.items()
        )
    before = _traffic(dict(intent.traffic_percent_before))
    after = _traffic(dict(intent.traffic_percent_after))
    return f"{before} → {after} %"


def _reason(entry: AuditEntry) -> str:
    note = outcome_note(entry)
    reason = entry.intent.reason or ""
    return f"{reason}\n{note}" if note and reason else reason or note or ""


def entry_fields(entry: AuditEntry) -> dict[str, str]:
    """The row's text per column, whole (the table cuts or wraps it to fit)."""
    intent = entry.intent
    zone = "?" if intent.time_zone_assumed else ""
    return {
        "time (UTC)": f"{intent.time:%Y-%m-%d %H:%M:%S}{zone}",
        "endpoint": intent.endpoint,
        "change": _change(entry),
        "result": result_label(entry).replace(", ", "\n"),
        "by": (intent.caller or "?").rsplit("/", 1)[-1],
        "source": intent.source,
        "reason": _reason(entry),
    }


#: Widest a column gets while the reason has too little room (its text folds beyond).
_CAPS = {"endpoint": 24, "change": 20, "by": 12, "by/source": 10}
#: Narrowest the reason gets before endpoint and change give up room to it.
_REASON_MIN = 16


def _widths(longest: dict[str, int], room: int, compact: bool) -> dict[str, int]:
    """Every column its content, up to a cap; the reason (which wraps) gets the rest."""
    sizes = {name: max(width, 1) for name, width in longest.items()}
    if sum(sizes.values()) <= room:
        return sizes
    for name, cap in _CAPS.items():
        if name in sizes:
            sizes[name] = min(sizes[name], 9 if compact and name == "change" else cap)
    others = sum(width for name, width in sizes.items() if name != "reason")
    if room - others < _REASON_MIN:
        # Endpoint names fold onto a second line before the reason is squeezed further.
        sizes["endpoint"] = max(12, sizes["endpoint"] - (_REASON_MIN - (room - others)))
        others = sum(width for name, width in sizes.items() if name != "reason")
    sizes["reason"] = max(8, room - others)
    return sizes


def _cell(text: str) -> Text:
    # Text, not str: a DataTable reads a str cell as markup, so a reason holding "[/]" from
    # a hand-edited log would crash the screen; control characters are escaped (per line:
    # the line breaks are ours).
    return Text("\n".join(printable(line) for line in text.split("\n")), end="")


class AuditTable(DataTable[Text]):
    """The rows, laid out for the width it has (see the module doc)."""

    def show(self, entries: list[AuditEntry], width: int) -> None:
        self.clear(columns=True)
        fields = [entry_fields(entry) for entry in entries]
        compact = width < _WIDE
        columns = list(_COLUMNS)
        if compact:
            columns.remove("source")
            columns[columns.index("by")] = "by/source"
            for row in fields:
                row["by/source"] = f"{row.pop('by')}\n{row.pop('source')}"
                row["time (UTC)"] = row["time (UTC)"][5:].replace(" ", "\n", 1)
        longest = {
            name: max([len(line) for row in fields for line in row[name].splitlines()] + [1])
            for name in columns
        }
        labels = {
            name: "time UTC" if compact and name == "time (UTC)" else name for name in columns
        }
        wanted = {name: max(longest[name], len(labels[name])) for name in columns}
        room = width - 2 * _PAD * len(columns) - 1  # the scrollbar's column, if any
        wanted = _widths(wanted, room, compact)
        for name in columns:
            self.add_column(labels[name], key=name, width=wanted[name])
        for entry, row in zip(entries, fields, strict=True):
            cells = [_cell(row[name]) for name in columns]
            self.add_row(*cells, key=entry.change_id, height=None)


class AuditDetail(ModalScreen[None]):
    """Every field of one change, intent and outcome, wrapped, never cut."""

    DEFAULT_CSS = """
    #audit-detail-dialog {
        width: 100%;
        height: 90%;
    }
    #audit-detail-fields {
        height: 1fr;
    }
    """
    BINDINGS = [Binding("escape,q,enter", "close", "close", id="audit-detail.close")]

    def __init__(self, entry: AuditEntry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        with Vertical(id="audit-detail-dialog", classes="dialog") as dialog:
            dialog.border_title = f"Change {self.entry.change_id[:8]}"
            with VerticalScroll(id="audit-detail-fields"):
                yield Static(self.text(), id="audit-detail-text")
            yield Static("esc: back to the list", classes="dialog-keys")

    def text(self) -> Text:
        fields = detail_fields(self.entry)
        label_width = max(len(label) for label, _ in fields) + 2
        text = Text()
        for label, value in fields:
            text.append(f"{label:<{label_width}}", style="bold")
            text.append(printable(value) + "\n")
        text.rstrip()
        return text

    def action_close(self) -> None:
        self.dismiss(None)


class AuditScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("f", "toggle_filter", "this endpoint / all", id="audit.filter"),
        Binding("escape,q,a", "close", "close", id="audit.close"),
    ]

    def __init__(
        self,
        audit: AuditReader,
        endpoint: str | None,
        outside: Callable[[str], list[TrailChange]] | None = None,
    ) -> None:
        super().__init__()
        self.audit = audit
        self.endpoint = endpoint
        #: Blocking: the endpoint's changes made outside canary-tui (CloudTrail), or None.
        self.outside = outside
        self.show_all = endpoint is None
        self.entries: dict[str, AuditEntry] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="audit-dialog", classes="dialog") as dialog:
            dialog.border_title = "Audit log"
            yield Static("reading…", id="audit-summary")
            yield AuditTable(id="audit-table", cursor_type="row", cell_padding=_PAD)
            yield Static(id="audit-outside")
            yield Static(
                "enter: every field   f: this endpoint / all   esc: close", classes="dialog-keys"
            )

    def on_mount(self) -> None:
        self.query_one("#audit-outside", Static).display = False
        self._load()
        if self.outside is not None and self.endpoint is not None:
            self._load_outside(self.endpoint)

    @work(thread=True, exit_on_error=False, group="audit-outside", exclusive=True)
    def _load_outside(self, endpoint: str) -> None:
        assert self.outside is not None
        try:
            changes = self.outside(endpoint)
        except AwsError as error:
            text = printable(
                f"CloudTrail: cannot say who else changed {endpoint} ({error.message})"
            )
        else:
            lines = [
                f"{change.time:%Y-%m-%d %H:%M}  {change.caller}  {change.summary}"
                for change in changes[-5:]
            ]
            heading = "Outside canary-tui (CloudTrail, last 24 h, ~5 min behind)"
            text = "\n".join(
                printable(line) for line in [f"{heading}: {len(changes) or 'none'}", *lines]
            )
        self.app.call_from_thread(self._show_outside, text)

    def _show_outside(self, text: str) -> None:
        # Each line was made printable (CloudTrail text is not ours); the breaks are ours.
        line = self.query_one("#audit-outside", Static)
        line.update(Text(text))
        line.display = True

    @work(thread=True, exit_on_error=False, group="audit", exclusive=True)
    def _load(self) -> None:
        reading = self.audit.read(None if self.show_all else self.endpoint)
        self.app.call_from_thread(self._show, reading)

    def _show(self, reading: AuditReading) -> None:
        table = self.query_one(AuditTable)
        entries = list(reading.entries)
        self.entries = {entry.change_id: entry for entry in entries}
        table.show(entries, table.size.width or self.app.size.width - 4)
        if entries:
            table.move_cursor(row=len(entries) - 1, animate=False)
        scope = "all endpoints" if self.show_all else self.endpoint
        summary = f"{len(entries)} change(s) · {scope} · oldest first"
        unfinished = len(reading.unfinished)
        if unfinished:
            summary += f" · {unfinished} UNFINISHED (intent written, no outcome)"
        if reading.skipped:
            summary += f" · {len(reading.skipped)} unreadable line(s) skipped"
        if reading.flagged:
            summary += f" · {len(reading.flagged)} time(s) without a zone read as UTC (?)"
        team = getattr(self.audit, "team", None)  # a TeamAuditReader: the team's trail too
        if team is not None:
            summary += (
                " · this machine's log only (the team trail is per endpoint)"
                if self.show_all
                else f" · with team table {team.table_name}"
            )
        problem = getattr(self.audit, "problem", None)
        if problem:
            summary += f" · {problem}"
        self.query_one("#audit-summary", Static).update(Text(printable(summary)))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        entry = self.entries.get(str(event.row_key.value))
        if entry is not None:
            event.stop()
            self.app.push_screen(AuditDetail(entry))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group == "audit":
            self.query_one("#audit-summary", Static).update(
                Text(printable(f"cannot read the audit log: {event.worker.error}"))
            )

    def action_toggle_filter(self) -> None:
        if self.endpoint is None:
            return
        self.show_all = not self.show_all
        self._load()

    def action_close(self) -> None:
        self.dismiss(None)
