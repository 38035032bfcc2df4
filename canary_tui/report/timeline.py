"""The report's timeline: every change to an endpoint over a window, from every source that
knows about changes, oldest first.

A source is anything with a ``name`` and a ``read(endpoint, span)`` (:class:`TimelineSource`).
Today there is one, the local audit log (:class:`AuditLogSource`): our own changes (intent and
outcome, who, from where, why) and the changes made outside canary-tui that the log shows
(the next change started from a split our last one did not leave; desired weights now that
are not the ones our last change set, bounded by DescribeEndpoint's LastModifiedTime). The
team table's shared audit and CloudTrail's LookupEvents are meant to be more sources in the
same list (CloudTrail would pin an outside change's time and who made it):
:func:`build_timeline` merges them and keeps one event per change id, so a change both in the
local log and in the team table is listed once. Neither exists yet; nothing here pretends
they do.

Pure: no I/O beyond what a source does in ``read``; no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Protocol

from canary_tui.audit_model import AuditEntry
from canary_tui.audit_text import outcome_note, result_label
from canary_tui.domain.metrics import Span
from canary_tui.domain.models import Endpoint
from canary_tui.domain.split_origin import differs

#: Outcomes after which the endpoint may carry the change.
_MAY_HAVE_APPLIED = frozenset({"applied", "unknown", "unfinished"})


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One change, or one attempt at a change, in the words a post-mortem needs."""

    #: When it was asked for (our intent) or seen (LastModifiedTime); for a change whose time
    #: is not known, the latest moment it can have happened.
    time: datetime
    #: Which source said so ("audit log", later "team table", "CloudTrail").
    source: str
    #: weights, capacity, or outside (a change of weights made outside canary-tui).
    kind: str
    #: console, cli, ramp; "outside canary-tui" for an outside change.
    origin: str
    who: str | None
    reason: str | None
    #: applied, not-applied, unknown, refused, unfinished (+ reconciled); "seen" for outside.
    result: str
    #: What it did, e.g. "new-model 10.0% -> 25.0%".
    summary: str
    #: Evidence, the error, or how an outside change was inferred.
    note: str | None = None
    change_id: str | None = None
    #: When it took effect at the latest (our outcome); None: as ``time``.
    effective: datetime | None = None
    #: The change happened after this and by ``time``; None: at ``time``.
    not_before: datetime | None = None
    #: Traffic % before and after; None where not known.
    traffic_before: Mapping[str, float] | None = None
    traffic_after: Mapping[str, float] | None = None
    #: Whether the traffic split may have changed here (an interval boundary).
    moves_split: bool = False
    #: Whether ``traffic_after`` is known to be what the endpoint then carried.
    after_known: bool = True
    #: Inferred from the audit log (an outside change it implies): a dated record of the
    #: same change from another source (CloudTrail) replaces it.
    inferred: bool = False
    #: A call by canary-tui seen elsewhere (CloudTrail): the audited change says more, so
    #: it is dropped when an audited change brackets its time.
    same_as_audited: bool = False
    #: The change this one must have come before (an outside change the next of ours
    #: started from): listed before it even in the same second.
    precedes: str | None = None

    @property
    def effective_time(self) -> datetime:
        return self.effective or self.time


@dataclass(frozen=True, slots=True)
class SourceReading:
    events: tuple[TimelineEvent, ...] = ()
    #: Lines for the report: a source that could not be read, skipped audit lines...
    problems: tuple[str, ...] = ()


class TimelineSource(Protocol):
    """Something that knows about changes to endpoints (the audit log, the team table,
    CloudTrail). ``read`` returns the endpoint's changes inside ``span``; it may raise only
    the gateways' typed errors (AwsError), which end the report with their exit code."""

    name: str

    def read(self, endpoint: Endpoint, span: Span) -> SourceReading: ...


@dataclass(frozen=True, slots=True)
class Timeline:
    events: tuple[TimelineEvent, ...]
    #: Each source asked, by name, in order.
    sources: tuple[str, ...]
    problems: tuple[str, ...] = ()
    #: Traffic % in force at the window's start, when the sources tell.
    traffic_at_start: Mapping[str, float] | None = None


