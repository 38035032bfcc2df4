"""Every typed error: what botocore raises (for real where moto or the machine can produce it,
injected at the botocore level where only AWS can), and the one line a person sees."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConfigParseError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.errors import (
    AccessDenied,
    AwsError,
    ClockSkew,
    ConfigurationProblem,
    CredentialsProblem,
    NotFound,
    QuotaExceeded,
    ServiceUnavailable,
    Throttled,
    UpdateInProgress,
    ValidationFailed,
    clock_offset_seconds,
    translate,
    translated,
)
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.changes import ChangeService
from canary_tui.domain.models import terminal_status_message
from tests.aws import faults as f
from tests.aws.faults import FaultInjector
from tests.conftest import REGION


def _client_error(code: str, message: str, status: int = 400, op: str = "Op") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        op,
    )


@pytest.mark.parametrize(
    ("error", "expected", "needle"),
    [
        (_client_error("ThrottlingException", "Rate exceeded"), Throttled, "throttling Op"),
        (_client_error("Throttling", "Rate exceeded"), Throttled, "throttling"),
        (_client_error("SomethingNew", "slow down", 429), Throttled, "throttling"),
        (_client_error("ExpiredTokenException", "expired"), CredentialsProblem, "ExpiredToken"),
        (_client_error("ExpiredToken", "expired"), CredentialsProblem, "refresh them"),
        (_client_error("UnrecognizedClientException", "bad"), CredentialsProblem, "credentials"),
        (_client_error("AccessDeniedException", "User x is not authorized"), AccessDenied, "x is"),
        (
            _client_error("ValidationException", 'Cannot update in-progress endpoint "arn:x".'),
            UpdateInProgress,
            "wait until it is InService",
        ),
        (  # moto's wording
            _client_error("ValidationException", "Could not find endpoint 'arn:x/e'."),
            NotFound,
            "Could not find endpoint",
        ),
        (  # real SageMaker's wording
            _client_error("ValidationException", 'Could not find endpoint "arn:x/e".'),
            NotFound,
            "Could not find endpoint",
        ),
        (_client_error("ResourceNotFound", "gone"), NotFound, "gone"),
        (_client_error("InternalFailure", "oops", 500), ServiceUnavailable, "500"),
        (_client_error("ServiceUnavailable", "later", 503), ServiceUnavailable, "503"),
        (_client_error("ValidationException", "weight must be >= 0"), ValidationFailed, ">= 0"),
        (UnauthorizedSSOTokenError(), CredentialsProblem, "SSO session has expired"),
        (TokenRetrievalError(provider="sso", error_msg="expired"), CredentialsProblem, "SSO"),
        (NoCredentialsError(), CredentialsProblem, "no AWS credentials"),
        (ReadTimeoutError(endpoint_url="https://x"), ServiceUnavailable, "in time"),
        (ParamValidationError(report="bad weight"), ValidationFailed, "bad weight"),
        (ConfigParseError(path="/x/config"), ConfigurationProblem, "/x/config"),
    ],
)
def test_translate_gives_the_typed_error_and_one_line(
    error: Exception, expected: type[AwsError], needle: str
) -> None:
    translated_error = translate(error, profile=None)
    assert type(translated_error) is expected
    assert needle in str(translated_error)
    assert "\n" not in str(translated_error)


@pytest.mark.parametrize(
    "error",
    [
        _client_error("ExpiredTokenException", "expired"),
        UnauthorizedSSOTokenError(),
        TokenRetrievalError(provider="sso", error_msg="Token has expired and refresh failed"),
    ],
)
def test_credentials_errors_name_the_login_command_for_the_profile(error: Exception) -> None:
    assert "aws sso login --profile prod-admin" in str(translate(error, profile="prod-admin"))


def test_html_error_page_becomes_one_short_line() -> None:
    # What moto's server (or a proxy) sends on a crash: a whole HTML page as the message.
    page = "<!doctype html>\n<html>\n<title>500 Internal Server Error</title>\n" + "x" * 500
    error = translate(_client_error("500", page, 500, "GetMetricData"))
    assert isinstance(error, ServiceUnavailable)
    assert error.transient
    assert "\n" not in error.message
    assert "<" not in error.message
    assert len(error.message) < 300


def test_transient_flags() -> None:
    assert Throttled("x").transient and ServiceUnavailable("x").transient
    assert UpdateInProgress("x").transient
    assert not CredentialsProblem("x").transient and not AccessDenied("x").transient
    assert not NotFound("x").transient and not ValidationFailed("x").transient


def test_translated_leaves_other_exceptions_alone() -> None:
    with pytest.raises(KeyError), translated():
        raise KeyError("a bug stays a bug")


# --- real conditions, produced by botocore itself -------------------------------------------


def _backend(target: AwsTarget, hook: Any = None) -> Backend:
    clients = AwsClients(target, config=client_config(max_attempts=1), on_client_created=hook)
    return build_backend(clients)


def test_missing_endpoint_is_not_found_against_moto(backend: Backend) -> None:
    with pytest.raises(NotFound, match="Could not find endpoint"):
        backend.sagemaker.describe_endpoint("no-such-endpoint")


def test_no_credentials_at_all(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    backend = _backend(AwsTarget(region=REGION, endpoint_url=moto_url))
    with pytest.raises(CredentialsProblem, match="no AWS credentials found"):
        backend.sagemaker.list_endpoints()


def test_unknown_profile(moto_url: str) -> None:
    backend = _backend(AwsTarget(profile="nobody", region=REGION, endpoint_url=moto_url))
    with pytest.raises(ConfigurationProblem, match="nobody"):
        backend.sagemaker.list_endpoints()
    with pytest.raises(ConfigurationProblem):
        _ = backend.clients.region


def test_no_region(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    backend = _backend(AwsTarget())
    with pytest.raises(ConfigurationProblem, match="--region"):
        backend.sagemaker.list_endpoints()


def test_invalid_region_name(moto_url: str) -> None:
    backend = _backend(AwsTarget(region="us east 1"))
    with pytest.raises(ConfigurationProblem, match="region"):
        backend.sagemaker.list_endpoints()


def test_malformed_aws_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "broken-config"
    config.write_text("[profile x\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    backend = _backend(AwsTarget(profile="x"))
    with pytest.raises(ConfigurationProblem, match="AWS config"):
        backend.sagemaker.list_endpoints()


def test_connection_refused_on_a_closed_loopback_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The socket is closed: nothing listens there, so the connection is refused.
    backend = _backend(AwsTarget(region=REGION, endpoint_url=f"http://127.0.0.1:{port}"))
    with pytest.raises(ServiceUnavailable, match="cannot reach AWS") as raised:
        backend.sagemaker.describe_endpoint("existing-endpoint-name")
    assert raised.value.transient


def test_invalid_request_parameters_are_validation(backend: Backend) -> None:
    with pytest.raises(ValidationFailed):
        backend.sagemaker.update_weights_and_capacities(
            {"EndpointName": "e", "DesiredWeightsAndCapacities": [{"VariantName": 7}]}
        )


# --- what only AWS does, injected at the botocore level -------------------------------------


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (f.throttling(), Throttled),
        (f.expired_token(), CredentialsProblem),
        (f.sso_expired(), CredentialsProblem),
        (f.access_denied(), AccessDenied),
        (f.update_in_progress(), UpdateInProgress),
        (f.not_found(), NotFound),
        (f.internal_error(), ServiceUnavailable),
        (f.service_unavailable(), ServiceUnavailable),
        (f.read_timeout(), ServiceUnavailable),
        (f.connection_refused(), ServiceUnavailable),
    ],
)
def test_injected_write_faults_are_typed_and_nothing_reaches_the_endpoint(
    faulty_backend: Backend,
    faults: FaultInjector,
    canary_endpoint: str,
    fault: f.Fault,
    expected: type[AwsError],
) -> None:
    faults.fail("sagemaker.UpdateEndpointWeightsAndCapacities", fault)
    request = {
        "EndpointName": canary_endpoint,
        "DesiredWeightsAndCapacities": [
            {"VariantName": "current-model", "DesiredWeight": 0.5},
            {"VariantName": "new-model", "DesiredWeight": 0.5},
        ],
    }
    with pytest.raises(expected):
        faulty_backend.sagemaker.update_weights_and_capacities(request)
    # Raised before sending: the endpoint still has its weights.
    assert faults.attempts["sagemaker.UpdateEndpointWeightsAndCapacities"] == 0
    weights = faulty_backend.sagemaker.describe_endpoint(canary_endpoint).current_weights
    assert weights == {"current-model": 0.9, "new-model": 0.1}


def test_fault_for_n_calls_then_recovery(
    faulty_backend: Backend, faults: FaultInjector, canary_endpoint: str
) -> None:
    faults.fail("DescribeEndpoint", f.throttling(), times=2)
    for _ in range(2):
        with pytest.raises(Throttled):
            faulty_backend.sagemaker.describe_endpoint(canary_endpoint)
    assert faulty_backend.sagemaker.describe_endpoint(canary_endpoint).name == canary_endpoint
    assert faults.calls_to("DescribeEndpoint") == 3


def test_connection_fault_at_attempt_level_is_retried_by_botocore(
    moto_url: str, canary_endpoint: str
) -> None:
    faults = FaultInjector()
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=3),
        on_client_created=faults,
    )
    backend = build_backend(clients)
    # Two dropped connections, then AWS answers: standard retries hide the blip.
    faults.fail_attempts("sagemaker.DescribeEndpoint", f.connection_refused(), times=2)
    assert backend.sagemaker.describe_endpoint(canary_endpoint).name == canary_endpoint
    assert faults.calls["sagemaker.DescribeEndpoint"] == 1
    assert faults.attempts["sagemaker.DescribeEndpoint"] == 3


def test_expired_credentials_in_sts_name_the_profile(
    moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "aws-credentials").write_text(
        "[ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = secret\n"
    )
    faults = FaultInjector()
    backend = _backend(AwsTarget(profile="ops", region=REGION, endpoint_url=moto_url), faults)
    faults.fail("sts.GetCallerIdentity", f.expired_token())
    with pytest.raises(CredentialsProblem, match="aws sso login --profile ops"):
        backend.identity.caller_arn()
    faults.clear()
    assert backend.identity.caller_arn().startswith("arn:aws:")


def test_profile_from_environment_is_named_in_hint(
    moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "aws-credentials").write_text(
        "[team]\naws_access_key_id = AKIATEAM\naws_secret_access_key = secret\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "team")
    faults = FaultInjector()
    backend = _backend(AwsTarget(region=REGION, endpoint_url=moto_url), faults)
    faults.fail("ListEndpoints", f.sso_expired())
    with pytest.raises(CredentialsProblem, match="aws sso login --profile team"):
        backend.sagemaker.list_endpoints()


# --- AwsClients.reset(): new credentials without a restart ----------------------------------


def test_reset_picks_up_new_environment_credentials(
    moto_url: str, canary_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = FaultInjector()
    backend = _backend(AwsTarget(region=REGION, endpoint_url=moto_url), faults)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAOLDKEY")
    backend.sagemaker.list_endpoints()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIANEWKEY")
    backend.sagemaker.list_endpoints()  # same session: still the old key
    backend.reset_credentials()
    backend.sagemaker.list_endpoints()
    assert faults.access_keys == ["AKIAOLDKEY", "AKIAOLDKEY", "AKIANEWKEY"]


def test_reset_picks_up_a_rewritten_credentials_file(
    moto_url: str, canary_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    credentials = tmp_path / "aws-credentials"

    def write_key(key: str) -> None:
        credentials.write_text(f"[ops]\naws_access_key_id = {key}\naws_secret_access_key = s\n")

    write_key("AKIAFIRST")
    faults = FaultInjector()
    backend = _backend(AwsTarget(profile="ops", region=REGION, endpoint_url=moto_url), faults)
    faults.fail("sagemaker.DescribeEndpoint", f.expired_token(), times=1)
    with pytest.raises(CredentialsProblem):
        backend.sagemaker.describe_endpoint(canary_endpoint)
    backend.sagemaker.list_endpoints()
    write_key("AKIASECOND")  # what `aws sso login` / a credential refresh does
    backend.reset_credentials()
    assert backend.sagemaker.describe_endpoint(canary_endpoint).name == canary_endpoint
    # ListEndpoints with the first key; DescribeEndpoint and its config with the second.
    assert faults.access_keys == ["AKIAFIRST", "AKIASECOND", "AKIASECOND"]


@pytest.mark.parametrize("max_attempts", [1, 3])
def test_max_attempts_counts_the_first_try(moto_url: str, max_attempts: int) -> None:
    # botocore's own "max_attempts" key means retries; ours means attempts, first one included.
    faults = FaultInjector()
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=max_attempts),
        on_client_created=faults,
    )
    faults.fail_attempts("ListEndpoints", f.connection_refused())
    with pytest.raises(ServiceUnavailable):
        build_backend(clients).sagemaker.list_endpoints()
    assert faults.attempts["sagemaker.ListEndpoints"] == max_attempts


def test_probe_client_never_retries_but_the_data_client_does(moto_url: str) -> None:
    faults = FaultInjector()
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=4),
        on_client_created=faults,
    )
    faults.fail_attempts("GetMetricData", f.connection_refused())
    window = {"StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T01:00:00Z"}
    with pytest.raises(EndpointConnectionError):
        clients.cloudwatch_probe.get_metric_data(MetricDataQueries=[], **window)
    assert faults.attempts["cloudwatch.GetMetricData"] == 1
    with pytest.raises(EndpointConnectionError):
        clients.cloudwatch.get_metric_data(MetricDataQueries=[], **window)
    assert faults.attempts["cloudwatch.GetMetricData"] == 1 + 4


def test_fault_injector_installs_on_an_existing_backend(
    backend: Backend, canary_endpoint: str
) -> None:
    faults = FaultInjector()
    backend.sagemaker.list_endpoints()  # clients already built without the hook
    faults.install(backend.clients)
    faults.fail("ListEndpoints", f.access_denied("sagemaker:ListEndpoints"))
    with pytest.raises(AccessDenied, match="sagemaker:ListEndpoints"):
        backend.sagemaker.list_endpoints()
    faults.clear("ListEndpoints")
    assert [e.name for e in backend.sagemaker.list_endpoints()] == [canary_endpoint]
    assert faults.calls_to("ListEndpoints") == 2
    assert faults.calls["sagemaker.ListEndpoints"] == 2


# --- quotas, clock skew and terminal statuses (issue 12, item 8) ----------------------------

# Real SageMaker wording for an endpoint that asks for more instances than the quota allows.
_QUOTA_MESSAGE = (
    "The account-level service limit 'ml.g5.2xlarge for endpoint usage' is 2 Instances, with "
    "current utilization of 2 Instances and a request delta of 1 Instances. Please use AWS "
    "Service Quotas to request an increase for this quota."
)


def test_instance_quota_is_its_own_kind_naming_the_type_and_what_to_do() -> None:
    error = translate(
        _client_error("ResourceLimitExceeded", _QUOTA_MESSAGE, op="UpdateEndpoint"), "prod"
    )
    assert isinstance(error, QuotaExceeded) and error.kind == "quota"
    assert not isinstance(error, ValidationFailed) and not error.transient
    assert error.message == (
        "the account's instance quota for ml.g5.2xlarge is reached: ask for a quota increase "
        "(Service Quotas) or lower the count"
    )


def test_quota_without_an_instance_type_keeps_aws_words() -> None:
    error = translate(_client_error("ResourceLimitExceeded", "too many endpoints"))
    assert isinstance(error, QuotaExceeded)
    assert "too many endpoints" in error.message and "Service Quotas" in error.message


@pytest.mark.parametrize(
    ("code", "op"),
    [
        # Application Auto Scaling: a per-account resource limit (targets, policies).
        ("LimitExceededException", "RegisterScalableTarget"),
        # CloudWatch: "the operation exceeded one or more limits"; LimitExceeded: alarm quota.
        ("LimitExceededException", "GetMetricData"),
        ("LimitExceeded", "PutMetricAlarm"),
    ],
)
def test_limit_exceeded_is_a_quota_not_throttling(code: str, op: str) -> None:
    error = translate(_client_error(code, "limit reached", op=op))
    assert isinstance(error, QuotaExceeded) and not isinstance(error, Throttled)
    assert not error.transient  # nothing backs off and tries it again
    assert op in error.message and "Service Quotas" in error.message


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (  # SageMaker (JSON protocol): our stamp 15 min before AWS's now
            "InvalidSignatureException",
            "Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z "
            "(20260101T001500Z - 5 min.)",
            "off by 15 min (behind AWS)",
        ),
        (  # query protocol (STS, CloudWatch), clock ahead
            "SignatureDoesNotMatch",
            "Signature not yet current: 20260101T020000Z is still later than 20260101T001000Z "
            "(20260101T000500Z + 5 min.)",
            "off by 1 h 55 min (ahead of AWS)",
        ),
        (
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            "off (AWS said: The difference",
        ),
    ],
)
def test_clock_skew_says_fix_the_clock_never_log_in(code: str, message: str, expected: str) -> None:
    error = translate(_client_error(code, message, 403), profile="prod-admin")
    assert isinstance(error, ClockSkew) and error.kind == "clock-skew"
    assert expected in error.message
    assert "fix the clock (chrony/ntp)" in error.message
    assert "sso" not in error.message and "\n" not in error.message


def test_clock_offset_from_the_date_header_when_the_message_has_no_stamps() -> None:
    headers = {"date": "Thu, 01 Jan 2026 00:00:00 GMT"}
    now = datetime(2026, 1, 1, 0, 0, 42, tzinfo=UTC)
    assert clock_offset_seconds("too skewed", headers, now) == 42
    assert clock_offset_seconds("too skewed", {"date": "garbage"}, now) is None
    assert clock_offset_seconds("too skewed", {}, now) is None


def test_signature_mismatch_without_time_words_is_still_a_credentials_problem() -> None:
    error = translate(
        _client_error("SignatureDoesNotMatch", "The request signature we calculated does not")
    )
    assert isinstance(error, CredentialsProblem)


def test_clock_skew_from_moto_through_a_real_call(backend: Backend) -> None:
    faults = FaultInjector()
    faults.install(backend.clients)
    faults.fail(
        "ListEndpoints",
        f.client_error(
            "InvalidSignatureException",
            "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z "
            "(20260101T001000Z - 5 min.)",
            403,
        ),
    )
    with pytest.raises(ClockSkew, match="off by 10 min"):
        backend.sagemaker.list_endpoints()


def _rollback_failed(parsed: dict[str, Any]) -> None:
    parsed["EndpointStatus"] = "UpdateRollbackFailed"
    parsed["FailureReason"] = "rollback could not restore ml.m5.large"


def test_update_rollback_failed_stops_a_settle_wait_at_once(
    moto_url: str, canary_endpoint: str, tmp_path: Path
) -> None:
    faults = FaultInjector()
    backend = _backend(AwsTarget(region=REGION, endpoint_url=moto_url), faults)
    faults.rewrite("sagemaker.DescribeEndpoint", _rollback_failed)
    service = ChangeService(backend, AuditLog(tmp_path / "audit.jsonl"), "cli")
    slept: list[float] = []
    final = service.wait_until_settled(
        canary_endpoint, timeout=3600, clock=lambda: 0.0, sleep=slept.append
    )
    assert final.status == "UpdateRollbackFailed" and final.is_terminal
    assert not final.is_transitional
    assert slept == [] and faults.calls["sagemaker.DescribeEndpoint"] == 1
    message = terminal_status_message(final)
    assert "repair it by hand" in message and "rollback could not restore" in message


def test_a_quota_refusal_of_the_write_is_audited_as_not_applied(
    faulty_backend: Backend, faults: FaultInjector, canary_endpoint: str, tmp_path: Path
) -> None:
    from canary_tui.domain.weights import parse_instance_count

    audit = AuditLog(tmp_path / "audit.jsonl")
    service = ChangeService(faulty_backend, audit, "cli")
    endpoint = faulty_backend.sagemaker.describe_endpoint(canary_endpoint)
    faults.fail(
        "UpdateEndpointWeightsAndCapacities",
        f.client_error("ResourceLimitExceeded", _QUOTA_MESSAGE),
    )
    with pytest.raises(QuotaExceeded, match=r"instance quota for ml\.g5\.2xlarge"):
        service.apply(parse_instance_count(endpoint, "new-model", "3"), endpoint)
    outcome = audit.read().entries[-1].outcome
    assert outcome is not None and outcome.result == "not-applied"
