"""What the console reads as its audit: the local log, with the team table's trail of the
selected endpoint merged in when a ``team_table`` is set (markers, verdict, audit view), and
the changes CloudTrail shows were made outside canary-tui (the audit view's last lines)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from canary_tui.domain.trail_events import TrailChange
    from canary_tui.ui.ports import AuditReader
    from canary_tui.ui.screens.console import ConsoleScreen


def console_audit(screen: ConsoleScreen) -> AuditReader | None:
    """The screen's audit log, team-aware (a test's fake backend has no team)."""
    team = getattr(screen.backend, "team", None)
    if screen.audit is None or team is None:
        return screen.audit
    from canary_tui.team_audit import TeamAuditReader

    return TeamAuditReader(screen.audit, team, region=lambda: screen.options.region)


def outside_changes(screen: ConsoleScreen) -> Callable[[str], list[TrailChange]] | None:
    """Blocking, for a worker: the last 24 h of an endpoint's changes CloudTrail shows were
    made outside canary-tui (the gateway asks at most every 5 minutes per endpoint)."""
    trail = getattr(screen.backend, "cloudtrail", None)  # a test's fake backend has none
    if trail is None:
        return None

    def read(endpoint: str) -> list[TrailChange]:
        end = datetime.now(UTC)
        reading = trail.recent_changes(endpoint, end - timedelta(hours=24), end)
        return [change for change in reading.changes if not change.by_canary_tui]

    return read
