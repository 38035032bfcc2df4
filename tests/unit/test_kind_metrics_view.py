"""The kind lines under the metrics pane's sparklines, from series (no app)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from canary_tui.domain.kind_metrics import KindMetric, KindRef, Scope, kind_period, kind_refs
from canary_tui.domain.metrics import DataStatus, Series
from canary_tui.domain.models import (
    Endpoint,
    InferenceComponent,
    ServerlessConfig,
    Variant,
)
from canary_tui.ui.kind_metrics_view import kind_lines
from canary_tui.ui.view import MetricsFrame

END = datetime(2026, 12, 3, 12, 15, tzinfo=UTC)
FRAME = MetricsFrame(END - timedelta(minutes=15), END, 60)
CONFIG = ServerlessConfig(2048, 20)


def minute(n: int) -> datetime:
    return FRAME.start + timedelta(minutes=n)


def ref(scope: Scope, name: str, key: KindMetric) -> KindRef:
    return KindRef("ep", scope, name, key)


def test_which_kinds_publish_what() -> None:
    plain = Endpoint("ep", "InService", (Variant("v", 1, 1, 1, 1),))
    assert kind_refs(plain) == ()
    serverless = Endpoint(
        "ep", "InService", (Variant("v", 1, 1, None, None, current_serverless=CONFIG),)
    )
    assert [r.key for r in kind_refs(serverless)] == [
        KindMetric.MODEL_SETUP_AVG,
        KindMetric.MODEL_SETUPS,
    ]
    asynchronous = Endpoint("ep", "InService", (Variant("v", 1, 1, 1, 1),), asynchronous=True)
    assert {(r.scope, r.name) for r in kind_refs(asynchronous)} == {(Scope.ENDPOINT, "")}
    assert kind_refs(asynchronous)[0].dimensions() == [{"Name": "EndpointName", "Value": "ep"}]
    assert len(kind_refs(plain, multi_model={"v"})) == 4
    components = Endpoint(
        "ep",
        "InService",
        (Variant("v", 1, 1, 1, 1, hosts_inference_components=True),),
        inference_components=(InferenceComponent("llm", "v", "InService", 1, 1),),
    )
    assert kind_refs(components)[0].dimensions() == [
        {"Name": "InferenceComponentName", "Value": "llm"}
    ]
    assert kind_period(10) == 60 and kind_period(300) == 300


def test_cold_starts_are_counted_over_the_window_with_their_mean_setup() -> None:
    series = {
        ref(Scope.VARIANT, "v2", KindMetric.MODEL_SETUP_AVG): Series(
            ((minute(2), 1000.0), (minute(9), 4000.0))
        ),
        ref(Scope.VARIANT, "v2", KindMetric.MODEL_SETUPS): Series(
            ((minute(2), 3.0), (minute(9), 1.0))
        ),
        ref(Scope.VARIANT, "v3", KindMetric.MODEL_SETUP_AVG): Series(),
        ref(Scope.VARIANT, "v3", KindMetric.MODEL_SETUPS): Series(),
    }
    # (3 x 1000 + 1 x 4000) / 4 = 1750: weighted by count, not (1000 + 4000) / 2.
    assert kind_lines(series, FRAME, "15m") == [
        "cold starts in 15m: v2 4, setup avg 1,750ms · v3 none"
    ]


def test_an_unknown_window_is_said_to_be_partial() -> None:
    window = (FRAME.start, FRAME.end)
    series = {
        ref(Scope.VARIANT, "v2", KindMetric.MODEL_SETUPS): Series(
            (), (window,), DataStatus.PARTIAL_DATA
        ),
    }
    assert kind_lines(series, FRAME, "15m") == ["cold starts in 15m: v2 none (partial)"]


def test_the_queue_shows_its_latest_values_and_their_age() -> None:
    series = {
        ref(Scope.ENDPOINT, "", KindMetric.BACKLOG): Series(((minute(3), 5.0), (minute(13), 12.0))),
        ref(Scope.ENDPOINT, "", KindMetric.BACKLOG_PER_INSTANCE): Series(((minute(13), 6.0),)),
        ref(Scope.ENDPOINT, "", KindMetric.OLDEST_REQUEST_AGE): Series(((minute(2), 45.0),)),
        ref(Scope.ENDPOINT, "", KindMetric.BACKLOG_WITHOUT_CAPACITY): Series(((minute(13), 0.0),)),
    }
    assert kind_lines(series, FRAME, "15m") == [
        "queue: backlog 12 · 6.0/instance · oldest 45s (11m old)"
    ]
    series[ref(Scope.ENDPOINT, "", KindMetric.BACKLOG_WITHOUT_CAPACITY)] = Series(
        ((minute(13), 1.0),)
    )
    assert kind_lines(series, FRAME, "15m")[0].endswith("· BACKLOG WITHOUT CAPACITY")


def test_multi_model_and_components() -> None:
    series = {
        ref(Scope.VARIANT, "mme", KindMetric.MODEL_CACHE_HIT): Series(((minute(13), 75.0),)),
        ref(Scope.VARIANT, "mme", KindMetric.MODEL_LOADING_WAIT_AVG): Series(
            ((minute(13), 120.0),)
        ),
        ref(Scope.COMPONENT, "llm", KindMetric.COMPONENT_INVOCATIONS): Series(
            ((minute(1), 100.0), (minute(2), 300.0))
        ),
        ref(Scope.COMPONENT, "llm", KindMetric.COMPONENT_ERRORS_5XX): Series(((minute(2), 4.0),)),
        ref(Scope.COMPONENT, "llm", KindMetric.COMPONENT_LATENCY_AVG): Series(
            ((minute(1), 10.0), (minute(2), 30.0))
        ),
    }
    lines = kind_lines(series, FRAME, "15m")
    assert lines[0] == "model cache: mme hit 75%, load wait 120ms"
    # 4 of 400 requests; latency (100 x 10 + 300 x 30) / 400 = 25.
    assert lines[1] == "llm (component): 400 req in 15m · 4xx+5xx 1.00% · latency avg 25.0ms"
    assert kind_lines({}, FRAME, "15m") == []


def test_a_kind_series_is_scaled_to_its_unit() -> None:
    spec = ref(Scope.VARIANT, "mme", KindMetric.MODEL_CACHE_HIT).spec
    assert (spec.metric_name, spec.stat, spec.scale) == ("ModelCacheHit", "Average", 100.0)
    setup = ref(Scope.VARIANT, "v", KindMetric.MODEL_SETUP_AVG).spec
    assert setup.scale == pytest.approx(0.001)  # microseconds to ms
