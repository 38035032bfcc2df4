"""The weight editor keeps what was typed (issue 12, item 10), with Pilot key presses on the
fake backend: nothing is filtered out of a field, a bad field is marked next to itself and
blocks review, the arrows and presets start from the typed value, and with two variants a
typed share gives the other one the rest."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Label

from canary_tui.domain.weights import WeightPlan
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.editor import CapacityEditor, WeightEditor
from tests.ui.fakes import FakeChangeService, fake_backend, frozen_clock
from tests.ui.helpers import console, refresh_and_settle, static_text, wait_for

CANARY = "existing-endpoint-name"  # current-model 90 %, new-model 10 % (the canary)
THREE = "search-ranking"  # ranker-a 60 %, ranker-b 30 %, ranker-c 10 %


def make_app() -> tuple[CanaryApp, FakeChangeService]:
    backend = fake_backend()
    changes = FakeChangeService(backend.sagemaker)
    app = CanaryApp(
        backend, changes, ConsoleOptions(poll=False, region="us-east-1"), clock=frozen_clock
    )
    return app, changes


def fields(editor: WeightEditor) -> list[str]:
    return [field.value for field in editor.query(".weight-input").results(Input)]


def mark(editor: WeightEditor, index: int) -> str:
    return str(editor.query_one(f"#preview-{index}", Label).render()).strip()


def message(editor: WeightEditor) -> str:
    return " ".join(static_text(editor.query_one("#editor-message")).split())


def keys_for(text: str) -> list[str]:
    names = {"-": "minus", ".": "full_stop", " ": "space", "%": "percent_sign"}
    return [names.get(character, character) for character in text]


async def open_editor(app: CanaryApp, pilot: object, endpoint: str = CANARY) -> WeightEditor:
    await refresh_and_settle(pilot, endpoint)  # type: ignore[arg-type]
    await pilot.press("w")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, WeightEditor), "the editor")  # type: ignore[arg-type]
    assert isinstance(app.screen, WeightEditor)
    return app.screen


@pytest.mark.parametrize(
    ("typed", "mark_text", "needle"),
    [
        ("-1", "✗ negative", "cannot be negative"),
        ("1e400", "✗ invalid", "not a number"),
        ("nan", "✗ NaN/inf", "not a finite number"),
        ("inf", "✗ NaN/inf", "not a finite number"),
        ("abc", "✗ invalid", "not a number"),
        ("150", "✗ > 100", "between 0 and 100"),
        ("1_0", "✗ invalid", "not a number"),
    ],
)
async def test_what_is_typed_stays_and_is_marked_next_to_its_field(
    typed: str, mark_text: str, needle: str
) -> None:
    app, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        await pilot.press(*keys_for(typed))  # the canary's field, selected: typing replaces
        # Nothing stripped. The other field follows the last readable prefix ("1" of
        # "1e400" gave it 99); an unreadable text never moves it.
        assert fields(editor)[1] == typed
        if not typed[0].isdigit():
            assert fields(editor)[0] == "90"
        assert mark(editor, 1) == mark_text
        assert editor.query_one("#weight-1", Input).has_class("-invalid")
        assert needle in message(editor) and "new-model" in message(editor)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is editor and changes.applied == []


async def test_a_negative_relative_weight_is_an_error_not_a_1() -> None:
    app, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        await pilot.press("ctrl+t", "minus", "1")
        assert fields(editor) == ["0.9", "-1"]
        assert mark(editor, 1) == "✗ negative"
        assert "cannot be negative" in message(editor)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is editor and changes.applied == []


async def test_with_two_variants_a_typed_share_sets_the_other_to_the_rest() -> None:
    app, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        await pilot.press("2", "5")
        assert fields(editor) == ["75", "25"]
        await pilot.press("shift+tab", "6", "0")  # the baseline's field now
        assert fields(editor) == ["60", "40"]
        await pilot.press("x")  # unreadable: the other field keeps its value
        assert fields(editor) == ["60x", "40"]
        await pilot.press("backspace", "enter")
        assert isinstance(app.screen, ConfirmChange)
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(changes.applied), "the change")
        plan = changes.applied[0][0]
        assert isinstance(plan, WeightPlan)
        assert dict(plan.after) == {"current-model": 0.6, "new-model": 0.4}


async def test_arrows_start_from_the_typed_value_not_the_live_weights() -> None:
    app, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        await pilot.press("2", "5", "up")  # live 90/10; typed 25 -> 26, not 11
        assert fields(editor) == ["74", "26"]
        await pilot.press("shift+down")
        assert fields(editor) == ["79", "21"]


async def test_presets_start_from_the_typed_value() -> None:
    app, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        await pilot.press("3", "0", "right_square_bracket")  # 30 typed -> next step 50
        assert fields(editor) == ["50", "50"]
        await pilot.press("left_square_bracket", "left_square_bracket")  # 25, then 10
        assert fields(editor) == ["90", "10"]


async def test_arrows_on_an_unreadable_field_change_nothing_and_say_why() -> None:
    app, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        await pilot.press("a", "b", "c", "up", "right_square_bracket")
        assert fields(editor) == ["90", "abc"]
        assert "fix it before using the arrows" in message(editor)


async def test_three_variants_arrows_from_a_typed_value_with_a_bad_sum() -> None:
    app, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("down", "down")
        await wait_for(pilot, lambda: console(app).selected == THREE, "search-ranking")
        editor = await open_editor(app, pilot, THREE)
        focused = next(
            i for i, f in enumerate(editor.query(".weight-input").results(Input)) if f.has_focus
        )
        before = fields(editor)
        await pilot.press("4", "5")  # 45 typed: the sum is off, shown as an error
        assert "add up to" in message(editor)
        await pilot.press("up")  # from the typed 45, not from the live share
        after = fields(editor)
        assert after[focused] == "46"
        others = [float(v) for i, v in enumerate(after) if i != focused]
        live_others = [float(v) for i, v in enumerate(before) if i != focused]
        assert sum(others) == pytest.approx(54, abs=0.2)
        # The others keep the proportions typed in their fields.
        assert others[0] / others[1] == pytest.approx(live_others[0] / live_others[1], rel=0.02)
        assert "valid" in message(editor)


@pytest.mark.parametrize(
    ("typed", "needle"),
    [
        ("1_000", "not a whole number"),
        ("٣", "not a whole number"),
        ("-2", "cannot be negative"),
        ("1001", "1,000 instances"),
    ],
)
async def test_the_instance_count_keeps_what_is_typed_and_says_why_not(
    typed: str, needle: str
) -> None:
    app, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("tab", "c")
        assert isinstance(app.screen, CapacityEditor)
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*keys_for(typed), "enter")
        await pilot.pause()
        assert field.value == typed  # nothing filtered out
        text = " ".join(static_text(app.screen.query_one("#capacity-message")).split())
        assert needle in text
        assert isinstance(app.screen, CapacityEditor) and changes.applied == []
