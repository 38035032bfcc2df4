"""The hub: which webhooks receive an event, and the one place events are published to.

The change path, the ramp runner and the console's verdict each make one call,
:func:`publish` (or ask :func:`active` first, to skip building an event nobody wants). A
command that may notify installs a :class:`Hub` for its run (:mod:`canary_tui.notify.setup`);
with none installed, which is the default and what tests get, publishing does nothing. A
registry rather than a constructor argument: the events come from deep inside shared code
(the change service, the ramp loop, a console part), and threading a hub through every
constructor on the way would touch a dozen call sites for one optional observer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from canary_tui.notify.events import Event
from canary_tui.notify.retry import RetryPolicy
from canary_tui.notify.sender import DEFAULT_QUEUE_SIZE, Channel, DeliveryResult, Transport
from canary_tui.notify.sender import urllib_transport as _urllib_transport
from canary_tui.notify.targets import EventKind, Webhook

LOG = logging.getLogger("canary_tui.notify")
#: How long an exiting command waits for queued notifications, at most.
DEFAULT_FLUSH_SECONDS = 3.0
Listener = Callable[[DeliveryResult], None]


class Hub:
    def __init__(
        self,
        webhooks: Sequence[Webhook],
        *,
        transport: Transport = _urllib_transport,
        policy: RetryPolicy | None = None,
        max_queue: int = DEFAULT_QUEUE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.webhooks = tuple(webhooks)
        self._clock = clock
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        self._channels = [
            Channel(
                webhook,
                self._tell,
                transport=transport,
                policy=policy,
                max_queue=max_queue,
                clock=clock,
            )
            for webhook in self.webhooks
        ]

    def wants(self, kind: EventKind, profile: str | None) -> bool:
        return any(webhook.wants(kind, profile) for webhook in self.webhooks)

    def publish(self, event: Event) -> None:
        """Queue ``event`` for every webhook that wants it: no I/O, never blocks."""
        for channel in self._channels:
            if channel.webhook.wants(event.kind, event.profile):
                channel.put(event)

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every delivery result (from a sender thread); returns the
        function that stops it."""
        with self._listeners_lock:
            self._listeners.append(listener)

        def stop() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return stop

    def _tell(self, result: DeliveryResult) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(result)
            except Exception:
                LOG.exception("a notification listener failed")

    def close(self, timeout: float = DEFAULT_FLUSH_SECONDS) -> int:
        """Deliver what is queued for at most ``timeout`` seconds; returns how many events
        were still being sent when the time ran out (logged, never raised)."""
        deadline = self._clock() + timeout
        for channel in self._channels:
            channel.close(deadline)
        unfinished = 0
        for channel in self._channels:
            if not channel.join(deadline - self._clock()):
                unfinished += channel.pending
        if unfinished:
            LOG.warning(
                "%d notification(s) still being sent after %gs at exit; given up",
                unfinished,
                timeout,
            )
        return unfinished


_active: Hub | None = None
_active_lock = threading.Lock()


def active() -> Hub | None:
    """The installed hub, or None (then nothing is published)."""
    return _active


def publish(event: Event) -> None:
    hub = _active
    if hub is not None:
        hub.publish(event)


@contextmanager
def installed(hub: Hub, flush_seconds: float = DEFAULT_FLUSH_SECONDS) -> Iterator[Hub]:
    """``hub`` is where events go until the block ends; then it is flushed (bounded)."""
    global _active
    with _active_lock:
        previous, _active = _active, hub
    try:
        yield hub
    finally:
        with _active_lock:
            _active = previous
        hub.close(flush_seconds)
