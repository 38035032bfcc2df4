"""`audit --resolve`: later records of the log are evidence, as well as the live endpoint."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from canary_tui.audit import AuditLog
from canary_tui.audit_resolve import resolve_unfinished
from canary_tui.aws.backend import Backend

BEFORE = {"current-model": 0.9, "new-model": 0.1}
#: Every record of these logs in one millisecond, as on a fast machine: "later" must mean
#: later in the log, not a strictly later timestamp.
SAME_MOMENT = datetime(2026, 12, 3, 7, 57, 0, tzinfo=UTC)
SEVENTY = {"current-model": 0.7, "new-model": 0.3}


def _intent(audit: AuditLog, before: dict[str, float], after: dict[str, float]) -> str:
    return audit.record_intent(
        endpoint="existing-endpoint-name",
        kind="weights",
        source="cli",
        weights_before=before,
        weights_after=after,
    )


@pytest.mark.parametrize(
    ("next_before", "result", "said"),
    [
        (SEVENTY, "applied", "started from 70/30"),
        (BEFORE, "not-applied", "started from 90/10, as before"),
    ],
)
def test_the_next_change_says_what_an_unfinished_one_left(
    backend: Backend,
    canary_endpoint: str,
    tmp_path: Path,
    next_before: dict[str, float],
    result: str,
    said: str,
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl", clock=lambda: SAME_MOMENT)
    crashed = _intent(audit, BEFORE, SEVENTY)  # killed between intent and outcome
    later = _intent(audit, next_before, BEFORE)
    audit.record_outcome(later, result="applied", endpoint=canary_endpoint)
    # The live endpoint is 90/10 (the later change put it back): it alone would say
    # "not applied" for the first case.
    [entry] = audit.unfinished()

    got, message = resolve_unfinished(backend.sagemaker, audit, entry)

    assert got == result
    assert message == (
        f"reconciled after an interruption: the next change {later[:8]} "
        f"({audit.entries()[1].intent.time:%Y-%m-%d %H:%M:%SZ}) {said}"
    )
    [resolved] = [e for e in audit.entries() if e.change_id == crashed]
    assert resolved.result == result
    assert resolved.outcome is not None and resolved.outcome.evidence == message


def test_a_later_change_from_elsewhere_falls_back_to_the_live_endpoint(
    backend: Backend, canary_endpoint: str, tmp_path: Path, sagemaker_client: Any
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    _intent(audit, BEFORE, SEVENTY)
    # Someone outside canary-tui moved it to 50/50 in between: the next record proves nothing.
    _intent(audit, {"current-model": 0.5, "new-model": 0.5}, BEFORE)
    sagemaker_client.update_endpoint_weights_and_capacities(
        EndpointName=canary_endpoint,
        DesiredWeightsAndCapacities=[
            {"VariantName": "current-model", "DesiredWeight": 0.7},
            {"VariantName": "new-model", "DesiredWeight": 0.3},
        ],
    )
    first = audit.unfinished()[0]
    assert resolve_unfinished(backend.sagemaker, audit, first) == (
        "applied",
        "reconciled after an interruption: the live endpoint has the intended values",
    )


def test_audit_resolve_cli_uses_the_later_records(
    moto_url: str, canary_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from canary_tui.cli.main import main

    audit = AuditLog(tmp_path / "audit.jsonl", clock=lambda: SAME_MOMENT)
    crashed = _intent(audit, BEFORE, SEVENTY)
    later = _intent(audit, SEVENTY, BEFORE)
    audit.record_outcome(later, result="applied", endpoint=canary_endpoint)
    code = main(
        [
            "audit",
            "--resolve",
            "--audit-log",
            str(audit.path),
            "--endpoint-url",
            moto_url,
            "--region",
            "us-east-1",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert f"{crashed[:8]} {canary_endpoint}: applied: " in out
    assert f"the next change {later[:8]}" in out

    # The listing labels it as what it is (applied, reconciled), not as an error, and runs
    # oldest first like the console's audit view.
    assert main(["audit", "--audit-log", str(audit.path)]) == 0
    listing = capsys.readouterr().out
    crashed_line = next(line for line in listing.splitlines() if crashed[:8] in line)
    assert "applied, reconciled" in crashed_line
    assert "error:" not in listing and "interrupted:" not in listing
    assert "reconciled after an interruption: the next change" in listing
    assert listing.index(crashed[:8]) < listing.index(later[:8])
    assert [entry.change_id for entry in audit.entries(None)][:2] == [crashed, later]
