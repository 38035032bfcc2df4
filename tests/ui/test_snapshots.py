"""Snapshots at 80x24 (SSH), 120x40 and 160x50, on the fake backend with the clock frozen and no
polling timers: the same frame every run. Update with ``pytest --snapshot-update``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from tests.ui.fakes import FakeChangeService, fake_backend, frozen_clock
from tests.ui.helpers import refresh_and_settle

SIZES = [
    pytest.param((80, 24), id="80x24"),
    pytest.param((120, 40), id="120x40"),
    pytest.param((160, 50), id="160x50"),
]
SnapCompare = Callable[..., bool]


def snapshot_app(read_only: bool = False) -> CanaryApp:
    backend = fake_backend()
    return CanaryApp(
        backend,
        FakeChangeService(backend.sagemaker),
        ConsoleOptions(read_only=read_only, poll=False, region="us-east-1", mode_label="demo"),
        clock=frozen_clock,
    )


def after(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await refresh_and_settle(pilot)
        await pilot.press(*keys)
        # Not wait_for_complete(): an open dialog's flow worker waits for its answer.
        await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
class TestMainScreen:
    def test_loaded(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after())

    def test_chart_toggled(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after("g"))

    def test_read_only(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        assert snap_compare(snapshot_app(read_only=True), terminal_size=size, run_before=after())


@pytest.mark.parametrize("size", SIZES)
class TestWeightEditor:
    def test_canary_stepped_to_25(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        keys = ("w", "right_square_bracket")
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after(*keys))

    def test_invalid_field(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        # A negative share stays in its field, marked next to it ("-1" used to become "1").
        keys = ("w", "minus", "1")
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after(*keys))

    def test_invalid_sum(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        # Three variants (two would take the complement): 60 + 45 + 10 is not 100.
        keys = ("down", "down", "w", "4", "5")
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after(*keys))


@pytest.mark.parametrize("size", SIZES)
class TestConfirm:
    def test_weights(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        keys = ("w", "right_square_bracket", "enter")
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after(*keys))

    def test_promote(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        keys = ("tab", "down", "p")
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after(*keys))


@pytest.mark.parametrize("size", SIZES)
class TestHelp:
    def test_help(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after("question_mark"))


def after_notices(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await refresh_and_settle(pilot)
        pilot.app.notify("new-model at 25%.", title="Change applied")
        pilot.app.notify("A change is still being sent.", title="Refused", severity="warning")
        pilot.app.notify("AccessDenied on DescribeAlarms.", title="Ramp", severity="error")
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
class TestNotices:
    def test_notice_line(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after_notices())

    def test_messages(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        assert snap_compare(snapshot_app(), terminal_size=size, run_before=after_notices("n"))
