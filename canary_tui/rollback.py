"""Rollback and promote targets, the same for the CLI and the console. No Textual here.

Reads what :mod:`canary_tui.domain.baseline` needs (the audit log, a ramp in progress, a
baseline a person marked) and turns its answer into plans and one-line messages. Marks are
kept in ``baselines.json`` next to the audit log, so a mark made in the console (``B``) is
where ``canary-tui rollback`` goes too.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from canary_tui.audit import AuditEntry, AuditReading
from canary_tui.changes import ChangeResult
from canary_tui.domain.baseline import (
    Baseline,
    BaselineMark,
    LoggedChange,
    explicit_baseline,
    resolve_baseline,
    split_label,
)
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import RampState
from canary_tui.domain.weights import (
    WeightInputError,
    WeightPlan,
    parse_assignment_values,
    parse_assignments,
    plan_all_to,
    plan_from_weights,
)
from canary_tui.settle import TERMINAL_STATUSES, EndpointStuck, Settler, is_settled, stuck_message

MARKS_FILE_NAME = "baselines.json"
#: A marks file is a few hundred bytes per endpoint; anything far larger is not ours.
_MAX_MARKS_BYTES = 1_000_000


def logged_changes(entries: Iterable[AuditEntry]) -> list[LoggedChange]:
    """The audit log's weight and capacity changes in the form the domain reads."""
    changes = []
    for entry in entries:
        intent, outcome = entry.intent, entry.outcome
        changes.append(
            LoggedChange(
                change_id=intent.change_id,
                time=intent.time,
                result=entry.result,
                weights_before=intent.weights_before,
                weights_after=intent.weights_after,
                seen_after=outcome.desired_weights_after if outcome is not None else None,
                outcome_time=outcome.time if outcome is not None else None,
            )
        )
    return changes


# -- marks ------------------------------------------------------------------------------


