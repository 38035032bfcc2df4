"""The real change path (moto) with a webhook receiver on loopback: a change posts "change
applied" with its weights; a webhook that never answers does not delay the change by a
moment nor add one AWS call; a failed write posts "change failed" with why."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.errors import AwsError
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.changes import ChangeService
from canary_tui.domain.weights import parse_assignments
from canary_tui.notify.hub import Hub, active, installed
from canary_tui.notify.retry import RetryPolicy
from canary_tui.notify.targets import Webhook

from ..conftest import REGION
from .receiver import HANG, receiver

MOTO_ACCOUNT = "123456789012"


class Calls:
    def __init__(self) -> None:
        self.count: Counter[str] = Counter()
        self.refuse_write = False

    def on_client_created(self, service: str, client: Any) -> None:
        client.meta.events.register("before-call", self._before_call)

    def _before_call(self, model: Any, **_: Any) -> Any:
        self.count[model.name] += 1
        if self.refuse_write and model.name == "UpdateEndpointWeightsAndCapacities":
            http = AWSResponse("https://sagemaker.invalid", 400, {}, None)
            error = {"Code": "AccessDeniedException", "Message": "not allowed"}
            return http, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return None


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def service(moto_url: str, calls: Calls, tmp_path: Path) -> ChangeService:
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=1),
        on_client_created=calls.on_client_created,
    )
    backend: Backend = build_backend(clients, label="test")
    return ChangeService(backend, AuditLog(tmp_path / "audit.jsonl"), "cli")


@pytest.fixture(autouse=True)
def no_hub_left() -> Iterator[None]:
    yield
    assert active() is None


def change(service: ChangeService, endpoint: str, *assignments: str) -> None:
    confirmed = service.backend.sagemaker.describe_endpoint(endpoint)
    service.apply(parse_assignments(confirmed, list(assignments)), confirmed, reason="INC-7")


def test_a_change_posts_change_applied_with_its_weights(
    service: ChangeService, canary_endpoint: str
) -> None:
    with receiver((200, {})) as server:
        with installed(Hub([Webhook(url=server.url)]), flush_seconds=10.0):
            change(service, canary_endpoint, "new-model=25%", "current-model=75%")
        (request,) = server.requests  # flushed on the way out of the block
    body = request.body
    assert body["event"] == "change.applied" and body["endpoint"] == canary_endpoint
    assert body["traffic_percent_before"] == {"current-model": 90.0, "new-model": 10.0}
    assert body["traffic_percent_after"] == {"current-model": 75.0, "new-model": 25.0}
    assert body["account"] == MOTO_ACCOUNT and body["region"] == REGION
    assert body["details"]["source"] == "cli" and body["details"]["operator_reason"] == "INC-7"
    assert body["details"]["change_id"]


def test_a_webhook_that_never_answers_does_not_delay_the_change(
    service: ChangeService, calls: Calls, canary_endpoint: str
) -> None:
    change(service, canary_endpoint, "new-model=15%", "current-model=85%")  # warm caches
    calls.count.clear()
    change(service, canary_endpoint, "new-model=20%", "current-model=80%")
    without_webhooks = Counter(calls.count)
    calls.count.clear()
    with receiver(HANG) as server:
        hub = Hub([Webhook(url=server.url, timeout_seconds=30.0)], policy=RetryPolicy())
        with installed(hub, flush_seconds=0.2):
            started = time.perf_counter()
            change(service, canary_endpoint, "new-model=30%", "current-model=70%")
            elapsed = time.perf_counter() - started
            server.wait_for(1)  # the POST is out, and hangs, while the change is done
        server.released.set()
    # Same AWS calls as without a webhook, and nowhere near the webhook's 30 s timeout.
    assert calls.count == without_webhooks, (calls.count, without_webhooks)
    assert elapsed < 10.0, elapsed


def test_a_refused_write_posts_change_failed_with_why(
    service: ChangeService, calls: Calls, canary_endpoint: str
) -> None:
    calls.refuse_write = True
    with receiver((200, {})) as server:
        hub = Hub([Webhook(url=server.url, format="slack")])
        with installed(hub, flush_seconds=10.0), pytest.raises(AwsError):
            change(service, canary_endpoint, "new-model=25%", "current-model=75%")
        (request,) = server.requests
    text = request.body["text"]
    assert text.startswith(":x: change failed on existing-endpoint-name")
    assert "not allowed" in text
