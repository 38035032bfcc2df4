"""When to try a delivery again, and after how long. Pure: no I/O, the randomness passed in.

Retried: a 5xx, a 429 (after its Retry-After when it gives one), a timeout and a connection
that failed or dropped. Not retried: any other 4xx (the request is wrong: trying again only
repeats it) and a redirect (a POST is not re-sent elsewhere). Waits grow exponentially with
"equal jitter" (half fixed, half random), so many senders hit by one outage do not retry in
step, and no wait is ever zero.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    #: Attempts in all, the first included.
    max_attempts: int = 5
    #: The wait before the second attempt, before jitter; doubled for each one after.
    base_delay_seconds: float = 1.0
    max_delay_seconds: float = 30.0
    #: A Retry-After longer than this is cut to it (a receiver asking for an hour would hold
    #: every later event of the same webhook).
    max_retry_after_seconds: float = 60.0

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """The wait after failed attempt number ``attempt`` (1 = the first)."""
        growth = float(2 ** (attempt - 1))
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * growth)
        return ceiling / 2 + rand() * ceiling / 2


@dataclass(frozen=True, slots=True)
class Decision:
    delivered: bool = False
    retry: bool = False
    #: Seconds to wait before the next attempt; None: the policy's backoff.
    wait_seconds: float | None = None
    #: What happened, for the log (never the URL).
    message: str = ""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: ``"120"`` or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def decide_status(
    status: int, headers: Mapping[str, str], policy: RetryPolicy, now: datetime | None = None
) -> Decision:
    if 200 <= status < 300:
        return Decision(delivered=True, message=f"HTTP {status}")
    if status == 429:
        after = retry_after_seconds(_header(headers, "Retry-After"), now)
        wait = None if after is None else min(after, policy.max_retry_after_seconds)
        return Decision(retry=True, wait_seconds=wait, message="HTTP 429 (rate limited)")
    if status >= 500:
        return Decision(retry=True, message=f"HTTP {status}")
    if 300 <= status < 400:
        return Decision(message=f"HTTP {status}: a redirect is not followed for a POST")
    return Decision(message=f"HTTP {status}: the receiver refused the request (not retried)")


def decide_error(description: str) -> Decision:
    """A timeout or a connection problem: the receiver may be back in a moment."""
    return Decision(retry=True, message=description)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
