"""Where a rollback goes: the baseline of an endpoint, and which variant is the canary.

**Baseline**: the traffic split the endpoint had before the current *canary episode* began.
A rollback puts exactly that split back (90/10 stays 90/10); it never sends all traffic to
whichever variant happens to be largest now, which at 40/60 is the canary itself.

**Episode**: the endpoint's history is read as a sequence of observed splits (traffic %),
oldest first: the split each logged change saw before it was sent, the split read back (or,
for an applied change, the plan it applied) after it, and the live split last. Splits whose
set of variants differs from the live endpoint's belong to an earlier deployment and are
ignored. An endpoint *rests* when one variant takes 100 %. The current episode starts at the
last resting split that was then left, or, when the endpoint never rested since the log
began, at the first observed split: it is the run of changes since the endpoint last sent all
traffic to one variant, or since the first change in the log. Going back to the start split
does not end the episode (after a rollback, rolling back again is "nothing to change"), and
reaching a resting split does not end it either until a later change leaves it (so a
rollback right after a promote undoes the promote).

**Canary**: the variant whose share rose most above its baseline share at any point in the
episode. With no observed movement, none is known.

The sources, strongest first: an explicit target (``--to``), a mark a person made (console
``B``) unless a later episode has superseded it, a ramp in progress (its starting weights and
its canary), then the audit log. Nothing here reads files: callers pass what they read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Literal

from canary_tui.domain.models import traffic_shares

#: Two splits closer than this (in traffic percentage points per variant) are the same.
SHARE_TOLERANCE = 0.05

BaselineSource = Literal["explicit", "mark", "ramp", "audit"]
#: Results of a logged change, as in the audit log (``unfinished``: intent, no outcome).
LoggedResult = Literal["applied", "not-applied", "unknown", "refused", "unfinished"]


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """What the baseline needs from one audit entry (the domain does not import the log)."""

    change_id: str
    time: datetime
    result: str
    #: The endpoint's desired weights as re-read just before the call (for a refusal: what
    #: the person had confirmed, which may be stale, so it is not used).
    weights_before: Mapping[str, float]
    weights_after: Mapping[str, float]
    #: Read back after the call (or at the refusal); None when not read.
    seen_after: Mapping[str, float] | None = None
    outcome_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Observation:
    time: datetime | None
    shares: Mapping[str, float]
    #: The change whose record this split comes from; None for the live endpoint.
    change_id: str | None


@dataclass(frozen=True, slots=True)
class BaselineMark:
    """A split a person said is the baseline (console ``B``)."""

    endpoint: str
    shares: Mapping[str, float]
    marked_at: datetime


@dataclass(frozen=True, slots=True)
class Baseline:
    """The split to roll back to, as traffic % per variant of the live endpoint."""

    shares: Mapping[str, float]
    source: BaselineSource
    #: The variant the episode moved traffic onto; None when not known.
    canary: str | None
    #: One line for a person: where the baseline comes from.
    description: str

    @property
    def label(self) -> str:
        return split_label(self.shares)


def split_label(shares: Mapping[str, float]) -> str:
    """``current-model 90% / new-model 10%``: every variant, in the endpoint's order."""
    return " / ".join(f"{name} {_percent(share)}" for name, share in shares.items())


def _percent(share: float) -> str:
    text = f"{share:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def is_resting(shares: Mapping[str, float]) -> bool:
    """One variant takes all traffic."""
    return any(share >= 100.0 - SHARE_TOLERANCE for share in shares.values())


def same_split(first: Mapping[str, float], second: Mapping[str, float]) -> bool:
    if set(first) != set(second):
        return False
    return all(abs(first[name] - second[name]) <= SHARE_TOLERANCE for name in first)


def _shares(weights: Mapping[str, float] | None) -> dict[str, float] | None:
    """Traffic % of a weight map; None when it routes nothing (all zero) or is empty."""
    if not weights or sum(weights.values()) <= 0:
        return None
    return traffic_shares(weights)


def observations(changes: Iterable[LoggedChange]) -> list[Observation]:
    """Every split the log shows the endpoint at, oldest first (see the module docstring)."""
    found: list[Observation] = []

    def add(time: datetime | None, weights: Mapping[str, float] | None, change_id: str) -> None:
        shares = _shares(weights)
        if shares is not None:
            found.append(Observation(time, shares, change_id))

    for change in sorted(changes, key=lambda c: c.time):
        if change.result != "refused":
            # The guard re-read the endpoint and found it as confirmed before sending.
            add(change.time, change.weights_before, change.change_id)
        after_time = change.outcome_time or change.time
        if change.seen_after is not None:
            add(after_time, change.seen_after, change.change_id)
        elif change.result == "applied":
            add(after_time, change.weights_after, change.change_id)
    return found


@dataclass(frozen=True, slots=True)
class Episode:
    start: Observation
    #: Every observation after the start, the live split last.
    later: tuple[Observation, ...]

    @property
    def canary(self) -> str | None:
        """The variant that rose most above its share at the start; None if none rose."""
        best: tuple[float, str] | None = None
        for observation in self.later:
            for name, share in observation.shares.items():
                gain = share - self.start.shares.get(name, 0.0)
                if gain > SHARE_TOLERANCE and (best is None or gain > best[0]):
                    best = (gain, name)
        return best[1] if best is not None else None


