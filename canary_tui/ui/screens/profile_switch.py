"""Pick an AWS profile or a region from a list (palette "Switch profile…" / "Switch region…")."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class PickTarget(ModalScreen[str | None]):
    """A filterable list; ``enter`` picks the highlighted entry, ``esc`` cancels."""

    BINDINGS = [Binding("escape", "cancel", "cancel", id="pick.cancel")]

    def __init__(
        self, title: str, choices: Sequence[tuple[str, str]], current: str | None = None
    ) -> None:
        """``choices``: (value, label) pairs, e.g. ("prod-admin", "prod-admin  eu-west-1")."""
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-dialog", classes="dialog") as dialog:
            dialog.border_title = self.title_text
            yield Input(placeholder="type to filter; enter picks, esc cancels", id="pick-filter")
            yield OptionList(*self._options(""), id="pick-list")
            yield Static("", id="pick-empty")

    def on_mount(self) -> None:
        self.query_one("#pick-empty", Static).display = not self.choices
        if not self.choices:
            self.query_one("#pick-empty", Static).update("nothing to pick from")
        options = self.query_one(OptionList)
        for index, (value, _) in enumerate(self.choices):
            if value == self.current:
                options.highlighted = index
        self.query_one("#pick-filter", Input).focus()

    def _options(self, needle: str) -> list[Option]:
        needle = needle.strip().lower()
        marked = [
            Option(f"{label}{'  (current)' if value == self.current else ''}", id=value)
            for value, label in self.choices
            if needle in label.lower()
        ]
        return marked

    @on(Input.Changed, "#pick-filter")
    def _filter(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        if options.option_count:
            options.highlighted = 0

    def key_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def key_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    @on(Input.Submitted, "#pick-filter")
    def _pick_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
