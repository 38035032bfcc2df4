"""Issue 16: a burst ``w ] enter y`` (typed ahead over a laggy SSH link) is not lost.

The keys up to the confirmation land: the editor replays what was typed before it was on
screen (``]`` steps the canary, ``enter`` reviews); the confirmation still takes no ``y``
it was not shown for, and says so in one line.
"""

from __future__ import annotations

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from canary_tui.domain.weights import WeightPlan
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.editor import WeightEditor
from canary_tui.ui.screens.typeahead import Y_IGNORED, TypeAhead
from tests.ui.fakes import demo_endpoints
from tests.ui.helpers import wait_for

ENDPOINT = demo_endpoints()["existing-endpoint-name"]


class Opener(Screen[None]):
    """What the console does for ``w``: keep the keys typed until the editor is mounted,
    open the editor, then the confirmation with what the editor did not use."""

    BINDINGS = [Binding("w", "edit", "weights")]

    def __init__(self) -> None:
        super().__init__()
        self.typed: TypeAhead | None = None
        self.applied: list[WeightPlan] = []

    def compose(self) -> ComposeResult:
        yield Static("console")

    def on_key(self, event: events.Key) -> None:
        # Textual runs a screen binding's action only after the keys already queued behind
        # it reached the screen: the key that opens the editor starts keeping them here.
        if self.typed is not None and self.typed.keep(event):
            event.stop()
            event.prevent_default()
        elif event.key == "w":
            self.typed = TypeAhead()

    def action_edit(self) -> None:
        self.flow(self.typed or TypeAhead())

    @work(exclusive=True)
    async def flow(self, typed: TypeAhead) -> None:
        editor = WeightEditor(ENDPOINT, "new-model", typed_ahead=typed)
        plan = await self.app.push_screen_wait(editor)
        if plan is None:
            return
        confirm = ConfirmChange("Change weights", plan, typed_ahead=editor.left_over)
        if await self.app.push_screen_wait(confirm):
            self.applied.append(plan)


class BurstApp(App[int]):
    def on_mount(self) -> None:
        self.push_screen(Opener())


def burst(app: App[int], *keys: tuple[str, str]) -> None:
    """All at once, as one packet from the terminal: nothing runs in between."""
    for key, character in keys:
        app.post_message(events.Key(key, character))


async def test_the_burst_lands_up_to_the_confirmation_and_its_y_is_said_ignored() -> None:
    app = BurstApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        opener = app.screen
        assert isinstance(opener, Opener)
        burst(app, ("w", "w"), ("right_square_bracket", "]"), ("enter", "\r"), ("y", "y"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the confirmation")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmChange)
        # ] stepped the canary from 10 % to the next preset, enter reviewed it.
        assert isinstance(confirm.plan, WeightPlan)
        assert confirm.plan.share_after == {"current-model": 75.0, "new-model": 25.0}
        line = confirm.query_one("#confirm-typed-ahead", Static)
        assert line.display and str(line.render()) == Y_IGNORED
        assert opener.applied == []  # the y typed ahead sent nothing
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(opener.applied), "the answered confirmation")
        assert opener.applied[0].share_after["new-model"] == 25.0


async def test_typed_characters_and_backspace_are_replayed_into_the_field() -> None:
    app = BurstApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # The field's text is selected on focus: typing replaces it, as by hand.
        burst(app, ("w", "w"), ("3", "3"), ("5", "5"), ("backspace", None), ("0", "0"))  # type: ignore[arg-type]
        await wait_for(pilot, lambda: isinstance(app.screen, WeightEditor), "the editor")
        editor = app.screen
        assert isinstance(editor, WeightEditor)
        await wait_for(
            pilot,
            lambda: editor.typed_ahead is not None and not editor.typed_ahead.open,
            "the replay",
        )
        await pilot.pause()
        assert editor.query_one("#weight-1").value == "30"  # type: ignore[attr-defined]
        assert editor.current_plan().share_after["new-model"] == 30.0
        assert app.screen is editor  # no enter: still editing, nothing confirmed


async def test_without_a_burst_a_late_y_is_just_ignored_and_not_announced() -> None:
    app = BurstApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WeightEditor), "the editor")
        await pilot.press("right_square_bracket", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the confirmation")
        await pilot.pause()
        assert not app.screen.query_one("#confirm-typed-ahead", Static).display


class EarlyReplayEditor(WeightEditor):
    """The order seen under load: the replay runs before the fields have handled their
    Focus and Blur events, so the first field (Textual's own first focus) still says it has
    focus although the screen's focus is already on the field the editor opened on."""

    async def on_mount(self) -> None:
        super().on_mount()
        await self._replay()


class DirectApp(App[None]):
    def __init__(self, editor: WeightEditor) -> None:
        super().__init__()
        self.editor = editor
        self.result: WeightPlan | None = None

    def on_mount(self) -> None:
        self.open_editor()

    @work
    async def open_editor(self) -> None:
        self.result = await self.push_screen_wait(self.editor)


async def test_typed_ahead_keys_go_to_the_field_the_editor_opened_on_whatever_has_focus() -> None:
    typed = TypeAhead()
    for key, character in (("right_square_bracket", "]"), ("enter", "\r")):
        assert typed.keep(events.Key(key, character))
    app = DirectApp(EarlyReplayEditor(ENDPOINT, "new-model", typed_ahead=typed))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.result is not None, "the reviewed plan")
        assert app.result is not None
        # ] stepped new-model (10 -> 25), not current-model (90 -> 100).
        assert app.result.share_after == {"current-model": 75.0, "new-model": 25.0}
