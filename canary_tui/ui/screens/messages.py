"""`n` (or `:messages`): every notice of this session, oldest first, the newest in view.
The notice line shows only the latest; this is where the rest are read back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from canary_tui.ui.notices import SEVERITY_MARKS, Notice

SEVERITY_STYLES = {"warning": "bold yellow", "error": "bold red"}


def notices_text(notices: list[Notice]) -> Text:
    if not notices:
        return Text("No messages yet this session.")
    text = Text()
    for index, notice in enumerate(notices):
        if index:
            text.append("\n")
        text.append(f"{notice.at:%H:%M:%S} ", style="dim")
        mark = SEVERITY_MARKS.get(notice.severity, "i")
        text.append(mark, style=SEVERITY_STYLES.get(notice.severity, "bold"))
        text.append(f" {notice.one_line()}")
    return text


class MessagesScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,n", "close", "close", id="messages.close")]

    def __init__(self, notices: list[Notice]) -> None:
        super().__init__()
        self.notices = notices

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="messages-dialog", classes="dialog") as dialog:
            dialog.border_title = f"Messages ({len(self.notices)})"
            dialog.border_subtitle = "esc closes · ↑↓ pgup pgdn scroll"
            yield Static(notices_text(self.notices), id="messages-text")

    def on_mount(self) -> None:
        self.query_one("#messages-dialog", VerticalScroll).scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
