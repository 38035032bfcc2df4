"""The key footer, without Textual's leak of old footer keys."""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer that lets go of the keys it replaced.

    Each FooterKey is data-bound to ``Footer.compact``; the binding's watcher keeps the key
    alive until ``compact`` changes, which in this console it never does. The footer
    recomposes on every focus or screen change, so over hours a console kept every key it
    ever showed (found by the soak test: hundreds of detached keys, ~10 MB per 100 steps).
    Re-announcing ``compact`` after a recompose makes Textual prune the watchers of removed
    keys (the live keys just get the same value again).
    """

    async def recompose(self) -> None:
        await super().recompose()
        self.mutate_reactive(Footer.compact)
