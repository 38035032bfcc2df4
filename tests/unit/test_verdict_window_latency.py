"""The latency gate on CloudWatch's p99 over the judged window (issue 14): a 1 % canary's
per-minute p99s are nearly the maximum of a few requests, their median misleads; one p99 per
variant over the window does not. Without a window p99 (moto), the check is as before."""

from __future__ import annotations

from canary_tui.domain.metrics import VariantRef
from canary_tui.domain.verdict import Outcome, VerdictThresholds, compute_verdict
from canary_tui.domain.verdict_latency import WINDOW_NOTE
from canary_tui.domain.window_latency import WindowLatency, WindowPercentile
from tests.unit.test_verdict import jitter, variant_metrics

PERIODS = 30


def _window(variant: str, p99: float | None, chunks: int = 1) -> WindowLatency:
    percentile = (
        None if p99 is None else WindowPercentile(p99, p99 * (1 if chunks == 1 else 1.2), chunks)
    )
    p50 = WindowPercentile(40.0, 40.0, 1)
    return WindowLatency(VariantRef("ep", variant), 1000.0, 45.0, p50, percentile, True)


def _verdict(window: dict[str, WindowLatency] | None):  # type: ignore[no-untyped-def]
    # Per-minute p99s: the canary's (few requests a minute) read lower than the baseline's.
    baseline = variant_metrics(
        "current-model",
        periods=PERIODS,
        requests=900,
        latency=jitter(45, PERIODS),
        p99=jitter(100, PERIODS),
    )
    canary = variant_metrics(
        "new-model",
        periods=PERIODS,
        requests=100,
        latency=jitter(55, PERIODS),
        p99=jitter(98, PERIODS),
    )
    return compute_verdict(
        "ep",
        {"current-model": baseline, "new-model": canary},
        {"current-model": 0.9, "new-model": 0.1},
        period_seconds=60,
        window_seconds=PERIODS * 60.0,
        thresholds=VerdictThresholds(min_requests=100),
        window_latency=window,
    )


def test_the_window_p99_catches_what_per_minute_p99s_hide() -> None:
    per_minute = _verdict(None).canary("new-model").check("latency")
    assert per_minute.outcome is Outcome.PASS, per_minute.reason
    assert per_minute.numbers["p99_source"] == "per-period median"
    verdict = _verdict(
        {"current-model": _window("current-model", 100.0), "new-model": _window("new-model", 160.0)}
    )
    latency = verdict.canary("new-model").check("latency")
    assert latency.outcome is Outcome.FAIL, latency.reason
    assert latency.numbers["ratio"] == 1.6 and latency.numbers["p99_source"] == "window"
    assert latency.numbers["canary_p50_ms"] == 40.0
    assert "p99 160.0 ms vs 100.0 ms" in latency.reason
    assert WINDOW_NOTE in verdict.notes


def test_without_a_window_value_on_both_sides_the_check_is_as_before() -> None:
    before = _verdict(None).canary("new-model").check("latency")
    for window in (
        {"current-model": _window("current-model", 100.0)},  # the canary has none
        {"current-model": _window("current-model", 100.0), "new-model": _window("new-model", None)},
        # Split into chunks: only bounds, never a value to judge on.
        {
            "current-model": _window("current-model", 100.0, 2),
            "new-model": _window("new-model", 160.0, 2),
        },
    ):
        verdict = _verdict(window)
        check = verdict.canary("new-model").check("latency")
        assert check.outcome is before.outcome and check.numbers["ratio"] == before.numbers["ratio"]
        assert check.numbers["p99_source"] == "per-period median"
        assert WINDOW_NOTE not in verdict.notes
