"""CloudTrail's record of endpoint changes: who asked SageMaker to change an endpoint, when,
and for what (pure: no I/O; the gateway is :mod:`canary_tui.aws.cloudtrail`).

An event's ``CloudTrailEvent`` is a JSON document; the fields read here are the documented
record fields (``eventTime``, ``eventName``, ``userIdentity.arn``, ``requestParameters``,
``errorCode``, ``userAgent``). canary-tui's own calls carry ``canary-tui/VERSION`` in their
user agent (:func:`canary_tui.aws.session.client_config`), which is how a change made
*outside* canary-tui is told from ours.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: The SageMaker calls that change what an endpoint serves.
CHANGE_EVENTS = ("UpdateEndpointWeightsAndCapacities", "UpdateEndpoint")
OUR_USER_AGENT = "canary-tui/"


@dataclass(frozen=True, slots=True)
class TrailChange:
    time: datetime
    event: str  # one of CHANGE_EVENTS
    endpoint: str
    caller: str  # the identity ARN, or what the record says instead
    #: Requested weights / instance counts by variant (UpdateEndpointWeightsAndCapacities).
    weights: Mapping[str, float] = field(default_factory=dict)
    instance_counts: Mapping[str, int] = field(default_factory=dict)
    #: UpdateEndpoint: the endpoint config it switched to.
    endpoint_config: str | None = None
    #: Set when AWS refused the call (then nothing changed).
    error: str | None = None
    by_canary_tui: bool = False

    @property
    def summary(self) -> str:
        if self.endpoint_config is not None:
            what = f"config -> {self.endpoint_config}"
        elif self.weights:
            total = sum(self.weights.values())
            if total > 0:
                what = ", ".join(
                    f"{name} {100 * value / total:.1f}%" for name, value in self.weights.items()
                )
            else:
                what = ", ".join(f"{name} weight {value:g}" for name, value in self.weights.items())
        elif self.instance_counts:
            what = ", ".join(f"{name} x{count}" for name, count in self.instance_counts.items())
        else:
            what = "no values recorded"
        if self.error is not None:
            what += f" (refused: {self.error})"
        return what


def _time(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _caller(identity: object) -> str:
    if not isinstance(identity, Mapping):
        return "unknown"
    for key in ("arn", "principalId", "invokedBy", "type"):
        value = identity.get(key)
        if isinstance(value, str) and value:
            return value
    return "unknown"


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    """``key`` as CloudTrail writes SageMaker's parameters (camelCase, as in the documented
    examples), or as the API spells it (PascalCase), should a record use that."""
    value = mapping.get(key)
    return value if value is not None else mapping.get(key[:1].upper() + key[1:])


def _variants(parameters: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, int]]:
    weights: dict[str, float] = {}
    counts: dict[str, int] = {}
    raw = _get(parameters, "desiredWeightsAndCapacities")
    if not isinstance(raw, list):
        return weights, counts
    for item in raw:
        if not isinstance(item, Mapping) or not isinstance(_get(item, "variantName"), str):
            continue
        name = _get(item, "variantName")
        weight = _get(item, "desiredWeight")
        number = isinstance(weight, int | float) and not isinstance(weight, bool)
        if number and math.isfinite(float(weight)):
            weights[name] = float(weight)
        count = _get(item, "desiredInstanceCount")
        if isinstance(count, int) and not isinstance(count, bool):
            counts[name] = count
    return weights, counts


def parse_trail_event(event: Mapping[str, Any], endpoint: str) -> TrailChange | None:
    """The change ``event`` (a LookupEvents item) made to ``endpoint``; None when it is
    about another endpoint or unreadable (a record CloudTrail truncated, say)."""
    raw = event.get("CloudTrailEvent")
    try:
        record = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    name = record.get("eventName") or event.get("EventName")
    parameters = record.get("requestParameters")
    if name not in CHANGE_EVENTS or not isinstance(parameters, Mapping):
        return None
    if _get(parameters, "endpointName") != endpoint:
        return None
    moment = _time(record.get("eventTime"))
    if moment is None:
        event_time = event.get("EventTime")
        moment = event_time if isinstance(event_time, datetime) else None
    if moment is None:
        return None
    weights, counts = _variants(parameters)
    config = _get(parameters, "endpointConfigName")
    error = record.get("errorCode")
    agent = record.get("userAgent")
    return TrailChange(
        time=moment.astimezone(UTC),
        event=str(name),
        endpoint=endpoint,
        caller=_caller(record.get("userIdentity")),
        weights=weights,
        instance_counts=counts,
        endpoint_config=config if isinstance(config, str) else None,
        error=str(error) if error else None,
        by_canary_tui=isinstance(agent, str) and OUR_USER_AGENT in agent,
    )
