"""`:` opens a one-line command prompt at the bottom, like k9s: `:profile NAME`,
`:region NAME`, `:theme NAME`, `:ep NAME`, `:q`. Tab accepts the suggested completion;
up and down walk through the commands given before (this session's, newest first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input

from canary_tui.ui.screens.typeahead import type_into

#: Command words and what they take.
COMMANDS = {
    "profile": "NAME",
    "region": "NAME",
    "theme": "NAME",
    "endpoint": "NAME",
    "messages": "",
    "quit": "",
}
_ALIASES = {
    "q": "quit",
    "ctx": "profile",
    "p": "profile",
    "r": "region",
    "ep": "endpoint",
    "msg": "messages",
}
#: Commands remembered for up/down (this session only: they may name accounts).
HISTORY_SIZE = 50


class CommandError(ValueError):
    """What was typed is not a command: the message is one line for a notification."""


@dataclass(frozen=True, slots=True)
class Command:
    verb: str
    argument: str | None = None


def parse_command(text: str) -> Command:
    words = text.strip().removeprefix(":").split()
    if not words:
        raise CommandError("empty command; try :profile NAME or :region NAME")
    verb = _ALIASES.get(words[0].lower(), words[0].lower())
    if verb not in COMMANDS:
        known = ", ".join(f":{name}" for name in COMMANDS)
        raise CommandError(f"unknown command :{words[0]} (known: {known})")
    takes_argument = bool(COMMANDS[verb])
    if takes_argument and len(words) != 2:
        raise CommandError(f"usage: :{verb} {COMMANDS[verb]}")
    if not takes_argument and len(words) != 1:
        raise CommandError(f"usage: :{verb}")
    return Command(verb, words[1] if takes_argument else None)


def completions(
    profiles: Sequence[str],
    regions: Sequence[str],
    themes: Sequence[str],
    endpoints: Sequence[str] = (),
) -> list[str]:
    """Every full command line the prompt can suggest, most useful first."""
    lines = [f"profile {name}" for name in profiles]
    lines += [f"region {name}" for name in regions]
    lines += [f"theme {name}" for name in themes]
    lines += [f"ep {name}" for name in endpoints]
    return [*lines, "messages", "quit"]


def remember(history: list[str], line: str) -> None:
    """Newest first, no repeats, at most HISTORY_SIZE."""
    line = line.strip()
    if not line:
        return
    if line in history:
        history.remove(line)
    history.insert(0, line)
    del history[HISTORY_SIZE:]


class CommandLine(ModalScreen[Command | None]):
    """Returns the parsed command, or None on esc. Bad input stays in the prompt, flagged."""

    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="command-line.cancel"),
        Binding("up", "history(1)", "older", show=False, id="command-line.older"),
        Binding("down", "history(-1)", "newer", show=False, id="command-line.newer"),
    ]
    AUTO_FOCUS = "#command-input"

    def __init__(
        self,
        suggestions: Sequence[str] = (),
        history: list[str] | None = None,
        *,
        typed_ahead: list[events.Key] | None = None,
    ) -> None:
        super().__init__()
        #: Keys typed after `:` before this screen was there (a burst: `:ep fraud-scoring⏎`).
        self.typed_ahead = list(typed_ahead or [])
        self.suggestions = list(suggestions)
        #: The app's list, newest first; a command that parses is added to it.
        self.history = history if history is not None else []
        self._position = -1  # -1: what is being typed, 0: the newest remembered
        self._typed = ""
        self._dismissed = False

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="profile | region | theme | ep NAME | q   (tab completes, ↑ history)",
            suggester=SuggestFromList(self.suggestions, case_sensitive=False),
            id="command-input",
        )

    def on_mount(self) -> None:
        # Synchronously: a deferred focus() let the rest of a burst (`:ep fraud-scoring`
        # typed in one packet over SSH) reach the screen before the field and be dropped.
        field = self.query_one(Input)
        self.set_focus(field)
        # Keys after an enter or escape in the burst are dropped: typed before anyone saw
        # what the command did, they must not act on the profile or region it switched to.
        ended, _ = type_into(field, self.typed_ahead)
        self.typed_ahead = []
        if ended == "escape":
            self.action_cancel()
        elif ended == "enter":
            self.call_later(field.action_submit)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self._dismissed:
            return
        try:
            command = parse_command(event.value)
        except CommandError as error:
            event.input.add_class("-invalid")
            self.notify(str(error), severity="warning", timeout=5)
            return
        self._dismissed = True
        remember(self.history, event.value)
        self.dismiss(command)

    def action_history(self, step: int) -> None:
        field = self.query_one(Input)
        if self._position == -1:
            self._typed = field.value
        position = max(-1, min(len(self.history) - 1, self._position + step))
        if position == self._position:
            return
        self._position = position
        field.value = self._typed if position == -1 else self.history[position]
        field.cursor_position = len(field.value)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.input.remove_class("-invalid")

    def action_cancel(self) -> None:
        self.dismiss(None)
