"""Reading the audit log: bounded, tolerant of any line, and fast on a long log.

*Bounded*: only a regular file is read (``/dev/full`` or a FIFO as the audit path must not
fill memory or hang), in 1 MiB chunks, and a line longer than ``MAX_LINE_BYTES`` is skipped
without being kept. *Tolerant*: a line that is not a record is reported as skipped, never
raised (``audit_records``). *Fast*: the log only grows, so an index next to it (a cache,
rebuilt whenever it does not match the log) remembers where each endpoint's lines are and
which intents have no outcome yet; a later read parses only the new lines plus the ones
asked for. ``status`` on a 100k-record log parses a handful of lines instead of 200,000.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from canary_tui.audit_model import (
    AuditEntry,
    AuditIntent,
    AuditOutcome,
    AuditReading,
    SkippedLine,
)
from canary_tui.audit_records import MAX_LINE_BYTES, ParsedRecord, RecordProblem, parse_line

INDEX_VERSION = 1
_CHUNK = 1 << 20
_DIGEST_SPAN = 4096
#: Enough damaged lines to say what is wrong; a log of garbage must not grow the index.
_MAX_NOTED_LINES = 1000
#: Spans of outcome lines whose intent is not in the log (hand edits, a cut log).
_NO_ENDPOINT = ""


class AuditReadError(OSError):
    """The log cannot be read at all (not a regular file, no permission)."""


@dataclass
class _Index:
    dev: int
    ino: int
    #: Bytes scanned: always just after a newline.
    offset: int = 0
    lines: int = 0
    tail_digest: str = ""
    #: endpoint -> flat [offset, length, line number, ...] of its intent and outcome lines.
    spans: dict[str, list[int]] = field(default_factory=dict)
    #: change id -> [offset, length, line number] of an intent with no outcome (yet).
    unfinished: dict[str, list[int]] = field(default_factory=dict)
    #: change id -> endpoint, for the unfinished intents (an outcome joins its intent's).
    unfinished_endpoint: dict[str, str] = field(default_factory=dict)
    skipped: list[list[int | str]] = field(default_factory=list)
    flagged: list[list[int | str]] = field(default_factory=list)


def _open_regular(path: Path) -> int | None:
    """A descriptor on the log, None if there is none; AuditReadError if not a file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise AuditReadError(0, "not a regular file", str(path))
    return descriptor


def _digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(descriptor: int, end: int) -> str:
    start = max(0, end - _DIGEST_SPAN)
    return _digest_of(os.pread(descriptor, end - start, start))


