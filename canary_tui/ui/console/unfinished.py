"""At start: say so if the audit log holds a change whose outcome was never written."""

from __future__ import annotations

from functools import partial

from rich.markup import escape
from textual.screen import Screen

from canary_tui.domain.text import printable
from canary_tui.ui.ports import AuditReader


def report_unfinished_changes(screen: Screen[None], audit: AuditReader) -> None:
    """A change whose outcome was never written (crash, kill, power loss) must not go
    unnoticed: nobody knows whether it was applied. The log is read in a thread worker."""
    screen.run_worker(
        partial(_read_and_tell, screen, audit), thread=True, group="audit", exit_on_error=False
    )


def _read_and_tell(screen: Screen[None], audit: AuditReader) -> None:
    unfinished = audit.read_unfinished().entries
    if not unfinished:
        return
    latest = unfinished[-1].intent
    where = escape(printable(latest.endpoint, 80))
    screen.app.call_from_thread(
        screen.notify,
        f"{len(unfinished)} change(s) in the audit log have no outcome (the process "
        f"stopped mid-change); latest: {where} at {latest.time:%Y-%m-%d %H:%M} "
        "UTC. Check the endpoint; a shows the log.",
        title="Unfinished change",
        severity="warning",
        timeout=20,
    )
