"""What every figure is measured against: a moto server with generated endpoints, and a
client hook that counts API calls and metric queries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from canary_tui.demo.clients import (
    DEMO_ACCESS_KEY_ID,
    DEMO_REGION,
    DEMO_SECRET_ACCESS_KEY,
    DemoAwsClients,
)
from canary_tui.demo.seed import SeedVariant, create_endpoint
from canary_tui.demo.server import DemoServer

ENDPOINTS = 200
VARIANTS = ("baseline", "canary-a", "canary-b")
WEIGHTS = (0.8, 0.1, 0.1)
#: The endpoint the console opens on (the first in the list, and it runs a canary).
FIRST_ENDPOINT = "bench-000"


def endpoint_names(count: int = ENDPOINTS) -> list[str]:
    return [f"bench-{index:03}" for index in range(count)]


@contextmanager
def moto_server() -> Iterator[DemoServer]:
    """The demo's moto server child on loopback: its own process, so the app measured does
    not share a GIL with the server (as against AWS)."""
    with DemoServer() as server:
        yield server


def seed(url: str, count: int = ENDPOINTS, metrics_for: int = 1) -> None:
    """``count`` endpoints x 3 variants, and an hour of per-minute metrics for the first
    ``metrics_for`` endpoints (the ones a console shows)."""
    clients = DemoAwsClients(url)
    names = endpoint_names(count)
    for name in names:
        create_endpoint(
            clients.sagemaker,
            name,
            [
                SeedVariant(variant, weight)
                for variant, weight in zip(VARIANTS, WEIGHTS, strict=True)
            ],
        )
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for name in names[:metrics_for]:
        publish_minutes(clients, name, now - timedelta(minutes=60), 61)


def publish_minutes(
    clients: DemoAwsClients, endpoint: str, start: datetime, minutes: int, level: float = 1.0
) -> None:
    data: list[dict[str, Any]] = []
    for minute in range(minutes):
        when = start + timedelta(minutes=minute)
        for index, variant in enumerate(VARIANTS):
            dimensions = [
                {"Name": "EndpointName", "Value": endpoint},
                {"Name": "VariantName", "Value": variant},
            ]
            invocations = (100.0 if index == 0 else 12.0) * level + minute % 7
            for metric, value, unit in (
                ("Invocations", invocations, "Count"),
                ("Invocation4XXErrors", float(minute % 3), "Count"),
                ("Invocation5XXErrors", float(minute % 2), "Count"),
                ("ModelLatency", 20_000.0 * level + 100 * index + minute, "Microseconds"),
                ("OverheadLatency", 2_000.0 + minute, "Microseconds"),
            ):
                data.append(
                    {
                        "MetricName": metric,
                        "Dimensions": dimensions,
                        "Timestamp": when,
                        "Value": value,
                        "Unit": unit,
                    }
                )
    for index in range(0, len(data), 500):
        clients.cloudwatch.put_metric_data(
            Namespace="AWS/SageMaker",
            MetricData=data[index : index + 500],  # type: ignore[arg-type]
        )


def aws_environment(url: str) -> dict[str, str]:
    """Environment for a ``canary-tui`` child pointed at the server, and nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CANARY_TUI_"))}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID=DEMO_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=DEMO_SECRET_ACCESS_KEY,
        AWS_DEFAULT_REGION=DEMO_REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


class CallCounter:
    """``on_client_created`` hook: API calls per ``service.Operation`` (pages count), and
    metric queries asked of GetMetricData (what CloudWatch bills)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.metric_queries = 0
        self._lock = threading.Lock()

    def __call__(self, service: str, client: Any) -> None:
        client.meta.events.register("before-call", self._before_call)
        client.meta.events.register("before-parameter-build", self._before_parameter_build)

    def _before_call(self, event_name: str, **kwargs: Any) -> None:
        with self._lock:
            self.calls[event_name.split(".", 1)[1]] += 1

    def _before_parameter_build(self, event_name: str, params: Any = None, **kwargs: Any) -> None:
        if event_name.endswith(".GetMetricData") and params:
            with self._lock:
                self.metric_queries += len(params.get("MetricDataQueries", ()))

    def snapshot(self) -> tuple[Counter[str], int]:
        with self._lock:
            return Counter(self.calls), self.metric_queries


def json_child(module: str, args: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run ``python -m module args`` (a benchmark child with its own RSS and GIL) and return
    the JSON object on the last line of its output; its stderr tail on failure."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        command = " ".join([module, *args])
        raise RuntimeError(f"{command} failed: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
