"""The metrics pane's kind lines in the console (Pilot, fake backend): a serverless
endpoint's cold starts, a multi-model variant's cache, shown under the sparklines; none for
a plain endpoint, and no kind metric asked for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from textual.widgets import Static

from canary_tui.domain.kind_metrics import KindMetric, KindRef
from canary_tui.domain.metrics import MetricsBatch, Series, VariantRef
from canary_tui.domain.models import Endpoint, ServerlessConfig, Variant
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.widgets.metrics import MetricsPanel
from tests.ui.fakes import FakeBackend, FakeCloudWatch, FakeSageMaker, frozen_clock, variant
from tests.ui.helpers import console, refresh_and_settle, static_text

CONFIG = ServerlessConfig(2048, 20, 5)


class KindCloudWatch(FakeCloudWatch):
    """Two cold starts of 1.5 s a period for serverless variants; a 90 % cache hit ratio
    for the variants it says are multi-model."""

    def __init__(self, sagemaker: FakeSageMaker) -> None:
        super().__init__(sagemaker)
        self.kind_asked: list[tuple[KindRef, ...]] = []

    def multi_model_variants(self, endpoint: Endpoint) -> frozenset[str]:
        return frozenset({"mme"}) if endpoint.name == "b-plain" else frozenset()

    def fetch(
        self,
        refs: Sequence[VariantRef],
        start: datetime,
        end: datetime,
        period_seconds: int,
        *args: Any,
        kind: Sequence[KindRef] = (),
        **kwargs: Any,
    ) -> MetricsBatch:
        self.kind_asked.append(tuple(kind))
        batch = super().fetch(refs, start, end, period_seconds)
        step = timedelta(seconds=period_seconds)
        moments = [start + step * i for i in range(int((end - start) / step))]
        values = {
            KindMetric.MODEL_SETUPS: 2.0,
            KindMetric.MODEL_SETUP_AVG: 1500.0,
            KindMetric.MODEL_CACHE_HIT: 90.0,
        }
        series = {
            ref: Series(tuple((m, values[ref.key]) for m in moments) if ref.key in values else ())
            for ref in kind
        }
        return replace(batch, kind=series)


async def test_the_pane_shows_what_only_this_kind_publishes() -> None:
    serverless = Endpoint(
        "a-serverless",
        "InService",
        tuple(
            Variant(name, w, w, None, None, current_serverless=CONFIG, desired_serverless=CONFIG)
            for name, w in (("v2", 0.9), ("v3", 0.1))
        ),
    )
    plain = Endpoint("b-plain", "InService", (variant("mme", 1.0),))
    plainer = Endpoint("c-plain", "InService", (variant("only", 1.0),))
    sagemaker = FakeSageMaker({e.name: e for e in (serverless, plain, plainer)})
    cloudwatch = KindCloudWatch(sagemaker)
    app = CanaryApp(
        FakeBackend(sagemaker, cloudwatch),
        None,
        ConsoleOptions(poll=False, region="us-east-1"),
        clock=frozen_clock,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "a-serverless")
        screen = console(app)
        lines = screen.query_one(MetricsPanel).query_one("#kind-metrics", Static)
        assert lines.display
        text = static_text(lines).splitlines()
        # 60 one-minute periods (the 1h window) of 2 cold starts each.
        assert text == ["cold starts in 1h: v2 120, setup avg 1,500ms · v3 120, setup avg 1,500ms"]
        assert {ref.name for ref in cloudwatch.kind_asked[-1]} == {"v2", "v3"}

        screen.select_named("b-plain")
        await refresh_and_settle(pilot, "b-plain")
        assert static_text(lines).splitlines() == ["model cache: mme hit 90%"]

        screen.select_named("c-plain")
        await refresh_and_settle(pilot, "c-plain")
        assert not lines.display
        assert cloudwatch.kind_asked[-1] == ()
