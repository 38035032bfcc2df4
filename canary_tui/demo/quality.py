"""The demo's quality metric: accuracy from labelled outcomes the simulator publishes.

The simulator (:mod:`canary_tui.demo.simulator`) plays a team that labels a share of its
requests: per variant, ``Correct`` and ``Labeled`` counts in :data:`DEMO_QUALITY_NAMESPACE`
(dimensions EndpointName + VariantName), timestamped when the request was served and sent
:data:`DEMO_LABEL_DELAY_SECONDS` later, when the ground truth "arrives". The demo's settings
judge them as the ``accuracy`` check: :data:`DEMO_METRIC_ENTRY` is the
``[[verdict.metrics]]`` entry a user would write, and :func:`demo_config_text` the settings
file ``demo --headless`` points ``CANARY_TUI_CONFIG`` at.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from canary_tui.demo.seed import DEMO_TEAM_TABLE

DEMO_QUALITY_NAMESPACE = "CanaryTui/Demo"
#: Labels arrive two minutes after the request: long enough to see the window shift, short
#: enough that a fresh demo judges accuracy at once (the backfill covers the hour before).
DEMO_LABEL_DELAY_SECONDS = 120.0
#: Environment variable the demo console sets (when the user configured no quality metric)
#: so that every settings read in the process (console, ramp launcher) judges accuracy.
QUALITY_ENV = "CANARY_TUI_VERDICT__METRICS"

DEMO_METRIC_ENTRY: Mapping[str, Any] = {
    "name": "accuracy",
    "namespace": DEMO_QUALITY_NAMESPACE,
    "kind": "proportion",
    "successes": "Correct",
    "trials": "Labeled",
    "dimensions": {"EndpointName": "{endpoint}", "VariantName": "{variant}"},
    "direction": "higher",
    "allowed_change": 2.0,
    "critical": True,
    "mode": "gate",
    "delay": f"{DEMO_LABEL_DELAY_SECONDS:g}s",
}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + " }"
    if isinstance(value, float):
        return f"{value:g}"
    return json.dumps(value)  # a JSON string is a TOML basic string


def demo_config_text() -> str:
    """The settings file of a headless demo: the accuracy metric, the team table, and the
    demo's ramp (:mod:`canary_tui.demo.ramp_defaults`)."""
    from canary_tui.demo.ramp_defaults import demo_ramp_toml, demo_verdict_toml

    lines = [
        "# canary-tui demo settings: accuracy from the simulator's labelled outcomes.",
        "# Written by `canary-tui demo --headless`; removed when the demo stops.",
        "# The demo server's team table: consoles started with these settings share leases",
        "# and the audit trail.",
        f"team_table = {_toml(DEMO_TEAM_TABLE)}",
        "[verdict]",
        *demo_verdict_toml(),
        "[[verdict.metrics]]",
        *(f"{key} = {_toml(value)}" for key, value in DEMO_METRIC_ENTRY.items()),
        "# The demo's ramp finishes in about 11 minutes (demo/ramp_defaults.py says why).",
        "[ramp]",
        *demo_ramp_toml(),
    ]
    return "\n".join(lines) + "\n"


def demo_metric_json() -> str:
    """The entry as :data:`QUALITY_ENV` takes it (a JSON list)."""
    return json.dumps([dict(DEMO_METRIC_ENTRY)])


def demo_quality_override() -> dict[str, str]:
    """The demo's accuracy metric for every settings read of the demo console's process (the
    console's and the ramp launcher's), unless the user configured quality metrics."""
    from canary_tui.config.files import ConfigError, config_path, read_config_file

    if any(name.upper() in (QUALITY_ENV, "CANARY_TUI_VERDICT") for name in os.environ):
        return {}
    try:
        verdict = read_config_file(config_path()).get("verdict")
    except ConfigError:
        return {}  # the settings read reports it
    if isinstance(verdict, dict) and "metrics" in verdict:
        return {}
    return {QUALITY_ENV: demo_metric_json()}
