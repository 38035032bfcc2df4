"""Fixtures shared by every suite: an isolated AWS environment and a moto server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.demo.seed import SeedVariant, create_endpoint

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's AWS config, credentials or canary-tui settings."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SAGEMAKER",
        "AWS_ENDPOINT_URL_CLOUDWATCH",
        "AWS_SESSION_TOKEN",
        "NO_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("CANARY_TUI_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture(scope="session")
def moto_server_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_url(moto_server_url: str) -> str:
    """The shared moto server, emptied before the test."""
    requests.post(f"{moto_server_url}/moto-api/reset", timeout=10).raise_for_status()
    return moto_server_url


@pytest.fixture
def backend(moto_url: str) -> Backend:
    # One attempt: a test of error handling must not sit through botocore's backoff.
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url), config=client_config(max_attempts=1)
    )
    return build_backend(clients, label="test")


@pytest.fixture
def sagemaker_client(moto_url: str) -> Any:
    return boto3.client("sagemaker", region_name=REGION, endpoint_url=moto_url)


@pytest.fixture
def cloudwatch_client(moto_url: str) -> Any:
    return boto3.client("cloudwatch", region_name=REGION, endpoint_url=moto_url)


@pytest.fixture
def canary_endpoint(sagemaker_client: Any) -> str:
    """The product brief's scenario: current-model 0.9, new-model 0.1."""
    create_endpoint(
        sagemaker_client,
        "existing-endpoint-name",
        [SeedVariant("current-model", 0.9, instance_count=2), SeedVariant("new-model", 0.1)],
    )
    return "existing-endpoint-name"


@pytest.fixture
def faults() -> Any:
    """A :class:`tests.aws.faults.FaultInjector`: inject AWS faults, count calls per operation."""
    from tests.aws.faults import FaultInjector

    return FaultInjector()


@pytest.fixture
def faulty_backend(moto_url: str, faults: Any) -> Backend:
    """Like ``backend`` (moto, one attempt per call), with ``faults`` hooked into every client."""
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=1),
        on_client_created=faults,
    )
    return build_backend(clients, label="test")


#: ``two_region_account``: profile -> (region, the endpoint that lives only there).
TWO_REGION_PROFILES = {
    "staging": ("us-east-1", "staging-endpoint"),
    "prod-admin": ("eu-west-1", "prod-endpoint"),
}


@pytest.fixture
def two_region_account(moto_url: str, tmp_path: Path) -> dict[str, tuple[str, str]]:
    """An AWS config file with two profiles in different regions (static test keys), and
    in moto one canary endpoint in each of those regions."""
    config = tmp_path / "aws-config"
    sections = []
    for profile, (region, _) in TWO_REGION_PROFILES.items():
        sections.append(
            f"[profile {profile}]\nregion = {region}\n"
            "aws_access_key_id = testing\naws_secret_access_key = testing\n"
        )
    config.write_text("\n".join(sections))
    for region, endpoint in TWO_REGION_PROFILES.values():
        client = boto3.client("sagemaker", region_name=region, endpoint_url=moto_url)
        create_endpoint(
            client, endpoint, [SeedVariant("current-model", 0.9), SeedVariant("new-model", 0.1)]
        )
    return dict(TWO_REGION_PROFILES)
