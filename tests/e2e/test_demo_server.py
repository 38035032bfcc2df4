"""The demo's moto server child: loopback, quiet, patched, and never left behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from canary_tui.demo.seed import (
    CANARY_ENDPOINT,
    DEMO_ENDPOINTS,
    SeedVariant,
    create_endpoint,
    seed_demo_account,
)
from canary_tui.demo.server import DemoServer

REGION = "us-east-1"


def process_gone(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie nobody reaped yet counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in {"Z", "X"}


def wait_until_gone(pid: int, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process_gone(pid):
            return True
        time.sleep(0.05)  # polling a condition with a deadline
    return process_gone(pid)


@pytest.fixture(scope="module")
def demo_server() -> Any:
    with DemoServer() as server:
        yield server


def sagemaker_at(url: str) -> Any:
    return boto3.client("sagemaker", region_name=REGION, endpoint_url=url)


def test_server_listens_on_loopback_and_answers(demo_server: DemoServer) -> None:
    assert demo_server.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{demo_server.url}/moto-api/", timeout=5) as response:
        assert response.status == 200
    assert "Endpoints" in sagemaker_at(demo_server.url).list_endpoints()


def test_stop_reaps_the_child_and_is_idempotent() -> None:
    server = DemoServer()
    server.start()
    pid = server.pid
    assert pid is not None and not process_gone(pid)
    server.stop()
    assert process_gone(pid)
    server.stop()  # second stop is harmless
    assert server.pid is None


def test_context_manager_stops_the_server_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), DemoServer() as server:
        pid = server.pid
        raise RuntimeError("boom")
    assert pid is not None and process_gone(pid)


def test_nothing_from_moto_reaches_our_stdout_or_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    with DemoServer() as server:
        client = sagemaker_at(server.url)
        create_endpoint(client, "quiet", [SeedVariant("only", 1.0)])
        client.describe_endpoint(EndpointName="quiet")
        with pytest.raises(client.exceptions.ClientError):
            client.describe_endpoint(EndpointName="missing")
        # A percentile over data crashes moto's CloudWatch: it logs a traceback, answers 500.
        cloudwatch = boto3.client(
            "cloudwatch",
            region_name=REGION,
            endpoint_url=server.url,
            config=Config(retries={"total_max_attempts": 1}),
        )
        cloudwatch.put_metric_data(
            Namespace="AWS/SageMaker",
            MetricData=[{"MetricName": "ModelLatency", "Value": 1000.0, "Unit": "Microseconds"}],
        )
        with pytest.raises(ClientError) as crash:
            cloudwatch.get_metric_data(
                MetricDataQueries=[
                    {
                        "Id": "p99",
                        "MetricStat": {
                            "Metric": {"Namespace": "AWS/SageMaker", "MetricName": "ModelLatency"},
                            "Period": 60,
                            "Stat": "p99",
                        },
                    }
                ],
                StartTime=datetime.now(UTC) - timedelta(minutes=5),
                EndTime=datetime.now(UTC) + timedelta(minutes=1),
            )
        assert crash.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        # The child may log the traceback just after it has answered: wait for it to land.
        log_path = server.log_path
        assert log_path is not None
        deadline = time.monotonic() + 10
        while "Traceback" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)  # polling a file another process writes; no event to wait on
        assert "Traceback" in log_path.read_text()
    captured = capfd.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_child_dies_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, threading
            from canary_tui.demo.server import DemoServer
            server = DemoServer()
            server.start()
            print(server.pid, flush=True)
            threading.Event().wait()
            """
        )
    )
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        assert not process_gone(child_pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert wait_until_gone(child_pid), "moto child outlived its SIGKILLed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_seeding_creates_the_demo_endpoints_with_the_brief_weights(
    demo_server: DemoServer,
) -> None:
    client = sagemaker_at(demo_server.url)
    requests_reset(demo_server.url)
    names = seed_demo_account(client)
    assert sorted(names) == sorted(DEMO_ENDPOINTS)
    listed = {summary["EndpointName"] for summary in client.list_endpoints()["Endpoints"]}
    assert listed == set(DEMO_ENDPOINTS)
    canary = client.describe_endpoint(EndpointName=CANARY_ENDPOINT)
    weights = {v["VariantName"]: v["CurrentWeight"] for v in canary["ProductionVariants"]}
    assert weights == {"current-model": 0.9, "new-model": 0.1}
    layouts = {len(variants) for variants in DEMO_ENDPOINTS.values()}
    assert {1, 2, 3} <= layouts


