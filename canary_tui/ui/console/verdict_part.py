"""The verdict panel of the selected endpoint, and the weight-change markers.

Computed from the metrics the console already fetched (no extra API call), in a thread
worker (it reads the audit log and runs the exact tests: file and CPU work, kept off the
event loop), each time the selected endpoint's metrics window moves. The audit log says
when the weights last changed, so the traffic split is judged from then on; those changes
are also drawn as vertical lines on the chart and labels under the sparklines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from canary_tui.aws.errors import AwsError
from canary_tui.domain.metrics import VariantMetrics, VariantRef
from canary_tui.domain.models import Endpoint
from canary_tui.domain.shadow_verdict import judge_endpoint, judged, metric_variant_names
from canary_tui.domain.split_origin import differs, split_origin
from canary_tui.domain.verdict import VerdictThresholds
from canary_tui.notify.publish import verdict_changed
from canary_tui.own_changes import own_changes
from canary_tui.ui.console.state import ConsoleView
from canary_tui.ui.console.team_view import console_audit
from canary_tui.ui.ramping import (
    RampLauncher,
    WeightChange,
    trail_weight_changes,
    weight_changes,
)
from canary_tui.ui.view import MetricsFrame
from canary_tui.ui.widgets.metrics import MetricsPanel
from canary_tui.ui.widgets.verdict import VerdictPanel, VerdictView

if TYPE_CHECKING:
    from canary_tui.audit_model import AuditEntry
    from canary_tui.ui.screens.console import ConsoleScreen

#: Tall terminals show every check of the verdict; short ones one line (v toggles).
EXPANDED_VERDICT_MIN_HEIGHT = 36
VerdictKey = tuple[object, ...]


class VerdictComputed(Message):
    def __init__(
        self, endpoint: str, key: VerdictKey, view: VerdictView, markers: list[WeightChange]
    ) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.key = key
        self.view = view
        self.markers = markers


class VerdictPart:
    def __init__(self, screen: ConsoleScreen, view: ConsoleView) -> None:
        self.screen = screen
        self.view = view
        #: None: follow the terminal's height; v sets it.
        self.expanded: bool | None = None
        self.verdicts: dict[str, VerdictView] = {}
        self.markers: dict[str, list[WeightChange]] = {}
        #: What each endpoint's latest computation was asked for; older answers are dropped.
        self.keys: dict[str, VerdictKey] = {}

    @property
    def thresholds(self) -> VerdictThresholds:
        launcher = getattr(self.screen.app, "ramps", None)
        base = launcher.thresholds if isinstance(launcher, RampLauncher) else VerdictThresholds()
        # The quality metrics the console fetches are the ones it judges (also read-only).
        return replace(base, quality=self.screen.options.quality_metrics)

    @property
    def is_expanded(self) -> bool:
        if self.expanded is not None:
            return self.expanded
        return self.screen.app.size.height >= EXPANDED_VERDICT_MIN_HEIGHT

    def toggle(self) -> None:
        self.expanded = not self.is_expanded
        self.render()
        panel = self.screen.query_one(VerdictPanel)
        if self.expanded and panel.display:
            # The detail is for reading: arrows and page keys scroll it at once (on a short
            # terminal it also takes the endpoint list's rows, app.tcss -verdict-open).
            panel.focus()
        elif self.screen.focused is panel:
            self.screen.query_one("#endpoints").focus()

    # -- after each metrics render --------------------------------------------------------
    def update(self) -> None:
        """Redraw the verdict and markers, and recompute the verdict if the data moved."""
        self.render()
        self.render_markers()
        view = self.view
        endpoint = view.selected_endpoint
        frame = view.metrics_frame
        if endpoint is None or frame is None or not judged(endpoint):
            return
        if not view.metrics.has(endpoint.name):
            return
        key: VerdictKey = (
            frame.start,
            frame.end,
            frame.period_seconds,
            tuple(sorted(endpoint.current_weights.items())),
            view.window,
        )
        if self.keys.get(endpoint.name) == key:
            return
        self.keys[endpoint.name] = key
        metrics = {
            name: view.metrics.get(VariantRef(endpoint.name, name))
            for name in metric_variant_names(endpoint)
        }
        if endpoint.name not in self.verdicts:
            self.verdicts[endpoint.name] = VerdictView(
                endpoint.name, message="computing…", window=view.window
            )
            self.render()
        work = partial(
            self._compute,
            endpoint,
            metrics,
            frame,
            self.screen.clock(),
            view.window,
            self.thresholds,
            key,
            view.baseline_of(endpoint),
            view.weights_seen_changed.get(endpoint.name),
        )
        self.screen.run_worker(work, thread=True, group="verdict", exit_on_error=False)

    def _compute(
        self,
        endpoint: Endpoint,
        metrics: Mapping[str, VariantMetrics],
        frame: MetricsFrame,
        now: datetime,
        window: str,
        thresholds: VerdictThresholds,
        key: VerdictKey,
        baseline: str | None,
        seen_change: datetime | None,
    ) -> None:
        entries = self._read_audit(endpoint.name)
        changes = weight_changes(entries, baseline) + self._read_trail(
            endpoint.name, frame, baseline
        )
        inside = sorted(
            (c for c in changes if frame.start <= c.time <= frame.end), key=lambda c: c.time
        )
        ours = own_changes(entries)
        origin = split_origin(
            window_start=frame.start,
            window_end=frame.end,
            period_seconds=frame.period_seconds,
            audit_changes=ours.weights,
            seen_change=seen_change,
            last_modified=endpoint.last_modified,
            other_own_changes=ours.counts,
            weights_differ_from_ours=ours.last_shares is not None
            and differs(endpoint.desired_traffic_shares, ours.last_shares),
        )
        end = min(now, frame.end) if now > frame.start else frame.end
        window_seconds = max((end - frame.start).total_seconds(), float(frame.period_seconds))
        try:
            verdict = judge_endpoint(
                endpoint,
                metrics,
                period_seconds=frame.period_seconds,
                window_seconds=window_seconds,
                thresholds=thresholds,
                baseline=baseline,
                weights_note=origin.note,
                split_since=origin.judged_from,
            )
        except ValueError as error:
            view = VerdictView(endpoint.name, message=f"cannot judge: {error}", window=window)
        else:
            view = VerdictView(endpoint.name, verdict=verdict, window=window)
        self.screen.post_message(VerdictComputed(endpoint.name, key, view, inside))

    def _read_audit(self, endpoint: str) -> list[AuditEntry]:
        """From a worker thread: the audit log's changes of ``endpoint``."""
        audit = console_audit(self.screen)
        if audit is None:
            return []
        try:
            return list(audit.read(endpoint).entries)
        except (OSError, ValueError):
            return []  # no log yet, or unreadable: no markers, the verdict still works

    def _read_trail(
        self, endpoint: str, frame: MetricsFrame, baseline: str | None
    ) -> list[WeightChange]:
        """From a worker thread: changes made outside canary-tui that CloudTrail shows, as
        markers (asked at most every 5 minutes per endpoint; none when it cannot say)."""
        trail = getattr(self.screen.backend, "cloudtrail", None)  # fakes have none
        if trail is None:
            return []
        try:
            reading = trail.recent_changes(endpoint, frame.start, frame.end)
        except AwsError:
            return []  # no cloudtrail:LookupEvents: markers from the audit log only
        return trail_weight_changes(reading.changes, baseline)

    def computed(self, message: VerdictComputed) -> None:
        if self.keys.get(message.endpoint) != message.key:
            return  # a newer computation is on its way
        previous = self.verdicts.get(message.endpoint)
        self.verdicts[message.endpoint] = message.view
        verdict_changed(
            self.screen.backend,
            self.view.endpoints.get(message.endpoint),
            previous.verdict if previous is not None else None,
            message.view.verdict,
        )
        self.markers[message.endpoint] = message.markers
        if message.endpoint == self.view.selected:
            self.render()
            self.render_markers()

    # -- render ---------------------------------------------------------------------------
    def render(self) -> None:
        panel = self.screen.query_one(VerdictPanel)
        endpoint = self.view.selected_endpoint
        self.screen.set_class(self.expanded is True, "-verdict-open")
        if endpoint is None or not judged(endpoint):
            panel.display = False
            panel.show(None, self.is_expanded)
            return
        panel.display = True
        shown = self.verdicts.get(endpoint.name) or VerdictView(
            endpoint.name, message="waiting for metrics…", window=self.view.window
        )
        panel.show(shown, self.is_expanded)

    def render_markers(self) -> None:
        selected = self.view.selected
        markers = self.markers.get(selected, []) if selected else []
        frame = self.view.metrics_frame
        labels = [change.label(self.screen.options.ascii) for change in markers]
        subtitle = " ".join(labels[-3:]) if labels else None
        panel = self.screen.query_one(MetricsPanel)
        if panel.border_subtitle != subtitle:
            panel.border_subtitle = subtitle
        chart = self.screen.chart()
        if chart is None:  # not shown yet: markers are drawn when it is created
            return
        chart.border_subtitle = subtitle
        if frame is None or not markers:
            return
        for change in markers:
            chart.plt.vline(frame.minutes_before_end(change.time), "orange")
        chart.refresh()
