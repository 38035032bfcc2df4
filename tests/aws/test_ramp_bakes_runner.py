"""Request-count bakes against moto, with the fake clock and the demo's simulator: a step
bakes until N canary requests and at least T, holds naming both numbers when N does not
come, never counts an incomplete CloudWatch answer as enough, and the audit says so."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from canary_tui.domain.ramp import Phase
from canary_tui.domain.verdict import VerdictThresholds
from tests.aws import test_ramp_runner
from tests.aws.test_ramp_runner import BASELINE, CANARY, T0, plan

#: The runner tests' harness fixture (backend, audit, store, fake clock, simulator).
make_harness = test_ramp_runner.make_harness


def test_each_step_bakes_until_its_requests_and_the_audit_says_how_many(
    make_harness: Any,
) -> None:
    harness = make_harness("healthy")
    # The demo endpoint serves about 2,400 req/min: 240 on the canary at 10 %, so 2,000 take
    # over 8 minutes there although the bake time is 1 minute.
    runner = harness.runner(thresholds=VerdictThresholds(min_periods=3), return_when_paused=True)
    final = runner.run(runner.start(plan(bake_seconds=60.0, bake_requests=2000)))

    assert final.phase is Phase.DONE, final.status_reason
    assert harness.weights() == {BASELINE: 0.0, CANARY: 1.0}
    applied = [e.time for e in final.history if "baking 1m and 2,000 requests" in e.message]
    assert len(applied) == 4
    # 10 % of ~40 req/s: at least 2,000 / 48 per second (a generous rate) after the change.
    assert applied[1] - applied[0] >= timedelta(seconds=2000 / 48)
    assert all(b - a >= timedelta(minutes=1) for a, b in itertools.pairwise(applied))
    passed = [e.message for e in final.history if "passed (" in e.message]
    assert len(passed) == 4 and all("of 2,000 requests" in m for m in passed), passed
    # The first step waited for its requests at the rate it saw, not three 1m bakes.
    assert any("saw " in e.message and "baking again (1 of 2)" in e.message for e in final.history)
    entries = harness.audit.read().entries
    reasons = [e.intent.reason or "" for e in entries]
    assert all("bake 1m and 2,000 requests" in r for r in reasons), reasons
    assert "step 1 passed with " in reasons[0] and " of 2,000 requests" in reasons[0]
    seen = int(reasons[0].split("step 1 passed with ")[1].split(" of")[0].replace(",", ""))
    assert seen >= 2000


def test_too_few_requests_hold_the_ramp_naming_both_numbers(make_harness: Any) -> None:
    harness = make_harness("healthy")
    runner = harness.runner(thresholds=VerdictThresholds(min_periods=3), return_when_paused=True)
    ramp = plan(bake_seconds=60.0, bake_requests=1_000_000, max_extra_bakes=2)
    final = runner.run(runner.start(ramp))

    assert final.phase is Phase.PAUSED
    assert final.step_index == 0
    reason = final.status_reason or ""
    assert reason.startswith(f"needs 1,000,000 requests on {CANARY}, saw "), reason
    assert "after 2 extra bakes" in reason
    assert harness.weights() == {BASELINE: 0.9, CANARY: 0.1}  # never promoted
    # Each extra bake waited at most an hour for requests that would take days.
    assert harness.clock.now() - T0 <= timedelta(minutes=1, hours=2, seconds=120)


def test_an_incomplete_count_is_not_taken_for_enough(make_harness: Any) -> None:
    from tests.aws.faults import FaultInjector

    harness = make_harness("healthy")
    faults = FaultInjector()
    faults.install(harness.backend.clients)

    def partial(response: dict[str, Any]) -> None:
        for result in response.get("MetricDataResults", []):
            result["StatusCode"] = "PartialData"

    faults.rewrite("cloudwatch.GetMetricData", partial)
    runner = harness.runner(return_when_paused=True)
    final = runner.run(
        runner.start(plan(bake_seconds=60.0, bake_requests=1_000_000, max_extra_bakes=0))
    )

    assert final.phase is Phase.PAUSED
    reason = final.status_reason or ""
    assert "saw at least " in reason and "(CloudWatch data incomplete)" in reason, reason
    assert harness.weights() == {BASELINE: 0.9, CANARY: 0.1}
