"""What a change did, judged from a fresh look at the endpoint. Pure: no I/O.

After a write whose answer was lost (timeout, dropped connection, 5xx, an in-progress answer)
the endpoint is described again and its desired state compared with the two states the
change knows: the one it started from (``before``) and the one it asked for (``planned``).
A weight change compares traffic shares, a capacity change instance counts: the dimension
the change touched (autoscaling moving counts during a weight change is not a conflict).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from canary_tui.audit import ChangeKind, OutcomeResult
from canary_tui.domain.models import Endpoint, traffic_shares

#: Traffic shares (in %) closer than this are the same split.
SHARE_TOLERANCE_PERCENT = 0.01


@dataclass(frozen=True, slots=True)
class DesiredState:
    """The desired weights and instance counts of a change's before or after."""

    kind: ChangeKind
    weights: Mapping[str, float]
    counts: Mapping[str, int | None]

    def describe(self) -> str:
        return _describe(self.kind, self.weights, self.counts)


@dataclass(frozen=True, slots=True)
class Assessment:
    result: OutcomeResult
    #: What was seen, in words, for the audit log and the person.
    evidence: str
    #: AWS accepted and the read-back shows the plan: nothing worth explaining.
    plain_success: bool = False


def _describe(
    kind: ChangeKind, weights: Mapping[str, float], counts: Mapping[str, int | None]
) -> str:
    if kind == "capacity":
        return "/".join(
            f"{name} x{count if count is not None else '?'}" for name, count in counts.items()
        )
    if not weights:
        return "(no variants)"
    shares = traffic_shares(weights)
    return "/".join(f"{share:g}" for share in (round(value, 1) for value in shares.values()))


def live_state(endpoint: Endpoint, kind: ChangeKind) -> DesiredState:
    return DesiredState(
        kind,
        dict(endpoint.desired_weights),
        {variant.name: variant.desired_instance_count for variant in endpoint.variants},
    )


def matches(
    live: Endpoint,
    weights: Mapping[str, float],
    counts: Mapping[str, int | None],
    kind: ChangeKind,
) -> bool:
    """Whether ``live``'s desired state is ``weights`` (or, for capacity, ``counts``)."""
    if set(live.variant_names) != set(weights):
        return False
    if kind == "capacity":
        return all(
            live.variant(name).desired_instance_count == count for name, count in counts.items()
        )
    live_shares = live.desired_traffic_shares
    return all(
        abs(live_shares[name] - share) < SHARE_TOLERANCE_PERCENT
        for name, share in traffic_shares(weights).items()
    )


def _is(live: Endpoint, state: DesiredState) -> bool:
    return matches(live, state.weights, state.counts, state.kind)


def _named(state: DesiredState, live: Endpoint) -> str:
    names = "/".join(live.variant_names)
    return f"{names} {state.describe()}" if state.kind == "weights" else state.describe()


def assess_after_failure(
    live: Endpoint | None,
    before: DesiredState,
    planned: DesiredState,
    *,
    failure: str,
    in_progress: bool = False,
) -> Assessment:
    """The outcome of a write that failed in a way that may have reached AWS.

    ``live`` is the endpoint described after the failure (None: that read failed too);
    ``failure`` is the error's one line; ``in_progress``: AWS answered "Cannot update
    in-progress endpoint". applied: it has the planned values; not-applied: it has the
    before values and is not Updating (an update in flight could still be ours); refused:
    AWS said in progress and it is Updating with the before values (someone else's update,
    not ours: ours would have set the desired values); unknown: anything else.
    """
    if in_progress:
        failure = "AWS answered that an update is in progress"
    else:
        failure = f"the write failed ({failure})"
    if live is None:
        return Assessment("unknown", f"{failure}; the endpoint could not be read back")
    seen = live_state(live, before.kind)
    if _is(live, planned):
        return Assessment(
            "applied",
            f"{failure}; re-read: desired {_named(seen, live)} is the plan ({live.status})",
        )
    if _is(live, before) and live.status != "Updating":
        return Assessment(
            "not-applied",
            f"{failure}; re-read: desired {_named(seen, live)} is as before and the endpoint "
            f"is {live.status}",
        )
    if _is(live, before) and in_progress:
        return Assessment(
            "refused",
            f"{failure}; re-read: desired {_named(seen, live)} is as before and the endpoint "
            "is Updating: someone else's update is in progress",
        )
    if _is(live, before):
        return Assessment(
            "unknown",
            f"{failure}; re-read: desired {_named(seen, live)} is as before, but the endpoint "
            "is Updating (the update may be ours)",
        )
    return Assessment("unknown", concurrent_change_evidence(live, before, planned, prefix=failure))


def concurrent_change_evidence(
    live: Endpoint, before: DesiredState, planned: DesiredState, *, prefix: str | None = None
) -> str:
    seen = live_state(live, before.kind)
    what = "weights" if before.kind == "weights" else "instance counts"
    text = (
        f"{what} are {_named(seen, live)}, neither before {before.describe()} nor planned "
        f"{planned.describe()}: someone else changed the endpoint"
    )
    return f"{prefix}; {text}" if prefix else text


def assess_after_success(
    live: Endpoint | None, before: DesiredState, planned: DesiredState
) -> Assessment:
    """The outcome of a write AWS accepted, from the endpoint read right after it."""
    if live is None:
        return Assessment(
            "applied", "AWS accepted the request; the endpoint could not be read back"
        )
    if _is(live, planned):
        seen = _named(live_state(live, before.kind), live)
        return Assessment(
            "applied", f"AWS accepted; re-read: desired {seen} is the plan", plain_success=True
        )
    if _is(live, before):
        return Assessment(
            "unknown",
            f"AWS accepted the request, but the endpoint still shows before "
            f"{before.describe()}: it may have been changed back",
        )
    return Assessment("unknown", concurrent_change_evidence(live, before, planned))