def current_episode(
    history: Sequence[Observation], live_shares: Mapping[str, float]
) -> Episode | None:
    """The episode the live split is in; None when the log shows nothing of this endpoint's
    current variants, or the endpoint never moved in it."""
    names = set(live_shares)
    live = Observation(None, dict(live_shares), None)
    # A run of another variant set ends the episodes before it (an earlier deployment).
    last_other = max(
        (index for index, obs in enumerate(history) if set(obs.shares) != names), default=-1
    )
    relevant = [obs for obs in history[last_other + 1 :] if set(obs.shares) == names]
    if not relevant:
        return None
    sequence = [*relevant, live]
    start = 0
    for index in range(1, len(sequence)):
        previous, current = sequence[index - 1], sequence[index]
        if not same_split(previous.shares, current.shares) and is_resting(previous.shares):
            start = index - 1
    episode = Episode(sequence[start], tuple(sequence[start + 1 :]))
    if all(same_split(episode.start.shares, obs.shares) for obs in episode.later):
        return None  # nothing moved: no episode, so nothing is known about a baseline
    return episode


def _on_live_variants(
    shares: Mapping[str, float], live_shares: Mapping[str, float]
) -> dict[str, float] | None:
    """``shares`` in the live endpoint's variant order; None if the variant sets differ."""
    if set(shares) != set(live_shares):
        return None
    return {name: float(shares[name]) for name in live_shares}


def _time(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else "an unknown time"


def baseline_from_log(
    changes: Iterable[LoggedChange], live_shares: Mapping[str, float]
) -> Baseline | None:
    episode = current_episode(observations(changes), live_shares)
    if episode is None:
        return None
    shares = _on_live_variants(episode.start.shares, live_shares)
    assert shares is not None  # the episode only holds the live variant set
    change = f"change {episode.start.change_id[:8]} " if episode.start.change_id else ""
    return Baseline(
        shares=shares,
        source="audit",
        canary=episode.canary,
        description=(
            f"audit log: the split before the canary episode, seen by {change}"
            f"at {_time(episode.start.time)}"
        ),
    )


def baseline_from_ramp(
    weights_before: Mapping[str, float], canary: str, live_shares: Mapping[str, float]
) -> Baseline | None:
    """A ramp in progress: the weights it started from, and the variant it ramps."""
    before = _shares(weights_before)
    shares = _on_live_variants(before, live_shares) if before is not None else None
    if shares is None:
        return None
    return Baseline(
        shares=shares,
        source="ramp",
        canary=canary if canary in live_shares else None,
        description=f"the ramp of {canary}: the split it started from",
    )


def mark_is_current(
    mark: BaselineMark, history: Sequence[Observation], live_shares: Mapping[str, float]
) -> bool:
    """A mark stands until an episode after it has ended: a resting split, seen after the
    mark, that a later change (or the live split) left: a new deployment cycle began."""
    after = [obs for obs in history if obs.time is not None and obs.time >= mark.marked_at]
    after.append(Observation(None, dict(live_shares), None))
    for previous, current in pairwise(after):
        if is_resting(previous.shares) and not same_split(previous.shares, current.shares):
            return False
    return True


def baseline_from_mark(
    mark: BaselineMark,
    changes: Iterable[LoggedChange],
    live_shares: Mapping[str, float],
) -> Baseline | None:
    shares = _on_live_variants(mark.shares, live_shares)
    if shares is None or sum(shares.values()) <= 0:
        return None
    history = observations(changes)
    if not mark_is_current(mark, history, live_shares):
        return None
    later = [obs for obs in history if obs.time is not None and obs.time >= mark.marked_at]
    later.append(Observation(None, dict(live_shares), None))
    canary = Episode(Observation(mark.marked_at, shares, None), tuple(later)).canary
    if canary is None:
        episode = current_episode(history, live_shares)
        canary = episode.canary if episode is not None else None
    return Baseline(
        shares=shares,
        source="mark",
        canary=canary,
        description=f"marked as the baseline at {_time(mark.marked_at)}",
    )


def explicit_baseline(
    shares: Mapping[str, float], live_shares: Mapping[str, float], canary: str | None
) -> Baseline:
    ordered = {name: float(shares.get(name, 0.0)) for name in live_shares}
    return Baseline(shares=ordered, source="explicit", canary=canary, description="given by --to")


def resolve_baseline(
    live_shares: Mapping[str, float],
    changes: Sequence[LoggedChange] = (),
    *,
    ramp: tuple[Mapping[str, float], str] | None = None,
    mark: BaselineMark | None = None,
) -> Baseline | None:
    """The baseline from the strongest source that knows one, or None.

    ``ramp`` is (weights before the ramp, its canary) of a ramp in progress.
    """
    if mark is not None:
        found = baseline_from_mark(mark, changes, live_shares)
        if found is not None:
            return found
    if ramp is not None:
        found = baseline_from_ramp(ramp[0], ramp[1], live_shares)
        if found is not None:
            return found
    return baseline_from_log(changes, live_shares)
