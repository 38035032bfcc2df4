"""`b` and `p` in the console go where the CLI's rollback and promote go (Pilot, fake AWS)."""

from __future__ import annotations

import dataclasses
from itertools import pairwise
from pathlib import Path

import pytest
from textual.pilot import Pilot

from canary_tui.audit import AuditLog
from canary_tui.domain.weights import WeightPlan
from canary_tui.settle import Backoff
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.widgets.tables import VariantsTable
from tests.ui.fakes import FakeBackend, FakeChangeService, fake_backend, frozen_clock
from tests.ui.helpers import refresh_and_settle, wait_for

CANARY = "existing-endpoint-name"


def make_app(audit: AuditLog | None) -> tuple[CanaryApp, FakeBackend, FakeChangeService]:
    backend = fake_backend()
    changes = FakeChangeService(backend.sagemaker)
    changes.audit = audit
    options = ConsoleOptions(poll=False, region="us-east-1")
    app = CanaryApp(backend, changes, options, clock=frozen_clock, audit=audit)
    return app, backend, changes


def set_split(backend: FakeBackend, current: float, new: float) -> None:
    endpoint = backend.sagemaker.endpoints[CANARY]
    backend.sagemaker.endpoints[CANARY] = dataclasses.replace(
        endpoint,
        variants=tuple(
            dataclasses.replace(variant, current_weight=weight, desired_weight=weight)
            for variant, weight in zip(endpoint.variants, (current, new), strict=True)
        ),
    )


def log_episode(audit: AuditLog, *splits: tuple[float, float]) -> None:
    """Applied changes through ``splits``, the first one being where the episode began."""
    for before, after in pairwise(splits):
        change_id = audit.record_intent(
            endpoint=CANARY,
            kind="weights",
            source="cli",
            weights_before={"current-model": before[0], "new-model": before[1]},
            weights_after={"current-model": after[0], "new-model": after[1]},
        )
        audit.record_outcome(change_id, result="applied", endpoint=CANARY)


async def dialog_title(pilot: Pilot[int], app: CanaryApp) -> str:
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the dialog")
    screen = app.screen
    assert isinstance(screen, ConfirmChange)
    return screen.title_text


