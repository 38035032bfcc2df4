"""Delivery in the background: one thread and one bounded queue per webhook.

:meth:`Channel.put` only appends to a deque under a lock (O(1), no I/O, no callback): a
slow or dead webhook never delays the change or the rollback that produced the event. When
the queue is full the oldest event is dropped and counted; the count is reported with the
next result. Each webhook has its own thread, so one that hangs until its timeout does not
hold up the others. On exit :meth:`Channel.close` gives the thread a deadline: it keeps
delivering until then (waits between retries are cut short by it) and then gives up on what
is left, which is reported, never raised.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from canary_tui import __version__
from canary_tui.notify.bodies import body
from canary_tui.notify.events import Event
from canary_tui.notify.retry import Decision, RetryPolicy, decide_error, decide_status
from canary_tui.notify.targets import Webhook

LOG = logging.getLogger("canary_tui.notify")
DEFAULT_QUEUE_SIZE = 100

#: POST ``body`` to a URL within a timeout; returns the status and headers, raises OSError
#: (TimeoutError, URLError, a reset connection) when there is no answer.
Transport = Callable[[str, bytes, float], tuple[int, Mapping[str, str]]]


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    webhook: str
    event: str
    endpoint: str
    delivered: bool
    attempts: int
    message: str
    #: Events dropped since the last result because the queue was full.
    dropped: int = 0
    #: Not attempted at all (still queued when the exit deadline passed).
    abandoned: bool = False

    @property
    def line(self) -> str:
        what = f"webhook {self.webhook}: {self.event} on {self.endpoint}"
        if self.abandoned:
            text = f"{what} not sent: canary-tui exited first ({self.message})"
        elif self.delivered:
            text = f"{what} delivered ({self.attempts} attempt{'s' * (self.attempts > 1)})"
        else:
            text = f"{what} NOT delivered after {self.attempts} attempt" + (
                f"{'s' * (self.attempts > 1)}: {self.message}"
            )
        if self.dropped:
            text += f"; {self.dropped} older event(s) dropped, the queue was full"
        return text


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # urllib would re-send a POST as a GET without its body


_OPENER = urllib.request.build_opener(_NoRedirect)
# No proxy for this machine's own receivers (a test server, a local relay).
_LOCAL_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


def urllib_transport(url: str, payload: bytes, timeout: float) -> tuple[int, Mapping[str, str]]:
    request = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": f"canary-tui/{__version__}"},
    )
    local = urlsplit(url).hostname in ("localhost", "127.0.0.1", "::1")
    opener = _LOCAL_OPENER if local else _OPENER
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(65536)
            return int(response.status), dict(response.headers.items())
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code), dict(error.headers.items()) if error.headers else {}


def _describe(error: OSError) -> str:
    if isinstance(error, TimeoutError):
        return "no answer in time"
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, TimeoutError):
            return "no answer in time"
        return f"cannot connect ({reason})"
    return f"connection failed ({error.strerror or type(error).__name__})"


class Channel:
    """The queue and thread of one webhook."""

    def __init__(
        self,
        webhook: Webhook,
        on_result: Callable[[DeliveryResult], None],
        *,
        transport: Transport = urllib_transport,
        policy: RetryPolicy | None = None,
        max_queue: int = DEFAULT_QUEUE_SIZE,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.webhook = webhook
        self._on_result = on_result
        self._transport = transport
        self._policy = policy or RetryPolicy()
        self._queue: deque[Event] = deque()
        self._max_queue = max_queue
        self._rand = rand
        self._clock = clock
        self._wake = threading.Condition()
        self._dropped = 0
        self._busy = False
        self._deadline: float | None = None
        self._thread: threading.Thread | None = None

    # -- the caller's side: O(1), never blocks on the network ------------------------------

    def put(self, event: Event) -> None:
        with self._wake:
            if self._deadline is not None:
                return  # closing: nothing new is taken
            if len(self._queue) >= self._max_queue:
                self._queue.popleft()
                self._dropped += 1
            self._queue.append(event)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=f"webhook {self.webhook.label}", daemon=True
                )
                self._thread.start()
            self._wake.notify()

    @property
    def pending(self) -> int:
        with self._wake:
            return len(self._queue) + self._busy

    def close(self, deadline: float) -> None:
        """Stop taking events; deliver what is queued until ``deadline`` (a ``clock`` time)."""
        with self._wake:
            self._deadline = deadline
            self._wake.notify()

    def join(self, timeout: float) -> bool:
        """Wait for the thread to finish; True when it did (or never started)."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(max(0.0, timeout))
        return not thread.is_alive()

    # -- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue and self._deadline is None:
                    self._wake.wait()
                if not self._queue:
                    return  # closing and nothing left
                if self._past_deadline():
                    left = list(self._queue)
                    self._queue.clear()
                    break
                event = self._queue.popleft()
                self._busy = True
            try:
                self._report(self._deliver(event))
            finally:
                with self._wake:
                    self._busy = False
        if left:
            # One line for all of them: an exit is no time for a hundred warnings.
            names = list(dict.fromkeys(event.endpoint for event in left))
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            kinds = "/".join(sorted({event.kind.value for event in left}))
            self._report(
                DeliveryResult(
                    self.webhook.label,
                    f"{len(left)} queued event(s) ({kinds})",
                    shown,
                    delivered=False,
                    attempts=0,
                    message="the exit deadline passed",
                    abandoned=True,
                )
            )

    def _past_deadline(self) -> bool:
        return self._deadline is not None and self._clock() >= self._deadline

    def _deliver(self, event: Event) -> DeliveryResult:
        webhook = self.webhook
        try:
            payload = body(event.completed(), webhook.format)
        except Exception as error:  # a bug in a body must not kill the thread
            return DeliveryResult(
                webhook.label,
                event.kind.value,
                event.endpoint,
                False,
                0,
                f"could not build the body: {type(error).__name__}",
            )
        attempt = 0
        decision = Decision()
        while attempt < self._policy.max_attempts:
            attempt += 1
            decision = self._attempt(payload)
            if decision.delivered or not decision.retry:
                break
            if attempt >= self._policy.max_attempts:
                break
            wait = decision.wait_seconds
            if wait is None:
                wait = self._policy.backoff(attempt, self._rand)
            if not self._pause(wait):
                break  # the exit deadline came first
        return DeliveryResult(
            webhook.label,
            event.kind.value,
            event.endpoint,
            decision.delivered,
            attempt,
            decision.message,
        )

    def _attempt(self, payload: bytes) -> Decision:
        timeout = self.webhook.timeout_seconds
        if self._deadline is not None:
            timeout = max(0.05, min(timeout, self._deadline - self._clock()))
        try:
            status, headers = self._transport(self.webhook.url, payload, timeout)
        except OSError as error:
            return decide_error(_describe(error))
        except Exception as error:  # http.client's odd ones (BadStatusLine, ...)
            return decide_error(f"bad answer ({type(error).__name__})")
        return decide_status(status, headers, self._policy)

    def _pause(self, seconds: float) -> bool:
        """Wait before a retry; False when the exit deadline does not leave time for it."""
        with self._wake:
            end = self._clock() + seconds
            if self._deadline is not None and end > self._deadline:
                return False
            while True:
                left = end - self._clock()
                if left <= 0:
                    return True
                if self._deadline is not None and end > self._deadline:
                    return False
                self._wake.wait(left)

    def _report(self, result: DeliveryResult) -> None:
        with self._wake:
            dropped, self._dropped = self._dropped, 0
        if dropped:
            result = DeliveryResult(
                result.webhook,
                result.event,
                result.endpoint,
                result.delivered,
                result.attempts,
                result.message,
                dropped,
                result.abandoned,
            )
        # The URL is the secret: a message must never carry it.
        line = result.line.replace(self.webhook.url, self.webhook.shown_url)
        if result.delivered and not dropped:
            LOG.info("%s", line)
        else:
            LOG.warning("%s", line)
        try:
            self._on_result(result)
        except Exception:  # a listener's bug must not stop deliveries
            LOG.exception("a notification listener failed")