class BaselineMarks:
    """``{endpoint: {"shares": {...}, "marked_at": iso}}``, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def next_to(cls, audit_path: Path) -> BaselineMarks:
        return cls(Path(audit_path).parent / MARKS_FILE_NAME)

    def _read_all(self) -> dict[str, object]:
        try:
            with self.path.open("rb") as handle:
                data = handle.read(_MAX_MARKS_BYTES + 1)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return {}
        if len(data) > _MAX_MARKS_BYTES:
            return {}
        try:
            loaded = json.loads(data)
        except (ValueError, RecursionError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def load(self, endpoint: str) -> BaselineMark | None:
        """The mark of ``endpoint``; None when there is none or it cannot be read (a damaged
        file must not block a rollback: the log and the ramp state still count)."""
        raw = self._read_all().get(endpoint)
        if not isinstance(raw, dict):
            return None
        try:
            shares = {str(k): float(v) for k, v in dict(raw["shares"]).items()}
            marked_at = datetime.fromisoformat(str(raw["marked_at"]))
        except (KeyError, TypeError, ValueError):
            return None
        if marked_at.tzinfo is None:
            marked_at = marked_at.replace(tzinfo=UTC)
        if not shares or not all(math.isfinite(v) and v >= 0 for v in shares.values()):
            return None
        return BaselineMark(endpoint, shares, marked_at)

    def save(self, mark: BaselineMark) -> None:
        """Raises OSError when the file cannot be written."""
        data = self._read_all()
        data[mark.endpoint] = {
            "shares": dict(mark.shares),
            "marked_at": mark.marked_at.astimezone(UTC).isoformat(),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(data, indent=2, allow_nan=False).encode("utf-8")
        descriptor, temp_name = tempfile.mkstemp(dir=self.path.parent, prefix=".baselines.")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise


def mark_current(endpoint: Endpoint, now: datetime) -> BaselineMark:
    return BaselineMark(endpoint.name, endpoint.desired_traffic_shares, now)


# -- resolution -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Targets:
    """What the sources say about one endpoint: where a rollback goes, what a promote
    promotes. Either may be None (not known: refuse, or ask)."""

    endpoint: Endpoint
    baseline: Baseline | None

    @property
    def canary(self) -> str | None:
        return self.baseline.canary if self.baseline is not None else None


def resolve(
    endpoint: Endpoint,
    entries: Iterable[AuditEntry] = (),
    *,
    ramp: RampState | None = None,
    mark: BaselineMark | None = None,
) -> Targets:
    ramp_start = (
        (ramp.weights_before, ramp.plan.canary) if ramp is not None and not ramp.is_over else None
    )
    own = [entry for entry in entries if entry.endpoint == endpoint.name]
    baseline = resolve_baseline(
        endpoint.desired_traffic_shares, logged_changes(own), ramp=ramp_start, mark=mark
    )
    return Targets(endpoint, baseline)


def variants_line(endpoint: Endpoint) -> str:
    shares = endpoint.desired_traffic_shares
    return ", ".join(
        f"{variant.name} (weight {variant.desired_weight:g}, {shares[variant.name]:.1f}%)"
        for variant in endpoint.variants
    )


def no_baseline_message(endpoint: Endpoint) -> str:
    rounded = _rounded(endpoint.desired_traffic_shares)
    if abs(sum(rounded.values()) - 100.0) <= 0.01:
        example = ",".join(f"{name}={share:g}%" for name, share in rounded.items())
    else:  # rounded percentages would not add up to 100: give the exact weights
        example = ",".join(f"{v.name}={v.desired_weight:g}" for v in endpoint.variants)
    return (
        f"no baseline is known for {endpoint.name} (no canary episode in the audit log, no "
        f"ramp in progress, no mark); its variants: {variants_line(endpoint)}; say where to go "
        f"with --to VARIANT (all traffic to it) or --to {example}"
    )


def no_canary_message(endpoint: Endpoint) -> str:
    return (
        f"no canary is known for {endpoint.name} (the audit log shows no variant receiving "
        f"traffic, and no ramp is in progress); its variants: {variants_line(endpoint)}; "
        "name the one to promote with --variant NAME"
    )


def _rounded(shares: Mapping[str, float]) -> dict[str, float]:
    return {name: round(share, 1) for name, share in shares.items()}


def rollback_plan(endpoint: Endpoint, baseline: Baseline) -> WeightPlan:
    """Weights that give every variant its baseline share (normalised, like any plan)."""
    return plan_from_weights(endpoint, dict(baseline.shares))


def rollback_title(endpoint: Endpoint, baseline: Baseline) -> str:
    return f"Roll back {endpoint.name} to {split_label(_rounded(baseline.shares))}"


def promote_title(endpoint: Endpoint, variant: str) -> str:
    return f"Promote {variant} to 100% on {endpoint.name}"


def _to_items(raw: str) -> list[str]:
    """The ``A=90%`` items of ``--to A=90%,B=10%``; WeightInputError on an empty one."""
    parts = raw.split(",")
    if any(not part.strip() for part in parts):
        raise WeightInputError(f"--to {raw!r} has an empty item; use A=90%,B=10%")
    return parts


def check_to_numbers(text: str) -> None:
    """The numbers of ``--to A=90%,B=10%`` read without the endpoint, so a bad one is
    refused before any AWS call (WeightInputError)."""
    raw = text.strip()
    if "=" in raw:
        parse_assignment_values(_to_items(raw))


def parse_to(endpoint: Endpoint, text: str) -> Baseline:
    """``--to VARIANT`` (all traffic to it) or ``--to A=90%,B=10%`` / ``--to A=9,B=1``
    (every variant listed). WeightInputError on anything else."""
    raw = text.strip()
    if not raw:
        raise WeightInputError("--to needs a variant or VARIANT=PCT,... (it is empty)")
    if "=" not in raw:
        plan = plan_all_to(endpoint, raw)
    else:
        parts = _to_items(raw)
        plan = parse_assignments(endpoint, parts)
        named = {part.partition("=")[0].strip() for part in parts}
        missing = [name for name in endpoint.variant_names if name not in named]
        if missing:
            raise WeightInputError(
                f"--to must give every variant (missing: {', '.join(missing)})", missing[0]
            )
    return explicit_baseline(plan.share_after, endpoint.desired_traffic_shares, None)


# -- the console's finder ---------------------------------------------------------------


class AuditSource(Protocol):
    def read(self, endpoint: str | None = None) -> AuditReading: ...


class TargetFinder:
    """What the console asks on ``b``, ``p`` and ``B``. ``find`` and ``save`` block (they
    read and write files): call them from a thread worker. Marks made in this session are
    kept in memory too, so a console without a data directory still honours them."""

    def __init__(self, audit: AuditSource | None, marks: BaselineMarks | None) -> None:
        self.audit = audit
        self.marks = marks
        self._session_marks: dict[str, BaselineMark] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_audit(cls, audit: AuditSource | None) -> TargetFinder:
        path = getattr(audit, "path", None)
        return cls(audit, BaselineMarks.next_to(path) if isinstance(path, Path) else None)

    def remember(self, endpoint: Endpoint, now: datetime) -> BaselineMark:
        mark = mark_current(endpoint, now)
        with self._lock:
            self._session_marks[endpoint.name] = mark
        return mark

    def save(self, mark: BaselineMark) -> None:
        """Raises OSError when the marks file cannot be written (the mark still holds for
        this session)."""
        if self.marks is not None:
            self.marks.save(mark)

    def find(self, endpoint: Endpoint, ramp: RampState | None) -> Targets:
        entries: tuple[AuditEntry, ...] = ()
        if self.audit is not None:
            try:
                entries = self.audit.read(endpoint.name).entries
            except (OSError, ValueError):
                entries = ()  # an unreadable log: the ramp and the marks still count
        with self._lock:
            mark = self._session_marks.get(endpoint.name)
        if mark is None and self.marks is not None:
            mark = self.marks.load(endpoint.name)
        return resolve(endpoint, entries, ramp=ramp, mark=mark)


def console_no_baseline_message(endpoint: Endpoint) -> str:
    return (
        f"No baseline is known for {endpoint.name} (no canary episode in the audit log, no "
        f"ramp, no mark): {variants_line(endpoint)}. Nothing was sent. Set the split to roll "
        "back to with w, or press B when it is the baseline."
    )


class Applier(Protocol):
    def apply(
        self, plan: WeightPlan, confirmed: Endpoint, *, reason: str | None = None
    ) -> ChangeResult: ...


def settle_then_roll_back(
    applier: Applier,
    settler: Settler,
    baseline: Baseline,
    confirmed: Endpoint,
    *,
    timeout: float,
    reason: str | None = None,
) -> ChangeResult:
    """The console's rollback: read the endpoint; when it is being updated (the screen may
    not know yet), wait (reads only) until it settles and plan against the settled endpoint;
    then send the baseline once. Without a wait the guard still compares the live endpoint
    with what the person confirmed. Blocking."""
    if confirmed.status in TERMINAL_STATUSES:
        raise EndpointStuck(stuck_message(confirmed), confirmed)
    reads_before = settler.reads
    settled = settler.wait(settler.clock() + timeout, timeout)
    waited = settler.reads - reads_before > 1
    endpoint = settled if waited or not is_settled(confirmed) else confirmed
    return applier.apply(rollback_plan(endpoint, baseline), endpoint, reason=reason)
