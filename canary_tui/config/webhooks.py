"""Parsing ``[[webhooks]]``: where notifications are sent (:mod:`canary_tui.notify`).

One plain function, :func:`webhooks`, used by the pydantic model and by the quick path alike
(so both accept and refuse the same entries), and by :mod:`canary_tui.notify.setup` when a
command starts its sender. Every problem is one line naming the entry and the key:
``webhooks entry 2 (oncall): url: must be https:// (http:// only to localhost)``.

A webhook URL is a credential (anyone holding a Slack incoming-webhook URL can post), so
``url_env = "NAME"`` reads it from a variable instead of the file, and no message here ever
shows more of a URL than its scheme and host.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from canary_tui.domain import numbers
from canary_tui.notify.targets import FORMATS, EventKind, Webhook, shown_url

_KEYS = ("name", "url", "url_env", "format", "events", "timeout", "profiles")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
#: One attempt's timeout: long enough for a slow receiver, short enough that a flush on exit
#: (bounded separately) is not held up by one.
TIMEOUT = numbers.Bounds(0.1, 60, unit="duration")
MAX_URL_LENGTH = 2048
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_WEBHOOKS = 20


class _EntryError(ValueError):
    pass


def check_url(url: object, where: str = "url") -> str:
    """An https URL (http only to this machine); the error never shows the URL's path."""
    if not isinstance(url, str) or not url.strip():
        got = "nothing" if url is None else f"a {type(url).__name__}"
        raise _EntryError(f"{where}: must be an https:// URL in quotes (got {got})")
    if len(url) > MAX_URL_LENGTH:
        raise _EntryError(f"{where}: longer than {MAX_URL_LENGTH} characters")
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise _EntryError(f"{where}: contains spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise _EntryError(f"{where}: not a URL") from None
    if parts.scheme not in ("https", "http") or not host:
        raise _EntryError(f"{where}: must be an https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise _EntryError(f"{where}: must not carry a user name or password before the host")
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise _EntryError(
            f"{where}: must be https:// (http:// only to localhost or 127.0.0.1), "
            f"got {shown_url(url)}"
        )
    return url


def _url(entry: Mapping[str, object], environ: Mapping[str, str]) -> tuple[str, str | None]:
    if ("url" in entry) == ("url_env" in entry):
        raise _EntryError('give url = "https://..." or url_env = "VARIABLE", one of the two')
    if "url" in entry:
        return check_url(entry["url"]), None
    variable = entry["url_env"]
    if not isinstance(variable, str) or not _VARIABLE.fullmatch(variable):
        raise _EntryError(
            f"url_env: must name an environment variable (got {numbers.shown(variable)})"
        )
    value = environ.get(variable)
    if not value:
        raise _EntryError(f"url_env: the variable {variable} is not set")
    return check_url(value, where=f"url_env: {variable}"), variable


def _events(value: object) -> frozenset[EventKind]:
    if value is None:
        return frozenset(EventKind)
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise _EntryError('events: must be a list like ["ramp.*", "change.failed"]')
    chosen: set[EventKind] = set()
    for item in value:
        if not isinstance(item, str):
            raise _EntryError(f"events: {numbers.shown(item)} is not an event name")
        matched = {kind for kind in EventKind if fnmatch.fnmatchcase(kind.value, item)}
        if not matched:
            known = ", ".join(kind.value for kind in EventKind)
            raise _EntryError(f"events: no event is called {numbers.shown(item)} (known: {known})")
        chosen |= matched
    return frozenset(chosen)


def _profiles(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise _EntryError('profiles: must be a list of names or globs like ["prod-*"]')
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise _EntryError("profiles: every item must be a non-empty text")
    return tuple(str(item) for item in value)


def _timeout(value: object) -> float:
    if value is None:
        return 5.0
    try:
        return numbers.parse_duration(value, TIMEOUT)
    except numbers.NumberInputError as error:
        raise _EntryError(f"timeout: {error.message}") from None


def _entry(entry: object, environ: Mapping[str, str]) -> Webhook:
    if not isinstance(entry, Mapping):
        raise _EntryError("must be a table with url (or url_env), format, events, ...")
    unknown = [key for key in entry if key not in _KEYS]
    if unknown:
        raise _EntryError(f"unknown key {numbers.shown(unknown[0])} (known: {', '.join(_KEYS)})")
    name = entry.get("name", "")
    if name != "" and (not isinstance(name, str) or not _NAME.fullmatch(name)):
        raise _EntryError(f"name: {numbers.shown(name)} must be up to 40 letters, digits, _ . -")
    url, url_env = _url(entry, environ)
    body_format = entry.get("format", "json")
    if body_format not in FORMATS:
        raise _EntryError(f'format: must be "slack" or "json" (got {numbers.shown(body_format)})')
    return Webhook(
        url=url,
        format="slack" if body_format == "slack" else "json",
        events=_events(entry.get("events")),
        timeout_seconds=_timeout(entry.get("timeout")),
        profiles=_profiles(entry.get("profiles")),
        url_env=url_env,
        name=str(name),
    )


def webhooks(value: object, environ: Mapping[str, str] | None = None) -> tuple[Webhook, ...]:
    """Every ``[[webhooks]]`` entry (a list of tables, or of Webhook), checked; ValueError
    with one line for the first problem. ``url_env`` is read from ``environ`` (default: the
    process environment)."""
    if value is None:
        return ()
    if isinstance(value, Mapping) or not isinstance(value, list | tuple):
        raise ValueError(
            "must be a list of tables: one [[webhooks]] per webhook "
            f"(got {'a table' if isinstance(value, Mapping) else type(value).__name__})"
        )
    if len(value) > MAX_WEBHOOKS:
        raise ValueError(f"at most {MAX_WEBHOOKS} webhooks")
    environ = os.environ if environ is None else environ
    parsed: list[Webhook] = []
    for index, entry in enumerate(value, start=1):
        if isinstance(entry, Webhook):
            parsed.append(entry)
            continue
        label = entry.get("name") if isinstance(entry, Mapping) else None
        where = f"webhooks entry {index}" + (
            f" ({label})" if isinstance(label, str) and _NAME.fullmatch(label) else ""
        )
        try:
            parsed.append(_entry(entry, environ))
        except _EntryError as error:
            raise ValueError(f"{where}: {error}") from None
    return tuple(parsed)
