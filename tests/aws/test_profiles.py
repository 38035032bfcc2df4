"""AWS profiles from temp config files, the read-only / production rules, and switching
profile against moto."""

from __future__ import annotations

from pathlib import Path

import pytest

from canary_tui.aws.backend import build_backend
from canary_tui.aws.errors import ConfigurationProblem
from canary_tui.aws.profiles import ProfileInfo, is_production, is_read_only, list_profiles
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.config import Settings
from tests.aws.faults import FaultInjector

AWS_CONFIG = """\
[default]
region = us-west-2

[profile prod-admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1

[profile dev]
output = json

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
"""

AWS_CREDENTIALS = """\
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = secret

[dev]
aws_access_key_id = AKIADEV
aws_secret_access_key = secret

[ci-bot]
aws_access_key_id = AKIACIBOT
aws_secret_access_key = secret
"""


@pytest.fixture
def aws_files(tmp_path: Path) -> None:
    # conftest points AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at these paths.
    (tmp_path / "aws-config").write_text(AWS_CONFIG)
    (tmp_path / "aws-credentials").write_text(AWS_CREDENTIALS)


def test_profiles_from_config_and_credentials_files(
    aws_files: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The environment's region must not be mistaken for a profile's own.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert list_profiles() == [
        ProfileInfo("ci-bot", None),
        ProfileInfo("default", "us-west-2"),
        ProfileInfo("dev", None),
        ProfileInfo("prod-admin", "eu-west-1", uses_sso=True),
    ]


def test_no_aws_files_no_profiles() -> None:
    assert list_profiles() == []


def test_aws_config_file_variable_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "team-config"
    other.write_text("[profile team]\nregion = sa-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(other))
    assert list_profiles() == [ProfileInfo("team", "sa-east-1")]


def test_malformed_config_file_is_a_configuration_problem(tmp_path: Path) -> None:
    (tmp_path / "aws-config").write_text("[profile broken\nregion = x\n")
    with pytest.raises(ConfigurationProblem):
        list_profiles()


@pytest.mark.parametrize(
    ("profile", "read_only", "production"),
    [
        ("prod-admin", True, True),
        ("prod-readonly", True, True),
        ("billing", True, False),
        ("dev", False, False),
        ("Prod-admin", False, False),  # profile names are case-sensitive
        (None, False, False),  # the default profile
    ],
)
def test_read_only_and_production_patterns(
    profile: str | None, read_only: bool, production: bool
) -> None:
    settings = Settings.model_validate(
        {"read_only_profiles": ["prod-*", "billing"], "production_profiles": ["prod-*"]}
    )
    assert is_read_only(profile, settings) is read_only
    assert is_production(profile, settings) is production


def test_default_profile_matches_by_its_name() -> None:
    settings = Settings.model_validate(
        {"read_only_profiles": ["default"], "production_profiles": ["def*"]}
    )
    assert is_read_only(None, settings) and is_production(None, settings)
    assert is_read_only("default", settings)


def test_global_read_only_covers_every_profile() -> None:
    settings = Settings.model_validate({"read_only": True})
    assert is_read_only("dev", settings) and is_read_only(None, settings)
    assert not is_production("dev", settings)


def test_switching_profile_changes_credentials_and_region_against_moto(
    aws_files: None, moto_url: str, canary_endpoint: str
) -> None:
    seen: dict[str, tuple[list[str], list[str]]] = {}
    for profile in list_profiles():
        if profile.uses_sso:
            continue  # would need a real IAM Identity Center login
        faults = FaultInjector()
        clients = AwsClients(
            AwsTarget(profile=profile.name, region=profile.region, endpoint_url=moto_url),
            config=client_config(max_attempts=1),
            on_client_created=faults,
        )
        build_backend(clients).sagemaker.list_endpoints()
        seen[profile.name] = (faults.access_keys, faults.signed_regions)
    assert seen == {
        "ci-bot": (["AKIACIBOT"], ["us-east-1"]),  # no region of its own: AWS_DEFAULT_REGION
        "default": (["AKIADEFAULT"], ["us-west-2"]),
        "dev": (["AKIADEV"], ["us-east-1"]),
    }
    # An explicit region (the console's :region) wins over the profile's.
    faults = FaultInjector()
    clients = AwsClients(
        AwsTarget(profile="dev", region="eu-central-1", endpoint_url=moto_url),
        config=client_config(max_attempts=1),
        on_client_created=faults,
    )
    endpoints = build_backend(clients).sagemaker.list_endpoints()
    assert faults.signed_regions == ["eu-central-1"]
    # moto keeps each region apart, like AWS: the us-east-1 endpoint is not in eu-central-1.
    assert endpoints == []


def test_read_only_reason_says_why() -> None:
    from canary_tui.aws.profiles import profile_in_effect, read_only_reason

    assert read_only_reason("dev", Settings(read_only=True)) == "read_only is set"
    rules = Settings(read_only_profiles=["prod-*", "billing"])
    assert read_only_reason("prod-admin", rules) == (
        "profile 'prod-admin' matches read_only_profiles pattern 'prod-*'"
    )
    assert read_only_reason("dev", rules) is None
    # botocore's order: AWS_DEFAULT_PROFILE before AWS_PROFILE, then "default".
    both = {"AWS_DEFAULT_PROFILE": "a", "AWS_PROFILE": "b"}
    assert profile_in_effect(None, both) == "a"
    assert profile_in_effect(None, {"AWS_PROFILE": "b"}) == "b"
    assert profile_in_effect(None, {}) == "default"
    assert profile_in_effect("named", both) == "named"
