"""ctrl+p: every action of the current screen, by its binding description."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from canary_tui.ui.keymap import keymap_in_effect, rebound


@runtime_checkable
class HasPaletteActions(Protocol):
    def palette_actions(self) -> list[tuple[Binding, Callable[[], object]]]: ...


class ScreenActions(Provider):
    """Offers the bindings the current screen lists as palette actions."""

    def _actions(self) -> list[tuple[Binding, Callable[[], object]]]:
        screen = self.screen
        if isinstance(screen, HasPaletteActions):
            # Shown with the keys the user's key map gives them.
            keymap = keymap_in_effect(self.app)
            return [(rebound(binding, keymap), run) for binding, run in screen.palette_actions()]
        return []

    async def discover(self) -> Hits:
        for binding, run in self._actions():
            yield DiscoveryHit(
                f"{binding.tooltip or binding.description} ({binding.key_display or binding.key})",
                partial(run),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for binding, run in self._actions():
            text = (
                f"{binding.tooltip or binding.description} ({binding.key_display or binding.key})"
            )
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(run))
