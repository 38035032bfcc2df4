"""Waiting for an endpoint to settle before a rollback is sent (fake clock, no sleeping)."""

from __future__ import annotations

import pytest

from canary_tui.aws.errors import AccessDenied, Throttled, UpdateInProgress
from canary_tui.changes import SettleTimeout
from canary_tui.domain.models import Endpoint, Variant
from canary_tui.settle import Backoff, EndpointStuck, Settler, send_when_settled


def endpoint(status: str, *, settling: bool = False, reason: str | None = None) -> Endpoint:
    current, canary = (0.5, 0.5) if settling else (0.9, 0.1)
    variants = (
        Variant("current-model", current, 0.9, 2, 2),
        Variant("new-model", canary, 0.1, 1, 1),
    )
    return Endpoint("prod-x", status, variants, failure_reason=reason)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds


class Script:
    """DescribeEndpoint answers, one per read; the last one repeats."""

    def __init__(self, *answers: Endpoint | Exception) -> None:
        self.answers = list(answers)
        self.reads = 0

    def __call__(self) -> Endpoint:
        self.reads += 1
        answer = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def settler(script: Script, fake: FakeTime) -> Settler:
    return Settler(script, clock=fake.clock, sleep=fake.sleep)


def test_reads_with_a_growing_pause_until_in_service() -> None:
    fake = FakeTime()
    script = Script(*[endpoint("Updating")] * 6, endpoint("InService"))
    settled = settler(script, fake).wait(deadline=1800, timeout=1800)
    assert settled.status == "InService"
    assert fake.sleeps == [5, 10, 20, 40, 60, 60]
    assert script.reads == 7


def test_in_service_but_still_shifting_weights_is_not_settled() -> None:
    fake = FakeTime()
    script = Script(endpoint("InService", settling=True), endpoint("InService"))
    assert settler(script, fake).wait(1800, 1800).status == "InService"
    assert fake.sleeps == [5]


def test_gives_up_at_the_deadline_and_says_nothing_was_sent() -> None:
    fake = FakeTime()
    with pytest.raises(SettleTimeout, match="did not settle within 100s") as raised:
        settler(Script(endpoint("Updating")), fake).wait(deadline=100, timeout=100)
    assert "last status: Updating" in raised.value.message
    assert sum(fake.sleeps) == pytest.approx(100)  # the last pause is cut to the deadline


@pytest.mark.parametrize("status", ["Failed", "UpdateRollbackFailed", "OutOfService"])
def test_terminal_statuses_stop_at_once(status: str) -> None:
    fake = FakeTime()
    script = Script(endpoint("Updating"), endpoint(status, reason="boom"))
    with pytest.raises(EndpointStuck) as raised:
        settler(script, fake).wait(1800, 1800)
    assert f"prod-x is {status} (boom)" in raised.value.message
    assert fake.sleeps == [5]


def test_transient_read_errors_are_waited_out_others_raise() -> None:
    fake = FakeTime()
    script = Script(Throttled("slow down"), endpoint("InService"))
    assert settler(script, fake).wait(1800, 1800).status == "InService"
    with pytest.raises(AccessDenied):
        settler(Script(AccessDenied("no")), fake).wait(1800, 1800)


def test_backoff_is_bounded_for_huge_attempt_numbers() -> None:
    assert Backoff().pause(10_000) == 60.0


def test_sends_once_after_the_endpoint_settles() -> None:
    fake = FakeTime()
    script = Script(endpoint("Updating"), endpoint("Updating"), endpoint("InService"))
    sent: list[Endpoint] = []

    def send(live: Endpoint) -> str:
        sent.append(live)
        return "sent"

    outcome = send_when_settled(
        settler(script, fake),
        send,
        timeout=1800,
        is_done=lambda _: False,
        try_again=lambda _: False,
    )
    assert outcome.result == "sent" and outcome.waited
    assert [live.status for live in sent] == ["InService"]


def test_nothing_is_sent_when_already_done() -> None:
    fake = FakeTime()
    calls: list[Endpoint] = []
    outcome = send_when_settled(
        settler(Script(endpoint("InService")), fake),
        calls.append,
        timeout=10,
        is_done=lambda _: True,
        try_again=lambda _: False,
    )
    assert outcome.result is None and not outcome.waited and calls == []


def test_a_busy_answer_goes_back_to_waiting_within_the_deadline() -> None:
    fake = FakeTime()
    script = Script(endpoint("InService"))
    answers: list[Exception | None] = [UpdateInProgress("in progress"), None]

    def send(live: Endpoint) -> int:
        answer = answers.pop(0)
        if answer is not None:
            raise answer
        return 1

    outcome = send_when_settled(
        settler(script, fake),
        send,
        timeout=1800,
        is_done=lambda _: False,
        try_again=lambda error: isinstance(error, UpdateInProgress),
    )
    assert outcome.result == 1 and outcome.waited
    assert answers == []


def test_always_busy_ends_at_the_deadline() -> None:
    fake = FakeTime()

    def send(live: Endpoint) -> int:
        raise UpdateInProgress("Cannot update in-progress endpoint")

    with pytest.raises(SettleTimeout, match="stayed busy for 30s"):
        send_when_settled(
            settler(Script(endpoint("InService")), fake),
            send,
            timeout=30,
            is_done=lambda _: False,
            try_again=lambda _: True,
        )
    assert fake.now == pytest.approx(30)


def test_other_send_errors_propagate_without_a_second_send() -> None:
    fake = FakeTime()
    calls = 0

    def send(live: Endpoint) -> int:
        nonlocal calls
        calls += 1
        raise AccessDenied("denied")

    with pytest.raises(AccessDenied):
        send_when_settled(
            settler(Script(endpoint("InService")), fake),
            send,
            timeout=1800,
            is_done=lambda _: False,
            try_again=lambda error: isinstance(error, UpdateInProgress),
        )
    assert calls == 1


def test_on_wait_is_told_what_is_awaited() -> None:
    fake = FakeTime()
    seen: list[tuple[str | None, float]] = []
    waiting = Settler(
        Script(endpoint("Updating"), endpoint("InService")),
        clock=fake.clock,
        sleep=fake.sleep,
        on_wait=lambda live, pause: seen.append((live.status if live else None, pause)),
    )
    waiting.wait(100, 100)
    assert seen == [("Updating", 5.0)]
