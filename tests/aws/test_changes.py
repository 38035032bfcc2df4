"""The guarded change path against moto, with botocore event hooks for what moto cannot do
(an endpoint that is Updating, "Cannot update in-progress endpoint", throttling, STS down)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.errors import CredentialsProblem, Throttled
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.changes import (
    AuditUnavailable,
    ChangeRefused,
    ChangeService,
    SettleTimeout,
)
from canary_tui.domain.models import Endpoint
from canary_tui.domain.weights import parse_assignments, parse_instance_count

from ..conftest import REGION

UPDATE = "UpdateEndpointWeightsAndCapacities"
BeforeCall = Callable[[dict[str, Any]], Any]
AfterCall = Callable[[dict[str, Any]], None]


def error_response(status: int, code: str, message: str) -> tuple[AWSResponse, dict[str, Any]]:
    """What botocore would have parsed from a real AWS error answer."""
    http = AWSResponse("https://sagemaker.invalid", status, {}, None)
    parsed = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return http, parsed


class Hooks:
    """Counts every API call by operation and lets a test answer or alter chosen ones."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.sent_params: dict[str, list[dict[str, Any]]] = {}
        #: operation -> function(params) returning None (send it) or (http, parsed).
        self.before: dict[str, BeforeCall] = {}
        #: operation -> function(parsed) that may change the parsed answer in place.
        self.after: dict[str, AfterCall] = {}

    def on_client_created(self, service: str, client: Any) -> None:
        client.meta.events.register("before-parameter-build", self._record_params)
        client.meta.events.register("before-call", self._before_call)
        client.meta.events.register("after-call", self._after_call)

    def _record_params(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.sent_params.setdefault(model.name, []).append(dict(params))

    def _before_call(self, model: Any, params: dict[str, Any], **_: Any) -> Any:
        self.calls[model.name] += 1
        handler = self.before.get(model.name)
        return handler(params) if handler is not None else None

    def _after_call(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        handler = self.after.get(model.name)
        if handler is not None:
            handler(parsed)


@pytest.fixture
def hooks() -> Hooks:
    return Hooks()


@pytest.fixture
def hooked_backend(moto_url: str, hooks: Hooks) -> Backend:
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=1),
        on_client_created=hooks.on_client_created,
    )
    return build_backend(clients, label="test")


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


@pytest.fixture
def service(hooked_backend: Backend, audit: AuditLog) -> ChangeService:
    return ChangeService(hooked_backend, audit, "cli")


def _status_is(status: str, failure_reason: str | None = None) -> AfterCall:
    def alter(parsed: dict[str, Any]) -> None:
        parsed["EndpointStatus"] = status
        if failure_reason is not None:
            parsed["FailureReason"] = failure_reason

    return alter


def test_success_changes_the_endpoint_and_writes_intent_then_outcome(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
    sagemaker_client: Any,
) -> None:
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    plan = parse_assignments(confirmed, ["new-model=25%", "current-model=75%"])

    result = service.apply(plan, confirmed, reason="INC-7 widen")

    assert hooks.calls[UPDATE] == 1
    assert hooks.sent_params[UPDATE][0]["DesiredWeightsAndCapacities"] == [
        {"VariantName": "current-model", "DesiredWeight": 0.75},
        {"VariantName": "new-model", "DesiredWeight": 0.25},
    ]
    live = sagemaker_client.describe_endpoint(EndpointName=canary_endpoint)
    weights = {v["VariantName"]: v["DesiredWeight"] for v in live["ProductionVariants"]}
    assert weights == {"current-model": 0.75, "new-model": 0.25}
    assert result.endpoint_arn.endswith(f"endpoint/{canary_endpoint}")
    assert result.desired_weights_after == {"current-model": 0.75, "new-model": 0.25}

    records = [json.loads(line) for line in audit.path.read_text().splitlines()]
    assert [record["phase"] for record in records] == ["intent", "outcome"]
    intent, outcome = records
    assert intent["id"] == outcome["id"] == result.change_id
    assert intent["caller"] == "arn:aws:sts::123456789012:user/moto"
    assert intent["region"] == REGION
    assert intent["source"] == "cli"
    assert intent["reason"] == "INC-7 widen"
    assert intent["before"]["traffic_percent"] == {"current-model": 90.0, "new-model": 10.0}
    assert intent["after"]["traffic_percent"] == {"current-model": 75.0, "new-model": 25.0}
    assert outcome["result"] == "applied"
    assert outcome["desired_weights_after"] == {"current-model": 0.75, "new-model": 0.25}
    assert audit.unfinished() == []


