"""Where notifications go: one configured webhook, and the kinds of event it may receive.

Pure: no I/O. The URL may be a secret (a Slack incoming-webhook URL is its own credential), so
everything meant for a person or a log shows :attr:`Webhook.shown_url` (scheme and host, the
path hidden), never the URL itself; ``repr`` leaves it out too.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import urlsplit


class EventKind(StrEnum):
    """Every event a webhook can ask for (``events = [...]`` in its table)."""

    RAMP_STARTED = "ramp.started"
    RAMP_STEP_PASSED = "ramp.step_passed"
    RAMP_HELD = "ramp.held"
    RAMP_ROLLED_BACK = "ramp.rolled_back"
    RAMP_ROLLBACK_FAILED = "ramp.rollback_failed"
    CHANGE_APPLIED = "change.applied"
    CHANGE_FAILED = "change.failed"
    CHANGE_UNKNOWN = "change.unknown"
    VERDICT_FAILED = "verdict.failed"


BodyFormat = Literal["slack", "json"]
FORMATS: tuple[BodyFormat, ...] = ("slack", "json")
DEFAULT_TIMEOUT_SECONDS = 5.0


def shown_url(url: str) -> str:
    """``https://hooks.slack.com/...``: enough to tell webhooks apart, never the secret path."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}/..."


@dataclass(frozen=True, slots=True)
class Webhook:
    #: The full URL, resolved from ``url`` or ``url_env``; never shown (see shown_url).
    url: str = field(repr=False)
    format: BodyFormat = "json"
    events: frozenset[EventKind] = frozenset(EventKind)
    #: Seconds for one attempt (connect and answer).
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    #: Profile names or globs ("prod-*") whose events this webhook receives; empty: all.
    profiles: tuple[str, ...] = ()
    #: The variable the URL was read from, when it was not written in the file.
    url_env: str | None = None
    #: A label for logs and the notice line; defaults to the shown URL.
    name: str = ""

    @property
    def shown_url(self) -> str:
        return shown_url(self.url)

    @property
    def label(self) -> str:
        return self.name or self.shown_url

    def wants(self, kind: EventKind, profile: str | None) -> bool:
        """Whether an event of ``kind`` from ``profile`` (None: the default chain) goes here."""
        if kind not in self.events:
            return False
        if not self.profiles:
            return True
        name = profile or "default"
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.profiles)

    def to_dict(self) -> dict[str, Any]:
        """The entry as ``canary-tui config`` shows it: the URL's path hidden."""
        entry: dict[str, Any] = {}
        if self.name:
            entry["name"] = self.name
        if self.url_env is not None:
            entry["url_env"] = self.url_env
        else:
            entry["url"] = self.shown_url
        entry["format"] = self.format
        entry["events"] = sorted(kind.value for kind in self.events)
        entry["timeout"] = f"{self.timeout_seconds:g}s"
        if self.profiles:
            entry["profiles"] = list(self.profiles)
        return entry


def webhooks_for(
    webhooks: Sequence[Webhook], kind: EventKind, profile: str | None
) -> list[Webhook]:
    return [webhook for webhook in webhooks if webhook.wants(kind, profile)]
