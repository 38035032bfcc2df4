"""Themes, NO_COLOR, key map overrides: Pilot on the fake backend (fast)."""

from __future__ import annotations

import pytest
from textual.filter import Monochrome

from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.command_line import CommandError, parse_command
from canary_tui.ui.screens.editor import WeightEditor
from canary_tui.ui.screens.help import HelpScreen
from canary_tui.ui.themes import HIGH_CONTRAST
from tests.ui.fakes import FakeChangeService, fake_backend, frozen_clock
from tests.ui.helpers import refresh_and_settle, screen_text, wait_for


def make_app(**options: object) -> CanaryApp:
    backend = fake_backend()
    return CanaryApp(
        backend,
        FakeChangeService(backend.sagemaker),
        ConsoleOptions(poll=False, region="us-east-1", **options),  # type: ignore[arg-type]
        clock=frozen_clock,
    )


class TestThemes:
    @pytest.mark.parametrize("name", [HIGH_CONTRAST, "high-contrast"])
    async def test_our_high_contrast_theme_is_registered_and_chosen(self, name: str) -> None:
        app = make_app(theme=name)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.theme == HIGH_CONTRAST
            assert app.current_theme.background == "#000000"

    async def test_builtin_themes_are_selectable(self) -> None:
        app = make_app(theme="nord")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.theme == "nord"

    async def test_an_unknown_theme_keeps_the_default_and_says_so(self) -> None:
        app = make_app(theme="no-such-theme")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.theme == "textual-dark"
            messages = [n.message for n in app._notifications]
            assert any("no theme 'no-such-theme'" in m for m in messages), messages

    async def test_theme_from_the_command_line(self) -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("colon", *"theme canary-high-contrast", "enter")
            await wait_for(pilot, lambda: app.theme == HIGH_CONTRAST, "the theme to change")


class TestNoColor:
    async def test_no_color_is_respected(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("NO_COLOR", "1")
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.no_color
            assert any(isinstance(f, Monochrome) for f in app._filters)

    async def test_colour_without_no_color(self) -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert not app.no_color
            assert not any(isinstance(f, Monochrome) for f in app._filters)


class TestKeymap:
    async def test_weights_moved_to_another_key(self) -> None:
        app = make_app(keymap={"weights": "e"})
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await pilot.press("w")
            await pilot.pause()
            assert not isinstance(app.screen, WeightEditor)
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, WeightEditor), "the editor")

    async def test_an_action_name_works_as_well_as_a_binding_id(self) -> None:
        app = make_app(keymap={"edit_weights": "ctrl+e"})
        async with app.run_test(size=(80, 24)) as pilot:
            await refresh_and_settle(pilot)
            await pilot.press("ctrl+e")
            await wait_for(pilot, lambda: isinstance(app.screen, WeightEditor), "the editor")

    async def test_quit_moved_to_another_key(self) -> None:
        app = make_app(keymap={"quit": "x"})
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("q")
            await pilot.pause()
            assert app.is_running and app.return_value is None
            await pilot.press("x")
            await wait_for(pilot, lambda: app.return_value == 0, "the app to quit")

    async def test_help_shows_the_new_key(self) -> None:
        app = make_app(keymap={"weights": "e"})
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
            text = screen_text(app.screen)
            assert "e           edit variant weights" in text
            assert "w           edit variant weights" not in text

    async def test_an_unknown_action_is_reported_not_fatal(self) -> None:
        app = make_app(keymap={"no_such_action": "z", "quit": "x"})
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert any("no action named no_such_action" in m for m in messages), messages
            await pilot.press("x")
            await wait_for(pilot, lambda: app.return_value == 0, "the app to quit")


class TestCommandLine:
    @pytest.mark.parametrize(
        ("text", "verb", "argument"),
        [
            ("profile prod", "profile", "prod"),
            (":region eu-west-1", "region", "eu-west-1"),
            ("  ctx staging ", "profile", "staging"),
            ("q", "quit", None),
        ],
    )
    def test_parse(self, text: str, verb: str, argument: str | None) -> None:
        command = parse_command(text)
        assert (command.verb, command.argument) == (verb, argument)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "empty command"),
            ("deploy prod", "unknown command :deploy"),
            ("profile", "usage: :profile NAME"),
            ("region a b", "usage: :region NAME"),
        ],
    )
    def test_bad_commands_are_one_line(self, text: str, message: str) -> None:
        with pytest.raises(CommandError, match=message):
            parse_command(text)

    async def test_colon_q_quits_and_escape_closes(self) -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("colon", "escape")
            await pilot.pause()
            assert app.is_running and app.return_value is None
            await pilot.press("colon", "q", "enter")
            await wait_for(pilot, lambda: app.return_value == 0, "the app to quit")
