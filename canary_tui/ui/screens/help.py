"""`?`: every key of the console and of its dialogs, from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from canary_tui.ui.keymap import keymap_in_effect, rebound
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.editor import WeightEditor

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "space": "space",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "shift+tab": "shift+tab",
}


def key_label(key: str) -> str:
    return ", ".join(_KEY_NAMES.get(part, part) for part in key.split(","))


def bindings_table(title: str, bindings: Iterable[Binding]) -> Table:
    table = Table(title=title, title_justify="left", box=None, show_header=False)
    table.add_column("key", style="bold", min_width=10)
    table.add_column("action")
    for binding in bindings:
        table.add_row(key_label(binding.key), binding.tooltip or binding.description)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "close", id="help.close"),
    ]

    def __init__(self, console_bindings: list[Binding], read_only: bool) -> None:
        super().__init__()
        self.console_bindings = console_bindings
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog", classes="dialog") as dialog:
            dialog.border_title = "Keys"
            if self.read_only:
                yield Static("READ-ONLY: write keys are disabled.", id="help-read-only")
            keymap = keymap_in_effect(self.app)
            console_keys = [rebound(binding, keymap) for binding in self.console_bindings]
            yield Static(bindings_table("Console", console_keys))
            if not self.read_only:
                yield Static(bindings_table("Weight editor", _dialog_bindings(WeightEditor)))
                yield Static(bindings_table("Confirm dialog", _dialog_bindings(ConfirmChange)))
            yield Static("esc closes this help; ctrl+p searches every action.")

    def action_close(self) -> None:
        self.dismiss(None)


def _dialog_bindings(screen: type[ModalScreen[Any]]) -> list[Binding]:
    return [b for b in screen.BINDINGS if isinstance(b, Binding)]
