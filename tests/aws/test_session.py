"""AwsClients: where calls go (flags and AWS_ENDPOINT_URL*), and what the clients are set to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from canary_tui.aws.backend import build_backend
from canary_tui.aws.errors import ServiceUnavailable
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.domain.metrics import VariantRef
from tests.conftest import REGION

CLOSED_PORT_URL = "http://127.0.0.1:9"  # discard port: nothing listens on loopback


def test_service_specific_endpoint_variables_are_honoured(
    moto_url: str, canary_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", moto_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH", moto_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL", CLOSED_PORT_URL)  # the specific ones win
    backend = build_backend(
        AwsClients(AwsTarget(region=REGION), config=client_config(max_attempts=1))
    )
    assert [e.name for e in backend.sagemaker.list_endpoints()] == [canary_endpoint]
    now = datetime.now(UTC)
    batch = backend.cloudwatch.fetch(
        [VariantRef(canary_endpoint, "new-model")], now - timedelta(minutes=5), now, 60
    )
    assert batch.api_calls == 1


def test_general_endpoint_variable_is_honoured(
    moto_url: str, canary_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    backend = build_backend(
        AwsClients(AwsTarget(region=REGION), config=client_config(max_attempts=1))
    )
    assert [e.name for e in backend.sagemaker.list_endpoints()] == [canary_endpoint]


def test_endpoint_url_flag_wins_over_the_environment(
    moto_url: str, canary_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", CLOSED_PORT_URL)
    target = AwsTarget(region=REGION, endpoint_url=moto_url)
    backend = build_backend(AwsClients(target, config=client_config(max_attempts=1)))
    assert [e.name for e in backend.sagemaker.list_endpoints()] == [canary_endpoint]
    # And without the flag the environment's (dead) endpoint is really used.
    backend = build_backend(
        AwsClients(AwsTarget(region=REGION), config=client_config(max_attempts=1))
    )
    with pytest.raises(ServiceUnavailable, match=r"127\.0\.0\.1:9/"):
        backend.sagemaker.list_endpoints()


def test_client_settings() -> None:
    clients = AwsClients(AwsTarget(region=REGION), config=client_config(max_attempts=3))
    config = clients.sagemaker.meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert (config.connect_timeout, config.read_timeout) == (5, 15)
    assert "canary-tui/" in (config.user_agent_extra or "")
    assert clients.cloudwatch_probe.meta.config.retries["total_max_attempts"] == 1
    assert clients.cloudwatch.meta.config.retries["total_max_attempts"] == 3
    assert clients.region == REGION


def test_clients_are_built_once_and_rebuilt_after_reset() -> None:
    built: list[str] = []
    clients = AwsClients(AwsTarget(region=REGION), on_client_created=lambda s, c: built.append(s))
    first = clients.sagemaker
    assert clients.sagemaker is first
    _ = clients.cloudwatch, clients.cloudwatch_probe, clients.sts
    assert built == ["sagemaker", "cloudwatch", "cloudwatch", "sts"]
    clients.reset()
    assert clients.sagemaker is not first
    assert built[-1] == "sagemaker"


def test_profile_name_for_hints(monkeypatch: pytest.MonkeyPatch) -> None:
    assert AwsClients(AwsTarget()).profile_name is None
    monkeypatch.setenv("AWS_PROFILE", "from-env")
    assert AwsClients(AwsTarget()).profile_name == "from-env"
    assert AwsClients(AwsTarget(profile="from-flag")).profile_name == "from-flag"
