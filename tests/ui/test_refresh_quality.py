"""The metric cache keeps a delayed quality series from its own window's start (the window
less the delay), through full and incremental fetches, as the gateway cuts it."""

from __future__ import annotations

from datetime import timedelta

from canary_tui.domain.metrics import MetricsBatch, Series, VariantMetrics
from canary_tui.ui.refresh import MetricsCache
from tests.ui.test_refresh import NOW, REF

KEY = "accuracy.trials"
DELAY = timedelta(minutes=30)


def _batch(start, end, value: float) -> MetricsBatch:  # type: ignore[no-untyped-def]
    # As the gateway returns it: the series over [start - delay, end - delay).
    points, moment = [], start - DELAY
    while moment < end - DELAY:
        points.append((moment, value))
        moment += timedelta(minutes=1)
    quality = {KEY: Series(tuple(points), window=(start - DELAY, end - DELAY))}
    return MetricsBatch(start, end, 60, {REF: VariantMetrics(REF, {}, quality)}, False, 1)


def test_a_delayed_series_is_kept_from_its_own_window_start() -> None:
    cache = MetricsCache(period_seconds=60)
    first = cache.request("ep", ["a"], NOW, "1h")
    cache.merge(first, _batch(first.start, first.end, 1.0), {KEY: DELAY})
    kept = cache.get(REF).quality[KEY]
    assert kept.points[0][0] == first.window_start - DELAY and len(kept.points) == 60

    later = cache.request("ep", ["a"], NOW + timedelta(minutes=1), "1h")
    assert not later.full
    cache.merge(later, _batch(later.start, later.end, 2.0), {KEY: DELAY})
    merged = cache.get(REF).quality[KEY]
    # The oldest minute fell out of the delayed window; the late labels came in.
    assert merged.points[0][0] == later.window_start - DELAY and len(merged.points) == 60
    assert merged.points[-1] == (later.end - DELAY - timedelta(minutes=1), 2.0)
    assert merged.points[-6][1] == 1.0  # before the incremental fetch's stretch: kept

    # Without a reach (no delay given), the series is cut at the window like the others.
    cache.merge(later, _batch(later.start, later.end, 2.0))
    assert cache.get(REF).quality[KEY].points[0][0] == later.window_start
