"""A console ramp end to end on moto: keys -> plan -> y -> RampRunner in a thread worker ->
the guarded ChangeService -> moto; then abort rolls back. Time is the test's (SteppedClock),
so the first step bakes until the test acts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.changes import ChangeService
from canary_tui.domain.models import traffic_shares
from canary_tui.domain.ramp import Phase
from canary_tui.ramp import RampSettings
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ramping import RampLauncher
from canary_tui.ui.screens.ramp import RampPlanDialog, RampQuestion
from canary_tui.ui.widgets.ramp import RampPanel
from canary_tui.ui.widgets.verdict import VerdictPanel
from tests.conftest import REGION
from tests.ui.fakes import frozen_clock
from tests.ui.helpers import console, refresh_and_settle, wait_for
from tests.ui.ramp_fakes import SteppedClock


def canary_share(sagemaker_client: Any, endpoint: str) -> float:
    described = sagemaker_client.describe_endpoint(EndpointName=endpoint)
    weights = {v["VariantName"]: v["DesiredWeight"] for v in described["ProductionVariants"]}
    return traffic_shares(weights)["new-model"]


async def test_ramp_applies_its_first_step_and_abort_rolls_back(
    backend: Backend, canary_endpoint: str, sagemaker_client: Any, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    launcher = RampLauncher(
        backend,
        audit,
        settings=RampSettings(poll_seconds=60, period_seconds=60),
        clock=SteppedClock(),
    )
    app = CanaryApp(
        backend,
        ChangeService(backend, audit, "console"),
        ConsoleOptions(poll=False, region=REGION),
        audit=audit,
        clock=frozen_clock,
        ramps=launcher,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)
        screen = console(app)
        # No traffic in moto's CloudWatch: the verdict says so instead of guessing.
        verdict = screen.query_one(VerdictPanel)
        await wait_for(pilot, lambda: "INCONCLUSIVE" in verdict.plain, "the verdict", 30)

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "the plan")
        await pilot.press("e", "ctrl+u", *"25,50,100", "enter", "y")

        def phase() -> Phase | None:
            entry = screen.ramps.get(canary_endpoint)
            return entry.state.phase if entry is not None else None

        await wait_for(pilot, lambda: phase() is Phase.BAKING, "step 1 baking", 30)
        assert abs(canary_share(sagemaker_client, canary_endpoint) - 25.0) < 0.01
        await pilot.pause()
        assert "step 1/3 (25%) baking" in screen.query_one(RampPanel).plain

        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "abort question")
        await pilot.press("y")
        await wait_for(pilot, lambda: phase() is Phase.ABORTED, "aborted", 30)
        await app.workers.wait_for_complete()
        assert canary_share(sagemaker_client, canary_endpoint) == 0.0

    ramp_changes = [
        entry for entry in audit.entries(canary_endpoint) if entry.intent.source == "ramp"
    ]
    assert [entry.result for entry in ramp_changes] == ["applied", "applied"]
    assert ramp_changes[0].intent.traffic_percent_after["new-model"] == 25.0
    assert ramp_changes[1].intent.traffic_percent_after["current-model"] == 100.0


async def test_unknown_alarm_refuses_the_ramp_and_sends_nothing(
    backend: Backend, canary_endpoint: str, sagemaker_client: Any, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    launcher = RampLauncher(backend, audit, clock=SteppedClock())
    app = CanaryApp(
        backend,
        ChangeService(backend, audit, "console"),
        ConsoleOptions(poll=False, region=REGION),
        audit=audit,
        clock=frozen_clock,
        ramps=launcher,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "the plan")
        await pilot.press("e", "tab", "tab", *"no-such-alarm", "enter", "y")
        await wait_for(
            pilot,
            lambda: any(
                "no CloudWatch alarm named no-such-alarm" in n.message for n in app._notifications
            ),
            "the refusal",
            timeout=30,
        )
        await app.workers.wait_for_complete()
        assert canary_endpoint not in console(app).ramps
        assert not console(app).query_one(RampPanel).display
    assert abs(canary_share(sagemaker_client, canary_endpoint) - 10.0) < 0.01
    assert audit.entries(canary_endpoint) == []
    assert not launcher.store.path_for(canary_endpoint).exists()
