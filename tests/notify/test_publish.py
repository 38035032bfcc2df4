"""The calls the event sources make: what each publishes, and that with no hub, or a hub
that wants nothing, nothing is built or kept."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from canary_tui.change_guards import AuditFields
from canary_tui.domain.verdict_thresholds import Outcome
from canary_tui.notify import publish
from canary_tui.notify.hub import Hub, installed
from canary_tui.notify.publish import intent_recorded, outcome_recorded, verdict_changed
from canary_tui.notify.targets import Webhook

from .test_bodies import failing_verdict

FIELDS = AuditFields(
    kind="weights",
    weights_before={"a": 0.9, "b": 0.1},
    weights_after={"a": 0.5, "b": 0.5},
    counts_before={"a": 1, "b": 1},
    counts_after={"a": 1, "b": 1},
)
ARN = "arn:aws:sts::111122223333:assumed-role/ops/bob"


class Recorder:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, url: str, payload: bytes, timeout: float) -> tuple[int, Mapping[str, str]]:
        with self.lock:
            self.bodies.append(json.loads(payload))
        return 200, {}


def intent(change_id: str) -> None:
    intent_recorded(
        change_id,
        FIELDS,
        endpoint="ep",
        source="console",
        profile="prod",
        region="eu-west-1",
        reason=None,
        caller=ARN,
    )


def test_each_outcome_is_its_event() -> None:
    recorder = Recorder()
    hub = Hub([Webhook(url="https://h.example/x")], transport=recorder)
    with installed(hub):
        for change_id, result in [("1", "applied"), ("2", "not-applied"), ("3", "unknown")]:
            intent(change_id)
            outcome_recorded(change_id, result, evidence="seen", error_message="boom")
        intent("4")
        outcome_recorded("4", "refused", error_message="guard")  # nothing was sent
        outcome_recorded("5", "applied")  # no intent seen: nothing to say
    events = [(body["event"], body["details"]["change_id"]) for body in recorder.bodies]
    assert events == [("change.applied", "1"), ("change.failed", "2"), ("change.unknown", "3")]
    applied, failed, unknown = recorder.bodies
    assert applied["account"] == "111122223333" and applied["profile"] == "prod"
    assert applied["traffic_percent_after"] == {"a": 50.0, "b": 50.0}  # the plan (no read)
    assert failed["traffic_percent_after"] == {"a": 90.0, "b": 10.0}  # unchanged
    assert failed["why"][0]["text"] == "seen (boom)"
    assert unknown["details"]["traffic_after_is"] == "the plan (not read back)"
    assert publish._intents == {}


def test_the_weights_read_back_are_the_after() -> None:
    recorder = Recorder()
    with installed(Hub([Webhook(url="https://h.example/x")], transport=recorder)):
        intent("1")
        outcome_recorded("1", "unknown", desired_weights_after={"a": 0.7, "b": 0.3})
    assert recorder.bodies[0]["traffic_percent_after"] == {"a": 70.0, "b": 30.0}


def test_without_a_hub_nothing_is_kept() -> None:
    intent("1")
    assert publish._intents == {}
    outcome_recorded("1", "applied")


def test_waiting_intents_are_bounded() -> None:
    with installed(Hub([Webhook(url="https://h.example/x")], transport=Recorder())):
        for number in range(publish.MAX_WAITING_INTENTS + 50):
            intent(str(number))  # outcomes never come: the process is killed, say
        assert len(publish._intents) == publish.MAX_WAITING_INTENTS
        assert "0" not in publish._intents
        publish._intents.clear()


class FakeBackend:
    class clients:
        profile_name = "prod"

    class target:
        region = "eu-west-1"

    class identity:
        @staticmethod
        def caller_arn() -> str:
            return ARN


def test_a_verdict_turning_fail_is_published_once() -> None:
    recorder = Recorder()
    now = datetime(2026, 12, 3, tzinfo=UTC)
    failing = failing_verdict()
    passing = replace(failing, outcome=Outcome.PASS, reason="fine")
    with installed(Hub([Webhook(url="https://h.example/x")], transport=recorder)):
        verdict_changed(FakeBackend(), None, None, failing, now)  # the first look
        verdict_changed(FakeBackend(), None, passing, failing, now)  # the turn
        verdict_changed(FakeBackend(), None, failing, failing, now)  # the next poll
    (body,) = recorder.bodies
    assert body["event"] == "verdict.failed" and body["account"] == "111122223333"
    assert body["region"] == "eu-west-1" and body["why"][0]["p_value_text"] == "< 1e-300"
