"""What the console is told at start. No Textual here, so the CLI can build it cheaply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from canary_tui.domain.quality import QualityMetric


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
    #: Describes per round of that background loop.
    background_batch: int = 10
    #: Background describes per second, at most (the rounds are spaced to keep to it):
    #: DescribeEndpoint is throttled per account, and a change must never be refused
    #: because the list was being filled. A first pass over N endpoints takes N / rate s.
    background_describe_rate: float = 10 / 3
    #: How long b waits for an endpoint that is being updated to settle before sending.
    rollback_wait_seconds: float = 1800.0
    #: Initial metrics window: one of 15m, 1h, 3h, 12h.
    window: str = "1h"
    #: Show the big chart even on a short terminal (otherwise: only from 36 rows up).
    show_chart: bool | None = None
    #: Textual theme name (see canary_tui.ui.themes); unknown names fall back to the default.
    theme: str = "textual-dark"
    #: Plain-ASCII drawing: no box, block, braille or arrow glyphs (old terminals and fonts).
    ascii: bool = False
    #: The AWS profile in effect (None: the standard chain's), shown in the status line.
    profile: str | None = None
    #: The profile is marked production: a distinct band and the word PRODUCTION.
    production: bool = False
    #: Binding id or action name -> key(s), applied over the default bindings.
    keymap: Mapping[str, str] = field(default_factory=dict)
    #: Read-only whatever the profile (--read-only / the read_only setting); ``read_only``
    #: is this or the profile matching ``read_only_profiles``.
    always_read_only: bool = False
    #: Profile patterns that open read-only / are production (re-applied on a profile switch).
    read_only_profiles: tuple[str, ...] = ()
    production_profiles: tuple[str, ...] = ()
    #: Audit log file; None: the platform data directory's audit.jsonl.
    audit_path: Path | None = None
    #: Demo mode: the embedded server has one account, so profiles cannot be switched.
    demo: bool = False
    #: The capacity_warning_factor setting (see canary_tui.domain.capacity).
    capacity_warning_factor: float = 1.0
    #: The [[verdict.metrics]] quality metrics: fetched with the metrics, judged by the verdict.
    quality_metrics: tuple[QualityMetric, ...] = ()

    @property
    def effective_refresh_seconds(self) -> float:
        return self.refresh_seconds or float(self.metric_period_seconds)

    @property
    def background_round_seconds(self) -> float:
        """Seconds between two background rounds of ``background_batch`` describes."""
        return self.background_batch / max(self.background_describe_rate, 0.01)
