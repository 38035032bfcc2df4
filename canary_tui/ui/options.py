"""What the console is told at start. No Textual here, so the CLI can build it cheaply."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConsoleOptions:
    read_only: bool = False
    #: Seconds between polls of the endpoint list and metrics; None: follow the metric period.
    refresh_seconds: float | None = None
    #: Shown in the status line and title, e.g. "demo".
    mode_label: str | None = None
    #: The region in effect, resolved before the app starts (shown in the status line).
    region: str | None = None
    #: False: start no timers at all (snapshots, tests); ctrl+r still polls once.
    poll: bool = True
    #: CloudWatch period of every series; also the default refresh cadence.
    metric_period_seconds: int = 60
    #: Seconds between describes of an endpoint that is updating (or just changed).
    follow_seconds: float = 3.0
    #: Endpoints other than the selected one are re-described this rarely (in a background
    #: loop, a few at a time) just to keep the list's variant count and canary share fresh.
    background_describe_seconds: float = 300.0
    #: Describes per round of that background loop (one round every ``follow_seconds``).
    background_batch: int = 10
    #: Initial metrics window: one of 15m, 1h, 3h, 12h.
    window: str = "1h"
    #: Show the big chart even on a short terminal (otherwise: only from 36 rows up).
    show_chart: bool | None = None

    @property
    def effective_refresh_seconds(self) -> float:
        return self.refresh_seconds or float(self.metric_period_seconds)
