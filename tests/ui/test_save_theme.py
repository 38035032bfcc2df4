"""A theme picked in the console is saved to the settings file when asked (ctrl+p), and
only its theme line changes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.ui.helpers import wait_for
from tests.ui.test_ecosystem import make_app


async def test_the_palette_saves_the_theme_keeping_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\nregion = "eu-west-1"\n\n[verdict]\nalpha = 0.01\n', encoding="utf-8")
    monkeypatch.setenv("CANARY_TUI_CONFIG", str(path))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("colon", *"theme nord", "enter")
        await wait_for(pilot, lambda: app.theme == "nord", "the theme")
        await pilot.press("ctrl+p", *"Save theme")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "nord" in path.read_text(encoding="utf-8"), "the file")
        text = path.read_text(encoding="utf-8")
        assert text == '# mine\nregion = "eu-west-1"\n\ntheme = "nord"\n[verdict]\nalpha = 0.01\n'
        assert tomllib.loads(text)["theme"] == "nord"
        messages = [n.message for n in app._notifications]
        assert any("Saved theme = 'nord'" in m for m in messages), messages
