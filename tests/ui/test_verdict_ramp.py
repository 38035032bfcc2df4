"""The console's verdict panel, ramp keys and markers, with Pilot on the fake backend.

The fake metrics are a fixed function of time (tests/ui/fakes.py): a variant named new-*
errs at 2 % against 0.5 % and is 5 ms slower, so it FAILs; others are identical, so they PASS
with enough traffic and are INCONCLUSIVE without it. The ramp runner is the real one, on a
clock the test moves (tests/ui/ramp_fakes.py); test_verdict_ramp_moto.py runs a ramp on moto.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Input, Static

from canary_tui.audit import AuditLog
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import Phase
from canary_tui.domain.weights import WeightPlan
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ramping import RampLauncher
from canary_tui.ui.screens.ramp import RampPlanDialog, RampQuestion
from canary_tui.ui.widgets.chart import MetricChart
from canary_tui.ui.widgets.metrics import MetricsPanel
from canary_tui.ui.widgets.ramp import RampPanel
from canary_tui.ui.widgets.verdict import VerdictPanel
from tests.ui.fakes import FakeBackend, FakeChangeService, fake_backend, frozen_clock, variant
from tests.ui.helpers import console, refresh_and_settle, static_text, wait_for
from tests.ui.ramp_fakes import SteppedClock, fake_launcher

CANARY = "existing-endpoint-name"


def make_app(
    backend: FakeBackend | None = None,
    *,
    launcher: RampLauncher | None = None,
    changes: FakeChangeService | None = None,
    read_only: bool = False,
    audit: AuditLog | None = None,
) -> CanaryApp:
    backend = backend or fake_backend()
    return CanaryApp(
        backend,
        changes or FakeChangeService(backend.sagemaker),
        ConsoleOptions(read_only=read_only, poll=False, region="us-east-1"),
        clock=frozen_clock,
        audit=audit or (launcher.audit if launcher else None),
        ramps=launcher,
    )


def two_variants(name: str, canary: str, canary_weight: float) -> dict[str, Endpoint]:
    endpoint = Endpoint(
        name,
        "InService",
        (variant("baseline-model", 1.0 - canary_weight, 2), variant(canary, canary_weight)),
    )
    return {name: endpoint}


async def verdict_text(app: CanaryApp, pilot: object) -> str:
    panel = console(app).query_one(VerdictPanel)
    await wait_for(
        pilot,  # type: ignore[arg-type]
        lambda: panel.view is not None and panel.view.verdict is not None,
        "the verdict",
        timeout=30,
    )
    return panel.plain


class TestVerdictPanel:
    async def test_fail_names_the_checks_and_numbers(self) -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            text = await verdict_text(app, pilot)
            assert text.startswith("Verdict FAIL · new-model FAIL errors_4xx, errors_5xx, latency")
            assert "\n" not in text  # one line at 80x24
            await pilot.press("v")
            await pilot.pause()
            detail = console(app).query_one(VerdictPanel).plain
            assert "errors_5xx     FAIL" in detail
            assert "1.00% vs 0.25%" in detail
            assert "x1.25" in detail  # latency ratio, and which statistic:
            assert "latency average" in detail
            assert "traffic_split  PASS" in detail
            await pilot.press("v")
            await pilot.pause()
            assert "\n" not in console(app).query_one(VerdictPanel).plain

    async def test_pass_when_the_canary_matches_the_baseline(self) -> None:
        app = make_app(fake_backend(two_variants("twins", "candidate", 0.5)))
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot, "twins")
            text = await verdict_text(app, pilot)
            assert text.startswith("Verdict PASS · candidate PASS")

    async def test_inconclusive_says_how_much_more_data(self) -> None:
        # 0.5 % of 1000/min: about 300 requests in the hour, short of the 1000 needed.
        app = make_app(fake_backend(two_variants("trickle", "candidate", 0.005)))
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot, "trickle")
            text = await verdict_text(app, pilot)
            assert text.startswith("Verdict INCONCLUSIVE · candidate INCONCLUSIVE data: need ")
            assert "more requests (about " in text

    async def test_tall_terminal_shows_every_check(self) -> None:
        app = make_app()
        async with app.run_test(size=(160, 50)) as pilot:
            await refresh_and_settle(pilot)
            text = await verdict_text(app, pilot)
            assert "errors_4xx" in text.splitlines()[3]
            assert "note: latency ratio uses averages" in text

    async def test_one_variant_has_no_panel(self) -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await pilot.press("down")
            await wait_for(
                pilot,
                lambda: (
                    "fraud-scoring" in console(app).endpoints
                    and console(app).selected == "fraud-scoring"
                ),
                "fraud-scoring",
            )
            await pilot.pause()
            assert not console(app).query_one(VerdictPanel).display


class TestMarkers:
    async def test_weight_change_in_the_audit_log_is_marked(self, tmp_path: Path) -> None:
        changed_at = frozen_clock() - timedelta(minutes=20)
        audit = AuditLog(tmp_path / "audit.jsonl", clock=lambda: changed_at)
        change_id = audit.record_intent(
            endpoint=CANARY,
            kind="weights",
            source="console",
            weights_before={"current-model": 0.95, "new-model": 0.05},
            weights_after={"current-model": 0.9, "new-model": 0.1},
        )
        audit.record_outcome(
            change_id,
            result="applied",
            desired_weights_after={"current-model": 0.9, "new-model": 0.1},
        )
        app = make_app(audit=audit)
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await verdict_text(app, pilot)
            screen = console(app)
            label = "▲ 09:10 new-model 5→10%"
            assert screen.query_one(MetricsPanel).border_subtitle == label
            # At 80x24 the chart is made when first shown (g), with the markers.
            assert screen.chart() is None
            await pilot.press("g")
            await wait_for(pilot, lambda: screen.chart() is not None, "g makes the chart")
            assert screen.query_one(MetricChart).border_subtitle == label
            await pilot.press("g")
            # The verdict judged the split from the change on, and says so.
            await pilot.press("v")
            await pilot.pause()
            assert "weights changed at 09:10 UTC" in screen.query_one(VerdictPanel).plain

    async def test_chart_draws_a_vertical_line_at_the_change(self, tmp_path: Path) -> None:
        changed_at = frozen_clock() - timedelta(minutes=20)
        audit = AuditLog(tmp_path / "audit.jsonl", clock=lambda: changed_at)
        change_id = audit.record_intent(
            endpoint=CANARY,
            kind="weights",
            source="ramp",
            weights_before={"current-model": 0.95, "new-model": 0.05},
            weights_after={"current-model": 0.9, "new-model": 0.1},
        )
        audit.record_outcome(change_id, result="applied")
        app = make_app(audit=audit)
        async with app.run_test(size=(160, 50)) as pilot:
            await refresh_and_settle(pilot)
            await verdict_text(app, pilot)
            await pilot.pause()
            chart = console(app).query_one(MetricChart)
            assert chart.display and chart.border_subtitle == "▲ 09:10 new-model 5→10%"
            # plotext keeps the line in its figure, on the chart's axis: minutes before the
            # window's end, like the series' points.
            frame = console(app).metrics_frame
            assert frame is not None
            figure = chart.plt._active  # type: ignore[attr-defined]
            assert figure.monitor.vcoord[0] == [frame.minutes_before_end(changed_at)]
            assert -21 < figure.monitor.vcoord[0][0] < -20

    async def test_change_outside_the_window_is_not_marked(self, tmp_path: Path) -> None:
        audit = AuditLog(
            tmp_path / "audit.jsonl", clock=lambda: frozen_clock() - timedelta(hours=2)
        )
        change_id = audit.record_intent(
            endpoint=CANARY,
            kind="weights",
            source="console",
            weights_before={"current-model": 0.95, "new-model": 0.05},
            weights_after={"current-model": 0.9, "new-model": 0.1},
        )
        audit.record_outcome(change_id, result="applied")
        app = make_app(audit=audit)
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await verdict_text(app, pilot)
            assert console(app).query_one(MetricsPanel).border_subtitle is None


async def settle_ramp(pilot: object, app: CanaryApp, phase: Phase, what: str) -> None:
    def reached() -> bool:
        entry = console(app).ramps.get(CANARY)
        return entry is not None and entry.state.phase is phase

    await wait_for(pilot, reached, what, timeout=20)  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]


def canary_share(backend: FakeBackend) -> float:
    return backend.sagemaker.endpoints[CANARY].desired_traffic_shares["new-model"]


async def start_ramp(pilot: object, app: CanaryApp, steps: str = "25,50,100") -> None:
    """r, edit the steps to ``steps``, y."""
    press = pilot.press  # type: ignore[attr-defined]
    await press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "the plan")  # type: ignore[arg-type]
    await press("e", "ctrl+u", *steps, "enter")
    await pilot.pause()  # type: ignore[attr-defined]
    await press("y")


class TestRampKeys:
    async def test_plan_shown_and_n_sends_nothing(self, tmp_path: Path) -> None:
        backend = fake_backend()
        launcher, changes = fake_launcher(backend, tmp_path, SteppedClock())
        app = make_app(backend, launcher=launcher, changes=changes)
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "the plan")
            dialog = app.screen
            assert isinstance(dialog, RampPlanDialog)
            assert dialog.canary == "new-model"  # the baseline was selected: the other one
            assert dialog.plan is not None and dialog.plan.steps == (10, 25, 50, 100)
            table = static_text(dialog.query_one("#ramp-plan-table", Static))
            assert "step 2, bake 10m" in table and "75.0%" in table and "25.0%" in table
            baseline = static_text(dialog.query_one("#ramp-plan-baseline", Static))
            assert "rollback target: current-model (100%)" in baseline
            await pilot.press("n")
            await pilot.pause()
            assert not isinstance(app.screen, RampPlanDialog)
            assert changes.applied == []
            assert CANARY not in console(app).ramps
            assert not launcher.store.path_for(CANARY).exists()

    async def test_invalid_steps_are_refused_next_to_the_field(self, tmp_path: Path) -> None:
        backend = fake_backend()
        launcher, changes = fake_launcher(backend, tmp_path, SteppedClock())
        app = make_app(backend, launcher=launcher, changes=changes)
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "the plan")
            dialog = app.screen
            assert isinstance(dialog, RampPlanDialog)
            await pilot.press("e", "ctrl+u", *"50,25", "enter", "y")
            await pilot.pause()
            assert dialog.is_attached and dialog.plan is None
            assert dialog.query_one("#ramp-steps", Input).has_class("-bad")
            message = static_text(dialog.query_one("#ramp-plan-message", Static))
            assert "steps must increase (50 then 25)" in message
            await pilot.press("e", "ctrl+u", *"25,50", "tab", "ctrl+u", *"0s", "enter", "y")
            await pilot.pause()
            assert dialog.is_attached
            assert dialog.query_one("#ramp-bake", Input).has_class("-bad")
            await pilot.press("escape")
            await pilot.pause()
            assert changes.applied == []

    async def test_y_starts_progress_shows_pause_resume_and_abort_rolls_back(
        self, tmp_path: Path
    ) -> None:
        backend = fake_backend()
        clock = SteppedClock()
        launcher, changes = fake_launcher(backend, tmp_path, clock)
        app = make_app(backend, launcher=launcher, changes=changes)
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await start_ramp(pilot, app)
            await settle_ramp(pilot, app, Phase.BAKING, "step 1 baking")
            assert canary_share(backend) == 25.0
            plan, _ = changes.applied[0]
            assert isinstance(plan, WeightPlan) and plan.share_after["new-model"] == 25.0
            panel = console(app).query_one(RampPanel)
            assert panel.display
            assert panel.plain.startswith("Ramp new-model: step 1/3 (25%) baking · bake 10m left")
            assert "[P pause · S skip · X abort]" in panel.plain
            clock.advance(90)
            await wait_for(pilot, lambda: "8m30s left" in panel.plain, "the countdown")

            await pilot.press("P")
            await settle_ramp(pilot, app, Phase.PAUSED, "paused")
            assert "paused" in panel.plain and "bake 8m30s left" in panel.plain
            await pilot.press("P")
            await settle_ramp(pilot, app, Phase.BAKING, "resumed")

            await pilot.press("X")
            await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "abort question")
            await pilot.press("n")  # not an answer: only y or esc
            await pilot.press("escape")
            await pilot.pause()
            assert console(app).ramps[CANARY].state.phase is Phase.BAKING
            assert len(changes.applied) == 1
            await pilot.press("X")
            await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "abort question")
            await pilot.press("y")
            await settle_ramp(pilot, app, Phase.ABORTED, "aborted")
            await app.workers.wait_for_complete()
            assert canary_share(backend) == 0.0
            assert (
                backend.sagemaker.endpoints[CANARY].desired_traffic_shares["current-model"] == 100
            )
            assert "aborted" in panel.plain
            saved = launcher.store.load(CANARY)
            assert saved is not None and saved.phase is Phase.ABORTED
            # The ramp says each step and its end; the follow does not add a "Change done"
            # for a split the ramp has since left (it once said 50/50 during an abort).
            done = [n.message for n in app.notices.all() if n.title == "Change done"]
            assert not any("25" in message for message in done), done

    async def test_skip_asks_then_moves_to_the_next_step(self, tmp_path: Path) -> None:
        backend = fake_backend()
        launcher, changes = fake_launcher(backend, tmp_path, SteppedClock())
        app = make_app(backend, launcher=launcher, changes=changes)
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await start_ramp(pilot, app)
            await settle_ramp(pilot, app, Phase.BAKING, "step 1 baking")
            await pilot.press("S")
            await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "skip question")
            await pilot.press("y")
            await wait_for(
                pilot,
                lambda: (
                    console(app).ramps[CANARY].state.step_index == 1
                    and console(app).ramps[CANARY].state.phase is Phase.BAKING
                ),
                "step 2 baking",
            )
            assert canary_share(backend) == 50.0
            await pilot.press("X")
            await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "abort question")
            await pilot.press("y")
            await settle_ramp(pilot, app, Phase.ABORTED, "aborted")

    async def test_progress_stays_on_screen_for_another_endpoint(self, tmp_path: Path) -> None:
        backend = fake_backend()
        launcher, changes = fake_launcher(backend, tmp_path, SteppedClock())
        app = make_app(backend, launcher=launcher, changes=changes)
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await start_ramp(pilot, app)
            await settle_ramp(pilot, app, Phase.BAKING, "step 1 baking")
            await pilot.press("down")
            await wait_for(pilot, lambda: console(app).selected == "fraud-scoring", "another")
            await pilot.pause()
            panel = console(app).query_one(RampPanel)
            assert panel.plain.startswith("Ramp new-model on existing-endpoint-name: step 1/3")
            await pilot.press("P")  # acts on the ramp shown
            await settle_ramp(pilot, app, Phase.PAUSED, "paused")
            await pilot.press("X")
            await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "abort question")
            await pilot.press("y")
            await settle_ramp(pilot, app, Phase.ABORTED, "aborted")
            await app.workers.wait_for_complete()

    async def test_read_only_hides_and_refuses_r(self, tmp_path: Path) -> None:
        backend = fake_backend()
        launcher, changes = fake_launcher(backend, tmp_path, SteppedClock())
        app = make_app(backend, launcher=launcher, changes=changes, read_only=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            assert app.ramps is None
            await pilot.press("r")
            await pilot.pause()
            assert not isinstance(app.screen, RampPlanDialog)
            assert any("Read-only" in n.message for n in app._notifications)
            footer_keys = [key for key, b in app.active_bindings.items() if b.binding.show]
            assert "r" not in footer_keys
            assert changes.applied == []
            assert not launcher.store.path_for(CANARY).exists()


async def test_help_lists_the_ramp_and_verdict_keys() -> None:
    from canary_tui.ui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        text = "\n".join(static_text(w) for w in app.screen.query(Static))
        for key, words in [
            ("r", "ramp the selected variant up"),
            ("v", "verdict: one line or every check"),
            ("P", "pause or resume the ramp"),
            ("S", "without waiting for the verdict"),
            ("X", "abort and roll back"),
        ]:
            assert words in text, (key, words)


class TestRampLifecycle:
    async def test_quit_asks_detach_keeps_the_state_and_next_start_resumes(
        self, tmp_path: Path
    ) -> None:
        backend = fake_backend()
        clock = SteppedClock()
        launcher, changes = fake_launcher(backend, tmp_path, clock)
        app = make_app(backend, launcher=launcher, changes=changes)
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await start_ramp(pilot, app)
            await settle_ramp(pilot, app, Phase.BAKING, "step 1 baking")
            await pilot.press("q")
            await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "quit question")
            await pilot.press("escape")
            await pilot.pause()
            assert app.is_running
            await pilot.press("q")
            await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "quit question")
            await pilot.press("d")
            await wait_for(pilot, lambda: not app.is_running, "the app to exit", timeout=20)
        saved = launcher.store.load(CANARY)
        assert saved is not None and saved.phase is Phase.BAKING and not saved.is_over
        assert canary_share(backend) == 25.0  # detached: left where it was

        # A new console finds it, says so, shows it, and r resumes it.
        app = make_app(backend, launcher=launcher, changes=changes)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: CANARY in console(app).ramps, "the saved ramp")
            assert any("nothing is driving it" in n.message for n in app._notifications)
            await refresh_and_settle(pilot)
            panel = console(app).query_one(RampPanel)
            assert "not driven (r resumes)" in panel.plain
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "resume question")
            await pilot.press("y")
            await wait_for(
                pilot, lambda: console(app).ramps[CANARY].control is not None, "driven again"
            )
            clock.advance(600)
            # After the bake, the verdict of the step: the fake canary errs 4x more: FAIL,
            # and the runner rolls back by itself and says why.
            await settle_ramp(pilot, app, Phase.ROLLED_BACK, "rolled back")
            assert canary_share(backend) == 0.0
            assert any("Ramp rolled back" in (n.title or "") for n in app._notifications)
            assert "rolled back" in panel.plain and "verdict FAIL" in panel.plain
            await app.workers.wait_for_complete()