def requests_reset(url: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


class TestPatchedSageMaker:
    """The demo server's moto behaves like real SageMaker where stock moto does not."""

    def test_instance_counts_survive_a_weight_update(self, demo_server: DemoServer) -> None:
        requests_reset(demo_server.url)
        client = sagemaker_at(demo_server.url)
        create_endpoint(
            client, "ep", [SeedVariant("a", 0.9, instance_count=2), SeedVariant("b", 0.1)]
        )
        client.update_endpoint_weights_and_capacities(
            EndpointName="ep",
            DesiredWeightsAndCapacities=[
                {"VariantName": "a", "DesiredWeight": 0.5},
                {"VariantName": "b", "DesiredWeight": 0.5},
            ],
        )
        variants = {
            v["VariantName"]: v
            for v in client.describe_endpoint(EndpointName="ep")["ProductionVariants"]
        }
        assert variants["a"]["CurrentWeight"] == 0.5
        assert variants["a"]["CurrentInstanceCount"] == 2
        assert variants["a"]["DesiredInstanceCount"] == 2
        assert variants["b"]["CurrentInstanceCount"] == 1

    def test_a_count_update_changes_counts_and_keeps_weights(self, demo_server: DemoServer) -> None:
        requests_reset(demo_server.url)
        client = sagemaker_at(demo_server.url)
        create_endpoint(client, "ep", [SeedVariant("a", 0.9), SeedVariant("b", 0.1)])
        client.update_endpoint_weights_and_capacities(
            EndpointName="ep",
            DesiredWeightsAndCapacities=[{"VariantName": "b", "DesiredInstanceCount": 3}],
        )
        variants = {
            v["VariantName"]: v
            for v in client.describe_endpoint(EndpointName="ep")["ProductionVariants"]
        }
        assert variants["b"]["DesiredInstanceCount"] == 3
        assert variants["b"]["CurrentInstanceCount"] == 3
        assert variants["b"]["CurrentWeight"] == 0.1
        assert variants["a"]["CurrentWeight"] == 0.9

    def test_zero_weights_are_kept_on_create_and_update(self, demo_server: DemoServer) -> None:
        requests_reset(demo_server.url)
        client = sagemaker_at(demo_server.url)
        create_endpoint(client, "ep", [SeedVariant("a", 1.0), SeedVariant("dark", 0.0)])
        created = client.describe_endpoint(EndpointName="ep")["ProductionVariants"]
        assert {v["VariantName"]: v.get("CurrentWeight") for v in created} == {
            "a": 1.0,
            "dark": 0.0,
        }
        client.update_endpoint_weights_and_capacities(
            EndpointName="ep",
            DesiredWeightsAndCapacities=[
                {"VariantName": "a", "DesiredWeight": 0.0},
                {"VariantName": "dark", "DesiredWeight": 1.0},
            ],
        )
        updated = client.describe_endpoint(EndpointName="ep")["ProductionVariants"]
        assert {v["VariantName"]: v.get("DesiredWeight") for v in updated} == {
            "a": 0.0,
            "dark": 1.0,
        }

    def test_an_update_moves_last_modified_time(self, demo_server: DemoServer) -> None:
        requests_reset(demo_server.url)
        client = sagemaker_at(demo_server.url)
        create_endpoint(client, "ep", [SeedVariant("a", 0.9), SeedVariant("b", 0.1)])
        created = client.describe_endpoint(EndpointName="ep")["LastModifiedTime"]
        client.update_endpoint_weights_and_capacities(
            EndpointName="ep",
            DesiredWeightsAndCapacities=[{"VariantName": "b", "DesiredWeight": 0.3}],
        )
        assert client.describe_endpoint(EndpointName="ep")["LastModifiedTime"] > created

    def test_validation_is_still_moto_s(self, demo_server: DemoServer) -> None:
        requests_reset(demo_server.url)
        client = sagemaker_at(demo_server.url)
        with pytest.raises(client.exceptions.ClientError, match="Could not find endpoint"):
            client.update_endpoint_weights_and_capacities(
                EndpointName="missing",
                DesiredWeightsAndCapacities=[{"VariantName": "a", "DesiredWeight": 1.0}],
            )


def test_stock_moto_still_drops_counts_so_the_patch_is_needed(
    sagemaker_client: Any, canary_endpoint: str
) -> None:
    # Guards the reason for the patch: when moto fixes this, the patch can go.
    sagemaker_client.update_endpoint_weights_and_capacities(
        EndpointName=canary_endpoint,
        DesiredWeightsAndCapacities=[
            {"VariantName": "current-model", "DesiredWeight": 0.5},
            {"VariantName": "new-model", "DesiredWeight": 0.5},
        ],
    )
    variants = sagemaker_client.describe_endpoint(EndpointName=canary_endpoint)[
        "ProductionVariants"
    ]
    assert all("CurrentInstanceCount" not in variant for variant in variants)


def test_stock_moto_never_moves_last_modified_time_so_the_patch_is_needed(
    sagemaker_client: Any, canary_endpoint: str
) -> None:
    before = sagemaker_client.describe_endpoint(EndpointName=canary_endpoint)["LastModifiedTime"]
    sagemaker_client.update_endpoint_weights_and_capacities(
        EndpointName=canary_endpoint,
        DesiredWeightsAndCapacities=[{"VariantName": "new-model", "DesiredWeight": 0.3}],
    )
    after = sagemaker_client.describe_endpoint(EndpointName=canary_endpoint)["LastModifiedTime"]
    assert after == before


def test_patched_get_metric_data_answers_exactly_like_stock_moto(
    demo_server: DemoServer, cloudwatch_client: Any
) -> None:
    """The speed patch must not change a single number: compare with unpatched moto."""
    requests_reset(demo_server.url)
    demo_cloudwatch = boto3.client("cloudwatch", region_name=REGION, endpoint_url=demo_server.url)
    start = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    metric_data = []
    for second in range(0, 1800, 7):
        for variant, value in (("a", 10.0), ("b", 30.0)):
            metric_data.append(
                {
                    "MetricName": "ModelLatency",
                    "Dimensions": [
                        {"Name": "EndpointName", "Value": "ep"},
                        {"Name": "VariantName", "Value": variant},
                    ],
                    "Timestamp": start + timedelta(seconds=second),
                    "StatisticValues": {
                        "SampleCount": 2.0,
                        "Sum": value * 2 + second % 5,
                        "Minimum": value,
                        "Maximum": value + second % 5,
                    },
                    "Unit": "Microseconds",
                }
            )
    for client in (cloudwatch_client, demo_cloudwatch):
        for index in range(0, len(metric_data), 500):
            client.put_metric_data(Namespace="AWS/SageMaker", MetricData=metric_data[index:][:500])

    def stat_query(query_id: str, stat: str, dimensions: list[dict[str, str]]) -> Any:
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/SageMaker",
                    "MetricName": "ModelLatency",
                    "Dimensions": dimensions,
                },
                "Period": 60,
                "Stat": stat,
            },
        }

    a = [{"Name": "EndpointName", "Value": "ep"}, {"Name": "VariantName", "Value": "a"}]
    b_reversed = [{"Name": "VariantName", "Value": "b"}, {"Name": "EndpointName", "Value": "ep"}]
    # (queries, whether they find data): a partial dimension set matches no series, in
    # CloudWatch as in moto.
    requests_sets = [
        ([stat_query("avg_a", "Average", a), stat_query("max_b", "Maximum", b_reversed)], True),
        ([stat_query("all", "SampleCount", [])], True),
        ([stat_query("n", "Sum", [{"Name": "EndpointName", "Value": "ep"}])], False),
        ([stat_query("s", "Sum", a), {"Id": "twice", "Expression": "s * 2"}], True),
    ]
    for queries, finds_data in requests_sets:
        window = {"StartTime": start, "EndTime": start + timedelta(minutes=40)}
        stock = cloudwatch_client.get_metric_data(MetricDataQueries=queries, **window)
        patched = demo_cloudwatch.get_metric_data(MetricDataQueries=queries, **window)
        assert patched["MetricDataResults"] == stock["MetricDataResults"]
        assert any(result["Values"] for result in patched["MetricDataResults"]) == finds_data


