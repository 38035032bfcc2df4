"""Series: what an incomplete CloudWatch result leaves unknown, and how merging keeps it honest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from canary_tui.domain.metrics import DataStatus, MetricKey, Series, VariantMetrics, VariantRef

MINUTE = timedelta(minutes=1)
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _at(minute: int) -> datetime:
    return T0 + MINUTE * minute


def _fetched(
    first: int, last: int, points: dict[int, float], status: DataStatus = DataStatus.COMPLETE
) -> Series:
    """What the gateway builds for a fetch of minutes [first, last)."""
    window = (_at(first), _at(last))
    return Series(
        tuple((_at(minute), value) for minute, value in sorted(points.items())),
        () if status is DataStatus.COMPLETE else (window,),
        status,
        () if status is DataStatus.COMPLETE else (f"{status.value}: test",),
        window,
    )


def test_a_complete_series_reads_missing_periods_as_zero() -> None:
    series = _fetched(0, 5, {1: 10.0})
    assert series.complete
    assert series.known_total() == 10.0
    assert series.dense_known(_at(0), 60, 5, 0.0) == [0.0, 10.0, 0.0, 0.0, 0.0]


def test_an_incomplete_series_reads_missing_periods_as_unknown() -> None:
    series = _fetched(0, 5, {1: 10.0}, DataStatus.PARTIAL_DATA)
    assert not series.complete
    assert series.known_total() is None
    assert series.total() == 10.0  # what came back is still real
    assert series.dense_known(_at(0), 60, 5, 0.0) == [None, 10.0, None, None, None]
    # The old reading is still there for display code that wants it.
    assert series.dense(_at(0), 60, 5, 0.0) == [0.0, 10.0, 0.0, 0.0, 0.0]


def test_a_later_complete_fetch_of_the_same_periods_clears_the_unknown() -> None:
    older = _fetched(0, 10, {2: 5.0}, DataStatus.INTERNAL_ERROR)
    newer = _fetched(7, 10, {8: 1.0})
    merged = older.merged_with(newer, since=_at(0))
    assert merged.unknown == ((_at(0), _at(7)),)  # only what the newer fetch covered is cleared
    assert merged.status is DataStatus.INTERNAL_ERROR
    assert merged.messages == ("InternalError: test",)
    assert merged.points == ((_at(2), 5.0), (_at(8), 1.0))
    fully = merged.merged_with(_fetched(0, 10, {}), since=_at(0))
    assert fully.complete and fully.status is DataStatus.COMPLETE and fully.messages == ()


def test_an_incomplete_newer_fetch_adds_its_window_and_status() -> None:
    older = _fetched(0, 10, {2: 5.0})
    newer = _fetched(7, 10, {}, DataStatus.FORBIDDEN)
    merged = older.merged_with(newer, since=_at(0))
    assert merged.unknown == ((_at(7), _at(10)),)
    assert merged.status is DataStatus.FORBIDDEN
    assert merged.dense_known(_at(6), 60, 4, 0.0) == [0.0, None, None, None]


def test_unknown_before_the_window_start_is_dropped() -> None:
    older = _fetched(0, 10, {}, DataStatus.PARTIAL_DATA)
    merged = older.merged_with(_fetched(8, 12, {}), since=_at(5))
    assert merged.unknown == ((_at(5), _at(8)),)
    assert older.since(_at(10)).complete
    assert older.since(_at(4)).unknown == ((_at(4), _at(10)),)


def test_a_series_without_a_window_clears_nothing() -> None:
    """A hand-built Series (no fetch window) cannot vouch for any period."""
    older = _fetched(0, 10, {}, DataStatus.PARTIAL_DATA)
    merged = older.merged_with(Series(((_at(3), 1.0),)), since=_at(0))
    assert merged.unknown == older.unknown
    assert merged.is_known(_at(3), 60) and not merged.is_known(_at(4), 60)


def test_variant_metrics_name_their_incomplete_series() -> None:
    metrics = VariantMetrics(
        VariantRef("e", "v"),
        {
            MetricKey.INVOCATIONS: _fetched(0, 5, {1: 3.0}),
            MetricKey.ERRORS_5XX: _fetched(0, 5, {}, DataStatus.PARTIAL_DATA),
        },
    )
    assert metrics.incomplete() == (MetricKey.ERRORS_5XX,)


_fetches = st.lists(
    st.tuples(
        st.integers(0, 20),
        st.integers(1, 10),
        st.sampled_from(list(DataStatus)),
        st.dictionaries(st.integers(0, 30), st.floats(0, 1000), max_size=5),
    ),
    min_size=1,
    max_size=6,
)


@given(_fetches)
def test_merging_says_unknown_exactly_where_the_latest_fetch_of_a_minute_was_incomplete(
    fetches: list[tuple[int, int, DataStatus, dict[int, float]]],
) -> None:
    merged = Series()
    latest_status: dict[int, DataStatus] = {}
    for first, length, status, points in fetches:
        inside = {
            minute: value for minute, value in points.items() if first <= minute < first + length
        }
        merged = merged.merged_with(_fetched(first, first + length, inside, status), since=T0)
        for minute in range(first, first + length):
            latest_status[minute] = status
    for minute in range(0, 32):
        has_point = any(ts == _at(minute) for ts, _ in merged.points)
        incomplete = latest_status.get(minute, DataStatus.COMPLETE) is not DataStatus.COMPLETE
        assert merged.is_known(_at(minute), 60) == (has_point or not incomplete)
    assert merged.complete == (
        not any(s is not DataStatus.COMPLETE for s in latest_status.values())
    )
