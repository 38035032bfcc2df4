from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from canary_tui.domain.models import Endpoint


@dataclass(frozen=True, slots=True)
class StatusState:
    label: str
    region: str
    read_only: bool = False
    last_refresh: datetime | None = None
    refreshing: bool = False
    paused: bool = False
    stale_cause: str | None = None
    window: str = "1h"
    refresh_seconds: float = 60
    #: The profile is marked production: a coloured band, and the word for NO_COLOR.
    production: bool = False
    #: A deployment (PendingDeploymentSummary) is running: "ENDPOINT: stage", else None.
    deployment: str | None = None


def deployment_text(endpoints: Iterable[Endpoint], selected: str | None) -> str | None:
    """The status line's word on running deployments: the selected endpoint's first (its
    stage), then how many others; None when none runs."""
    running = [e for e in endpoints if e.pending_deployment is not None]
    if not running:
        return None
    running.sort(key=lambda endpoint: (endpoint.name != selected, endpoint.name))
    first = running[0]
    assert first.pending_deployment is not None
    text = f"{first.name}: {first.pending_deployment.stage}"
    if len(running) > 1:
        text += f" (+{len(running) - 1} more)"
    return text


class StatusLine(Static):
    """Where you are and how fresh the data is, in one line."""

    def show(self, state: StatusState) -> None:
        # Production is app-wide, like the theme: the app carries it as its -production class
        # (set from the settings and on every profile switch), which also colours the band.
        production = state.production or self.app.has_class("-production")
        text = Text(no_wrap=True, overflow="ellipsis")
        if production:
            text.append(" PRODUCTION ", style="bold reverse")
        text.append(f" {state.label}", style="bold")
        text.append(f" · {state.region}")
        if state.read_only:
            text.append(" · ")
            text.append("READ-ONLY", style="bold reverse")
        if state.last_refresh is not None:
            text.append(f" · {state.last_refresh:%H:%M:%S} UTC")
        else:
            text.append(" · not refreshed yet")
        if state.refreshing:
            text.append(" ⟳")
        if state.paused:
            text.append(" · ")
            text.append("PAUSED", style="bold reverse")
        else:
            text.append(f" · every {state.refresh_seconds:g}s")
        text.append(f" · {state.window}")
        if state.deployment:
            text.append(" · ")
            text.append("DEPLOYING", style="bold reverse")
            text.append(f" {state.deployment}")
        if state.stale_cause:
            text.append(" · ")
            text.append("STALE", style="bold reverse")
            text.append(f" {state.stale_cause}")
        self.set_class(state.stale_cause is not None, "-stale")
        self.set_class(production, "-production")
        # One row, full width (app.tcss): a new text never resizes it, and skipping the layout
        # pass keeps Textual from repainting neighbours (scrollbars) on every poll.
        self.update(text, layout=False)
