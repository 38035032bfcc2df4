"""The simulator's pure parts: sampling, splitting by weight, segments, profiles."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canary_tui.demo.seed import CANARY_ENDPOINT, CANARY_VARIANT, DEMO_ENDPOINTS
from canary_tui.demo.simulator import (
    BASELINE_PROFILE,
    SCENARIOS,
    EndpointTraffic,
    binomial,
    canary_profile,
    demo_traffic,
    poisson,
    segments,
    split_by_weight,
)

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@given(
    total=st.integers(min_value=0, max_value=100_000),
    weights=st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=1, max_size=5),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_split_routes_every_request_exactly_once(
    total: int, weights: list[float], seed: int
) -> None:
    named = [(f"v{index}", weight) for index, weight in enumerate(weights)]
    counts = split_by_weight(random.Random(seed), total, named)
    assert set(counts) == {name for name, _ in named}
    assert all(count >= 0 for count in counts.values())
    if sum(weights) > 0:
        assert sum(counts.values()) == total
    for name, weight in named:
        if weight == 0:
            assert counts[name] == 0


def test_a_small_canary_gets_its_share_in_small_ticks() -> None:
    # A 99/1 split cut into 5-second ticks of ~190 requests: the canary must get about 1 %.
    rng = random.Random(7)
    ticks = [split_by_weight(rng, 190, [("current", 0.99), ("new", 0.01)]) for _ in range(2000)]
    share = sum(tick["new"] for tick in ticks) / (190 * len(ticks))
    assert share == pytest.approx(0.01, abs=0.002)


def test_split_follows_the_weights() -> None:
    counts = split_by_weight(random.Random(3), 100_000, [("current", 0.9), ("new", 0.1)])
    assert counts["new"] / 100_000 == pytest.approx(0.1, abs=0.005)
    counts = split_by_weight(random.Random(3), 100_000, [("a", 6), ("b", 3), ("c", 1)])
    assert counts["a"] / 100_000 == pytest.approx(0.6, abs=0.01)
    assert counts["c"] / 100_000 == pytest.approx(0.1, abs=0.01)


@pytest.mark.parametrize("mean", [0.5, 4.0, 25.0, 400.0, 50_000.0])
def test_poisson_has_the_requested_mean(mean: float) -> None:
    rng = random.Random(11)
    draws = [poisson(rng, mean) for _ in range(4000)]
    assert sum(draws) / len(draws) == pytest.approx(mean, rel=0.05)
    assert min(draws) >= 0


@pytest.mark.parametrize(
    ("trials", "probability"), [(20, 0.3), (1000, 0.004), (5000, 0.04), (190, 0.99), (40, 0.9)]
)
def test_binomial_has_the_requested_mean_and_stays_in_range(
    trials: int, probability: float
) -> None:
    rng = random.Random(5)
    draws = [binomial(rng, trials, probability) for _ in range(4000)]
    assert sum(draws) / len(draws) == pytest.approx(trials * probability, rel=0.06)
    assert all(0 <= draw <= trials for draw in draws)


def test_segments_cut_at_period_boundaries_and_cover_the_interval() -> None:
    start = T0 + timedelta(seconds=50)
    end = T0 + timedelta(minutes=2, seconds=10)
    cut = list(segments(start, end))
    assert [segment.start for segment in cut] == [
        start,
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=2),
    ]
    assert [segment.seconds for segment in cut] == [10, 60, 10]
    assert list(segments(end, end)) == []


def test_healthy_canary_behaves_like_the_baseline() -> None:
    assert canary_profile("healthy") == BASELINE_PROFILE


def test_regression_canary_is_slower_and_fails_more() -> None:
    regression = canary_profile("regression")
    assert regression.model_latency_ms == pytest.approx(1.6 * BASELINE_PROFILE.model_latency_ms)
    assert 0.03 <= regression.error_5xx_rate <= 0.05
    assert regression.error_5xx_rate > 10 * BASELINE_PROFILE.error_5xx_rate


def test_unknown_scenario_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="healthy, regression"):
        canary_profile("chaos")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_demo_endpoint_has_traffic(scenario: str) -> None:
    traffic = demo_traffic(scenario)
    assert set(traffic) == set(DEMO_ENDPOINTS)
    assert traffic[CANARY_ENDPOINT].profile(CANARY_VARIANT) == canary_profile(scenario)


def test_batch_endpoint_idles_between_bursts() -> None:
    batch = EndpointTraffic(
        requests_per_second=60,
        default_profile=BASELINE_PROFILE,
        wave_amplitude=0,
        cycle_seconds=900,
        busy_seconds=180,
    )
    assert batch.rate_at(T0) == 60
    assert batch.rate_at(T0 + timedelta(minutes=5)) == 0
    assert batch.rate_at(T0 + timedelta(minutes=15)) == 60


def test_rate_varies_gently() -> None:
    steady = EndpointTraffic(requests_per_second=40, default_profile=BASELINE_PROFILE)
    rates = [steady.rate_at(T0 + timedelta(minutes=minute)) for minute in range(60)]
    assert min(rates) >= 40 * 0.85 - 1e-9
    assert max(rates) <= 40 * 1.15 + 1e-9
    assert max(rates) - min(rates) > 5
