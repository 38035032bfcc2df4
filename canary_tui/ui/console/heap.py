"""Keeping Python's cyclic garbage collector out of the keystrokes of a long list.

At 5,000 endpoints the process holds about a million objects (botocore's service models,
Textual, the list and its rows), and a full collection walks all of them: 100-200 ms on the
event loop, at a moment nobody chooses, which was every spike over 50 ms of a filter
keystroke or `w` in the scale benchmark (p99 240 ms with the collector, 80 ms without).

``gc.freeze()`` moves what exists now out of the collector's walks. It is done twice: after
the first poll (modules, clients, the console's own widgets: alive for the whole run) and
once the background pass has described the whole list. Frozen objects are still freed by
reference counting when dropped (a replaced description, a row); only a *cycle* among them
would be kept, and what exists at those two moments is the long-lived part of the console.
"""

from __future__ import annotations

import gc


class HeapSettler:
    def __init__(self) -> None:
        self._after_poll = False
        self._after_pass = False

    def round_done(self, described: int, listed: int) -> None:
        """After a poll or a background round: freeze what is there, at most twice a run."""
        if not self._after_poll:
            self._after_poll = True
            gc.freeze()
        elif not self._after_pass and listed and described >= listed:
            self._after_pass = True
            gc.freeze()
