"""`a`: the audit log, newest first, for the selected endpoint or all of them."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from canary_tui.audit import AuditEntry, AuditReading
from canary_tui.domain.text import printable
from canary_tui.ui.ports import AuditReader

_COLUMNS = ("time (UTC)", "endpoint", "change", "result", "by", "source", "reason")


def _traffic(shares: dict[str, float] | None) -> str:
    if not shares:
        return "?"
    return "/".join(f"{share:.0f}" for share in shares.values())


def entry_cells(entry: AuditEntry) -> tuple[Text, ...]:
    intent = entry.intent
    if intent.kind == "capacity":
        change = ", ".join(
            f"{name} x{intent.instance_counts_before.get(name)}→{count}"
            for name, count in intent.instance_counts_after.items()
        )
    else:
        before = _traffic(dict(intent.traffic_percent_before))
        after = _traffic(dict(intent.traffic_percent_after))
        change = f"{before} → {after} %"
    result = entry.result
    if entry.outcome is not None and entry.outcome.error_message:
        result = f"{result}: {entry.outcome.error_message}"
    caller = (intent.caller or "?").rsplit("/", 1)[-1]
    time = f"{intent.time:%Y-%m-%d %H:%M:%S}" + ("?" if intent.time_zone_assumed else "")
    # Text, not str: a DataTable reads a str cell as markup, so a reason holding "[/]" from
    # a hand-edited log would crash the screen; control characters are escaped too.
    return tuple(
        Text(printable(cell), no_wrap=True, end="")
        for cell in (
            time,
            intent.endpoint,
            change,
            result,
            caller,
            intent.source,
            intent.reason or "",
        )
    )


class AuditScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("f", "toggle_filter", "this endpoint / all", id="audit.filter"),
        Binding("escape,q,a", "close", "close", id="audit.close"),
    ]

    def __init__(self, audit: AuditReader, endpoint: str | None) -> None:
        super().__init__()
        self.audit = audit
        self.endpoint = endpoint
        self.show_all = endpoint is None

    def compose(self) -> ComposeResult:
        with Vertical(id="audit-dialog", classes="dialog") as dialog:
            dialog.border_title = "Audit log"
            yield Static("reading…", id="audit-summary")
            table: DataTable[Text] = DataTable(id="audit-table", cursor_type="row")
            for column in _COLUMNS:
                table.add_column(column, key=column)
            yield table
            yield Static("f: this endpoint / all   esc: close", classes="dialog-keys")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exit_on_error=False, group="audit", exclusive=True)
    def _load(self) -> None:
        reading = self.audit.read(None if self.show_all else self.endpoint)
        self.app.call_from_thread(self._show, reading)

    def _show(self, reading: AuditReading) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for entry in reversed(reading.entries):
            table.add_row(*entry_cells(entry), key=entry.change_id)
        scope = "all endpoints" if self.show_all else self.endpoint
        summary = f"{len(reading.entries)} change(s) · {scope} · newest first"
        unfinished = len(reading.unfinished)
        if unfinished:
            summary += f" · {unfinished} UNFINISHED (intent written, no outcome)"
        if reading.skipped:
            summary += f" · {len(reading.skipped)} unreadable line(s) skipped"
        if reading.flagged:
            summary += f" · {len(reading.flagged)} time(s) without a zone read as UTC (?)"
        self.query_one("#audit-summary", Static).update(Text(printable(summary)))
        table.focus()

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
