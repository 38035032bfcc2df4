"""The key footer, without Textual's leak of old footer keys."""

from __future__ import annotations

from textual.message import Message
from textual.screen import Screen
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

    #: Bindings changed while a dialog covered this footer's screen: recompose on return.
    _behind_dialog_stale = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        # Opening a dialog takes the focus off the console, which changes its bindings; its
        # footer then rebuilt its 18 keys under the dialog, where nobody reads them, on the
        # path of painting the dialog (`w` -> editor). Rebuilt when the screen is back on top.
        if self.is_attached and screen is self.screen and self.app.screen is not screen:
            self._behind_dialog_stale = True
            return
        super().bindings_changed(screen)

    class _Rebuild(Message):
        """To itself: the keys are composed in the footer's own context (data_bind needs it;
        a callback run on behalf of the screen raised ReactiveError)."""

    def screen_resumed(self) -> None:
        """Called by the screen when it is on top again."""
        if self._behind_dialog_stale:
            self._behind_dialog_stale = False
            self.post_message(self._Rebuild())

    async def _on_key_footer__rebuild(self, message: _Rebuild) -> None:
        await self.recompose()