def short_caller(caller: str | None) -> str | None:
    """``arn:aws:sts::1:assumed-role/Ops/alice`` -> ``Ops/alice``: the part people know."""
    if not caller:
        return None
    resource = caller.split(":", 5)[-1]
    return resource.split("/", 1)[-1] if "/" in resource else resource


def _percent_text(shares: Mapping[str, float] | None) -> str:
    if shares is None:
        return "?"
    return "/".join(f"{share:.1f}" for share in shares.values())


def split_summary(before: Mapping[str, float] | None, after: Mapping[str, float]) -> str:
    """``new-model 10.0% -> 25.0%, current-model 90.0% -> 75.0%`` (only what moved)."""
    parts = []
    for name, share in after.items():
        old = None if before is None else before.get(name)
        if old is None or abs(old - share) >= 0.05:
            shown = "?" if old is None else f"{old:.1f}%"
            parts.append(f"{name} {shown} -> {share:.1f}%")
    return ", ".join(parts) or "no change of split"


def _capacity_summary(entry: AuditEntry) -> str:
    intent = entry.intent
    parts = [
        f"{name} instances {intent.instance_counts_before.get(name, '?')} -> {after}"
        for name, after in intent.instance_counts_after.items()
        if intent.instance_counts_before.get(name) != after
    ]
    return ", ".join(parts) or "no change"


def audit_event(entry: AuditEntry, source: str = "audit log") -> TimelineEvent:
    """One audited change (intent and outcome) as a timeline event."""
    intent = entry.intent
    outcome = entry.outcome
    weights = intent.kind == "weights"
    may_apply = entry.result in _MAY_HAVE_APPLIED
    after: Mapping[str, float] | None = dict(intent.traffic_percent_after)
    after_known = entry.result == "applied"
    if outcome is not None and outcome.traffic_percent_after is not None and may_apply:
        # What was read back is the best word on the split the endpoint carried.
        after, after_known = outcome.traffic_percent_after, True
    notes = [note for note in (outcome_note(entry),) if note]
    if outcome is not None and outcome.evidence and outcome.evidence not in notes:
        notes.append(f"evidence: {outcome.evidence}")
    if intent.time_zone_assumed:
        notes.append("time had no time zone: read as UTC")
    return TimelineEvent(
        time=intent.time,
        source=source,
        kind=intent.kind,
        origin=intent.source,
        who=intent.caller,
        reason=intent.reason,
        result=result_label(entry),
        summary=split_summary(intent.traffic_percent_before, intent.traffic_percent_after)
        if weights
        else _capacity_summary(entry),
        note="; ".join(notes) or None,
        change_id=intent.change_id,
        effective=outcome.time if outcome is not None else None,
        traffic_before=dict(intent.traffic_percent_before),
        traffic_after=after,
        moves_split=weights and may_apply,
        after_known=after_known,
    )


def outside_events(
    entries: Sequence[AuditEntry], endpoint: Endpoint, source: str = "audit log"
) -> list[TimelineEvent]:
    """Changes of weights made outside canary-tui that the audit log shows: between two of
    our weight changes, when the later one started from a split the earlier one did not
    leave (time unknown: between the two); and after our last one, when DescribeEndpoint's
    LastModifiedTime is later and the desired weights are not the ones we set."""
    ours = [e for e in entries if e.intent.kind == "weights" and e.result in _MAY_HAVE_APPLIED]
    found: list[TimelineEvent] = []
    for earlier, later in pairwise(ours):
        left = audit_event(earlier).traffic_after
        started = dict(later.intent.traffic_percent_before)
        if left is None or not differs(started, dict(left)):
            continue
        found.append(
            TimelineEvent(
                time=later.intent.time,
                source=source,
                kind="outside",
                origin="outside canary-tui",
                who=None,
                reason=None,
                result="seen",
                summary=split_summary(left, started),
                note=f"inferred: change {later.intent.change_id[:8]} started from "
                f"{_percent_text(started)}, change {earlier.intent.change_id[:8]} had left "
                f"{_percent_text(left)}; made some time in between",
                not_before=earlier.outcome.time if earlier.outcome else earlier.intent.time,
                precedes=later.intent.change_id,
                traffic_before=left,
                traffic_after=started,
                moves_split=True,
                inferred=True,
            )
        )
    if ours and endpoint.last_modified is not None:
        last = ours[-1]
        last_time = last.outcome.time if last.outcome else last.intent.time
        left = audit_event(last).traffic_after
        now_desired = endpoint.desired_traffic_shares
        # LastModifiedTime moves with any update (Auto Scaling's too), so it bounds the
        # change of weights from above; our last change bounds it from below.
        if (
            left is not None
            # (SageMaker's LastModifiedTime may come to the second only.)
            and endpoint.last_modified > last.intent.time - timedelta(seconds=1)
            and differs(now_desired, dict(left))
        ):
            found.append(
                TimelineEvent(
                    time=max(endpoint.last_modified, last_time),
                    source=source,
                    kind="outside",
                    origin="outside canary-tui",
                    who=None,
                    reason=None,
                    result="seen",
                    summary=split_summary(left, now_desired),
                    note="inferred: the desired weights are not the ones our last change "
                    f"{last.intent.change_id[:8]} set; made after it and by DescribeEndpoint's "
                    "LastModifiedTime (which any later update moves too)",
                    not_before=last_time,
                    traffic_before=left,
                    traffic_after=now_desired,
                    moves_split=True,
                    inferred=True,
                )
            )
    return found


