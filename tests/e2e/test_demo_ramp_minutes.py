"""The demo's ramp finishes in minutes, not 40 (issue 14): the demo console's ramp, built
from the demo's own settings exactly as the console builds it (``ramp_launcher``), runs on
the demo server with the simulator's fake clock (no sleeps: simulated minutes take
milliseconds). And a 1 min bake is no longer held INCONCLUSIVE for want of periods while the
panel says PASS: the step bakes again for as long as the verdict says its data needs."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from canary_tui.audit import AuditLog
from canary_tui.cli.console import ramp_launcher
from canary_tui.demo.quality import QUALITY_ENV, demo_quality_override
from canary_tui.demo.ramp_defaults import demo_ramp_override
from canary_tui.demo.seed import CANARY_ENDPOINT, CANARY_VARIANT
from canary_tui.demo.simulator import TrafficSimulator, demo_traffic
from canary_tui.domain.ramp import Phase, RampPlan, RampState
from canary_tui.ramp import RampControl
from tests.e2e import test_ramp_demo
from tests.e2e.test_ramp_demo import T0, canary_weights, clients_at, demo_backend
from tests.ramp_helpers import FakeClock

demo_server = test_ramp_demo.demo_server
demo_url = test_ramp_demo.demo_url


def demo_console_ramp(
    url: str, scenario: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[RampState, FakeClock]:
    """The ramp the demo console's ``r`` then ``y`` starts, with the demo's settings."""
    for name, value in {**demo_quality_override(), **demo_ramp_override()}.items():
        monkeypatch.setenv(name, value)
    clock = FakeClock(T0)
    sagemaker, cloudwatch = clients_at(url)
    simulator = TrafficSimulator(
        sagemaker, cloudwatch, traffic=demo_traffic(scenario), seed=3, now=clock.now
    )
    simulator.backfill(T0, timedelta(minutes=30))

    def publish(now: datetime) -> None:
        simulator.tick(now)

    clock.hooks.append(publish)
    launcher = ramp_launcher(demo_backend(url), AuditLog(tmp_path / "audit.jsonl"))
    launcher.clock = clock
    plan = RampPlan(
        endpoint=CANARY_ENDPOINT,
        canary=CANARY_VARIANT,
        steps=launcher.default_steps,
        bake_seconds=launcher.default_bake_seconds,
        bake_requests=launcher.default_bake_requests,
    )
    # As the console, except that a hold returns (a test has no person to decide).
    launcher.settings = replace(launcher.settings, return_when_paused=True)
    runner = launcher.runner(RampControl(), lambda progress: None)
    return runner.run(runner.start(plan)), clock


def test_the_demo_ramp_of_a_healthy_canary_is_done_in_minutes(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    final, clock = demo_console_ramp(demo_url, "healthy", tmp_path, monkeypatch)
    assert final.phase is Phase.DONE, final.status_reason
    assert final.plan.bake_requests == 1000 and final.plan.bake_seconds == 60
    assert QUALITY_ENV in os.environ  # accuracy was judged too
    took = clock.now() - T0
    assert took <= timedelta(minutes=15), took  # not 40
    assert canary_weights(demo_url) == {"current-model": 0.0, CANARY_VARIANT: 1.0}
    passed = [e.message for e in final.history if " passed (" in e.message]
    assert len(passed) == 3 and all("of 1,000 requests" in m for m in passed), passed


def test_the_demo_ramp_still_rolls_a_regression_back(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    final, _ = demo_console_ramp(demo_url, "regression", tmp_path, monkeypatch)
    assert final.phase is Phase.ROLLED_BACK, final.status_reason
    assert canary_weights(demo_url) == {"current-model": 1.0, CANARY_VARIANT: 0.0}
    # The rollback's audit record says what the step had seen of its request count.
    rollback = AuditLog(tmp_path / "audit.jsonl").read().entries[-1].intent.reason or ""
    assert rollback.startswith("ramp rollback: verdict FAIL"), rollback
    assert f"({CANARY_VARIANT} saw " in rollback and " of 1,000 requests in the step)" in rollback


def test_a_1_minute_bake_with_10_periods_is_not_held_inconclusive(
    demo_url: str, tmp_path: Path
) -> None:
    # The reported bug: the default verdict (10 periods), a 1 min bake, the clock alone.
    final = test_ramp_demo.ramp_on_demo(demo_url, "healthy", tmp_path, bake_seconds=60)
    assert final.phase is Phase.DONE, final.status_reason
    again = [e.message for e in final.history if "baking again (1 of 2)" in e.message]
    assert again and "more period" in again[0], again  # waited for the periods it needed
    assert not any("baking again (2 of 2)" in e.message for e in final.history)
