"""An audit entry in words, for the CLI's table and the console's audit view alike.

Pure: no I/O, no Textual. Both lists run oldest first, the log's own order: ``--limit N``
keeps the N most recent at the end, ``| tail`` shows the newest, ``--json`` is unchanged,
and the console opens on the last (newest) row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from canary_tui.audit import AuditEntry, AuditOutcome

#: The stamp audit_resolve writes into the evidence of a change it closed afterwards.
_RECONCILED = "reconciled"


def is_reconciled(outcome: AuditOutcome | None) -> bool:
    """Closed after the fact (``audit --resolve`` or at start): the process had stopped
    between the intent and the outcome. Version-1 records put the stamp in the message."""
    if outcome is None:
        return False
    texts = (outcome.evidence or "", outcome.error_message or "")
    return outcome.error_kind == "interrupted" or any(t.startswith(_RECONCILED) for t in texts)


def result_label(entry: AuditEntry) -> str:
    """applied, not-applied, unknown, refused or unfinished; "+ reconciled" when closed
    after an interruption (the result is what the endpoint showed, not an error)."""
    if is_reconciled(entry.outcome):
        return f"{entry.result}, reconciled"
    return entry.result


def outcome_note(entry: AuditEntry) -> str | None:
    """What the outcome says beyond its result: the evidence of a reconciled change, or
    the error of a failed one (kind: message)."""
    outcome = entry.outcome
    if outcome is None:
        return None
    if is_reconciled(outcome):
        return outcome.evidence or outcome.error_message
    if outcome.error_message:
        return f"{outcome.error_kind or 'error'}: {outcome.error_message}"
    return None


def _mapping(values: Mapping[str, object] | None) -> str:
    if values is None:
        return "-"
    if not values:
        return "(none)"
    return ", ".join(f"{name} {value}" for name, value in values.items())


def _percent(values: Mapping[str, float] | None) -> str:
    if values is None:
        return "-"
    return ", ".join(f"{name} {share:.1f}%" for name, share in values.items()) or "(none)"


def detail_fields(entry: AuditEntry) -> list[tuple[str, str]]:
    """Every field of the change, intent then outcome, as (label, value); nothing cut."""
    intent = entry.intent
    zone = " (no time zone in the record: read as UTC)" if intent.time_zone_assumed else ""
    fields = [
        ("change id", intent.change_id),
        ("time (UTC)", f"{intent.time:%Y-%m-%d %H:%M:%S}{zone}"),
        ("endpoint", intent.endpoint),
        ("kind", intent.kind),
        ("source", intent.source),
        ("by", intent.caller or "-"),
        ("profile", intent.profile or "-"),
        ("region", intent.region or "-"),
        ("reason", intent.reason or "-"),
        ("result", result_label(entry)),
        ("weights before", _mapping(intent.weights_before)),
        ("weights after", _mapping(intent.weights_after)),
        ("traffic before", _percent(intent.traffic_percent_before)),
        ("traffic after", _percent(intent.traffic_percent_after)),
        ("instances before", _mapping(intent.instance_counts_before)),
        ("instances after", _mapping(intent.instance_counts_after)),
        (
            "request",
            json.dumps(dict(intent.request), sort_keys=True) if intent.request else "-",
        ),
    ]
    outcome = entry.outcome
    if outcome is None:
        fields.append(("outcome", "none: the process stopped after the intent (unfinished)"))
        return fields
    fields += [
        ("outcome time", f"{outcome.time:%Y-%m-%d %H:%M:%S}"),
        ("outcome", outcome.result),
        ("error kind", outcome.error_kind or "-"),
        ("error message", outcome.error_message or "-"),
        ("evidence", outcome.evidence or "-"),
        ("weights read back", _mapping(outcome.desired_weights_after)),
        ("traffic read back", _percent(outcome.traffic_percent_after)),
    ]
    return fields
