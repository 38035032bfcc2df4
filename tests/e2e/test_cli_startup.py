"""What `canary-tui status` loads on its way to AWS (issue 13: start-up within 1.1x of a
plain boto3 script): no pydantic, no audit modules without a log, one SageMaker client.
Checked by module and call, never by time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from canary_tui.cli.common import EXIT_BAD_INPUT, UsageError
from canary_tui.cli.main import ONE_LINE_ERRORS, one_line_failure
from canary_tui.demo.seed import SeedVariant, create_endpoint

ENDPOINT = "startup-endpoint"
#: Modules `status` has no use for: the settings model (pydantic), the audit log's reader
#: when there is no log, and the gateways of other services.
NOT_FOR_STATUS = (
    "pydantic",
    "pydantic_settings",
    "canary_tui.config.models",
    "canary_tui.audit",
    "canary_tui.aws.cloudwatch",
    "canary_tui.aws.autoscaling",
    "canary_tui.domain.weights",
    "canary_tui.endpoint_lock",
)

# Runs the command in this interpreter and reports what it loaded and which clients
# botocore built.
PROBE = """
import json, sys
import botocore.session
services = []
create_client = botocore.session.Session.create_client
def counted(self, service_name, *args, **kwargs):
    services.append(service_name)
    return create_client(self, service_name, *args, **kwargs)
botocore.session.Session.create_client = counted
from canary_tui.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps({"code": code, "modules": sorted(sys.modules), "clients": services}))
"""


def _status(*args: str, env: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "status", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    *output, report = result.stdout.splitlines()
    return json.loads(report), "\n".join(output) + result.stderr


@pytest.fixture
def endpoint(sagemaker_client: Any) -> str:
    create_endpoint(
        sagemaker_client, ENDPOINT, [SeedVariant("baseline", 0.9), SeedVariant("canary", 0.1)]
    )
    return ENDPOINT


def test_status_of_an_endpoint_loads_only_what_it_uses(moto_url: str, endpoint: str) -> None:
    report, output = _status(endpoint, "--endpoint-url", moto_url)
    assert report["code"] == 0
    assert output.splitlines()[0].split() == [endpoint, "InService", "kind:", "real-time"]
    assert report["clients"] == ["sagemaker"]
    assert not [name for name in NOT_FOR_STATUS if name in report["modules"]]


def test_the_status_list_loads_only_what_it_uses(moto_url: str, endpoint: str) -> None:
    report, output = _status("--endpoint-url", moto_url)
    assert report["code"] == 0
    assert endpoint in output
    assert report["clients"] == ["sagemaker"]
    assert not [name for name in NOT_FOR_STATUS if name in report["modules"]]


def test_a_usual_settings_file_still_takes_the_quick_path(
    moto_url: str, endpoint: str, tmp_path: Path
) -> None:
    # conftest points XDG_CONFIG_HOME at tmp_path / "config".
    config = tmp_path / "config" / "canary-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        'region = "us-east-1"\ntheme = "nord"\nread_only_profiles = ["prod-*"]\n'
        '[verdict]\nalpha = 0.01\n[ramp]\nsteps = [10, 50, 100]\nbake = "5m"\n'
    )
    report, _ = _status(endpoint, "--endpoint-url", moto_url)
    assert report["code"] == 0
    assert "pydantic" not in report["modules"]


def test_an_audit_log_is_still_read_and_reported(
    moto_url: str, endpoint: str, tmp_path: Path
) -> None:
    from canary_tui.audit import AuditLog

    log = AuditLog(tmp_path / "audit.jsonl")
    log.record_intent(
        endpoint=endpoint,
        kind="weights",
        source="cli",
        weights_before={"baseline": 0.9, "canary": 0.1},
        weights_after={"baseline": 0.5, "canary": 0.5},
    )
    report, output = _status(endpoint, "--endpoint-url", moto_url, "--audit-log", str(log.path))
    assert "1 unfinished change in the audit log" in output
    assert "canary_tui.audit" in report["modules"]


def test_every_one_line_error_names_an_exception_class_of_its_module() -> None:
    import importlib

    for module_name, class_name, _, _ in ONE_LINE_ERRORS:
        error_class = getattr(importlib.import_module(module_name), class_name)
        assert issubclass(error_class, Exception), class_name
        assert error_class.__module__ == module_name, class_name
    assert one_line_failure(UsageError("bad flag")) == ("bad flag", EXIT_BAD_INPUT)
    assert one_line_failure(RuntimeError("a bug")) is None
