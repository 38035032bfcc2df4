"""A write whose answer is lost: through a fault proxy in front of moto, end to end.

Each case drives the CLI (``main()`` in process, its backend pointed at the proxy) and the
console's change path (``ChangeService(..., "console")``, as the console's worker calls it),
and asserts the audit outcome, the exit code, the live weights in moto, and that the write
was sent exactly once (no botocore retry). Read timeouts are short through ``client_config``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.changes import (
    ChangeNotApplied,
    ChangeOutcomeUnknown,
    ChangeService,
)
from canary_tui.cli.common import EXIT_AWS_FAILURE, EXIT_OK, EXIT_UNKNOWN_OUTCOME
from canary_tui.domain.weights import parse_assignments
from tests.aws.faults import FaultInjector, connection_refused
from tests.conftest import REGION
from tests.fault_proxy import FaultProxy, Mode

BEFORE = {"current-model": 0.9, "new-model": 0.1}
PLANNED = {"current-model": 0.5, "new-model": 0.5}
COLLEAGUE = {"current-model": 0.7, "new-model": 0.3}
READ_TIMEOUT = 1.0


@pytest.fixture
def proxy(moto_url: str) -> Iterator[FaultProxy]:
    running = FaultProxy(moto_url)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def proxied_backend(proxy: FaultProxy) -> Backend:
    # Reads retry (3 attempts); the write never does, whatever this says.
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=proxy.url),
        config=client_config(max_attempts=3, read_timeout=READ_TIMEOUT, connect_timeout=2),
    )
    return build_backend(clients, label="proxy")


def live_weights(sagemaker_client: Any, endpoint: str) -> dict[str, float]:
    described = sagemaker_client.describe_endpoint(EndpointName=endpoint)
    return {v["VariantName"]: v["DesiredWeight"] for v in described["ProductionVariants"]}


def set_weights(sagemaker_client: Any, endpoint: str, weights: dict[str, float]) -> None:
    sagemaker_client.update_endpoint_weights_and_capacities(
        EndpointName=endpoint,
        DesiredWeightsAndCapacities=[
            {"VariantName": name, "DesiredWeight": weight} for name, weight in weights.items()
        ],
    )


def run_cli(
    backend: Backend, monkeypatch: pytest.MonkeyPatch, endpoint: str, audit: AuditLog
) -> int:
    from canary_tui.cli.main import main

    monkeypatch.setattr("canary_tui.cli.set_weights.backend_from_args", lambda args: backend)
    try:
        return main(
            [
                "set-weights",
                endpoint,
                "current-model=50%",
                "new-model=50%",
                "--yes",
                "--audit-log",
                str(audit.path),
            ]
        )
    except SystemExit as exit_:
        return int(exit_.code or 0)


# mode -> (audit outcome, CLI exit code, live weights afterwards)
CASES: dict[Mode, tuple[str, int, dict[str, float]]] = {
    "drop": ("applied", EXIT_OK, PLANNED),
    "delay": ("applied", EXIT_OK, PLANNED),
    "error-500": ("applied", EXIT_OK, PLANNED),
    "in-progress": ("applied", EXIT_OK, PLANNED),
    "refuse": ("not-applied", EXIT_AWS_FAILURE, BEFORE),
}


@pytest.mark.parametrize("mode", list(CASES))
def test_cli_establishes_the_outcome_of_a_lost_answer(
    mode: Mode,
    proxy: FaultProxy,
    proxied_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result, code, weights = CASES[mode]
    proxy.delay_seconds = READ_TIMEOUT * 3
    proxy.set(mode)
    audit = AuditLog(tmp_path / "audit.jsonl")

    assert run_cli(proxied_backend, monkeypatch, canary_endpoint, audit) == code

    assert proxy.writes_seen == 1  # sent once: no botocore retry of the write
    assert proxy.writes_forwarded == (0 if mode == "refuse" else 1)
    assert live_weights(sagemaker_client, canary_endpoint) == weights
    [entry] = audit.entries()
    assert entry.result == result
    assert entry.outcome is not None and entry.outcome.evidence
    assert "re-read" in entry.outcome.evidence
    out, err = capsys.readouterr()
    if result == "applied":
        assert "applied after a check: " in out
        assert "nothing was" not in out + err
    else:
        assert err.startswith("canary-tui: not applied: the write failed (")
        assert "is as before and the endpoint is InService; nothing was changed" in err
        assert "nothing was sent" not in err  # something was sent: the proxy got it


@pytest.mark.parametrize("mode", list(CASES))
def test_console_change_path_establishes_the_outcome_of_a_lost_answer(
    mode: Mode,
    proxy: FaultProxy,
    proxied_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    tmp_path: Path,
) -> None:
    result, _, weights = CASES[mode]
    proxy.delay_seconds = READ_TIMEOUT * 3
    audit = AuditLog(tmp_path / "audit.jsonl")
    service = ChangeService(proxied_backend, audit, "console")
    confirmed = proxied_backend.sagemaker.describe_endpoint(canary_endpoint)
    plan = parse_assignments(confirmed, ["current-model=50%", "new-model=50%"])
    proxy.set(mode)

    if result == "applied":
        change = service.apply(plan, confirmed)
        assert change.checked and change.evidence is not None
        assert change.live is not None and change.live.desired_weights == PLANNED
    else:
        with pytest.raises(ChangeNotApplied) as not_applied:
            service.apply(plan, confirmed)
        assert not_applied.value.live is not None
        assert not_applied.value.live.desired_weights == BEFORE

    assert proxy.writes_seen == 1
    assert live_weights(sagemaker_client, canary_endpoint) == weights
    [entry] = audit.entries()
    assert entry.result == result
    assert entry.intent.source == "console"


@pytest.mark.parametrize("mode", ["drop", "pass"])
def test_a_colleague_change_landing_with_ours_is_reported_unknown(
    mode: Mode,
    proxy: FaultProxy,
    proxied_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Ours reaches AWS; a colleague's lands right after it, before our re-read.
    proxy.on_forwarded = lambda: set_weights(sagemaker_client, canary_endpoint, COLLEAGUE)
    proxy.set(mode)
    if mode == "pass":  # the answer arrives: the change after it is still seen
        proxy.set("delay")
        proxy.delay_seconds = 0.0
    audit = AuditLog(tmp_path / "audit.jsonl")

    assert run_cli(proxied_backend, monkeypatch, canary_endpoint, audit) == EXIT_UNKNOWN_OUTCOME

    assert live_weights(sagemaker_client, canary_endpoint) == COLLEAGUE
    [entry] = audit.entries()
    assert entry.result == "unknown"
    assert entry.outcome is not None and entry.outcome.evidence is not None
    assert entry.outcome.evidence.endswith(
        "weights are current-model/new-model 70/30, neither before 90/10 nor planned 50/50: "
        "someone else changed the endpoint"
    )
    err = capsys.readouterr().err
    assert "outcome unknown" in err and "someone else changed the endpoint" in err


def test_console_path_raises_unknown_with_the_evidence(
    proxy: FaultProxy,
    proxied_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    tmp_path: Path,
) -> None:
    proxy.on_forwarded = lambda: set_weights(sagemaker_client, canary_endpoint, COLLEAGUE)
    proxy.set("error-500")
    service = ChangeService(proxied_backend, AuditLog(tmp_path / "audit.jsonl"), "console")
    confirmed = proxied_backend.sagemaker.describe_endpoint(canary_endpoint)
    with pytest.raises(ChangeOutcomeUnknown) as unknown:
        service.apply(
            parse_assignments(confirmed, ["new-model=50%", "current-model=50%"]), confirmed
        )
    assert "someone else changed the endpoint" in unknown.value.evidence
    assert unknown.value.live is not None and unknown.value.live.desired_weights == COLLEAGUE


def test_a_refused_connection_says_nothing_was_sent_and_reads_nothing_back(
    moto_url: str,
    canary_endpoint: str,
    sagemaker_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults = FaultInjector()
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=3),
        on_client_created=faults,
    )
    backend = build_backend(clients)
    faults.fail_attempts("sagemaker.UpdateEndpointWeightsAndCapacities", connection_refused())
    audit = AuditLog(tmp_path / "audit.jsonl")

    assert run_cli(backend, monkeypatch, canary_endpoint, audit) == EXIT_AWS_FAILURE

    assert faults.attempts["sagemaker.UpdateEndpointWeightsAndCapacities"] == 1
    # describe for the plan, the guard's re-read; none after the write: nothing was sent.
    assert faults.calls["sagemaker.DescribeEndpoint"] == 2
    [entry] = audit.entries()
    assert entry.result == "not-applied"
    assert entry.outcome is not None and entry.outcome.evidence == "the request was not sent"
    assert live_weights(sagemaker_client, canary_endpoint) == BEFORE
    assert "cannot reach AWS" in capsys.readouterr().err


def test_an_unreadable_endpoint_after_a_lost_answer_is_unknown(
    moto_url: str, canary_endpoint: str, tmp_path: Path
) -> None:
    from botocore.exceptions import ReadTimeoutError

    faults = FaultInjector()
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=1),
        on_client_created=faults,
    )
    backend = build_backend(clients)
    service = ChangeService(backend, AuditLog(tmp_path / "audit.jsonl"), "cli")
    confirmed = backend.sagemaker.describe_endpoint(canary_endpoint)
    # The write times out, and so does every read after it (the guard's re-read is 1).
    faults.fail_attempts(
        "UpdateEndpointWeightsAndCapacities",
        lambda operation: ReadTimeoutError(endpoint_url="https://api.sagemaker"),
    )
    faults.fail_attempts(
        "DescribeEndpoint",
        lambda operation: ReadTimeoutError(endpoint_url="https://api.sagemaker"),
        after=1,
    )
    with pytest.raises(ChangeOutcomeUnknown) as unknown:
        service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    assert unknown.value.evidence.endswith("the endpoint could not be read back")
    [entry] = service.audit.entries()
    assert entry.result == "unknown"
