"""``canary-tui status`` against yardsticks that make the same calls on the same moto server,
alternating runs, medians (issue 13):

- ``status ENDPOINT`` against a plain boto3 script making the same two calls
  (DescribeEndpoint, DescribeEndpointConfig), and against ``aws sagemaker
  describe-endpoint`` (AWS CLI v1, ``pip install -e '.[bench]'``; one call), side by side;
- ``status`` (the list) at 2,000 endpoints against a boto3 script with the same ListEndpoints
  pages and the same per-endpoint DescribeEndpoint calls on the same number of threads.

Where the start-up goes is :mod:`benchmarks.cli_startup`.
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.bulk_server import bulk_server
from benchmarks.fixtures import aws_environment, moto_server, seed
from canary_tui.cli.status import DESCRIBE_CONCURRENCY

YARDSTICK = """
import sys, boto3
client = boto3.client("sagemaker", endpoint_url=sys.argv[1])
endpoint = client.describe_endpoint(EndpointName=sys.argv[2])
client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
print(endpoint["EndpointStatus"])
"""

#: What ``status`` asks for the list, as plainly as boto3 says it: the same ListEndpoints
#: pages (100, by name) and one DescribeEndpoint per endpoint on the same number of threads.
LIST_YARDSTICK = """
import sys, boto3
from concurrent.futures import ThreadPoolExecutor
client = boto3.client("sagemaker", endpoint_url=sys.argv[1])
names = []
pages = client.get_paginator("list_endpoints").paginate(
    SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 100}
)
for page in pages:
    names += [endpoint["EndpointName"] for endpoint in page["Endpoints"]]
with ThreadPoolExecutor(max_workers=int(sys.argv[2])) as pool:
    described = list(pool.map(lambda name: client.describe_endpoint(EndpointName=name), names))
for endpoint in described:
    print(endpoint["EndpointName"], endpoint["EndpointStatus"], len(endpoint["ProductionVariants"]))
"""

#: The endpoints of the list figure (issue 13).
LIST_ENDPOINTS = 2000


def aws_cli_installed() -> bool:
    return importlib.util.find_spec("awscli") is not None


def _timed(command: Sequence[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - began


def alternate(commands: Sequence[Sequence[str]], env: dict[str, str], runs: int) -> list[float]:
    """Median seconds of each command, run in turn ``runs`` times after one warm-up each."""
    for command in commands:  # warm the page cache and bytecode
        _timed(command, env)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for index, command in enumerate(commands):
            times[index].append(_timed(command, env))
    return [statistics.median(each) for each in times]


@dataclass(frozen=True)
class OneEndpoint:
    ours: float
    boto3_script: float
    #: None: the AWS CLI is not installed in this venv.
    aws_cli: float | None


def status_commands(url: str, name: str) -> dict[str, list[str]]:
    return {
        "ours": [sys.executable, "-m", "canary_tui", "status", name, "--endpoint-url", url],
        "boto3": [sys.executable, "-c", YARDSTICK, url, name],
        # `python -m awscli` is the venv's `aws` script: same interpreter, same bytecode.
        "aws": [
            sys.executable,
            "-m",
            "awscli",
            "sagemaker",
            "describe-endpoint",
            "--endpoint-name",
            name,
            "--endpoint-url",
            url,
        ],
    }


def measure_one(runs: int) -> OneEndpoint:
    """``status ENDPOINT``, the boto3 script and the AWS CLI, alternating."""
    with moto_server() as server, tempfile.TemporaryDirectory() as home:
        seed(server.url, 1)
        env = {**aws_environment(server.url), "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        commands = status_commands(server.url, "bench-000")
        if not aws_cli_installed():
            del commands["aws"]
        medians = dict(zip(commands, alternate(list(commands.values()), env, runs), strict=True))
        return OneEndpoint(medians["ours"], medians["boto3"], medians.get("aws"))


@dataclass(frozen=True)
class EndpointList:
    ours: float
    boto3_script: float
    #: How long the server took to start with the endpoints in it.
    seeding: float


def measure_list(runs: int, count: int = LIST_ENDPOINTS) -> EndpointList:
    """``status`` (the list) at ``count`` endpoints and the boto3 script, alternating."""
    began = time.perf_counter()
    with bulk_server(count) as url, tempfile.TemporaryDirectory() as home:
        seeding = time.perf_counter() - began
        env = {**aws_environment(url), "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        ours = [sys.executable, "-m", "canary_tui", "status", "--endpoint-url", url]
        plain = [sys.executable, "-c", LIST_YARDSTICK, url, str(DESCRIBE_CONCURRENCY)]
        ours_time, plain_time = alternate([ours, plain], env, runs)
        return EndpointList(ours_time, plain_time, seeding)