async def test_p_from_the_endpoints_pane_promotes_the_canary_not_the_baseline(
    tmp_path: Path,
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    log_episode(audit, (0.95, 0.05), (0.9, 0.1))
    app, _, changes = make_app(audit)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("p")  # the endpoints pane has the focus
        assert await dialog_title(pilot, app) == f"Promote new-model to 100% on {CANARY}"
        await pilot.press("y")
        await wait_for(pilot, lambda: len(changes.applied) == 1, "the promote")
        plan = changes.applied[0][0]
        assert isinstance(plan, WeightPlan)
        assert dict(plan.after) == {"current-model": 0.0, "new-model": 1.0}


@pytest.mark.parametrize("keys", [(), ("tab",)])
async def test_p_at_90_10_without_a_log_still_names_the_canary(keys: tuple[str, ...]) -> None:
    # With no log the console falls back to the variant w and r start on (not the
    # largest one); the dialog names it and nothing is sent without y.
    app, _, changes = make_app(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press(*keys, "p")  # tab alone does not move the cursor
        assert await dialog_title(pilot, app) == f"Promote new-model to 100% on {CANARY}"
        await pilot.press("n")
        await pilot.pause()
        assert changes.applied == []


async def test_p_after_the_person_moved_to_current_model_promotes_it(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    log_episode(audit, (0.95, 0.05), (0.9, 0.1))
    app, _, changes = make_app(audit)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("tab", "down", "up")  # moved away and back to current-model
        await pilot.press("p")
        assert await dialog_title(pilot, app) == f"Promote current-model to 100% on {CANARY}"
        await pilot.press("y")
        await wait_for(pilot, lambda: len(changes.applied) == 1, "the promote")
        plan = changes.applied[0][0]
        assert isinstance(plan, WeightPlan)
        assert dict(plan.after) == {"current-model": 1.0, "new-model": 0.0}


async def test_b_at_40_60_goes_back_to_the_split_before_the_episode(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    log_episode(audit, (0.9, 0.1), (0.6, 0.4), (0.4, 0.6))
    app, backend, changes = make_app(audit)
    set_split(backend, 0.4, 0.6)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("b")
        title = await dialog_title(pilot, app)
        assert title == f"Roll back {CANARY} to current-model 90% / new-model 10%"
        await pilot.press("y")
        await wait_for(pilot, lambda: len(changes.applied) == 1, "the rollback")
        plan = changes.applied[0][0]
        assert isinstance(plan, WeightPlan)
        assert dict(plan.after) == pytest.approx({"current-model": 0.9, "new-model": 0.1})
        # Again: already at the baseline, nothing to confirm.
        await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen), "the console")
        await app.workers.wait_for_complete()
        await pilot.press("b")
        await wait_for(
            pilot,
            lambda: any("already at its baseline" in n.message for n in app._notifications),
            "the notice",
        )
        assert len(changes.applied) == 1


async def test_b_without_a_known_baseline_sends_nothing_and_lists_the_variants() -> None:
    app, backend, changes = make_app(None)
    set_split(backend, 0.4, 0.6)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("b")
        await wait_for(
            pilot,
            lambda: any("No baseline is known" in n.message for n in app._notifications),
            "the refusal",
        )
        message = next(n.message for n in app._notifications if "No baseline" in n.message)
        assert "current-model (weight 0.4, 40.0%)" in message
        assert "new-model (weight 0.6, 60.0%)" in message
        assert isinstance(app.screen, ConsoleScreen)
        assert changes.applied == []


async def test_the_cursor_flag_resets_on_another_endpoint() -> None:
    app, _, _ = make_app(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("tab", "down")
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        table = screen.query_one(VariantsTable)
        assert table.moved_by_user_on(CANARY)
        await pilot.press("shift+tab", "down")
        await refresh_and_settle(pilot, "fraud-scoring")
        assert not table.moved_by_user_on("fraud-scoring")


def set_status(backend: FakeBackend, status: str) -> None:
    endpoint = backend.sagemaker.endpoints[CANARY]
    backend.sagemaker.endpoints[CANARY] = dataclasses.replace(endpoint, status=status)


async def test_b_on_an_updating_endpoint_waits_for_it_then_sends_once(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    log_episode(audit, (0.9, 0.1), (0.4, 0.6))
    app, backend, changes = make_app(audit)
    set_split(backend, 0.4, 0.6)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        screen.changes.settle_backoff = Backoff(first=0.02, most=0.02)  # real pauses, kept short
        set_status(backend, "Updating")  # e.g. a scaling activity began
        await pilot.press("b")
        await dialog_title(pilot, app)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: any("waits for it to settle" in n.message for n in app._notifications),
            "the waiting notice",
        )
        reads = backend.sagemaker.count("DescribeEndpoint")
        await wait_for(
            pilot, lambda: backend.sagemaker.count("DescribeEndpoint") > reads + 2, "more reads"
        )
        assert changes.applied == []  # nothing is sent while it is Updating
        set_status(backend, "InService")
        await wait_for(pilot, lambda: len(changes.applied) == 1, "the rollback")
        plan, confirmed = changes.applied[0]
        assert isinstance(plan, WeightPlan)
        assert dict(plan.after) == pytest.approx({"current-model": 0.9, "new-model": 0.1})
        assert confirmed.status == "InService"  # planned against the settled endpoint


async def test_b_on_a_failed_endpoint_stops_at_once(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    log_episode(audit, (0.9, 0.1), (0.4, 0.6))
    app, backend, changes = make_app(audit)
    set_split(backend, 0.4, 0.6)
    set_status(backend, "UpdateRollbackFailed")
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("b")
        await dialog_title(pilot, app)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: any("manual UpdateEndpoint" in n.message for n in app._notifications),
            "the error",
        )
        assert changes.applied == []
