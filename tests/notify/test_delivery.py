"""Delivery against a real HTTP receiver on loopback: success, retries after a 5xx, a 429's
Retry-After, no retry on a 4xx, a receiver that never answers, a full queue, the bounded
flush at exit, and the caller never waiting for any of it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from canary_tui.notify.events import Event
from canary_tui.notify.hub import Hub
from canary_tui.notify.retry import RetryPolicy, decide_status, retry_after_seconds
from canary_tui.notify.sender import DeliveryResult
from canary_tui.notify.targets import EventKind, Webhook

from .receiver import HANG, receiver

FAST = RetryPolicy(max_attempts=4, base_delay_seconds=0.01, max_delay_seconds=0.05)
NOW = datetime(2026, 12, 3, 10, 32, tzinfo=UTC)


def event(endpoint: str = "ep") -> Event:
    return Event(
        EventKind.CHANGE_APPLIED,
        NOW,
        endpoint,
        f"change applied on {endpoint}",
        region="eu-west-1",
        shares_before={"a": 90.0, "b": 10.0},
        shares_after={"a": 75.0, "b": 25.0},
    )


class Results:
    def __init__(self) -> None:
        self.items: list[DeliveryResult] = []
        self.changed = threading.Condition()

    def __call__(self, result: DeliveryResult) -> None:
        with self.changed:
            self.items.append(result)
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[DeliveryResult]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.items) >= count, timeout)
            return list(self.items)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    handler = Lines()
    logger = logging.getLogger("canary_tui.notify")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)


def hub_for(url: str, results: Results, **webhook: object) -> Hub:
    hook = Webhook(url=url, name="test", **webhook)  # type: ignore[arg-type]
    hub = Hub([hook], policy=FAST)
    hub.listen(results)
    return hub


def test_success_posts_the_json_body_once(log_lines: list[str]) -> None:
    results = Results()
    with receiver((200, {})) as server:
        hub = hub_for(server.url, results)
        hub.publish(event())
        (result,) = results.wait_for(1)
        assert result.delivered and result.attempts == 1
        (request,) = server.requests
        assert request.path == "/hooks/s3cr3t"
        assert request.headers["Content-Type"] == "application/json"
        assert request.body["schema"] == "canary-tui.event/1"
        assert request.body["traffic_percent_after"] == {"a": 75.0, "b": 25.0}
        assert hub.close(1.0) == 0
    assert any("change.applied on ep delivered" in line for line in log_lines)
    assert not any("s3cr3t" in line for line in log_lines)


def test_slack_format_posts_text_and_blocks() -> None:
    results = Results()
    with receiver((200, {})) as server:
        hub = hub_for(server.url, results, format="slack")
        hub.publish(event())
        results.wait_for(1)
        assert set(server.requests[0].body) == {"text", "blocks"}
        hub.close(1.0)


def test_a_5xx_is_retried_until_it_goes_through() -> None:
    results = Results()
    with receiver((500, {}), (503, {}), (200, {})) as server:
        hub = hub_for(server.url, results)
        hub.publish(event())
        (result,) = results.wait_for(1)
        assert result.delivered and result.attempts == 3 and len(server.requests) == 3
        hub.close(1.0)


def test_a_429_waits_as_long_as_retry_after_says() -> None:
    results = Results()
    with receiver((429, {"Retry-After": "1"}), (200, {})) as server:
        hub = hub_for(server.url, results)
        hub.publish(event())
        (result,) = results.wait_for(1)
        first, second = server.requests
        assert result.delivered and result.attempts == 2
        # The policy alone would wait about 0.01 s.
        assert second.at - first.at >= 0.95
        hub.close(1.0)


@pytest.mark.parametrize("status", [404, 307])
def test_a_4xx_or_a_redirect_is_not_retried(status: int, log_lines: list[str]) -> None:
    results = Results()
    answer = (status, {"Location": "https://elsewhere.example/"} if status == 307 else {})
    with receiver(answer, (200, {})) as server:
        hub = hub_for(server.url, results)
        hub.publish(event())
        (result,) = results.wait_for(1)
        assert not result.delivered and result.attempts == 1 and len(server.requests) == 1
        assert f"HTTP {status}" in result.message
        hub.close(1.0)
    assert any(f"NOT delivered after 1 attempt: HTTP {status}" in line for line in log_lines)


def test_a_receiver_that_never_answers_times_out_and_is_retried() -> None:
    results = Results()
    with receiver(HANG) as server:
        hub = hub_for(server.url, results, timeout_seconds=0.2)
        hub.publish(event())
        (result,) = results.wait_for(1)
        assert not result.delivered and result.attempts == FAST.max_attempts
        assert result.message == "no answer in time"
        assert len(server.requests) == FAST.max_attempts
        hub.close(1.0)


def test_a_closed_port_is_a_connection_error() -> None:
    with receiver((200, {})) as server:
        url = server.url
    results = Results()
    hub = hub_for(url, results)  # nothing listens there any more
    hub.publish(event())
    (result,) = results.wait_for(1)
    assert not result.delivered and result.message.startswith("cannot connect")
    assert "s3cr3t" not in result.line
    hub.close(1.0)


def test_publishing_never_waits_and_a_full_queue_drops_the_oldest() -> None:
    results = Results()
    with receiver(HANG) as server:
        hub = Hub([Webhook(url=server.url, timeout_seconds=30.0)], policy=FAST, max_queue=10)
        hub.listen(results)
        started = time.perf_counter()
        for number in range(5000):
            hub.publish(event(f"ep-{number}"))
        elapsed = time.perf_counter() - started
        # 5,000 appends; a single blocking POST would take the 30 s timeout.
        assert elapsed < 5.0, elapsed
        server.wait_for(1)
        # Closing with a short deadline: the hung one is given up on, the rest abandoned.
        closing = time.perf_counter()
        hub.close(0.3)
        assert time.perf_counter() - closing < 5.0
        server.released.set()
        items = results.wait_for(2)
    (abandoned,) = [item for item in items if item.abandoned]
    assert abandoned.event == "10 queued event(s) (change.applied)"
    assert abandoned.endpoint == "ep-4990, ep-4991, ep-4992 and 7 more"
    assert "not sent: canary-tui exited first" in abandoned.line
    assert sum(item.dropped for item in items) in (5000 - 10, 5000 - 11)


def test_the_exit_flush_delivers_what_is_queued() -> None:
    results = Results()
    with receiver((200, {})) as server:
        hub = hub_for(server.url, results)
        for number in range(5):
            hub.publish(event(f"ep-{number}"))
        assert hub.close(5.0) == 0
        assert len(server.requests) == 5 and all(item.delivered for item in results.items)


def test_events_are_filtered_by_kind_and_profile() -> None:
    results = Results()
    with receiver((200, {})) as server:
        hook = Webhook(
            url=server.url, events=frozenset({EventKind.CHANGE_FAILED}), profiles=("prod-*",)
        )
        hub = Hub([hook], policy=FAST)
        hub.listen(results)
        assert not hub.wants(EventKind.CHANGE_APPLIED, "prod-1")
        assert hub.wants(EventKind.CHANGE_FAILED, "prod-1")
        hub.publish(event())  # change.applied: not wanted
        failed = Event(EventKind.CHANGE_FAILED, NOW, "ep", "failed", profile="dev")
        hub.publish(failed)  # wrong profile
        hub.publish(Event(EventKind.CHANGE_FAILED, NOW, "ep", "failed", profile="prod-1"))
        (result,) = results.wait_for(1)
        hub.close(1.0)
        assert [request.body["summary"] for request in server.requests] == ["failed"]
        assert result.delivered


def test_retry_decisions() -> None:
    policy = RetryPolicy()
    assert decide_status(204, {}, policy).delivered
    assert decide_status(502, {}, policy).retry
    assert not decide_status(400, {}, policy).retry and not decide_status(410, {}, policy).retry
    assert not decide_status(302, {}, policy).retry
    limited = decide_status(429, {"retry-after": "7"}, policy)
    assert limited.retry and limited.wait_seconds == 7.0
    assert decide_status(429, {"Retry-After": "3600"}, policy).wait_seconds == 60.0
    assert decide_status(429, {}, policy).wait_seconds is None
    when = datetime(2026, 12, 3, 10, 32, 30, tzinfo=UTC)
    assert retry_after_seconds("Thu, 03 Dec 2026 10:33:00 GMT", when) == 30.0
    assert retry_after_seconds("soon", when) is None


def test_backoff_grows_with_jitter_and_is_never_zero() -> None:
    policy = RetryPolicy(base_delay_seconds=1.0, max_delay_seconds=30.0)
    assert [policy.backoff(n, lambda: 0.0) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert [policy.backoff(n, lambda: 1.0) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert policy.backoff(10, lambda: 1.0) == 30.0 and policy.backoff(10, lambda: 0.0) == 15.0
