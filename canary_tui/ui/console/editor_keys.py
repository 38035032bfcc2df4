"""Keys typed right after the key that opens an editor, the filter or the command line,
kept for the field it opens.

Textual runs a key's action only after the keys queued behind it have reached the screen, so
a burst such as ``w ] enter y`` (typed ahead, or one packet over a laggy SSH link) lost
everything after ``w``. The console hands every key it sees here: after one bound (with the
keymap setting applied) to an editor's action, the next keys are held in a ``TypeAhead`` the
change flow passes to the editor, which replays them. The filter (`/`) and the command line
(`:`, an app binding) take them the same way and type them in (``typeahead.type_into``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding

from canary_tui.ui.console.bindings import opens_input
from canary_tui.ui.screens.typeahead import TypeAhead

if TYPE_CHECKING:
    from textual.screen import Screen


class EditorKeys:
    def __init__(self, screen: Screen[None]) -> None:
        self.screen = screen
        self.typed: TypeAhead | None = None

    def key_typed(self, event: events.Key) -> None:
        if self.typed is not None and self.typed.keep(event):
            event.stop()
            event.prevent_default()
        elif opens_input(self._effective_bindings(), event.key):
            self.typed = TypeAhead()

    def _effective_bindings(self) -> dict[str, list[Binding]]:
        # As Textual resolves them: the app's and the screen's bindings with the keymap
        # setting applied (keymap = {weights = "e"} moves the editor off w).
        keymap = self.screen.app._keymap
        merged: dict[str, list[Binding]] = {}
        for source in (self.screen.app._bindings, self.screen._bindings):
            bindings = source.copy()
            if keymap:
                bindings.apply_keymap(keymap)
            for key, found in bindings.key_to_bindings.items():
                merged.setdefault(key, []).extend(found)
        return merged

    def take(self) -> TypeAhead:
        """What was held (empty if nothing), and stop holding."""
        typed, self.typed = self.typed or TypeAhead(), None
        return typed
