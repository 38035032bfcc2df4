"""`canary-tui status | head`: a reader that stops early is not an error."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from canary_tui.demo.seed import DEMO_ENDPOINTS, create_endpoint


def test_a_closed_pipe_on_stdout_exits_quietly(moto_url: str, sagemaker_client: Any) -> None:
    for name, variants in DEMO_ENDPOINTS.items():
        create_endpoint(sagemaker_client, name, variants)
    process = subprocess.Popen(
        [sys.executable, "-m", "canary_tui", "status", "--endpoint-url", moto_url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    # Close our end before the command prints anything, so its first write hits EPIPE.
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 0
    assert stderr == ""