def test_datapoints_older_than_three_hours_are_kept_per_minute_with_the_same_statistics(
    demo_server: DemoServer, cloudwatch_client: Any
) -> None:
    requests_reset(demo_server.url)
    demo_cloudwatch = boto3.client("cloudwatch", region_name=REGION, endpoint_url=demo_server.url)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    old_start = now - timedelta(hours=5)
    recent_start = now - timedelta(hours=1)
    dimensions = [{"Name": "EndpointName", "Value": "ep"}, {"Name": "VariantName", "Value": "a"}]
    metric_data: list[dict[str, Any]] = []
    for start in (old_start, recent_start):
        for second in range(0, 600, 5):
            metric_data.append(
                {
                    "MetricName": "ModelLatency",
                    "Dimensions": dimensions,
                    "Timestamp": start + timedelta(seconds=second),
                    "StatisticValues": {
                        "SampleCount": 3.0,
                        "Sum": 90.0 + second % 7,
                        "Minimum": 20.0 - second % 3,
                        "Maximum": 40.0 + second % 11,
                    },
                    "Unit": "Microseconds",
                    "StorageResolution": 1,
                }
            )
            metric_data.append(
                {
                    "MetricName": "Invocations",
                    "Dimensions": dimensions,
                    "Timestamp": start + timedelta(seconds=second),
                    "Value": float(second % 4),
                }
            )
    for client in (cloudwatch_client, demo_cloudwatch):
        client.put_metric_data(Namespace="AWS/SageMaker", MetricData=metric_data)

    def results(client: Any, start: datetime, period: int) -> list[Any]:
        queries = [
            {
                "Id": f"{metric.lower()}_{stat.lower()}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/SageMaker",
                        "MetricName": metric,
                        "Dimensions": dimensions,
                    },
                    "Period": period,
                    "Stat": stat,
                },
            }
            for metric in ("ModelLatency", "Invocations")
            for stat in ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
        ]
        response = client.get_metric_data(
            MetricDataQueries=queries, StartTime=start, EndTime=start + timedelta(minutes=10)
        )
        return response["MetricDataResults"]  # type: ignore[no-any-return]

    for start in (old_start, recent_start):
        stock, patched = results(cloudwatch_client, start, 60), results(demo_cloudwatch, start, 60)
        assert [r["Timestamps"] for r in patched] == [r["Timestamps"] for r in stock]
        for ours, theirs in zip(patched, stock, strict=True):
            assert ours["Values"] == pytest.approx(theirs["Values"])
            assert len(ours["Values"]) == 10
    # At one-second resolution: the old data is now per minute, the recent data untouched.
    assert len(results(demo_cloudwatch, old_start, 1)[0]["Values"]) == 10
    assert len(results(cloudwatch_client, old_start, 1)[0]["Values"]) == 120
    assert len(results(demo_cloudwatch, recent_start, 1)[0]["Values"]) == 120
