"""`a` lists, under the endpoint's changes, those CloudTrail shows were made outside
canary-tui (issue 17); a CloudTrail that cannot be read says so in one line, and its text
(not ours) is shown, never obeyed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.app import App
from textual.widgets import Static

from canary_tui.audit import AuditLog
from canary_tui.aws.errors import AccessDenied
from canary_tui.domain.trail_events import TrailChange
from canary_tui.ui.screens.audit import AuditScreen

CHANGE = TrailChange(
    time=datetime(2026, 12, 3, 10, 32, tzinfo=UTC),
    event="UpdateEndpointWeightsAndCapacities",
    endpoint="shop",
    caller="arn:aws:sts::1:assumed-role/ops/alice\x1b[2J",
    weights={"current-model": 0.7, "new-model": 0.3},
)


async def shown(tmp_path: Path, outside: object) -> str:
    app: App[None] = App()
    async with app.run_test(size=(120, 30)) as pilot:
        await app.push_screen(AuditScreen(AuditLog(tmp_path / "a.jsonl"), "shop", outside))  # type: ignore[arg-type]
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        line = app.screen.query_one("#audit-outside", Static)
        assert line.display
        return str(line.render())


async def test_outside_changes_are_listed_with_who_and_what(tmp_path: Path) -> None:
    text = await shown(tmp_path, lambda endpoint: [CHANGE])
    assert text.splitlines() == [
        "Outside canary-tui (CloudTrail, last 24 h, ~5 min behind): 1",
        "2026-12-03 10:32  arn:aws:sts::1:assumed-role/ops/alice\\x1b[2J  "
        "current-model 70.0%, new-model 30.0%",
    ]


async def test_a_cloudtrail_that_refuses_is_one_line(tmp_path: Path) -> None:
    def refuse(endpoint: str) -> list[TrailChange]:
        raise AccessDenied("not authorized to perform cloudtrail:LookupEvents")

    text = await shown(tmp_path, refuse)
    assert text == (
        "CloudTrail: cannot say who else changed shop "
        "(not authorized to perform cloudtrail:LookupEvents)"
    )


async def test_without_cloudtrail_nothing_is_shown(tmp_path: Path) -> None:
    app: App[None] = App()
    async with app.run_test(size=(120, 30)) as pilot:
        await app.push_screen(AuditScreen(AuditLog(tmp_path / "a.jsonl"), "shop"))
        await pilot.pause()
        assert not app.screen.query_one("#audit-outside", Static).display
