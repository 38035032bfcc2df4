"""The console's key flows with Pilot, on a small fake of our own backend ports.

The same flows run against moto in test_console_moto.py; these are the fast, exhaustive ones.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from unittest.mock import patch

import pytest
from textual import events
from textual.widgets import Input

from canary_tui.audit import AuditLog
from canary_tui.aws.errors import CredentialsProblem, ServiceUnavailable
from canary_tui.changes import ChangeRefused
from canary_tui.domain.models import Endpoint
from canary_tui.domain.weights import CapacityPlan, WeightPlan
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.console.refresher import MIN_TIMER_SECONDS
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.confirm import ConfirmChange, RefusedDialog
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.screens.editor import CapacityEditor, WeightEditor
from canary_tui.ui.screens.help import HelpScreen
from canary_tui.ui.view import NO_VALUE
from canary_tui.ui.widgets.endpoint_list import EndpointList
from canary_tui.ui.widgets.status_line import StatusLine
from canary_tui.ui.widgets.tables import VariantsTable
from tests.ui.fakes import (
    FakeBackend,
    FakeChangeService,
    demo_endpoints,
    fake_backend,
    frozen_clock,
    variant,
)
from tests.ui.helpers import (
    console,
    refresh_and_settle,
    screen_text,
    static_text,
    table_rows,
    wait_for,
)

CANARY = "existing-endpoint-name"


def make_app(
    backend: FakeBackend | None = None,
    *,
    read_only: bool = False,
    audit: AuditLog | None = None,
    **options: object,
) -> tuple[CanaryApp, FakeBackend, FakeChangeService]:
    backend = backend or fake_backend()
    changes = FakeChangeService(backend.sagemaker)
    app = CanaryApp(
        backend,
        changes,
        ConsoleOptions(read_only=read_only, poll=False, region="us-east-1", **options),  # type: ignore[arg-type]
        clock=frozen_clock,
        audit=audit,
    )
    return app, backend, changes


def status_text(app: CanaryApp) -> str:
    return str(console(app).query_one(StatusLine).render())


async def test_no_aws_call_before_asked_when_polling_is_off() -> None:
    app, backend, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert backend.sagemaker.calls == []
        assert "not refreshed yet" in status_text(app)


async def test_refresh_fills_every_pane() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        screen = console(app)
        endpoints = table_rows(screen.query_one(EndpointList))
        assert endpoints == [
            [CANARY, "InService", "2", "10.0%"],
            ["fraud-scoring", "InService", "1", NO_VALUE],
            ["search-ranking", "InService", "3", "40.0%"],
        ]
        variants = table_rows(screen.query_one(VariantsTable))
        assert variants[0][:4] == ["current-model ◆", "90.0%", "0.9", "ml.m5.xlarge x2"]
        assert variants[1][:4] == ["new-model", "10.0%", "0.1", "ml.m5.xlarge x1"]
        # The fake sends 10 requests per minute per traffic-% point, in a 7-minute wave of
        # +-3 x share/10; the 09:29 period (the last complete one at 09:30:20) is at +1.
        values = [static_text(label).strip() for label in screen.query(".value-invocations")]
        assert values == ["909/m", "101/m"]
        assert "09:30:20 UTC" in status_text(app)
        assert "STALE" not in status_text(app)


async def test_selecting_another_endpoint_describes_it_and_loads_its_metrics() -> None:
    app, backend, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("down", "down")
        await wait_for(
            pilot,
            lambda: console(app).metrics.has("search-ranking"),
            "search-ranking metrics",
        )
        await app.workers.wait_for_complete()
        await pilot.pause()
        names = [row[0] for row in table_rows(console(app).query_one(VariantsTable))]
        assert names == ["ranker-a ◆", "ranker-b", "ranker-c"]
        assert backend.cloudwatch.requests[-1][0] == 3


async def test_weight_editor_steps_and_applies_after_confirmation() -> None:
    app, _, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("w")
        assert isinstance(app.screen, WeightEditor)
        # Opened from the endpoints pane, the editor starts on the canary's field.
        await pilot.press("right_square_bracket")  # next preset step: 10 % -> 25 %
        inputs = [field.value for field in app.screen.query(Input)]
        assert inputs == ["75", "25"]
        await pilot.press("shift+up", "up")  # +5, +1 -> 31 %
        assert [field.value for field in app.screen.query(Input)] == ["69", "31"]
        await pilot.press("down")
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmChange)
        assert changes.applied == []  # nothing before the answer
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(changes.applied), "the change to be applied")
        plan, confirmed = changes.applied[0]
        assert isinstance(plan, WeightPlan)
        assert dict(plan.after) == {"current-model": 0.7, "new-model": 0.3}
        assert confirmed.name == CANARY
        await wait_for(
            pilot,
            lambda: console(app).endpoints[CANARY].desired_weights["new-model"] == 0.3,
            "the followed endpoint to be re-described",
        )
        await app.workers.wait_for_complete()
        await pilot.pause()
        variants = table_rows(console(app).query_one(VariantsTable))
        assert variants[1][1] == "30.0%"


async def test_editor_starts_on_the_variant_chosen_in_the_variants_pane() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("tab")  # the variants pane, cursor on current-model
        assert console(app).query_one(VariantsTable).has_focus
        await pilot.press("w")
        assert isinstance(app.screen, WeightEditor)
        fields = list(app.screen.query(Input))
        assert [field.has_focus for field in fields] == [True, False]


async def test_typed_percentages_are_validated_next_to_the_field() -> None:
    app, _, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("down", "down")  # search-ranking: three variants, 60/30/10
        await wait_for(pilot, lambda: console(app).selected == "search-ranking", "selection")
        await pilot.press("w")
        editor = app.screen
        assert isinstance(editor, WeightEditor)
        await pilot.press("1", "5")  # the canary ranker-b: 60 + 15 + 10 = 85
        message = static_text(editor.query_one("#editor-message")).strip()
        assert "add up to 85%" in message
        await pilot.press("enter")
        assert app.screen is editor  # refused: still editing
        await pilot.press("tab", "backspace", "backspace", "2", "5")  # ranker-c: 60+15+25
        assert "valid" in static_text(editor.query_one("#editor-message")).strip()
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmChange)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert changes.applied == []


async def test_editor_weight_mode_and_escape_sends_nothing() -> None:
    app, _, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("w", "ctrl+t")
        assert isinstance(app.screen, WeightEditor)
        assert [field.value for field in app.screen.query(Input)] == ["0.9", "0.1"]
        await pilot.press("1")  # the rewritten field stays selected, so typing replaces: 0.9/1
        preview = static_text(app.screen.query_one("#preview-1")).strip()
        assert preview == "52.6%"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert changes.applied == []


@pytest.mark.parametrize("answer", ["n", "escape"])
async def test_declining_the_confirmation_sends_nothing(answer: str) -> None:
    app, _, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("w", "right_square_bracket", "enter")
        assert isinstance(app.screen, ConfirmChange)
        await pilot.press(answer)
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, ConsoleScreen)
        assert changes.applied == []


async def test_promote_then_rollback_to_the_baseline(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    app, _, changes = make_app(audit=audit)
    changes.audit = audit
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("tab", "down")  # variants pane, new-model
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the dialog")
        assert app.screen.title_text == f"Promote new-model to 100% on {CANARY}"
        await pilot.press("y")
        await wait_for(pilot, lambda: len(changes.applied) == 1, "promote")
        promote = changes.applied[0][0]
        assert isinstance(promote, WeightPlan)
        assert dict(promote.after) == {"current-model": 0.0, "new-model": 1.0}
        await wait_for(
            pilot,
            lambda: console(app).endpoints[CANARY].current_weights["new-model"] == 1.0,
            "the promoted state",
        )
        # Rolling back undoes the promote: the split from before the episode, not 100/0.
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the dialog")
        assert app.screen.title_text == (f"Roll back {CANARY} to current-model 90% / new-model 10%")
        await pilot.press("y")
        await wait_for(pilot, lambda: len(changes.applied) == 2, "rollback")
        rollback = changes.applied[1][0]
        assert isinstance(rollback, WeightPlan)
        assert dict(rollback.after) == pytest.approx({"current-model": 0.9, "new-model": 0.1})


async def test_marked_baseline_is_where_rollback_goes(tmp_path: Path) -> None:
    app, backend, changes = make_app(audit=AuditLog(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("tab", "B")  # marks 90/10
        endpoint = backend.sagemaker.endpoints[CANARY]
        backend.sagemaker.endpoints[CANARY] = dataclasses.replace(
            endpoint,
            variants=tuple(
                dataclasses.replace(v, current_weight=w, desired_weight=w)
                for v, w in zip(endpoint.variants, (0.4, 0.6), strict=True)
            ),
        )
        await refresh_and_settle(pilot, CANARY)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the dialog")
        assert app.screen.title_text == (f"Roll back {CANARY} to current-model 90% / new-model 10%")
        assert dict(app.screen.plan.after) == pytest.approx(
            {"current-model": 0.9, "new-model": 0.1}
        )
        await pilot.press("n")
        await pilot.pause()
        assert changes.applied == []
    # The mark is kept next to the audit log, where the CLI's rollback finds it too.
    assert (tmp_path / "baselines.json").exists()


async def test_instance_count_flow() -> None:
    app, _, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("tab", "c")
        assert isinstance(app.screen, CapacityEditor)
        await pilot.press("backspace", "0", "enter")
        assert (
            "between 1 and 1,000 instances"
            in static_text(app.screen.query_one("#capacity-message")).strip()
        )
        await pilot.press("backspace", "3", "enter")
        assert isinstance(app.screen, ConfirmChange)
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(changes.applied), "the capacity change")
        plan = changes.applied[0][0]
        assert isinstance(plan, CapacityPlan)
        assert (plan.variant, plan.count_before, plan.count_after) == ("current-model", 2, 3)


async def test_refused_change_shows_live_state_and_reopens_the_editor() -> None:
    app, backend, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        live = backend.sagemaker.endpoints[CANARY]
        changes.refuse_with = ChangeRefused("new-model: 10.0% -> 20.0% since you looked", live)
        await pilot.press("w", "right_square_bracket", "enter", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, RefusedDialog), "the refusal")
        assert "since you looked" in static_text(app.screen.query_one("#refused-message")).strip()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, WeightEditor), "the editor again")
        assert changes.applied == []


async def test_read_only_hides_and_refuses_every_write() -> None:
    app, _, changes = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        screen = console(app)
        shown = {b.binding.action for b in screen.active_bindings.values() if b.binding.show}
        assert shown.isdisjoint({"edit_weights", "rollback", "promote", "edit_capacity"})
        assert "READ-ONLY" in status_text(app)
        for key in ("w", "b", "p", "c"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ConsoleScreen)
        await pilot.press("tab")
        for key in ("p", "c"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ConsoleScreen)
        assert any("Read-only" in n.message for n in app._notifications)
        palette = {binding.action for binding, _ in screen.palette_actions()}
        assert palette.isdisjoint({"edit_weights", "rollback", "promote", "edit_capacity"})
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app.screen)
        assert "edit variant weights" not in help_text
        assert "refresh now" in help_text
        assert changes.applied == []
        assert app.change_service is None


async def test_help_and_palette_list_every_console_action() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = console(app)
        palette = {binding.action for binding, _ in screen.palette_actions()}
        assert {"edit_weights", "rollback", "promote", "edit_capacity", "filter"} <= palette
        assert {"toggle_pause", "refresh_now", "cycle_metric", "window('12h')"} <= palette
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app.screen)
        for words in ("edit variant weights", "refresh now", "window: 12 hours", "next pane"):
            assert words in help_text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)


async def test_failed_poll_marks_stale_keeps_data_and_recovers() -> None:
    app, backend, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        backend.sagemaker.fault = ServiceUnavailable("AWS answered 503 to ListEndpoints")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "STALE" in status_text(app), "STALE")
        assert "503" in status_text(app)
        assert len(table_rows(console(app).query_one(EndpointList))) == 3  # last good data
        await pilot.press("w")  # still responsive
        assert isinstance(app.screen, WeightEditor)
        await pilot.press("escape")
        backend.sagemaker.fault = None
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "STALE" not in status_text(app), "recovery")


async def test_filter_narrows_the_endpoint_list() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("slash", "r", "a", "n", "k")
        rows = table_rows(console(app).query_one(EndpointList))
        assert [row[0] for row in rows] == ["search-ranking"]
        await wait_for(pilot, lambda: console(app).selected == "search-ranking", "selection")
        await pilot.press("enter")
        assert app.focused is console(app).query_one(EndpointList)


async def test_endpoint_deleted_disappears_with_a_notice() -> None:
    app, backend, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        del backend.sagemaker.endpoints["fraud-scoring"]
        await pilot.press("ctrl+r")
        await wait_for(
            pilot,
            lambda: "fraud-scoring" not in console(app).summaries,
            "the deleted endpoint to go",
        )
        await pilot.pause()
        rows = table_rows(console(app).query_one(EndpointList))
        assert [row[0] for row in rows] == [CANARY, "search-ranking"]
        assert any("no longer exists" in n.message for n in app._notifications)


class GatedSageMaker:
    """Holds ListEndpoints until released, counting how many run at once."""

    def __init__(self, backend: FakeBackend) -> None:
        self.inner = backend.sagemaker
        self.gate = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self.lists = 0
        self._lock = threading.Lock()

    def list_endpoints(self):  # type: ignore[no-untyped-def]
        with self._lock:
            self.in_flight += 1
            self.lists += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.gate.wait(10)
        with self._lock:
            self.in_flight -= 1
        return self.inner.list_endpoints()

    def describe_endpoint(self, name: str):  # type: ignore[no-untyped-def]
        return self.inner.describe_endpoint(name)


async def test_polls_never_overlap() -> None:
    backend = fake_backend()
    gated = GatedSageMaker(backend)
    backend.sagemaker = gated  # type: ignore[assignment]
    app, _, _ = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r", "ctrl+r", "ctrl+r")
        await wait_for(pilot, lambda: gated.lists == 1, "the first poll")
        await pilot.pause()
        assert gated.lists == 1 and gated.max_in_flight == 1
        gated.gate.set()
        # The presses during the poll fold into exactly one more poll after it.
        await wait_for(pilot, lambda: gated.lists == 2, "the follow-up poll")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert gated.lists == 2
        assert gated.max_in_flight == 1


def live_app(backend: FakeBackend) -> tuple[CanaryApp, FakeChangeService]:
    """Polling on, but the list poll is slow (an hour) and following is fast."""
    changes = FakeChangeService(backend.sagemaker)
    app = CanaryApp(
        backend,
        changes,
        ConsoleOptions(poll=True, refresh_seconds=3600, follow_seconds=0.05, region="us-east-1"),
        clock=frozen_clock,
    )
    return app, changes


async def test_updating_endpoint_is_followed_until_in_service() -> None:
    backend = fake_backend()
    endpoint = backend.sagemaker.endpoints[CANARY]
    backend.sagemaker.endpoints[CANARY] = dataclasses.replace(
        endpoint,
        status="Updating",
        variants=(
            dataclasses.replace(endpoint.variants[0], desired_weight=0.5),
            dataclasses.replace(endpoint.variants[1], desired_weight=0.5),
        ),
    )
    app, _ = live_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: CANARY in console(app).endpoints, "the first describe")
        await pilot.pause()
        rows = table_rows(console(app).query_one(VariantsTable))
        assert rows[0][1] == "90.0% → 50.0%"  # current -> desired while updating
        describes = backend.sagemaker.count("DescribeEndpoint")
        await wait_for(
            pilot,
            lambda: backend.sagemaker.count("DescribeEndpoint") >= describes + 3,
            "re-describes every few seconds while Updating",
        )
        assert backend.sagemaker.count("ListEndpoints") == 1  # the list poll is not rushed
        backend.sagemaker.endpoints[CANARY] = dataclasses.replace(
            endpoint,
            variants=(
                dataclasses.replace(endpoint.variants[0], current_weight=0.5, desired_weight=0.5),
                dataclasses.replace(endpoint.variants[1], current_weight=0.5, desired_weight=0.5),
            ),
        )
        await wait_for(
            pilot,
            lambda: console(app).endpoints[CANARY].status == "InService",
            "InService",
        )
        settled = backend.sagemaker.count("DescribeEndpoint")
        await pilot.pause(0.3)
        assert backend.sagemaker.count("DescribeEndpoint") == settled  # following stopped
        assert table_rows(console(app).query_one(VariantsTable))[0][1] == "50.0%"


async def test_endpoint_deleted_while_editing_closes_the_editor() -> None:
    backend = fake_backend()
    app, changes = live_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: console(app).metrics.has(CANARY), "the first load")
        await pilot.press("w")
        assert isinstance(app.screen, WeightEditor)
        lists = backend.sagemaker.count("ListEndpoints")
        del backend.sagemaker.endpoints[CANARY]
        await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen), "the editor closing")
        assert backend.sagemaker.count("ListEndpoints") == lists  # the list poll waited
        assert any("was deleted" in n.message for n in app._notifications)
        assert CANARY not in [row[0] for row in table_rows(console(app).query_one(EndpointList))]
        assert changes.applied == []


async def test_credentials_problem_resets_the_session_before_the_next_poll() -> None:
    app, backend, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        backend.sagemaker.fault = CredentialsProblem(
            "the SSO session has expired; run: aws sso login --profile prod"
        )
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "STALE" in status_text(app), "STALE")
        assert "aws sso login --profile prod" in status_text(app)
        assert backend.credential_resets == 0
        backend.sagemaker.fault = None
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "STALE" not in status_text(app), "recovery")
        assert backend.credential_resets == 1


async def test_a_read_only_console_does_not_hide_keys_of_the_next_one() -> None:
    for read_only, expected in ((True, False), (False, True)):
        app, _, _ = make_app(read_only=read_only)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            bindings = console(app).active_bindings
            assert bindings["w"].binding.show is expected


async def test_first_refresh_starts_on_an_endpoint_running_a_canary() -> None:
    endpoints = demo_endpoints()
    endpoints["aaa-single"] = Endpoint("aaa-single", "InService", (variant("only", 1.0),))
    app, _, _ = make_app(fake_backend(endpoints))
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, CANARY)
        table = console(app).query_one(EndpointList)
        assert table.cursor_row == 1  # below aaa-single
        # Only the first time: afterwards the person's choice stands.
        await pilot.press("up")
        await wait_for(pilot, lambda: console(app).selected == "aaa-single", "moving up")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert console(app).selected == "aaa-single"


async def test_a_yes_typed_ahead_of_the_confirmation_does_not_count() -> None:
    """Over a laggy SSH link keys arrive in bursts: enter and y in one packet must not send
    anything; the confirmation has to be on screen to be answered."""
    app, _, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("w", "right_square_bracket")
        assert isinstance(app.screen, WeightEditor)
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("y", "y"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the confirmation")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmChange)
        assert changes.applied == []
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(changes.applied), "the answered confirmation")


async def test_space_and_open_dialogs_pause_the_refresh() -> None:
    backend = fake_backend()
    changes = FakeChangeService(backend.sagemaker)
    app = CanaryApp(
        backend,
        changes,
        ConsoleOptions(poll=True, refresh_seconds=0.05, region="us-east-1"),
        clock=frozen_clock,
    )

    def lists() -> int:
        return backend.sagemaker.count("ListEndpoints")

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: lists() >= 3, "a few refreshes")
        await pilot.press("space")
        assert "PAUSED" in status_text(app)
        await app.workers.wait_for_complete()
        paused_at = lists()
        await pilot.pause(0.4)  # eight refresh periods
        assert lists() == paused_at
        await pilot.press("space")
        await wait_for(pilot, lambda: lists() >= paused_at + 2, "refreshing again")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await app.workers.wait_for_complete()
        behind_dialog = lists()
        await pilot.pause(0.4)
        assert lists() == behind_dialog
        await pilot.press("escape")
        await wait_for(pilot, lambda: lists() >= behind_dialog + 3, "refreshing after the dialog")


async def test_a_refresh_due_now_arms_a_timer_textual_can_run() -> None:
    # Textual's Timer divides by its interval when it starts late: an interval of 0 raised
    # ZeroDivisionError in CI while the loop was busy. A wake due now gets the shortest timer.
    backend = fake_backend()
    app = CanaryApp(
        backend,
        FakeChangeService(backend.sagemaker),
        ConsoleOptions(poll=True, refresh_seconds=0.05, region="us-east-1"),
        clock=frozen_clock,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        await wait_for(pilot, lambda: backend.sagemaker.count("ListEndpoints") >= 1, "a poll")
        refresher = screen.refresher
        with patch.object(type(refresher.schedule), "next_wake", lambda self, now: 0.0):
            refresher._arm()
        timer = refresher._wake_timer
        assert timer is not None
        assert timer._interval >= MIN_TIMER_SECONDS > 0


async def test_no_new_change_starts_while_one_is_being_sent() -> None:
    backend = fake_backend()
    release = threading.Event()

    class SlowChangeService(FakeChangeService):
        def apply(self, plan, confirmed, *, reason=None):  # type: ignore[no-untyped-def]
            release.wait(timeout=30)
            return super().apply(plan, confirmed, reason=reason)

    changes = SlowChangeService(backend.sagemaker)
    app = CanaryApp(
        backend,
        changes,
        ConsoleOptions(poll=False, region="us-east-1"),
        clock=frozen_clock,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("w", "right_square_bracket", "enter", "y")
        await pilot.pause()
        for key in ("w", "b", "p"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ConsoleScreen), key  # refused: no editor, no dialog
        assert any("still being sent" in n.message for n in app._notifications)
        release.set()
        await wait_for(pilot, lambda: bool(changes.applied), "the first change to land")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("following it until InService" in message for message in messages)
        assert not any("failed" in message for message in messages)
        await pilot.press("w")  # and writes are possible again
        assert isinstance(app.screen, WeightEditor)


async def test_the_chart_in_place_of_the_endpoints_pane_keeps_the_arrow_keys_working() -> None:
    # At 80x24 the chart takes the endpoints pane's place; Textual drops the focus of a
    # widget it hides, and the arrows would do nothing until tab.
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        endpoints = console(app).query_one(EndpointList)
        variants = console(app).query_one(VariantsTable)
        assert app.focused is endpoints
        await pilot.press("g")
        await wait_for(pilot, lambda: app.focused is variants, "the variants pane has the focus")
        assert not endpoints.region  # hidden by the chart
        await pilot.press("down")
        assert variants.cursor_row == 1
        await pilot.press("g")
        await wait_for(pilot, lambda: app.focused is endpoints, "the focus is back")
        await pilot.press("down", "down")
        await wait_for(
            pilot, lambda: console(app).selected == "search-ranking", "search-ranking selected"
        )


async def test_a_console_opened_with_the_chart_on_a_short_terminal_has_a_focused_table() -> None:
    app, _, _ = make_app(show_chart=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await wait_for(
            pilot,
            lambda: app.focused is console(app).query_one(VariantsTable),
            "the variants pane has the focus",
        )
        await pilot.press("g")
        await wait_for(
            pilot,
            lambda: app.focused is console(app).query_one(EndpointList),
            "the endpoints pane has the focus once the chart goes",
        )


async def test_cycling_the_chart_metric_shows_the_chart_and_moves_the_focus_too() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("m")
        await wait_for(
            pilot,
            lambda: app.focused is console(app).query_one(VariantsTable),
            "the variants pane has the focus",
        )
        assert console(app).has_class("-chart")
