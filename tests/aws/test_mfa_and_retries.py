"""Assume-role profiles with mfa_serial (botocore's prompter, moto's STS) and the user's retry
settings (AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, or the profile's) winning over our defaults."""

from __future__ import annotations

import getpass
import threading
from pathlib import Path

import pytest

from canary_tui.aws.backend import build_backend
from canary_tui.aws.errors import CredentialsProblem
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.cli.common import UsageError
from canary_tui.cli.mfa import TerminalMfaPrompter, prompt_mfa_before_start
from tests.aws import faults as f
from tests.aws.faults import FaultInjector
from tests.conftest import REGION

SERIAL = "arn:aws:iam::123456789012:mfa/ops"
MFA_CONFIG = f"""\
[profile base]
aws_access_key_id = AKIABASE
aws_secret_access_key = secret
region = {REGION}

[profile ops]
role_arn = arn:aws:iam::123456789012:role/canary-operator
source_profile = base
mfa_serial = {SERIAL}
region = {REGION}

[profile chained]
role_arn = arn:aws:iam::123456789012:role/readonly
source_profile = ops
region = {REGION}

[profile tuned]
aws_access_key_id = AKIATUNED
aws_secret_access_key = secret
region = {REGION}
max_attempts = 2
retry_mode = legacy
"""


@pytest.fixture
def mfa_profiles(tmp_path: Path, moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "aws-config").write_text(MFA_CONFIG)
    # botocore's own STS client (for AssumeRole) honours the service-specific variable.
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_url)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)

    def no_getpass(prompt: str = "") -> str:
        raise AssertionError("botocore's getpass must never be reached")

    monkeypatch.setattr(getpass, "getpass", no_getpass)
    return moto_url


def _in_worker(function: object) -> object:
    """Run ``function`` in a thread, as the console's workers do; return or re-raise."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = function()  # type: ignore[operator]
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("value")


def test_the_prompter_we_set_is_asked_in_the_worker_and_the_role_is_assumed(
    mfa_profiles: str,
) -> None:
    asked: list[tuple[str, str]] = []

    def prompter(prompt: str) -> str:
        asked.append((prompt, threading.current_thread().name))
        return "123456"

    faults = FaultInjector()
    clients = AwsClients(
        AwsTarget(profile="ops", region=REGION, endpoint_url=mfa_profiles),
        config=client_config(max_attempts=1),
        on_client_created=faults,
        mfa_prompter=prompter,
    )
    assert clients.mfa_serial() == SERIAL
    backend = build_backend(clients)
    assert _in_worker(backend.sagemaker.list_endpoints) == []
    assert len(asked) == 1 and SERIAL in asked[0][0]
    assert asked[0][1] != threading.main_thread().name
    # Signed with the role's temporary key (moto's ASIA...), not the source profile's.
    assert faults.access_keys[-1].startswith("ASIA")
    _in_worker(backend.sagemaker.list_endpoints)
    assert len(asked) == 1  # the assumed credentials are reused, no second code


def test_without_a_prompter_the_worker_gets_one_line_not_getpass(mfa_profiles: str) -> None:
    clients = AwsClients(
        AwsTarget(profile="ops", region=REGION, endpoint_url=mfa_profiles),
        config=client_config(max_attempts=1),
    )
    with pytest.raises(CredentialsProblem, match="needs an MFA code"):
        _in_worker(build_backend(clients).sagemaker.list_endpoints)


def test_mfa_serial_is_found_along_the_source_profile_chain(mfa_profiles: str) -> None:
    assert AwsClients(AwsTarget(profile="chained")).mfa_serial() == SERIAL
    assert AwsClients(AwsTarget(profile="base")).mfa_serial() is None


def test_cli_reads_the_code_before_anything_starts(mfa_profiles: str) -> None:
    clients = AwsClients(
        AwsTarget(profile="ops", region=REGION, endpoint_url=mfa_profiles),
        config=client_config(max_attempts=1),
    )
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        return " 654321\n"

    prompt_mfa_before_start(clients, read=read, is_terminal=lambda: True)
    assert len(prompts) == 1 and SERIAL in prompts[0] and "ops" in prompts[0]
    assert _in_worker(build_backend(clients).sagemaker.list_endpoints) == []
    assert len(prompts) == 1  # botocore got the code read up front


def test_cli_refuses_without_a_terminal_and_checks_the_code(mfa_profiles: str) -> None:
    clients = AwsClients(AwsTarget(profile="ops", region=REGION, endpoint_url=mfa_profiles))
    with pytest.raises(UsageError, match="stdin is not a terminal"):
        prompt_mfa_before_start(clients, read=lambda p: "123456", is_terminal=lambda: False)
    for bad in ("12345", "1234567", "abcdef", "١٢٣٤٥٦", ""):
        with pytest.raises(UsageError, match="6 digits"):
            prompt_mfa_before_start(clients, read=lambda p, b=bad: b, is_terminal=lambda: True)
    # A profile without MFA is not asked anything.
    plain = AwsClients(AwsTarget(profile="base", region=REGION))
    prompt_mfa_before_start(plain, read=lambda p: pytest.fail("asked"), is_terminal=lambda: True)


def test_terminal_prompter_uses_a_code_once_and_never_reads_in_a_worker() -> None:
    prompter = TerminalMfaPrompter("111111", read=lambda p: "222222", is_terminal=lambda: True)
    assert prompter("code: ") == "111111"
    assert prompter("code: ") == "222222"  # main thread at a terminal: asks again
    from canary_tui.aws.errors import MfaCodeNotGiven

    with pytest.raises(MfaCodeNotGiven, match="run the command again"):
        _in_worker(lambda: prompter("code: "))


def test_cli_without_a_tty_exits_2_with_one_line(
    mfa_profiles: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from canary_tui.cli.main import main

    try:
        code = main(["status", "--profile", "ops", "--endpoint-url", mfa_profiles])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "needs an MFA code" in err[0] and "nothing was sent" in err[0]


# --- retries: the user's settings win for reads ----------------------------------------------


def test_aws_max_attempts_and_retry_mode_win_over_our_defaults(
    moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    faults = FaultInjector()
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=4),
        on_client_created=faults,
    )
    retries = clients.sagemaker.meta.config.retries
    assert (retries["total_max_attempts"], retries["mode"]) == (2, "adaptive")
    faults.fail_attempts("ListEndpoints", f.connection_refused())
    with pytest.raises(Exception, match="cannot reach AWS"):
        build_backend(clients).sagemaker.list_endpoints()
    assert faults.attempts["sagemaker.ListEndpoints"] == 2
    # The probe still never retries, whatever the user set.
    assert clients.cloudwatch_probe.meta.config.retries["total_max_attempts"] == 1


def test_profile_retry_settings_win_and_ours_fill_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "aws-config").write_text(MFA_CONFIG)
    tuned = AwsClients(AwsTarget(profile="tuned"), config=client_config(max_attempts=4))
    retries = tuned.sagemaker.meta.config.retries
    assert (retries["total_max_attempts"], retries["mode"]) == (2, "legacy")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")  # only one of the two set: ours for the other
    plain = AwsClients(AwsTarget(region=REGION), config=client_config(max_attempts=4))
    retries = plain.sagemaker.meta.config.retries
    assert (retries["total_max_attempts"], retries["mode"]) == (5, "standard")


def test_without_user_settings_our_defaults_stay() -> None:
    clients = AwsClients(AwsTarget(region=REGION), config=client_config(max_attempts=3))
    assert clients.sagemaker.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
