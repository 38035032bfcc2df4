"""Capacity in the console (Pilot, fake backend): the min-max column, req/min per instance and
warnings in the confirm dialog, and the instance editor refusing a count outside min..max."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static

from canary_tui.domain.capacity import ScalingLimits
from canary_tui.domain.weights import CapacityPlan
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.editor import CapacityEditor
from canary_tui.ui.screens.ramp import RampPlanDialog
from canary_tui.ui.view import NO_VALUE
from canary_tui.ui.widgets.tables import VariantsTable
from tests.ui.fakes import FakeBackend, FakeChangeService, fake_backend, frozen_clock
from tests.ui.helpers import console, refresh_and_settle, static_text, table_rows, wait_for

CANARY = "existing-endpoint-name"


def make_app(
    backend: FakeBackend | None = None,
) -> tuple[CanaryApp, FakeBackend, FakeChangeService]:
    backend = backend or fake_backend()
    changes = FakeChangeService(backend.sagemaker)
    app = CanaryApp(
        backend,
        changes,
        ConsoleOptions(poll=False, region="us-east-1"),
        clock=frozen_clock,
    )
    return app, backend, changes


def limits_column(app: CanaryApp) -> list[str]:
    return [row[5] for row in table_rows(console(app).query_one(VariantsTable))]


async def test_min_max_column_and_a_slow_cadence() -> None:
    app, backend, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, CANARY)
        table = console(app).query_one(VariantsTable)
        assert [str(column.label) for column in table.columns.values()][5] == "min-max"
        assert limits_column(app) == ["1-4", "1-4"]
        assert backend.autoscaling.calls == 1
        # Another refresh: limits are re-read on the slow cadence, not on every tick.
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert backend.autoscaling.calls == 1
        # An endpoint without scalable targets.
        await pilot.press("down")
        await wait_for(pilot, lambda: limits_column(app) == [NO_VALUE], "fraud-scoring")


async def test_unreadable_limits_show_a_question_mark_and_warn_in_the_dialog() -> None:
    backend = fake_backend()
    backend.autoscaling.unreadable = "scaling limits not readable: access denied"
    app, _, changes = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, CANARY)
        assert limits_column(app) == ["?", "?"]
        await pilot.press("tab", "c", "backspace", "9", "enter")  # current-model: 2 -> 9
        assert isinstance(app.screen, ConfirmChange)
        warnings = static_text(app.screen.query_one("#confirm-warnings"))
        assert "scaling limits not readable" in warnings
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(changes.applied), "the change to go ahead")


async def test_confirm_shows_load_per_instance_now_and_after_and_warns() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, CANARY)
        # The variants pane, cursor on new-model, promote: 100 % on one instance.
        await pilot.press("tab", "down", "p")
        assert isinstance(app.screen, ConfirmChange)
        plan = static_text(app.screen.query_one("#confirm-plan"))
        assert "req/min/inst now" in plan
        rows = {line.split()[0]: line.split() for line in plan.splitlines()[1:] if line.strip()}
        # The fake serves ~900 req/min to current-model (2 instances), ~100 to new-model (1).
        baseline_now, canary_now, canary_after = (
            float(rows["current-model"][4].replace(",", "")),
            float(rows["new-model"][4].replace(",", "")),
            float(rows["new-model"][6].replace(",", "")),
        )
        assert 400 < baseline_now < 500 and 80 < canary_now < 120
        assert 950 < canary_after < 1050  # all traffic on one instance
        assert rows["current-model"][6] == "0"
        warnings = static_text(app.screen.query_one("#confirm-warnings"))
        assert "new-model would carry" in warnings and "more than the busiest" in warnings
        await pilot.press("n")


async def test_capacity_editor_refuses_outside_min_max_and_warns_of_a_policy() -> None:
    backend = fake_backend()
    backend.autoscaling.limits[CANARY]["new-model"] = ScalingLimits(1, 4, policies=("tt-70",))
    app, _, changes = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, CANARY)
        await pilot.press("tab", "down", "c")
        editor = app.screen
        assert isinstance(editor, CapacityEditor)
        assert "scaling limits 1-4" in str(editor.query_one("Label").render())
        await pilot.press("backspace", "5", "enter")
        assert app.screen is editor
        message = static_text(editor.query_one("#capacity-message"))
        assert "outside new-model's scaling limits 1..4" in message
        await pilot.press("backspace", "4", "enter")
        assert isinstance(app.screen, ConfirmChange)
        warnings = static_text(app.screen.query_one("#confirm-warnings"))
        assert "scaling policy tt-70 on new-model may override this count" in warnings
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(changes.applied), "the capacity change")
        plan = changes.applied[0][0]
        assert isinstance(plan, CapacityPlan) and plan.count_after == 4


class _RampHost(App[None]):
    def on_mount(self) -> None:
        endpoint = fake_backend().sagemaker.endpoints[CANARY]
        rates = {"current-model": 900.0, "new-model": 100.0}
        self.push_screen(
            RampPlanDialog(
                endpoint, "new-model", steps=(10, 25, 50, 100), bake_seconds=600, rates=rates
            )
        )


async def test_ramp_dialog_shows_the_canary_load_per_step_and_the_first_warning() -> None:
    app = _RampHost()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "the dialog")
        table = static_text(app.screen.query_one("#ramp-plan-table", Static))
        assert "canary req/min/inst" in table
        rows = {}
        for line in table.splitlines()[1:]:
            words = line.split()
            if words:
                key = words[0] if words[0] != "step" else f"step {words[1].rstrip(',')}"
                rows[key] = words[-1]
        assert rows["now"] == "100" and rows["step 2"] == "250" and rows["step 4"] == "1,000"
        marked = [line.split()[1].rstrip(",") for line in table.splitlines() if "! " in line]
        assert marked == ["3", "4"]  # 50 % and 100 % on one instance, above 450
        warning = static_text(app.screen.query_one("#ramp-plan-capacity", Static))
        assert warning.startswith("! step 3 (50%): new-model would carry 500 req/min")