def test_intent_is_on_disk_before_the_call_is_sent(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
) -> None:
    seen_at_call: list[list[str]] = []

    def look_at_the_log(params: dict[str, Any]) -> None:
        seen_at_call.append([entry.result for entry in AuditLog(audit.path).entries()])

    hooks.before[UPDATE] = look_at_the_log
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    assert seen_at_call == [["unfinished"]]


def test_stale_edit_is_refused_and_nothing_is_sent(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
    sagemaker_client: Any,
) -> None:
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    plan = parse_assignments(confirmed, ["new-model=0.5"])
    # A colleague moves the canary to 20 % between "confirm" and "apply".
    sagemaker_client.update_endpoint_weights_and_capacities(
        EndpointName=canary_endpoint,
        DesiredWeightsAndCapacities=[
            {"VariantName": "current-model", "DesiredWeight": 0.8},
            {"VariantName": "new-model", "DesiredWeight": 0.2},
        ],
    )

    with pytest.raises(ChangeRefused) as refused:
        service.apply(plan, confirmed)

    assert hooks.calls[UPDATE] == 0
    assert refused.value.message == (
        "current-model weight changed 90.0% -> 80.0% since you confirmed; review the live state"
    )
    assert refused.value.live is not None
    assert refused.value.live.desired_weights == {"current-model": 0.8, "new-model": 0.2}
    [entry] = audit.entries()
    assert entry.result == "refused"
    assert entry.outcome is not None and entry.outcome.error_message == refused.value.message


def test_changed_instance_count_is_refused(
    service: ChangeService, hooked_backend: Backend, hooks: Hooks, canary_endpoint: str
) -> None:
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)

    def autoscaled(parsed: dict[str, Any]) -> None:
        parsed["ProductionVariants"][0]["DesiredInstanceCount"] = 4

    hooks.after["DescribeEndpoint"] = autoscaled
    with pytest.raises(ChangeRefused) as refused:
        service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    assert hooks.calls[UPDATE] == 0
    assert refused.value.message.startswith("current-model desired instance count changed 2 -> 4")


def test_deleted_endpoint_is_refused_with_no_live_state(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    canary_endpoint: str,
    sagemaker_client: Any,
) -> None:
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    sagemaker_client.delete_endpoint(EndpointName=canary_endpoint)
    with pytest.raises(ChangeRefused) as refused:
        service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    assert hooks.calls[UPDATE] == 0
    assert refused.value.live is None
    assert "no longer exists" in refused.value.message


@pytest.mark.parametrize(
    ("status", "failure_reason", "expected"),
    [
        ("Updating", None, "existing-endpoint-name is Updating, not InService; nothing was sent"),
        ("SystemUpdating", None, "is SystemUpdating, not InService"),
        ("Failed", "image not found", "is Failed, not InService; nothing was sent (reason: "),
    ],
)
def test_endpoint_not_in_service_is_refused(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    canary_endpoint: str,
    status: str,
    failure_reason: str | None,
    expected: str,
) -> None:
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    hooks.after["DescribeEndpoint"] = _status_is(status, failure_reason)
    with pytest.raises(ChangeRefused) as refused:
        service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    assert hooks.calls[UPDATE] == 0
    assert expected in refused.value.message
    assert refused.value.live is not None and refused.value.live.status == status


