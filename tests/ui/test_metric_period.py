"""The console reads an endpoint's metrics in the period its MetricsConfig publishes them
at (enhanced metrics, 10 s to 5 min), as ``canary-tui verdict`` does without --period: the
fetch, the cache, the pane's and chart's titles and the verdict's minimum periods follow it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from canary_tui.domain.metrics import MetricsBatch, VariantRef
from canary_tui.domain.models import Endpoint, MetricsSettings
from canary_tui.domain.verdict import VerdictThresholds
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.refresh import MetricsCache, endpoint_period, period_note
from canary_tui.ui.widgets.chart import MetricChart
from canary_tui.ui.widgets.metrics import MetricsPanel
from tests.ui.fakes import FakeBackend, FakeCloudWatch, FakeSageMaker, frozen_clock, variant
from tests.ui.helpers import console, refresh_and_settle

NOW = datetime(2026, 12, 3, 12, 0, 5, tzinfo=UTC)


def _endpoint(name: str, metrics: MetricsSettings | None) -> Endpoint:
    return Endpoint(
        name,
        "InService",
        (variant("current-model", 0.9), variant("new-model", 0.1)),
        metrics=metrics,
    )


def test_the_period_follows_metrics_config_only_with_enhanced_metrics() -> None:
    assert endpoint_period(_endpoint("a", None), 300) == 300
    assert endpoint_period(_endpoint("a", MetricsSettings(True, 10)), 60) == 10
    # Without enhanced metrics, AWS keeps invocation metrics at 60 s.
    assert endpoint_period(_endpoint("a", MetricsSettings(False, 10)), 300) == 60
    assert period_note(60) == ""
    assert period_note(10) == " · 10s periods"


def test_the_cache_refetches_the_whole_window_when_the_period_changes() -> None:
    cache = MetricsCache(period_seconds=60)
    first = cache.request("ep", ["v"], NOW, "15m", 10)
    assert first.full and first.period_seconds == 10
    assert first.end - first.window_start == timedelta(minutes=15)
    assert first.end == datetime(2026, 12, 3, 12, 0, 10, tzinfo=UTC)
    cache.merge(first, MetricsBatch(first.start, first.end, 10, {}, False))
    assert cache.period_of("ep") == 10
    assert cache.is_current("ep", ["v"], NOW, "15m")
    later = cache.request("ep", ["v"], NOW + timedelta(seconds=10), "15m", 10)
    assert not later.full
    assert later.end - later.start == timedelta(seconds=50)  # 5 periods of 10 s
    assert cache.request("ep", ["v"], NOW, "15m", 60).full  # the config changed
    assert cache.period_of("other") == 60


class PeriodRecorder(FakeCloudWatch):
    def __init__(self, sagemaker: FakeSageMaker) -> None:
        super().__init__(sagemaker)
        self.periods: list[tuple[str, int]] = []

    def fetch(
        self,
        refs: Sequence[VariantRef],
        start: datetime,
        end: datetime,
        period_seconds: int,
        *args: Any,
        **kwargs: Any,
    ) -> MetricsBatch:
        self.periods.append((refs[0].endpoint, period_seconds))
        return super().fetch(refs, start, end, period_seconds)


async def test_the_console_fetches_and_labels_in_the_endpoints_period() -> None:
    sagemaker = FakeSageMaker(
        {
            "a-enhanced": _endpoint("a-enhanced", MetricsSettings(True, 10)),
            "b-plain": _endpoint("b-plain", None),
        }
    )
    cloudwatch = PeriodRecorder(sagemaker)
    app = CanaryApp(
        FakeBackend(sagemaker, cloudwatch),
        None,
        ConsoleOptions(poll=False, region="us-east-1", show_chart=True),
        clock=frozen_clock,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "a-enhanced")
        screen = console(app)
        assert ("a-enhanced", 10) in cloudwatch.periods
        panel = screen.query_one(MetricsPanel)
        assert "· 10s periods" in str(panel.border_title)
        assert screen.query_one(MetricChart).shown_title.endswith("· 10s periods")
        verdict_part = screen.verdict
        thresholds = verdict_part.thresholds
        scaled = verdict_part.thresholds_for(screen.endpoints["a-enhanced"], 10)
        assert scaled.min_periods == thresholds.min_periods * 6
        assert scaled == replace(thresholds, min_periods=thresholds.min_periods * 6)

        screen.select_named("b-plain")
        await refresh_and_settle(pilot, "b-plain")
        assert ("b-plain", 60) in cloudwatch.periods
        assert "periods" not in str(panel.border_title)
        assert verdict_part.thresholds_for(screen.endpoints["b-plain"], 60) == thresholds
    assert VerdictThresholds().min_periods == 10


def test_a_kind_metric_the_backend_did_not_answer_is_unknown_not_none() -> None:
    from canary_tui.domain.kind_metrics import KindMetric, KindRef, Scope

    ref = KindRef("ep", Scope.VARIANT, "v", KindMetric.MODEL_SETUPS)
    cache = MetricsCache(period_seconds=60)
    request = cache.request("ep", ["v"], NOW, "15m", kind=[ref])
    assert request.kind == (ref,)
    cache.merge(request, MetricsBatch(request.start, request.end, 60, {}, False))
    assert not cache.kind_series("ep")[ref].complete
    assert cache.request("ep", ["v"], NOW, "15m").full  # the kind metrics asked changed
