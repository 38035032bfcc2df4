"""One audit-log line in, one typed record out; anything else is a ``RecordProblem``.

The log is shared by every copy of canary-tui, older versions, and whoever edits it by hand,
so a line can hold anything. Parsing is strict about shape (a weight must be a finite
number) and tolerant about the rest: a time without a time zone is read as UTC and
flagged, a number too large for a float (``1e400``) or a bare ``NaN`` / ``Infinity`` stays
the text it was instead of becoming a float that JSON cannot print back.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from canary_tui.audit_model import (
    OUTCOME_RESULTS,
    AuditIntent,
    AuditOutcome,
    OutcomeResult,
    legacy_result,
)

#: A record is a few hundred bytes; a line longer than this is not one of ours, and is
#: skipped without being decoded (the reader stays bounded by it, not by the file).
MAX_LINE_BYTES = 64 * 1024


class RecordProblem(ValueError):
    """Why a line is not a usable record, in a few words."""


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    phase: str  # "intent" or "outcome"
    change_id: str
    endpoint: str | None
    intent: AuditIntent | None
    outcome: AuditOutcome | None
    #: True when the record's time had no time zone and was read as UTC.
    time_zone_assumed: bool


def _keep_as_text(text: str) -> str:
    return text


def _finite_or_text(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


def decode_line(raw: bytes) -> dict[str, Any]:
    """The JSON object on one line; ``RecordProblem`` for anything else."""
    if len(raw) > MAX_LINE_BYTES:
        raise RecordProblem(f"line too long ({len(raw)} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordProblem("not UTF-8") from None
    try:
        record = json.loads(text, parse_constant=_keep_as_text, parse_float=_finite_or_text)
    except RecursionError:
        raise RecordProblem("nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, and ints over 4300 digits
        raise RecordProblem(
            "truncated or not JSON" if isinstance(error, json.JSONDecodeError) else str(error)
        ) from None
    if not isinstance(record, dict):
        raise RecordProblem("not a JSON object")
    return record


def _text(raw: object, what: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise RecordProblem(f"{what} is not a string")
    return raw


def _optional_str(raw: object) -> str | None:
    if raw is None:
        return None
    return raw if isinstance(raw, str) else json.dumps(raw, allow_nan=True)


def _time(raw: object) -> tuple[datetime, bool]:
    text = _text(raw, "time")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordProblem(f"time {text[:40]!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC), True
    try:
        return moment.astimezone(UTC), False
    except OverflowError:
        raise RecordProblem(f"time {text[:40]!r} is out of range") from None


def _number(raw: object, what: str) -> float:
    # bool is an int in Python; true is not a weight.
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise RecordProblem(f"{what} is not a number")
    value = float(raw)
    if not math.isfinite(value):
        raise RecordProblem(f"{what} is not finite")
    return value


def _float_map(raw: object, what: str) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise RecordProblem(f"{what} is not an object of numbers")
    return {str(key): _number(value, f"{what} of {key!s:.40}") for key, value in raw.items()}


def _count_map(raw: object) -> dict[str, int | None]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RecordProblem("instance counts are not an object")
    counts: dict[str, int | None] = {}
    for key, value in raw.items():
        if value is None:
            counts[str(key)] = None
        elif isinstance(value, int) and not isinstance(value, bool):
            counts[str(key)] = value
        else:
            raise RecordProblem(f"instance count of {key!s:.40} is not an integer")
    return counts


def _section(record: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = record.get(name)
    if not isinstance(section, dict):
        raise RecordProblem(f"{name} is missing")
    return section


def _intent(record: Mapping[str, Any]) -> tuple[AuditIntent, bool]:
    before = _section(record, "before")
    after = _section(record, "after")
    kind = record.get("kind")
    if kind not in ("weights", "capacity"):
        raise RecordProblem(f"unknown kind {str(kind)[:20]!r}")
    moment, assumed = _time(record.get("time"))
    request = record.get("request")
    intent = AuditIntent(
        change_id=_text(record.get("id"), "id"),
        time=moment,
        caller=_optional_str(record.get("caller")),
        profile=_optional_str(record.get("profile")),
        region=_optional_str(record.get("region")),
        endpoint=_text(record.get("endpoint"), "endpoint"),
        kind=kind,
        source=_optional_str(record.get("source")) or "?",
        reason=_optional_str(record.get("reason")),
        weights_before=_float_map(before.get("weights"), "weight before"),
        weights_after=_float_map(after.get("weights"), "weight after"),
        traffic_percent_before=_float_map(before.get("traffic_percent"), "share before"),
        traffic_percent_after=_float_map(after.get("traffic_percent"), "share after"),
        instance_counts_before=_count_map(before.get("instance_counts")),
        instance_counts_after=_count_map(after.get("instance_counts")),
        request=request if isinstance(request, dict) else None,
        time_zone_assumed=assumed,
    )
    return intent, assumed


def _outcome(record: Mapping[str, Any]) -> tuple[AuditOutcome, bool]:
    raw_result = record.get("result")
    error_kind = _optional_str(record.get("error_kind"))
    result: OutcomeResult
    if raw_result in OUTCOME_RESULTS:
        result = cast(OutcomeResult, raw_result)
    elif raw_result in ("ok", "error"):
        result = legacy_result(str(raw_result), error_kind)
    else:
        raise RecordProblem(f"unknown result {str(raw_result)[:20]!r}")
    if record.get("v") == 1 and result == "refused" and error_kind == "in-progress":
        # Version 1 logged botocore's retry of our own accepted write ("Cannot update
        # in-progress endpoint") as refused: it may well have been applied.
        result = "unknown"
    weights = record.get("desired_weights_after")
    moment, assumed = _time(record.get("time"))
    outcome = AuditOutcome(
        change_id=_text(record.get("id"), "id"),
        time=moment,
        endpoint=_optional_str(record.get("endpoint")),
        result=result,
        error_kind=error_kind,
        error_message=_optional_str(record.get("error_message")),
        desired_weights_after=(
            None if weights is None else _float_map(weights, "weight read back")
        ),
        evidence=_optional_str(record.get("evidence")),
        time_zone_assumed=assumed,
    )
    return outcome, assumed


def parse_line(raw: bytes) -> ParsedRecord:
    """The record on one line; ``RecordProblem`` says why it cannot be used."""
    record = decode_line(raw)
    phase = record.get("phase")
    if phase == "intent":
        intent, assumed = _intent(record)
        return ParsedRecord("intent", intent.change_id, intent.endpoint, intent, None, assumed)
    if phase == "outcome":
        outcome, assumed = _outcome(record)
        return ParsedRecord("outcome", outcome.change_id, outcome.endpoint, None, outcome, assumed)
    raise RecordProblem(f"unknown phase {str(phase)[:20]!r}")
