"""The demo's serverless cold starts (demo/traffic.py's model): environments launched when
the requests in flight outgrow the warm ones, provisioned ones always warm, idle ones
recycled a minute at a time."""

from __future__ import annotations

from canary_tui.demo.traffic import ServerlessCapacity, cold_starts


def test_a_burst_after_idling_starts_cold_and_then_runs_warm() -> None:
    capacity = ServerlessCapacity(max_concurrency=10)
    # 48 requests of 60 ms in a minute: 0.05 in flight, a peak of one.
    assert cold_starts(capacity, 48, 60, 60.0) == 1
    assert cold_starts(capacity, 48, 60, 60.0) == 0  # warm now
    assert cold_starts(capacity, 0, 60, 60.0) == 0  # idle: recycled
    assert capacity.warm == 0
    assert cold_starts(capacity, 48, 60, 60.0) == 1


def test_provisioned_concurrency_never_starts_cold_below_it() -> None:
    capacity = ServerlessCapacity(max_concurrency=20, provisioned=5)
    assert capacity.warm == 5
    for requests in (432, 0, 0, 432):  # 7.2 requests/s at 60 ms: a peak of 3
        assert cold_starts(capacity, requests, 60, 60.0) == 0
    assert capacity.warm == 5


def test_launches_stop_at_max_concurrency() -> None:
    capacity = ServerlessCapacity(max_concurrency=4)
    # 100 requests/s of 500 ms: 50 in flight, far above the 4 allowed.
    assert cold_starts(capacity, 6000, 60, 500.0) == 4
    assert cold_starts(capacity, 6000, 60, 500.0) == 0
    assert cold_starts(capacity, 0, 0, 500.0) == 0
