"""The report from a recorded demo session: the headless demo (its moto server and
simulator with an hour of metrics backfilled), our change through `canary-tui set-weights`
(the real change path and audit log), one made outside with boto3, then `canary-tui report`
as a person runs it, in a shell where the demo's export line was pasted."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import boto3
import pytest

from canary_tui.demo.seed import CANARY_ENDPOINT
from tests.e2e.test_demo_accuracy import headless
from tests.e2e.test_demo_cli import CLI

__all__ = ["headless"]


@pytest.mark.parametrize("headless", ["healthy"], indirect=True)
def test_the_report_of_a_demo_session(headless: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    _, shell = headless
    environment = {**shell, "XDG_DATA_HOME": str(tmp_path / "data")}  # this test's audit log
    ours = subprocess.run(
        [*CLI, "set-weights", CANARY_ENDPOINT, "current-model=0.8", "new-model=0.2", "--yes",
         "--reason", "post-mortem test"],
        env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ours.returncode == 0, ours.stderr
    sagemaker = boto3.client(
        "sagemaker",
        region_name=environment["AWS_REGION"],
        endpoint_url=environment["AWS_ENDPOINT_URL"],
        aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
    )
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=CANARY_ENDPOINT,
        DesiredWeightsAndCapacities=[
            {"VariantName": "current-model", "DesiredWeight": 0.6},
            {"VariantName": "new-model", "DesiredWeight": 0.4},
        ],
    )
    output = tmp_path / "post-mortem.html"
    result = subprocess.run(
        [*CLI, "report", CANARY_ENDPOINT, "--since", "1h", "-o", str(output)],
        env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    html = output.read_text()
    for title in ("Summary", "Timeline of changes", "Verdicts", "Charts", "How this was read"):
        assert f">{title}</h2>" in html
    rows = re.findall(r"<tr><td>#\d+</td>(.*?)</tr>", html)
    assert len(rows) == 2, rows
    assert "post-mortem test" in rows[0] and "applied" in rows[0]
    assert "new-model 10.0% -&gt; 20.0%" in rows[0]
    # The outside change as CloudTrail dates and names it (the demo server keeps an Event
    # history): it replaces the one the audit log only implies; our own call is left to the
    # audit log.
    assert "<td>CloudTrail</td>" in rows[1] and "outside canary-tui" in rows[1], rows[1]
    assert "UpdateEndpointWeightsAndCapacities" in rows[1] and "arn:" not in rows[1]
    assert "new-model 40.0%" in rows[1] and "inferred" not in rows[1]
    sources = re.search(r"Sources: ([^.]*)\.", html)
    assert sources is not None and sources.group(1).endswith(", CloudTrail"), sources
    assert "The whole window" in html and "<h3>Interval 1:" in html
    # Six metrics per variant at least (the demo's quality metric adds its own charts).
    figures = html.count("<figure>")
    assert figures >= 12 and html.count("<svg") == figures
    assert not re.search(r"https?://", html)
    calls = re.search(r"GetMetricData calls: (\d+) for (\d+) series queries", html)
    assert calls is not None and int(calls.group(1)) >= 1
