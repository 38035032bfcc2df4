"""What the console reads as its audit: the local log, with the team table's trail of the
selected endpoint merged in when a ``team_table`` is set (markers, verdict, audit view)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from canary_tui.ui.ports import AuditReader
    from canary_tui.ui.screens.console import ConsoleScreen


def console_audit(screen: ConsoleScreen) -> AuditReader | None:
    """The screen's audit log, team-aware (a test's fake backend has no team)."""
    team = getattr(screen.backend, "team", None)
    if screen.audit is None or team is None:
        return screen.audit
    from canary_tui.team_audit import TeamAuditReader

    return TeamAuditReader(screen.audit, team, region=lambda: screen.options.region)
