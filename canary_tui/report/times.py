"""``--since`` and ``--until``: a duration back from now (``6h``, ``2d``) or an ISO-8601
time (``2026-12-03T10:00Z``; one without a zone is UTC). Pure: ``now`` is passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from canary_tui.domain import numbers
from canary_tui.domain.numbers import NumberInputError

#: CloudWatch keeps datapoints for 15 months (455 days); older ones are gone.
MAX_LOOKBACK = timedelta(days=455)
_BACK = numbers.Bounds(60, MAX_LOOKBACK.total_seconds(), unit="duration")


class TimeInputError(ValueError):
    """A bad --since/--until: the message is one line naming the flag."""


def parse_moment(text: str, flag: str, now: datetime) -> datetime:
    """The moment ``text`` names, in UTC."""
    if not text.isascii() or not text.strip():
        raise TimeInputError(
            f"{flag}: expected a duration like 6h or an ISO time like 2026-12-03T10:00Z "
            f"(got {numbers.shown(text)})"
        )
    try:
        return now - timedelta(seconds=numbers.parse_duration(text, _BACK, field=flag))
    except NumberInputError as error:
        duration_error = error
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        if any(character.isdigit() for character in text) and ("-" in text or ":" in text):
            raise TimeInputError(
                f"{flag}: not an ISO time like 2026-12-03T10:00Z (got {numbers.shown(text)})"
            ) from None
        if duration_error.problem is numbers.Problem.OUT_OF_BOUNDS:
            raise TimeInputError(str(duration_error)) from None
        raise TimeInputError(
            f"{flag}: expected a duration like 6h or an ISO time like 2026-12-03T10:00Z "
            f"(got {numbers.shown(text)})"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def report_window(
    since: str | None, until: str | None, now: datetime, default_since: timedelta
) -> tuple[datetime, datetime]:
    """[since, until): until defaults to now and cannot be later; since must be before it
    and within CloudWatch's retention."""
    end = now if until is None else parse_moment(until, "--until", now)
    start = now - default_since if since is None else parse_moment(since, "--since", now)
    if end > now:
        raise TimeInputError(f"--until: {end:%Y-%m-%d %H:%M} UTC is in the future")
    if start >= end:
        raise TimeInputError(
            f"--since ({start:%Y-%m-%d %H:%M:%S} UTC) must be before --until "
            f"({end:%Y-%m-%d %H:%M:%S} UTC)"
        )
    if start < now - MAX_LOOKBACK:
        raise TimeInputError(
            f"--since: {start:%Y-%m-%d} is more than 455 days ago: CloudWatch keeps no "
            "datapoints that old"
        )
    return start, end


#: CloudWatch's retention: datapoints of a period shorter than each step are kept this long
#: (high resolution 3 h, 1-minute 15 days, 5-minute 63 days, 1-hour 455 days). Asked for a
#: shorter period over older data, it answers Complete with no datapoints: zeros, not
#: unknowns, so such a window is refused instead of shown.
RETENTION = (
    (timedelta(hours=3), 1),
    (timedelta(days=15), 60),
    (timedelta(days=63), 300),
    (MAX_LOOKBACK, 3600),
)


def retention_problem(start: datetime, now: datetime, period_seconds: int) -> str | None:
    """Why a ``period_seconds`` series cannot reach back to ``start``, or None."""
    age = now - start
    for kept, shortest in RETENTION:
        if age <= kept:
            if period_seconds >= shortest:
                return None
            days = age.total_seconds() / 86400
            ago = f"{days:.0f} days" if days >= 1 else f"{age.total_seconds() / 3600:.1f} hours"
            return (
                f"--since is {ago} ago: CloudWatch keeps {period_seconds}s datapoints for less "
                f"than that; use --period {shortest} or more"
            )
    return "--since: CloudWatch keeps no datapoints that old"
