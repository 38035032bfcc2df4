"""A fake clock for ramps: time moves only when the runner waits, and traffic is published
by the demo's simulator for exactly the time that passed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta


class FakeClock:
    """``wait`` advances time by the requested seconds (or not at all when woken by a
    control request) and then runs every hook with the new time, in order."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self.hooks: list[Callable[[datetime], None]] = []
        self.waited = 0.0

    def now(self) -> datetime:
        return self._now

    def wait(self, seconds: float, wake: threading.Event) -> None:
        if wake.is_set():
            return
        self._now += timedelta(seconds=seconds)
        self.waited += seconds
        for hook in list(self.hooks):
            hook(self._now)

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        """Run ``action`` once, the first time the clock reaches ``moment``."""
        done = False

        def hook(now: datetime) -> None:
            nonlocal done
            if not done and now >= moment:
                done = True
                action()

        self.hooks.append(hook)
