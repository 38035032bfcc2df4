"""What the console needs to run ramps, and the weight-change markers from the audit log.

No Textual here. :class:`RampLauncher` builds :class:`~canary_tui.ramp.RampRunner` objects
wired like the CLI wires them (the same ChangeService, source "ramp", state next to the audit
log); the console runs them in thread workers. The CLI builds one; tests build one on moto or
on the console's fake backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from canary_tui.audit import AuditEntry, AuditLog
from canary_tui.changes import ChangeService
from canary_tui.domain.ramp import DEFAULT_STEPS, RampPlanError, RampState
from canary_tui.domain.trail_events import TrailChange
from canary_tui.domain.verdict import VerdictThresholds
from canary_tui.ramp import (
    RampClock,
    RampControl,
    RampProgress,
    RampRunner,
    RampSettings,
    RampStore,
    SystemClock,
)

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend


class RampLauncher:
    """Builds ramp runners for the console; knows the defaults a new plan starts from."""

    def __init__(
        self,
        backend: Backend,
        audit: AuditLog,
        *,
        settings: RampSettings | None = None,
        default_steps: tuple[float, ...] = DEFAULT_STEPS,
        default_bake_seconds: float = 600.0,
        default_bake_requests: int = 0,
        clock: RampClock | None = None,
        changes: ChangeService | None = None,
    ) -> None:
        self.backend = backend
        self.audit = audit
        self.settings = settings or RampSettings()
        self.default_steps = default_steps
        self.default_bake_seconds = default_bake_seconds
        self.default_bake_requests = default_bake_requests
        self.clock = clock or SystemClock()
        self.store = RampStore.next_to(audit.path)
        #: The guarded change path, with "ramp" as the source in the audit log.
        self.changes = changes or ChangeService(backend, audit, "ramp")

    @property
    def thresholds(self) -> VerdictThresholds:
        return self.settings.thresholds

    def runner(
        self, control: RampControl, on_progress: Callable[[RampProgress], None]
    ) -> RampRunner:
        return RampRunner(
            self.backend,
            self.changes,
            self.store,
            clock=self.clock,
            settings=self.settings,
            control=control,
            on_progress=on_progress,
        )

    def in_progress(self) -> list[RampState]:
        """Blocking (reads files): every saved ramp that has not ended."""
        return self.store.in_progress()

    def load(self, endpoint: str) -> RampState | None:
        """Blocking. None when there is no saved ramp or it cannot be read."""
        try:
            return self.store.load(endpoint)
        except RampPlanError:
            return None


@dataclass(frozen=True, slots=True)
class WeightChange:
    """One weight change of an endpoint from the audit log, for a marker."""

    time: datetime
    variant: str
    #: None when not known (a change CloudTrail shows with no earlier one to start from).
    share_before: float | None
    share_after: float
    source: str  # console, cli, ramp, or "cloudtrail" (made outside canary-tui)

    def label(self, ascii_only: bool = False) -> str:
        arrow = "->" if ascii_only else "→"
        mark = "^" if ascii_only else "▲"
        before = "" if self.share_before is None else f"{self.share_before:.0f}"
        outside = " outside" if self.source == "cloudtrail" else ""
        return (
            f"{mark} {self.time:%H:%M} {self.variant} "
            f"{before}{arrow}{self.share_after:.0f}%{outside}"
        )


def trail_weight_changes(
    changes: Iterable[TrailChange], baseline: str | None = None
) -> list[WeightChange]:
    """Markers for weight changes CloudTrail shows were made outside canary-tui (ours are
    in the audit log already). The share before is the previous such change's, if any."""
    markers = []
    previous: dict[str, float] | None = None
    for change in sorted(changes, key=lambda c: c.time):
        total = sum(change.weights.values())
        if change.error is not None or total <= 0:
            continue
        shares = {name: 100 * weight / total for name, weight in change.weights.items()}
        if not change.by_canary_tui:
            others = [name for name in shares if name != baseline] or list(shares)
            variant = min(others, key=lambda name: (shares[name], name))
            before = previous.get(variant) if previous is not None else None
            markers.append(
                WeightChange(change.time, variant, before, shares[variant], "cloudtrail")
            )
        previous = shares
    return markers


def weight_changes(
    entries: Iterable[AuditEntry], baseline: str | None = None
) -> list[WeightChange]:
    """Weight changes that were (or may have been) applied, oldest first. Each names a
    variant other than ``baseline`` when there is one (the one that moved most), so a row of
    markers reads as one story about the canary: picking by the larger move alone named
    "current-model 0→90%" next to "new-model 10→50%" (both moved 40 points in a two-variant
    change). Without a baseline: the one that moved most, the smaller one on a tie."""
    changes = []
    for entry in entries:
        intent = entry.intent
        if intent.kind != "weights" or not entry.may_have_applied:
            continue
        before, after = intent.traffic_percent_before, intent.traffic_percent_after
        names = [name for name in after if name in before]
        if not names:
            continue
        others = [name for name in names if name != baseline]
        candidates = others or names
        variant = max(candidates, key=lambda n: (abs(after[n] - before[n]), -before[n], n))
        moment = entry.outcome.time if entry.outcome is not None else intent.time
        changes.append(
            WeightChange(moment, variant, before[variant], after[variant], intent.source)
        )
    return sorted(changes, key=lambda change: change.time)
