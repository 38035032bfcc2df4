"""``canary-tui status ENDPOINT`` against a plain boto3 script making the same two calls
(DescribeEndpoint, DescribeEndpointConfig) on the same moto server, alternating, so the
difference is what canary-tui adds: its imports, settings, audit check and formatting.
Also reported: where ``status`` spends its start-up (``python -X importtime``)."""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.fixtures import aws_environment, moto_server, seed

YARDSTICK = """
import sys, boto3
client = boto3.client("sagemaker", endpoint_url=sys.argv[1])
endpoint = client.describe_endpoint(EndpointName=sys.argv[2])
client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
print(endpoint["EndpointStatus"])
"""


def _timed(command: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - began


def _largest_imports(command: list[str], env: dict[str, str], count: int = 6) -> list[str]:
    """The slowest top-level imports of one run (cumulative µs, as -X importtime says)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = []
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if match and not match.group(2).startswith(" "):
            rows.append((int(match.group(1)), match.group(2).strip()))
    rows.sort(reverse=True)
    return [f"{name} {micros / 1000:.0f} ms" for micros, name in rows[:count]]


def measure(runs: int) -> tuple[float, float, list[str]]:
    """Median seconds of ours and of the yardstick, and our largest imports."""
    with moto_server() as server, tempfile.TemporaryDirectory() as home:
        seed(server.url, 1)
        env = {**aws_environment(server.url), "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        name = "bench-000"
        ours = [sys.executable, "-m", "canary_tui", "status", name, "--endpoint-url", server.url]
        plain = [sys.executable, "-c", YARDSTICK, server.url, name]
        for command in (ours, plain):  # warm the page cache and bytecode
            _timed(command, env)
        ours_times, plain_times = [], []
        for _ in range(runs):
            ours_times.append(_timed(ours, env))
            plain_times.append(_timed(plain, env))
        return (
            statistics.median(ours_times),
            statistics.median(plain_times),
            _largest_imports(ours, env),
        )
