"""Plain-ASCII mode: at 80x24, nothing on screen is outside ASCII (main screen, chart,
help, editor, confirm), and without it the usual glyphs are there (so this can fail)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.pilot import Pilot

from canary_tui.ui.app import CanaryApp
from canary_tui.ui.ascii import SPARK_LEVELS, ascii_char, to_ascii
from canary_tui.ui.options import ConsoleOptions
from tests.ui.fakes import FakeChangeService, fake_backend, frozen_clock
from tests.ui.helpers import refresh_and_settle, wait_for


def make_app(*, ascii: bool) -> CanaryApp:
    backend = fake_backend()
    return CanaryApp(
        backend,
        FakeChangeService(backend.sagemaker),
        ConsoleOptions(poll=False, region="us-east-1", mode_label="demo", ascii=ascii),
        clock=frozen_clock,
    )


def screen_export(app: CanaryApp) -> str:
    """Every cell of the terminal as the user would see it (what export_screenshot draws)."""
    width, height = app.size
    printer = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        record=True,
        force_terminal=True,
        color_system=None,
        legacy_windows=False,
        safe_box=False,
    )
    printer.print(app.screen._compositor.render_update(full=True))
    return printer.export_text()


def non_ascii(text: str) -> set[str]:
    return {char for char in text if not char.isascii()}


async def settled_screens(pilot: Pilot[int], app: CanaryApp) -> dict[str, str]:
    """The main screen, the chart, help, weight editor and confirm dialog, as text."""
    screens: dict[str, str] = {}
    await refresh_and_settle(pilot)
    screens["main"] = screen_export(app)
    for name, keys, shows in [
        ("editor", ["w", "right_square_bracket"], "Weights"),
        ("confirm", ["enter"], "update-endpoint-weights-and-capacities"),
        ("help", ["n", "question_mark"], "Keys"),
        ("chart", ["escape", "g"], "Chart"),
    ]:
        await pilot.press(*keys)
        await wait_for(pilot, lambda shows=shows: shows in screen_export(app), name)
        screens[name] = screen_export(app)
    return screens


async def test_everything_drawn_at_80x24_is_ascii_in_ascii_mode() -> None:
    app = make_app(ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screens = await settled_screens(pilot, app)
    for name, text in screens.items():
        assert non_ascii(text) == set(), f"{name}:\n{text}"
    main = screens["main"]
    assert "existing-endpoint-name" in main and "+-" in main  # ASCII borders, real content
    assert "demo | us-east-1" in main  # the status line's separators
    assert any(level in screens["chart"] for level in ".*")  # the chart still plots


async def test_without_ascii_mode_the_glyphs_are_there() -> None:
    app = make_app(ascii=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screens = await settled_screens(pilot, app)
    assert {"·", "╭"} <= non_ascii(screens["main"])
    assert "→" in screens["confirm"]


def test_sparkline_blocks_become_ascii_levels() -> None:
    assert to_ascii("▁▂▃▄▅▆▇█") == SPARK_LEVELS == "_.:-=+*#"


@pytest.mark.parametrize(
    ("glyphs", "expected"),
    [
        ("╭─╮│╰╯┼━┃", "+-+|+++-|"),
        ("a → b · c…", "a > b | c~"),
        ("⣿⠀⡇", ". ."),
        ("日本", "????"),  # wide characters keep their two columns
        ("e\u0301", "e"),  # a combining accent takes no column
    ],
)
def test_glyphs_keep_their_width(glyphs: str, expected: str) -> None:
    assert to_ascii(glyphs) == expected
    assert all(ascii_char(char).isascii() for char in glyphs)
