"""The console (Pilot, fake backend): its verdict publishes verdict.failed on the turn to FAIL
only, and a delivery that failed shows in the notice line."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from canary_tui.domain.verdict_thresholds import Outcome
from canary_tui.notify.hub import Hub, installed
from canary_tui.notify.retry import RetryPolicy
from canary_tui.notify.setup import listen_in_console
from canary_tui.notify.targets import Webhook
from canary_tui.ui.console.verdict_part import VerdictComputed
from canary_tui.ui.widgets.verdict import VerdictView
from tests.ui.helpers import console, refresh_and_settle, wait_for
from tests.ui.test_verdict_ramp import CANARY, make_app, verdict_text

from .test_bodies import event_for_console


class Recorder:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, url: str, payload: bytes, timeout: float) -> tuple[int, Mapping[str, str]]:
        with self.lock:
            self.bodies.append(json.loads(payload))
        return self.status, {}


async def test_the_verdict_turning_fail_is_published_once() -> None:
    recorder = Recorder()
    app = make_app()
    with installed(Hub([Webhook(url="https://h.example/x")], transport=recorder)):
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            assert (await verdict_text(app, pilot)).startswith("Verdict FAIL")
            part = console(app).verdict
            failing = part.verdicts[CANARY]
            assert failing.verdict is not None
            # What the console saw a poll earlier: the same canary passing.
            passing = replace(failing.verdict, outcome=Outcome.PASS, reason="fine")
            part.verdicts[CANARY] = VerdictView(CANARY, verdict=passing, window="1h")
            key = part.keys[CANARY]
            part.computed(VerdictComputed(CANARY, key, failing, []))
            part.computed(VerdictComputed(CANARY, key, failing, []))  # the next poll
    # The first look (already FAIL) said nothing; the turn said it once.
    assert [body["event"] for body in recorder.bodies] == ["verdict.failed"]
    (body,) = recorder.bodies
    assert body["endpoint"] == CANARY and body["why"]
    assert {reason["variant"] for reason in body["why"]} == {"new-model"}
    assert body["traffic_percent_after"]


async def test_a_failed_delivery_is_in_the_notice_line() -> None:
    recorder = Recorder(status=403)
    app = make_app()
    hub = Hub([Webhook(url="https://h.example/x", name="oncall")], transport=recorder)
    with installed(hub, flush_seconds=5.0):
        async with app.run_test(size=(80, 24)) as pilot:
            listen_in_console(app)
            hub.publish(event_for_console())
            await wait_for(pilot, lambda: len(app.notices) > 0, "the notice", timeout=20)
            (notice,) = [n for n in app.notices.all() if "webhook" in n.message]
            assert notice.severity == "warning"
            assert notice.message.startswith("webhook oncall: change.applied on ep NOT delivered")
            assert "HTTP 403" in notice.message


def test_policy_default_is_bounded() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 5
    assert sum(policy.backoff(n, lambda: 1.0) for n in range(1, 5)) <= 15.0
