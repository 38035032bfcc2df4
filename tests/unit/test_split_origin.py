"""From when the traffic split is judged: our change (audit log), one made outside
canary-tui (seen by the poll, or LastModifiedTime), or none in the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from canary_tui.domain.split_origin import ChangeSource, split_origin

START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
END = START + timedelta(hours=1)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def origin(**kwargs: object):  # type: ignore[no-untyped-def]
    return split_origin(window_start=START, window_end=END, period_seconds=60, **kwargs)  # type: ignore[arg-type]


def test_no_change_in_the_window() -> None:
    found = origin(audit_changes=[START - timedelta(hours=2)], last_modified=START - timedelta(1))
    assert found.changed_at is None and found.judged_from is None
    assert found.note == "traffic split judged against the current weights"


def test_our_change_seen_again_by_the_poll_and_sagemaker_stays_ours() -> None:
    found = origin(audit_changes=[at(20.2)], seen_change=at(20.5), last_modified=at(20.3))
    assert found.source is ChangeSource.AUDIT and found.changed_at == at(20.2)
    assert found.judged_from == at(21)
    assert (
        found.note
        == "weights changed at 12:20 UTC (audit log): traffic split judged from 12:21 UTC on"
    )


def test_a_change_made_outside_is_named_and_judged_from_then() -> None:
    # The case: 0.9/0.1 -> 0.7/0.3 with the AWS CLI at 12:40, our last change at 12:05.
    found = origin(audit_changes=[at(5)], seen_change=at(40.5))
    assert found.source is ChangeSource.POLL and found.judged_from == at(41)
    assert found.note.startswith(
        "weights changed outside canary-tui at about 12:40 UTC (seen by the poll)"
    )
    by_sagemaker = origin(
        audit_changes=[at(5)], last_modified=at(40.2), weights_differ_from_ours=True
    )
    assert by_sagemaker.source is ChangeSource.LAST_MODIFIED
    assert "(LastModifiedTime; no change of ours then)" in by_sagemaker.note


def test_our_instance_count_change_moves_last_modified_without_being_outside() -> None:
    found = origin(
        last_modified=at(30.5), other_own_changes=[at(30.2)], weights_differ_from_ours=True
    )
    assert found.changed_at is None
    later = origin(
        last_modified=at(45), other_own_changes=[at(30.2)], weights_differ_from_ours=True
    )
    assert later.source is ChangeSource.LAST_MODIFIED


def test_last_modified_alone_is_not_a_weight_change() -> None:
    """Auto Scaling and creation move LastModifiedTime too: without weights that differ
    from our last change it is ignored (judging from it would throw good periods away)."""
    assert origin(audit_changes=[at(5)], last_modified=at(40)).changed_at == at(5)
    assert origin(last_modified=at(40)).changed_at is None


def test_the_latest_of_several_wins() -> None:
    found = origin(
        audit_changes=[at(5)],
        seen_change=at(50),
        last_modified=at(30),
        weights_differ_from_ours=True,
    )
    assert found.changed_at == at(50) and found.source is ChangeSource.POLL


def test_a_change_right_after_ours_to_other_weights_is_someone_elses() -> None:
    # Ours set 85/15 at 12:20.2; at 12:20.4 someone set 70/30: within a period of ours, but
    # the weights are not the ones we set, so it is not ours seen again.
    found = origin(audit_changes=[at(20.2)], last_modified=at(20.4), weights_differ_from_ours=True)
    assert found.source is ChangeSource.LAST_MODIFIED and found.changed_at == at(20.4)
    assert "outside canary-tui" in found.note
