"""The request bodies: Slack-compatible (``text`` + Block Kit ``blocks``) and plain JSON
(versioned: ``"schema": "canary-tui.event/1"``). Pure: no I/O.

Slack shows ``text`` in notifications and where blocks cannot be drawn, so it says the
whole thing in one line; the blocks add the fields and the why. Slack's limits are kept:
a section's text at most 3,000 characters, at most 50 blocks, 10 fields per section.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from canary_tui.notify.events import Event, Reason, shares_text
from canary_tui.notify.targets import BodyFormat

SCHEMA = "canary-tui.event/1"
MAX_SECTION_TEXT = 3000
MAX_REASON_BLOCKS = 10
_ICONS: Mapping[str, str] = {
    "ramp.started": ":arrow_forward:",
    "ramp.step_passed": ":white_check_mark:",
    "ramp.held": ":double_vertical_bar:",
    "ramp.rolled_back": ":rewind:",
    "ramp.rollback_failed": ":rotating_light:",
    "change.applied": ":white_check_mark:",
    "change.failed": ":x:",
    "change.unknown": ":warning:",
    "verdict.failed": ":rotating_light:",
}


def _clip(text: str, limit: int = MAX_SECTION_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    """Slack's mrkdwn escapes: &, < and > (a ``<`` would start a link or a mention)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def json_body(event: Event) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "event": event.kind.value,
        "time": event.time.isoformat(),
        "summary": event.summary,
        "account": event.account,
        "region": event.region,
        "profile": event.profile,
        "endpoint": event.endpoint,
        "variants": list(event.variants),
        "traffic_percent_before": dict(event.shares_before),
        "traffic_percent_after": dict(event.shares_after),
        "why": [reason.to_dict() for reason in event.reasons],
        "details": dict(event.details),
    }


def _reason_line(reason: Reason) -> str:
    head = f"*{_escape(reason.variant)}* " if reason.variant else ""
    parts = [f"{head}`{_escape(reason.check)}`: {_escape(reason.text)}"]
    facts = []
    if reason.canary_value is not None or reason.baseline_value is not None:
        facts.append(f"canary {reason.canary_value} vs baseline {reason.baseline_value}")
    if reason.test:
        facts.append(f"test: {reason.test}")
    if reason.p_text:
        facts.append(f"p {reason.p_text}")
    if reason.effect:
        facts.append(f"effect {reason.effect}")
    if facts:
        parts.append(_escape("; ".join(facts)))
    return "\n".join(parts)


def slack_body(event: Event) -> dict[str, Any]:
    icon = _ICONS.get(event.kind.value, ":bell:")
    text = f"{icon} {_escape(event.summary)}"
    where = [
        ("Endpoint", event.endpoint),
        ("Account", event.account or "unknown"),
        ("Region", event.region or "unknown"),
        ("Profile", event.profile or "default"),
        ("Before", shares_text(event.shares_before)),
        ("After", shares_text(event.shares_after)),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": _clip(f"*{label}*\n{_escape(value)}", 2000)}
                for label, value in where
            ],
        },
    ]
    for reason in event.reasons[:MAX_REASON_BLOCKS]:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip(_reason_line(reason))}}
        )
    if len(event.reasons) > MAX_REASON_BLOCKS:
        more = len(event.reasons) - MAX_REASON_BLOCKS
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"and {more} more"}]}
        )
    context = f"canary-tui · {event.kind.value} · {event.time.isoformat()}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": _clip(text), "blocks": blocks}


def body(event: Event, body_format: BodyFormat) -> bytes:
    """The request body, UTF-8 JSON (no NaN: an unreadable number is sent as null)."""
    payload = slack_body(event) if body_format == "slack" else json_body(event)
    return json.dumps(_finite(payload), separators=(",", ":"), allow_nan=False).encode("utf-8")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Mapping):
        return {str(key): _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
