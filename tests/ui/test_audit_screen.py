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
        cells = [str(cell) for cell in table.get_row(table.coordinate_to_cell_key((1, 0))[0])]
        assert cells[-1] == "[/] \\x1b[2J [red]x"
        assert cells[0].endswith("?")  # the time had no zone: read as UTC, marked
        summary = str(app.screen.query_one("#audit-summary", Static).render())
        assert "1 time(s) without a zone read as UTC" in summary