def test_update_in_progress_from_aws_is_reported_like_the_status_guard(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
) -> None:
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)

    def someone_else_started_an_update(params: dict[str, Any]) -> Any:
        hooks.after["DescribeEndpoint"] = _status_is("Updating")
        return error_response(
            400,
            "ValidationException",
            'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:123456789012:'
            'endpoint/existing-endpoint-name".',
        )

    hooks.before[UPDATE] = someone_else_started_an_update
    with pytest.raises(ChangeRefused) as refused:
        service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    # Something was sent (AWS answered it), so the message does not say "nothing was sent".
    assert refused.value.message == (
        "existing-endpoint-name is Updating (another update is in progress); nothing was changed"
    )
    assert refused.value.live is not None and refused.value.live.status == "Updating"
    [entry] = audit.entries()
    assert entry.outcome is not None
    assert (entry.result, entry.outcome.error_kind) == ("refused", "in-progress")


def test_api_error_after_intent_writes_an_error_outcome_and_reraises(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
    sagemaker_client: Any,
) -> None:
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    hooks.before[UPDATE] = lambda params: error_response(400, "ThrottlingException", "Rate")
    with pytest.raises(Throttled):
        service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    [entry] = audit.entries()
    assert entry.outcome is not None
    assert (entry.result, entry.outcome.error_kind) == ("not-applied", "throttled")
    assert "throttling" in (entry.outcome.error_message or "")
    live = sagemaker_client.describe_endpoint(EndpointName=canary_endpoint)
    assert [v["DesiredWeight"] for v in live["ProductionVariants"]] == [0.9, 0.1]


