"""`:` opens a one-line command prompt at the bottom, like k9s: `:profile NAME`,
`:region NAME`, `:theme NAME`, `:q`. Tab accepts the suggested completion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input

#: Command words and what they take.
COMMANDS = {
    "profile": "NAME",
    "region": "NAME",
    "theme": "NAME",
    "quit": "",
}
_ALIASES = {"q": "quit", "ctx": "profile", "p": "profile", "r": "region"}


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
    profiles: Sequence[str], regions: Sequence[str], themes: Sequence[str]
) -> list[str]:
    """Every full command line the prompt can suggest, most useful first."""
    lines = [f"profile {name}" for name in profiles]
    lines += [f"region {name}" for name in regions]
    lines += [f"theme {name}" for name in themes]
    return [*lines, "quit"]


class CommandLine(ModalScreen[Command | None]):
    """Returns the parsed command, or None on esc. Bad input stays in the prompt, flagged."""

    BINDINGS = [Binding("escape", "cancel", "cancel", id="command-line.cancel")]
    AUTO_FOCUS = "#command-input"

    def __init__(self, suggestions: Sequence[str] = ()) -> None:
        super().__init__()
        self.suggestions = list(suggestions)
        self._dismissed = False

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="profile NAME | region NAME | theme NAME | q   (tab completes, esc closes)",
            suggester=SuggestFromList(self.suggestions, case_sensitive=False),
            id="command-input",
        )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

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
        self.dismiss(command)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.input.remove_class("-invalid")

    def action_cancel(self) -> None:
        self.dismiss(None)