def _lines(descriptor: int, start: int, end: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(offset, line, length) for each complete line in [start, end); the line is None when
    it is longer than MAX_LINE_BYTES (its bytes are not kept)."""
    position = start
    line_start = start
    pending = b""
    too_long = False
    while position < end:
        chunk = os.pread(descriptor, min(_CHUNK, end - position), position)
        if not chunk:
            break
        base = position
        position += len(chunk)
        cursor = 0
        while True:
            newline = chunk.find(b"\n", cursor)
            if newline < 0:
                if not too_long:
                    pending += chunk[cursor:]
                    if len(pending) > MAX_LINE_BYTES:
                        too_long, pending = True, b""
                break
            piece = chunk[cursor:newline]
            length = base + newline - line_start
            if too_long or len(pending) + len(piece) > MAX_LINE_BYTES:
                yield line_start, None, length
            else:
                yield line_start, pending + piece, length
            pending, too_long = b"", False
            cursor = newline + 1
            line_start = base + cursor


def _parse(line: bytes | None, length: int) -> ParsedRecord | str | None:
    """The record, or why the line is skipped; None for a blank line."""
    if line is None:
        return f"line too long ({length} bytes)"
    if not line.strip():
        return None
    try:
        return parse_line(line)
    except RecordProblem as problem:
        return str(problem)
    except Exception as error:  # the trust boundary: no line may break a read
        return f"unreadable ({type(error).__name__})"


def _note(notes: list[list[int | str]], number: int, problem: str) -> None:
    if len(notes) < _MAX_NOTED_LINES:
        notes.append([number, problem])


_LineSource = Iterator[tuple[int, bytes | None, int]]


def _scan(index: _Index, lines: _LineSource, seen: dict[int, ParsedRecord]) -> None:
    """Add ``lines`` to the index; their parsed records go into ``seen`` by offset."""
    for offset, line, length in lines:
        index.lines += 1
        number = index.lines
        index.offset = offset + length + 1
        parsed = _parse(line, length)
        if parsed is None:
            continue
        if isinstance(parsed, str):
            _note(index.skipped, number, parsed)
            continue
        seen[offset] = parsed
        if parsed.time_zone_assumed:
            _note(index.flagged, number, "time without a time zone, read as UTC")
        if parsed.phase == "intent":
            endpoint = parsed.endpoint or _NO_ENDPOINT
            index.unfinished[parsed.change_id] = [offset, length, number]
            index.unfinished_endpoint[parsed.change_id] = endpoint
        else:
            index.unfinished.pop(parsed.change_id, None)
            joined = index.unfinished_endpoint.pop(parsed.change_id, None)
            endpoint = joined if joined is not None else (parsed.endpoint or _NO_ENDPOINT)
        index.spans.setdefault(endpoint, []).extend((offset, length, number))


def index_path(log: Path) -> Path:
    return log.with_name(f".{log.name}.index")


def _load_index(log: Path, descriptor: int, status: os.stat_result) -> _Index:
    fresh = _Index(status.st_dev, status.st_ino)
    try:
        raw = json.loads(index_path(log).read_bytes())
        index = _Index(**raw["index"]) if raw.get("v") == INDEX_VERSION else fresh
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return fresh
    if (
        (index.dev, index.ino) != (status.st_dev, status.st_ino)
        or not isinstance(index.offset, int)
        or not 0 <= index.offset <= status.st_size
        or _digest(descriptor, index.offset) != index.tail_digest
    ):
        # Another file at the path, or the log was cut or rewritten: start again.
        return fresh
    return index


def _save_index(log: Path, index: _Index) -> None:
    """Best effort: the index is a cache, and a read-only data dir must not fail a read."""
    target = index_path(log)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    payload = json.dumps({"v": INDEX_VERSION, "index": index.__dict__}, separators=(",", ":"))
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.write(descriptor, payload.encode("ascii"))
        finally:
            os.close(descriptor)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _triples(flat: list[int]) -> Iterator[tuple[int, int, int]]:
    for position in range(0, len(flat) - 2, 3):
        yield flat[position], flat[position + 1], flat[position + 2]


def _entries(
    descriptor: int, spans: list[tuple[int, int]], seen: dict[int, ParsedRecord]
) -> tuple[AuditEntry, ...]:
    intents: dict[str, AuditIntent] = {}
    outcomes: dict[str, AuditOutcome] = {}
    for offset, length in sorted(spans):
        parsed = seen.get(offset)
        if parsed is None:
            found = _parse(os.pread(descriptor, length, offset), length)
            if not isinstance(found, ParsedRecord):
                raise _StaleIndex
            parsed = found
        if parsed.intent is not None:
            intents[parsed.change_id] = parsed.intent
        elif parsed.outcome is not None:
            outcomes[parsed.change_id] = parsed.outcome
    entries = [AuditEntry(intent, outcomes.get(key)) for key, intent in intents.items()]
    # Intents are appended in time order; sort anyway, since several processes append.
    entries.sort(key=lambda entry: entry.intent.time)
    return tuple(entries)


class _StaleIndex(Exception):
    """A line is not where the index says: the log changed under it."""


def _notes(raw: list[list[int | str]]) -> tuple[SkippedLine, ...]:
    return tuple(SkippedLine(int(number), str(problem)) for number, problem in raw)


def read_log(log: Path, endpoint: str | None = None, *, unfinished: bool = False) -> AuditReading:
    """The log's changes (one endpoint's, or only the unfinished ones), oldest first."""
    descriptor = _open_regular(log)
    if descriptor is None:
        return AuditReading((), ())
    try:
        status = os.fstat(descriptor)
        try:
            return _read(log, descriptor, status, endpoint, unfinished, trust_index=True)
        except OSError:
            raise
        except Exception:
            # The index is our own cache: a line not where it says (_StaleIndex) or a
            # damaged index of the right shape means reading the log from the start.
            return _read(log, descriptor, status, endpoint, unfinished, trust_index=False)
    finally:
        os.close(descriptor)


def _read(
    log: Path,
    descriptor: int,
    status: os.stat_result,
    endpoint: str | None,
    unfinished: bool,
    *,
    trust_index: bool,
) -> AuditReading:
    index = (
        _load_index(log, descriptor, status)
        if trust_index
        else _Index(status.st_dev, status.st_ino)
    )
    seen: dict[int, ParsedRecord] = {}
    start = index.offset
    _scan(index, _lines(descriptor, start, status.st_size), seen)
    if index.offset != start:
        index.tail_digest = _digest(descriptor, index.offset)
        _save_index(log, index)
    if index.offset < status.st_size:
        # A last line with no newline: cut short by a crash, or still being written. It
        # is read (if it is a record) but not indexed, so the next read looks again.
        index = copy.deepcopy(index)  # the saved index stays without this line
        tail_length = status.st_size - index.offset
        tail = os.pread(descriptor, min(tail_length, MAX_LINE_BYTES + 1), index.offset)
        tail_line = tail if tail_length <= MAX_LINE_BYTES else None
        _scan(index, iter([(index.offset, tail_line, tail_length)]), seen)
    if unfinished:
        spans = [(offset, length) for offset, length, _ in index.unfinished.values()]
    elif endpoint is None:
        spans = [
            (offset, length)
            for flat in index.spans.values()
            for offset, length, _ in _triples(flat)
        ]
    else:
        spans = [(offset, length) for offset, length, _ in _triples(index.spans.get(endpoint, []))]
    entries = _entries(descriptor, spans, seen)
    if endpoint is not None:
        entries = tuple(entry for entry in entries if entry.endpoint == endpoint)
    return AuditReading(entries, _notes(index.skipped), _notes(index.flagged))