def test_unwritable_audit_log_means_nothing_is_sent(
    hooked_backend: Backend, hooks: Hooks, tmp_path: Path, canary_endpoint: str
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    service = ChangeService(hooked_backend, AuditLog(blocker / "audit.jsonl"), "console")
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    with pytest.raises(AuditUnavailable) as refused:
        service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    assert hooks.calls[UPDATE] == 0
    assert "cannot write the audit log" in refused.value.message


def test_unknown_caller_does_not_block_the_change(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
) -> None:
    hooks.before["GetCallerIdentity"] = lambda params: error_response(
        503, "ServiceUnavailable", "STS is down"
    )
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    assert hooks.calls[UPDATE] == 1
    [entry] = audit.entries()
    assert entry.intent.caller is None and entry.result == "applied"


def test_rejected_credentials_refuse_with_a_login_hint(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
) -> None:
    hooks.before["GetCallerIdentity"] = lambda params: error_response(
        403, "ExpiredToken", "The security token included in the request is expired"
    )
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    with pytest.raises(CredentialsProblem) as problem:
        service.apply(parse_assignments(confirmed, ["new-model=0.5"]), confirmed)
    assert "aws sso login" in problem.value.message
    assert hooks.calls[UPDATE] == 0
    assert audit.entries() == []


def test_capacity_change_goes_through_the_same_path(
    service: ChangeService,
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
) -> None:
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    plan = parse_instance_count(confirmed, "new-model", "3")
    service.apply(plan, confirmed)
    assert hooks.sent_params[UPDATE][0]["DesiredWeightsAndCapacities"] == [
        {"VariantName": "new-model", "DesiredInstanceCount": 3}
    ]
    [entry] = audit.entries()
    assert entry.intent.kind == "capacity"
    assert entry.intent.instance_counts_before == {"current-model": 2, "new-model": 1}
    assert entry.intent.instance_counts_after == {"current-model": 2, "new-model": 3}
    assert entry.result == "applied"


def test_a_plan_that_changes_nothing_is_refused_without_any_call(
    service: ChangeService, hooked_backend: Backend, hooks: Hooks, canary_endpoint: str
) -> None:
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    calls_before = sum(hooks.calls.values())
    with pytest.raises(ChangeRefused, match="nothing to change"):
        service.apply(
            parse_assignments(confirmed, ["new-model=10%", "current-model=90%"]), confirmed
        )
    assert sum(hooks.calls.values()) == calls_before


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_wait_until_settled_follows_updating_to_in_service(
    service: ChangeService, hooks: Hooks, canary_endpoint: str
) -> None:
    answers = iter(["Updating", "Updating"])

    def updating_twice(parsed: dict[str, Any]) -> None:
        status = next(answers, None)
        if status is not None:
            parsed["EndpointStatus"] = status

    hooks.after["DescribeEndpoint"] = updating_twice
    clock = FakeClock()
    seen: list[str] = []
    final = service.wait_until_settled(
        canary_endpoint,
        timeout=60,
        poll_seconds=5,
        on_progress=lambda endpoint: seen.append(endpoint.status),
        clock=clock,
        sleep=clock.sleep,
    )
    assert seen == ["Updating", "Updating", "InService"]
    assert final.status == "InService"
    assert clock.sleeps == [5, 5]


def test_wait_until_settled_returns_a_failed_endpoint_with_its_reason(
    service: ChangeService, hooks: Hooks, canary_endpoint: str
) -> None:
    hooks.after["DescribeEndpoint"] = _status_is("Failed", "capacity error")
    clock = FakeClock()
    final: Endpoint = service.wait_until_settled(
        canary_endpoint, timeout=60, clock=clock, sleep=clock.sleep
    )
    assert (final.status, final.failure_reason) == ("Failed", "capacity error")


def test_wait_until_settled_times_out(
    service: ChangeService, hooks: Hooks, canary_endpoint: str
) -> None:
    hooks.after["DescribeEndpoint"] = _status_is("Updating")
    clock = FakeClock()
    with pytest.raises(SettleTimeout) as timed_out:
        service.wait_until_settled(
            canary_endpoint, timeout=12, poll_seconds=5, clock=clock, sleep=clock.sleep
        )
    assert clock.sleeps == [5, 5, 2]
    assert "last status: Updating" in timed_out.value.message


# -- the CLI on the same path, in process so faults can be injected ------------------------


def _run_main(args: list[str]) -> int:
    from canary_tui.cli.main import main

    try:
        return main(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def test_cli_refuses_an_endpoint_that_is_updating_before_asking(
    hooked_backend: Backend,
    hooks: Hooks,
    canary_endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("canary_tui.cli.set_weights.backend_from_args", lambda args: hooked_backend)
    hooks.after["DescribeEndpoint"] = _status_is("Updating")
    audit_path = tmp_path / "audit.jsonl"
    code = _run_main(
        ["set-weights", canary_endpoint, "new-model=0.5", "--yes", "--audit-log", str(audit_path)]
    )
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "canary-tui: refused: existing-endpoint-name is Updating, not InService; nothing was sent"
    )
    assert hooks.calls[UPDATE] == 0


def test_cli_reports_a_stale_edit_refusal_with_exit_1(
    hooked_backend: Backend,
    hooks: Hooks,
    canary_endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sagemaker_client: Any,
) -> None:
    monkeypatch.setattr("canary_tui.cli.set_weights.backend_from_args", lambda args: hooked_backend)
    original_apply = ChangeService.apply

    def colleague_changes_it_first(self: ChangeService, *args: Any, **kwargs: Any) -> Any:
        sagemaker_client.update_endpoint_weights_and_capacities(
            EndpointName=canary_endpoint,
            DesiredWeightsAndCapacities=[{"VariantName": "new-model", "DesiredWeight": 0.3}],
        )
        return original_apply(self, *args, **kwargs)

    monkeypatch.setattr(ChangeService, "apply", colleague_changes_it_first)
    code = _run_main(
        [
            "set-weights",
            canary_endpoint,
            "new-model=0.5",
            "--yes",
            "--audit-log",
            str(tmp_path / "audit.jsonl"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "canary-tui: refused: new-model weight changed 10.0% -> 25.0% since you confirmed; "
        "review the live state"
    )
    assert hooks.calls[UPDATE] == 0


def test_cli_aws_error_on_the_call_exits_1_and_is_audited(
    hooked_backend: Backend,
    hooks: Hooks,
    canary_endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("canary_tui.cli.set_weights.backend_from_args", lambda args: hooked_backend)
    hooks.before[UPDATE] = lambda params: error_response(
        400, "AccessDeniedException", "not authorized to perform UpdateEndpointWeights"
    )
    audit = AuditLog(tmp_path / "audit.jsonl")
    code = _run_main(
        ["set-weights", canary_endpoint, "new-model=0.5", "--yes", "--audit-log", str(audit.path)]
    )
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("canary-tui: access denied for ")
    [entry] = audit.entries()
    assert entry.outcome is not None
    assert (entry.result, entry.outcome.error_kind) == ("not-applied", "access-denied")


# -- resolving an intent left without an outcome -------------------------------------------


def _crashed_intent(audit: AuditLog, endpoint: str) -> str:
    """What a process killed between intent and outcome leaves behind."""
    return audit.record_intent(
        endpoint=endpoint,
        kind="weights",
        source="console",
        weights_before={"current-model": 0.9, "new-model": 0.1},
        weights_after={"current-model": 0.5, "new-model": 0.5},
    )


@pytest.mark.parametrize(
    ("applied", "result", "message"),
    [
        (True, "applied", "the live endpoint has the intended values"),
        (False, "not-applied", "the live endpoint is as before"),
    ],
)
def test_resolve_unfinished_compares_with_the_live_endpoint(
    service: ChangeService,
    audit: AuditLog,
    canary_endpoint: str,
    sagemaker_client: Any,
    applied: bool,
    result: str,
    message: str,
) -> None:
    change_id = _crashed_intent(audit, canary_endpoint)
    if applied:
        sagemaker_client.update_endpoint_weights_and_capacities(
            EndpointName=canary_endpoint,
            DesiredWeightsAndCapacities=[
                {"VariantName": "current-model", "DesiredWeight": 1.0},
                {"VariantName": "new-model", "DesiredWeight": 1.0},
            ],
        )
    [entry] = audit.unfinished()
    assert service.resolve_unfinished(entry) == (
        result,
        f"reconciled after an interruption: {message}",
    )
    assert audit.unfinished() == []
    [resolved] = audit.entries()
    assert resolved.change_id == change_id and resolved.outcome is not None
    assert resolved.result == result
    assert resolved.outcome.error_kind == "interrupted"
    assert resolved.outcome.evidence == f"reconciled after an interruption: {message}"


def test_resolve_unfinished_when_the_weights_moved_elsewhere_or_the_endpoint_is_gone(
    service: ChangeService, audit: AuditLog, canary_endpoint: str, sagemaker_client: Any
) -> None:
    _crashed_intent(audit, canary_endpoint)
    sagemaker_client.update_endpoint_weights_and_capacities(
        EndpointName=canary_endpoint,
        DesiredWeightsAndCapacities=[{"VariantName": "new-model", "DesiredWeight": 0.3}],
    )
    [entry] = audit.unfinished()
    result, message = service.resolve_unfinished(entry)
    assert result == "unknown"
    assert message.endswith(": live desired traffic is current-model 75.0%, new-model 25.0%")

    _crashed_intent(audit, "deleted-endpoint")
    [entry] = audit.unfinished()
    assert service.resolve_unfinished(entry) == (
        "unknown",
        "reconciled after an interruption: deleted-endpoint no longer exists",
    )


def test_wait_until_settled_waits_out_throttling(
    service: ChangeService, hooks: Hooks, canary_endpoint: str
) -> None:
    throttled = iter([True, True])

    def throttle_twice(params: dict[str, Any]) -> Any:
        if next(throttled, False):
            return error_response(400, "ThrottlingException", "Rate exceeded")
        return None

    hooks.before["DescribeEndpoint"] = throttle_twice
    clock = FakeClock()
    final = service.wait_until_settled(
        canary_endpoint, timeout=60, poll_seconds=5, clock=clock, sleep=clock.sleep
    )
    assert final.status == "InService"
    assert clock.sleeps == [5, 5]
    assert hooks.calls["DescribeEndpoint"] == 3


def test_a_change_during_a_slow_identity_lookup_is_not_overwritten(
    hooked_backend: Backend,
    hooks: Hooks,
    canary_endpoint: str,
    sagemaker_client: Any,
    tmp_path: Path,
) -> None:
    # The identity lookup comes before the guard's re-read, so a change made while STS is
    # slow is seen by the re-read and refused instead of overwritten.
    audit = AuditLog(tmp_path / "audit.jsonl")
    service = ChangeService(hooked_backend, audit, "cli")
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    plan = parse_assignments(confirmed, ["new-model=0.5"])

    def colleague_changes_it_while_sts_is_slow(params: dict[str, Any]) -> None:
        sagemaker_client.update_endpoint_weights_and_capacities(
            EndpointName=canary_endpoint,
            DesiredWeightsAndCapacities=[{"VariantName": "new-model", "DesiredWeight": 0.3}],
        )

    hooks.before["GetCallerIdentity"] = colleague_changes_it_while_sts_is_slow
    with pytest.raises(ChangeRefused) as refused:
        service.apply(plan, confirmed)
    assert hooks.calls["GetCallerIdentity"] == 1
    assert hooks.calls[UPDATE] == 0
    assert refused.value.message.startswith("new-model weight changed 10.0% -> 25.0%")
    described = sagemaker_client.describe_endpoint(EndpointName=canary_endpoint)
    assert [v["DesiredWeight"] for v in described["ProductionVariants"]] == [0.9, 0.3]
    [entry] = audit.entries()
    assert entry.result == "refused"


def test_a_change_while_another_run_holds_the_endpoint_is_refused_naming_it(
    hooked_backend: Backend,
    hooks: Hooks,
    audit: AuditLog,
    canary_endpoint: str,
    tmp_path: Path,
) -> None:
    # The console's path (ChangeService in a worker) meets a CLI run holding the lock.
    import threading

    from canary_tui.changes import ChangeBusy
    from canary_tui.endpoint_lock import EndpointLocks

    locks_dir = tmp_path / "locks"
    service = ChangeService(
        hooked_backend, audit, "console", locks=EndpointLocks(locks_dir, wait_seconds=0)
    )
    confirmed = hooked_backend.sagemaker.describe_endpoint(canary_endpoint)
    plan = parse_assignments(confirmed, ["new-model=0.5"])
    other = EndpointLocks(locks_dir, command="canary-tui ramp ep new-model")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with other.hold(canary_endpoint, REGION):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        with pytest.raises(ChangeBusy) as busy:
            service.apply(plan, confirmed)
    finally:
        release.set()
        thread.join(10)
    # In one process (the console's ramp runner holding it) the holder is this process; a
    # holder in another process is named by pid and command (tests/unit/test_endpoint_lock.py).
    assert f"{canary_endpoint} is being changed by another canary-tui run" in busy.value.message
    assert "nothing was sent" in busy.value.message
    assert "--lock-wait" not in busy.value.message  # a CLI flag the console does not have
    assert hooks.calls[UPDATE] == 0
    [refused] = audit.entries()  # refused attempts are logged too
    assert refused.result == "refused" and refused.outcome is not None
    assert refused.outcome.error_kind == "busy"
    service.apply(plan, confirmed)  # free again: goes through
    assert hooks.calls[UPDATE] == 1
