"""`a` on a log someone edited by hand: markup and control characters are shown, not obeyed."""

from __future__ import annotations

import json
from pathlib import Path

from textual.app import App
from textual.widgets import DataTable, Static

from canary_tui.audit import AuditLog
from canary_tui.ui.screens.audit import AuditScreen


async def test_a_reason_with_markup_and_escapes_is_shown_as_text(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    change_id = log.record_intent(
        endpoint="prod-ranker",
        kind="weights",
        source="cli",
        weights_before={"a": 0.9, "b": 0.1},
        weights_after={"a": 0.5, "b": 0.5},
        reason="ok",
    )
    log.record_outcome(change_id, result="applied", endpoint="prod-ranker")
    # What a hand edit can leave: a reason that is broken markup and a terminal command.
    record = json.loads(log.path.read_text().splitlines()[0])
    record.update(id="edited", time="2026-11-25T09:00:00", reason="[/] \x1b[2J [red]x")
    with log.path.open("a") as handle:
        handle.write(json.dumps(record) + "\n")

    app: App[None] = App()
    async with app.run_test(size=(120, 30)) as pilot:
        await app.push_screen(AuditScreen(log, "prod-ranker"))
        table = app.screen.query_one(DataTable)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == 2
        cells = [str(cell) for cell in table.get_row("edited")]
        assert cells[-1] == "[/] \\x1b[2J [red]x"
        assert cells[0].endswith("?")  # the time had no zone: read as UTC, marked
        summary = str(app.screen.query_one("#audit-summary", Static).render())
        assert "1 time(s) without a zone read as UTC" in summary


def _log_with_three_changes(path: Path) -> AuditLog:
    """Applied with a long reason, reconciled after an interruption, rejected."""
    log = AuditLog(path)
    reason = "canary step 2, nyc traffic looks fine after the morning peak, ticket OPS-1234"
    for index, result in enumerate(("applied", "reconciled", "not-applied")):
        change_id = log.record_intent(
            endpoint="existing-endpoint-name",
            kind="weights",
            source="console",
            weights_before={"current-model": 0.9, "new-model": 0.1},
            weights_after={"current-model": 0.5, "new-model": 0.5},
            reason=reason if index == 0 else f"change {index}",
            caller="arn:aws:sts::123456789012:assumed-role/Ops/alice",
        )
        if result == "reconciled":
            log.record_outcome(
                change_id,
                result="applied",
                endpoint="existing-endpoint-name",
                error_kind="interrupted",
                error_message="the process stopped between the intent and the outcome",
                evidence="reconciled after an interruption: the live endpoint has the "
                "intended values",
            )
        elif result == "not-applied":
            log.record_outcome(
                change_id,
                result="not-applied",
                endpoint="existing-endpoint-name",
                error_kind="validation",
                error_message="Could not find variant",
            )
        else:
            log.record_outcome(change_id, result="applied", endpoint="existing-endpoint-name")
    return log


def _screen_lines(app: App[None]) -> list[str]:
    """The table as drawn, cell for cell."""
    table = app.screen.query_one(DataTable)
    return [strip.text for strip in table.render_lines(table.region.reset_offset)]


async def test_at_80_columns_every_field_fits_and_enter_shows_the_whole_change(
    tmp_path: Path,
) -> None:
    from canary_tui.ui.screens.audit import AuditDetail

    log = _log_with_three_changes(tmp_path / "audit.jsonl")
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(AuditScreen(log, "existing-endpoint-name"))
        table = app.screen.query_one(DataTable)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == 3
        headers = [str(column.label) for column in table.columns.values()]
        assert headers == ["time UTC", "endpoint", "change", "result", "by/source", "reason"]
        assert sum(col.get_render_width(table) for col in table.columns.values()) <= 80
        # Oldest first, like the CLI; the cursor starts on the newest.
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(3)]
        assert [row[-1].split("\n")[0] for row in rows][1:] == ["change 1", "change 2"]
        assert table.cursor_row == 2
        assert rows[1][3] == "applied\nreconciled"  # not "error: reconciled…"
        assert "reconciled after an interruption" in rows[1][-1]
        assert rows[2][3] == "not-applied" and "validation: Could not find variant" in rows[2][-1]
        assert rows[0][4] == "alice\nconsole"
        # The long reason wraps: its last word is on screen.
        assert any("OPS-1234" in line for line in _screen_lines(app))

        await pilot.press("up", "up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditDetail)
        text = str(app.screen.query_one("#audit-detail-text", Static).render())
        for words in (
            "OPS-1234",
            "arn:aws:sts::123456789012:assumed-role/Ops/alice",
            "current-model 90.0%, new-model 10.0%",
            "current-model 50.0%, new-model 50.0%",
            "outcome",
        ):
            assert words in text, words
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
