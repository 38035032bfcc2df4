"""Capacity math and warnings: per-instance load now -> after, and counts against min..max."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from canary_tui.domain.capacity import (
    NO_VALUE,
    EndpointScaling,
    ScalingLimits,
    check_instance_count,
    forecast_load,
    limits_text,
    recent_request_rates,
)
from canary_tui.domain.metrics import Series

NOW = datetime(2026, 1, 1, 12, 7, 30, tzinfo=UTC)  # mid-period: 12:07 is in progress
VARIANTS = ("current-model", "new-model")


def _per_minute(values: dict[int, float]) -> Series:
    """Datapoints at 12:MM for each minute MM given."""
    return Series(
        tuple((datetime(2026, 1, 1, 12, m, tzinfo=UTC), v) for m, v in sorted(values.items()))
    )


def test_rates_use_complete_periods_only_and_silence_is_zero() -> None:
    series = {
        # 12:02..12:06 are the last five complete minutes; 12:07 is partial, 12:01 too old.
        "current-model": _per_minute({1: 9999, 2: 100, 3: 100, 4: 100, 5: 100, 6: 100, 7: 5}),
        "new-model": _per_minute({6: 50}),  # four silent minutes: zero requests
        "idle": Series(),
    }
    rates = recent_request_rates(series, NOW, 60)
    assert rates == {"current-model": 100.0, "new-model": 10.0, "idle": 0.0}
    assert recent_request_rates(series, NOW, 0) == {}


def test_the_seed_endpoints_100_percent_step_warns() -> None:
    # 2 baseline instances, 1 canary instance, 900 + 100 req/min: the scenario.
    forecast = forecast_load(
        VARIANTS,
        shares_before={"current-model": 90.0, "new-model": 10.0},
        shares_after={"current-model": 0.0, "new-model": 100.0},
        counts_before={"current-model": 2, "new-model": 1},
        counts_after={"current-model": 2, "new-model": 1},
        rates={"current-model": 900.0, "new-model": 100.0},
    )
    baseline, canary = forecast.variants
    assert (baseline.per_instance_before, baseline.per_instance_after) == (450.0, 0.0)
    assert (canary.per_instance_before, canary.per_instance_after) == (100.0, 1000.0)
    assert forecast.busiest_now == 450.0
    assert canary.text == "100 → 1,000"
    assert len(forecast.warnings) == 1
    assert (
        "new-model would carry 1,000 req/min per instance on 1 instance(s)"
        in (forecast.warnings[0])
    )
    assert "busiest variant now (450)" in forecast.warnings[0]


def test_a_step_within_the_busiest_load_does_not_warn_and_the_factor_loosens() -> None:
    kwargs = dict(
        shares_before={"current-model": 90.0, "new-model": 10.0},
        counts_before={"current-model": 2, "new-model": 1},
        counts_after={"current-model": 2, "new-model": 1},
        rates={"current-model": 900.0, "new-model": 100.0},
    )
    # 40 % of 1,000 = 400 on one instance: under the busiest's 450.
    calm = forecast_load(VARIANTS, shares_after={"current-model": 60, "new-model": 40}, **kwargs)
    assert calm.warnings == ()
    # 100 %: 1,000 > 450, but not > 450 x 2.5.
    loose = forecast_load(
        VARIANTS, shares_after={"current-model": 0, "new-model": 100}, factor=2.5, **kwargs
    )
    assert loose.warnings == ()
    strict = forecast_load(
        VARIANTS, shares_after={"current-model": 0, "new-model": 100}, factor=2.0, **kwargs
    )
    assert "x 2" in strict.warnings[0]


@pytest.mark.parametrize(
    ("rates", "counts"),
    [
        (None, {"current-model": 2, "new-model": 1}),  # no metrics yet
        ({"current-model": 900.0}, {"current-model": 2, "new-model": 1}),  # one variant missing
    ],
)
def test_unknown_rates_are_never_guessed(
    rates: dict[str, float] | None, counts: dict[str, int | None]
) -> None:
    forecast = forecast_load(
        VARIANTS,
        {"current-model": 90, "new-model": 10},
        {"current-model": 0, "new-model": 100},
        counts,
        counts,
        rates,
    )
    assert all(load.per_instance_before is None for load in forecast.variants)
    assert all(load.text == f"{NO_VALUE} → {NO_VALUE}" for load in forecast.variants)
    assert forecast.warnings == () and forecast.busiest_now is None


def test_unknown_or_zero_instances_leave_that_variant_unknown() -> None:
    forecast = forecast_load(
        VARIANTS,
        {"current-model": 90, "new-model": 10},
        {"current-model": 50, "new-model": 50},
        {"current-model": None, "new-model": 1},
        {"current-model": 0, "new-model": 1},
        {"current-model": 900.0, "new-model": 100.0},
    )
    baseline, canary = forecast.variants
    assert (baseline.per_instance_before, baseline.per_instance_after) == (None, None)
    # The busiest of what is known (the canary, 100) is the yardstick: 500 > 100.
    assert canary.per_instance_after == 500.0 and len(forecast.warnings) == 1


def test_no_traffic_at_all_gives_zeros_and_no_warning() -> None:
    forecast = forecast_load(
        VARIANTS,
        {"current-model": 90, "new-model": 10},
        {"current-model": 0, "new-model": 100},
        {"current-model": 2, "new-model": 1},
        {"current-model": 2, "new-model": 1},
        {"current-model": 0.0, "new-model": 0.0},
    )
    assert forecast.warnings == () and forecast.variants[1].text == "0 → 0"


LIMITS = EndpointScaling(
    "e",
    {
        "current-model": ScalingLimits(2, 6),
        "new-model": ScalingLimits(1, 4, policies=("invocations-70",)),
        "paused": ScalingLimits(1, 4, policies=("p",), dynamic_suspended=True),
    },
)


@pytest.mark.parametrize("count", [0, 5, 99999999999999999999])
def test_count_outside_min_max_is_refused_with_why(count: int) -> None:
    check = check_instance_count(LIMITS, "new-model", count)
    assert check.refusal is not None
    assert f"{count} instance(s) is outside new-model's scaling limits 1..4" in check.refusal


def test_count_inside_limits_warns_of_an_active_policy_only() -> None:
    assert check_instance_count(LIMITS, "current-model", 6).refusal is None
    assert check_instance_count(LIMITS, "current-model", 6).warnings == ()
    warned = check_instance_count(LIMITS, "new-model", 3)
    assert warned.refusal is None and "invocations-70" in warned.warnings[0]
    assert "may override this count" in warned.warnings[0]
    assert check_instance_count(LIMITS, "paused", 3).warnings == ()  # scaling suspended
    assert check_instance_count(LIMITS, "no-target", 40) == check_instance_count(LIMITS, "x", 1)


def test_unreadable_limits_warn_and_never_refuse() -> None:
    unknown = EndpointScaling.unreadable("e", "scaling limits not readable: access denied")
    for scaling, start in ((unknown, "scaling limits not readable"), (None, "not read yet")):
        check = check_instance_count(scaling, "new-model", 99)
        assert check.refusal is None
        assert start in check.warnings[0] and "99 is not checked" in check.warnings[0]
    assert limits_text(unknown, "new-model") == "?" and limits_text(None, "new-model") == "?"
    assert limits_text(LIMITS, "new-model") == "1-4"
    assert limits_text(LIMITS, "no-target") == NO_VALUE


def test_an_observed_split_off_the_weights_does_not_make_an_unchanged_variant_look_busier() -> None:
    # Live traffic is 92.4/7.6 although the weights say 90/10 (it never matches exactly).
    rates = {"current-model": 924.0, "new-model": 76.0}
    shares = {"current-model": 90.0, "new-model": 10.0}
    counts = {"current-model": 2, "new-model": 1}
    # Adding canary instances leaves the split as it is: nobody gets busier.
    more = forecast_load(VARIANTS, shares, shares, counts, {**counts, "new-model": 3}, rates)
    baseline, canary = more.variants
    assert baseline.per_instance_after == baseline.per_instance_before == 462.0
    assert canary.per_instance_after == pytest.approx(76.0 / 3)
    assert more.warnings == ()
    # A changed share is the total times that share: 100 % is exactly the total.
    step = forecast_load(
        VARIANTS, shares, {"current-model": 0.0, "new-model": 100.0}, counts, counts, rates
    )
    assert step.variants[1].per_instance_after == 1000.0
    # A variant with no traffic now gets the endpoint's total times its new share.
    idle = forecast_load(
        VARIANTS,
        {"current-model": 100.0, "new-model": 0.0},
        {"current-model": 75.0, "new-model": 25.0},
        counts,
        counts,
        {"current-model": 1000.0, "new-model": 0.0},
    )
    assert idle.variants[1].per_instance_after == 250.0
