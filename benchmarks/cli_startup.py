"""Where ``canary-tui status ENDPOINT`` spends its start-up, next to the boto3 script's.

A probe child does what ``status NAME`` does, step by step (the steps of
:func:`canary_tui.cli.status.run`, spelled out), with a mark after each; the yardstick's
probe does what the boto3 script does. Medians over runs. Also: the modules ours loads that
the yardstick does not (``python -X importtime``, self time), and what loading the settings
through pydantic-settings would cost (the full path, taken when the quick one defers).
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.cli_status import YARDSTICK, status_commands
from benchmarks.fixtures import aws_environment, moto_server, seed

_MARKS = """
import sys, time
began = time.perf_counter()
marks = []
def mark(step):
    global began
    now = time.perf_counter()
    marks.append((step, now - began))
    began = now
"""

OURS = (
    _MARKS
    + """
url, name = sys.argv[1:3]
import boto3
mark("import boto3 (botocore, urllib3, s3transfer)")
from canary_tui.cli import output, status
from canary_tui.cli.main import build_parser
mark("import canary-tui's modules")
args = build_parser("status").parse_args(["status", name, "--endpoint-url", url])
mark("parse the command line")
path = output.audit_path_from_args(args)
mark("settings (quick path): audit path")
output.report_audit_problems_at(path)
mark("audit check (no log)")
clients = status.clients_from_args(args)
mark("settings again, boto3 session, MFA check")
sagemaker = status.SageMakerGateway(clients)
clients.sagemaker
mark("create the SageMaker client")
endpoint = status.describe_or_usage_error(sagemaker, name)
mark("DescribeEndpoint + DescribeEndpointConfig")
status.print_lines(status.endpoint_lines(endpoint))
mark("format and print")
import json
print(json.dumps(marks), file=sys.stderr)
"""
)

PLAIN = (
    _MARKS
    + """
url, name = sys.argv[1:3]
import boto3
mark("import boto3 (botocore, urllib3, s3transfer)")
client = boto3.client("sagemaker", endpoint_url=url)
mark("create the SageMaker client")
endpoint = client.describe_endpoint(EndpointName=name)
client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
mark("DescribeEndpoint + DescribeEndpointConfig")
print(endpoint["EndpointStatus"])
mark("format and print")
import json
print(json.dumps(marks), file=sys.stderr)
"""
)

FULL_SETTINGS = """
import json, sys, time
began = time.perf_counter()
from canary_tui.config import load_settings
load_settings({"audit_path": None})
print(json.dumps(time.perf_counter() - began), file=sys.stderr)
"""


def _child_json(command: Sequence[str], env: dict[str, str]) -> Any:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    result.check_returncode()
    return json.loads(result.stderr.strip().splitlines()[-1])


def _median_marks(runs: list[list[tuple[str, float]]]) -> list[tuple[str, float]]:
    steps = [step for step, _ in runs[0]]
    return [
        (step, statistics.median(run[index][1] for run in runs)) for index, step in enumerate(steps)
    ]


def _self_import_times(command: Sequence[str], env: dict[str, str]) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    times: dict[str, int] = {}
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| \s*(\S+)", line)
        if match:
            times[match.group(2)] = int(match.group(1))
    return times


@dataclass(frozen=True)
class Breakdown:
    runs: int
    interpreter: float
    ours: list[tuple[str, float]]
    plain: list[tuple[str, float]]
    #: Modules ours loads that the boto3 script does not: name, self seconds.
    extra_imports: list[tuple[str, float]]
    #: Importing and calling load_settings (pydantic-settings), in a fresh interpreter.
    full_settings: float

    def lines(self) -> list[str]:
        plain = dict(self.plain)
        lines = [
            f"where start-up goes (median of {self.runs}; interpreter start, both: "
            f"{self.interpreter * 1000:.0f} ms)"
        ]
        for step, seconds in self.ours:
            theirs = f"{plain[step] * 1000:6.1f} ms" if step in plain else "      -"
            lines.append(f"  {step:<46} ours {seconds * 1000:6.1f} ms  boto3 script {theirs}")
        total = sum(seconds for _, seconds in self.extra_imports)
        largest = ", ".join(f"{name} {sec * 1000:.1f}" for name, sec in self.extra_imports[:6])
        lines.append(
            f"  modules the boto3 script does not load: {len(self.extra_imports)}, "
            f"{total * 1000:.0f} ms self ({largest} ms)"
        )
        lines.append(
            "  settings through pydantic-settings instead (the full path, when the quick "
            f"one defers): {self.full_settings * 1000:.0f} ms"
        )
        return lines


def measure(runs: int) -> Breakdown:
    """Marks of ours and of the yardstick, interpreter start, our extra imports."""
    with moto_server() as server, tempfile.TemporaryDirectory() as home:
        seed(server.url, 1)
        env = {**aws_environment(server.url), "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        name = "bench-000"
        ours_runs: list[list[tuple[str, float]]] = []
        plain_runs: list[list[tuple[str, float]]] = []
        starts: list[float] = []
        full_settings: list[float] = []
        for _ in range(runs):
            ours_runs.append(_child_json([sys.executable, "-c", OURS, server.url, name], env))
            plain_runs.append(_child_json([sys.executable, "-c", PLAIN, server.url, name], env))
            full_settings.append(_child_json([sys.executable, "-c", FULL_SETTINGS], env))
            began = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
            starts.append(time.perf_counter() - began)
        ours_command = status_commands(server.url, name)["ours"]
        ours_imports = [_self_import_times(ours_command, env) for _ in range(3)]
        plain_imports = _self_import_times([sys.executable, "-c", YARDSTICK, server.url, name], env)
    extra = {
        module: statistics.median(run.get(module, 0) for run in ours_imports) / 1e6
        for module in ours_imports[0]
        if module not in plain_imports
    }
    return Breakdown(
        runs=runs,
        interpreter=statistics.median(starts),
        ours=_median_marks(ours_runs),
        plain=_median_marks(plain_runs),
        extra_imports=sorted(extra.items(), key=lambda item: -item[1]),
        full_settings=statistics.median(full_settings),
    )