@dataclass
class AuditLogSource:
    """The local audit log: ``entries`` are the endpoint's, as ``AuditLog.read`` gives them
    (read by the caller, so a bad log is one line and exit 2 before any AWS call)."""

    entries: Sequence[AuditEntry]
    problems: Sequence[str] = field(default_factory=tuple)
    name: str = "audit log"

    def read(self, endpoint: Endpoint, span: Span) -> SourceReading:
        mine = [entry for entry in self.entries if entry.endpoint == endpoint.name]
        events = [audit_event(entry, self.name) for entry in mine]
        events += outside_events(mine, endpoint, self.name)
        return SourceReading(
            tuple(event for event in events if _inside(event, span)), tuple(self.problems)
        )


def _inside(event: TimelineEvent, span: Span) -> bool:
    return span[0] <= event.time < span[1] or span[0] <= event.effective_time < span[1]


def _traffic_at_start(events: Iterable[TimelineEvent]) -> Mapping[str, float] | None:
    """The split before the first change in the window that moved it."""
    for event in events:
        if event.moves_split:
            return event.traffic_before
    return None


#: CloudTrail's eventTime against our clock and SageMaker's LastModifiedTime.
_CLOCKS = timedelta(seconds=60)


def _without_duplicates(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Drop what another source says better: an outside change the audit log only implies,
    when a dated record of a change lies inside its bounds; a canary-tui call seen in
    CloudTrail, when an audited change was being made then."""
    dated = [e for e in events if e.kind == "outside" and not e.inferred and e.moves_split]
    audited = [e for e in events if e.change_id is not None]

    def superseded(event: TimelineEvent) -> bool:
        if event.inferred:
            low = (event.not_before or event.time) - _CLOCKS
            return any(low < other.time <= event.time + _CLOCKS for other in dated)
        if event.same_as_audited:
            return any(
                a.time - _CLOCKS <= event.time <= a.effective_time + _CLOCKS for a in audited
            )
        return False

    return [event for event in events if not superseded(event)]


def build_timeline(endpoint: Endpoint, span: Span, sources: Sequence[TimelineSource]) -> Timeline:
    """Every source's events inside ``span``, oldest first, one per change id (the first
    source to name a change wins: list the most detailed first)."""
    events: list[TimelineEvent] = []
    seen_ids: set[str] = set()
    problems: list[str] = []
    for source in sources:
        reading = source.read(endpoint, span)
        problems += [f"{source.name}: {problem}" for problem in reading.problems]
        for event in reading.events:
            if event.change_id is not None:
                if event.change_id in seen_ids:
                    continue
                seen_ids.add(event.change_id)
            events.append(event)
    events = _without_duplicates(events)
    # To the second (CloudTrail's eventTime and LastModifiedTime may have no fraction); in
    # the same second, an outside change one of ours started from before it, then audited
    # changes, then records without an id.
    events.sort(
        key=lambda event: (
            event.time.replace(microsecond=0),
            0 if event.precedes else 1 if event.change_id else 2,
            event.time,
            event.effective_time,
        )
    )
    return Timeline(
        events=tuple(events),
        sources=tuple(source.name for source in sources),
        problems=tuple(problems),
        traffic_at_start=_traffic_at_start(events),
    )
