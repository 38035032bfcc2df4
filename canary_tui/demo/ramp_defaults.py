"""The demo's ramp: one that finishes in about ten minutes of the simulator's traffic, not 40.

Out of the box a ramp bakes 10 minutes per step and the verdict asks for 10 periods, so four
steps take 40 minutes and more. The demo's canary endpoint serves about 2,400 requests a
minute and its canary already takes 10 %, so the demo ramps 25 -> 50 -> 100 %, bakes each
step 1 minute *and* until 1,000 canary requests (what the verdict asks of each variant
anyway: a step never waits past when it could be judged), and its verdict needs 5 periods:
the fewest at which the rank test on latency can still FAIL a slower canary on a mid-bake
look (5 against 5 periods: p = 1/252, below the interim alpha 0.05/10). About 11 minutes
in all (``tests/e2e/test_demo_ramp_minutes.py`` runs it on the fake clock).

These are the demo's settings, as a user would write them: the headless demo's settings file
carries them (:func:`demo_ramp_toml`), the demo console sets them for its own process
(:func:`demo_ramp_override`), each only where the user has not set that key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

DEMO_RAMP: Mapping[str, Any] = {"steps": "25,50,100", "bake": "1m", "bake_requests": 1000}
DEMO_VERDICT: Mapping[str, Any] = {"min_periods": 5}
_ENV_PREFIX = "CANARY_TUI_"


def demo_ramp_settings() -> dict[str, Mapping[str, Any]]:
    """``{"ramp": ..., "verdict": ...}``: the tables of settings the demo's ramp uses."""
    return {"ramp": DEMO_RAMP, "verdict": DEMO_VERDICT}


def demo_ramp_toml() -> list[str]:
    """The ``[ramp]`` table's lines and the ``[verdict]`` keys' lines (``key = value``), for
    the headless demo's settings file."""
    return [f"{key} = {_toml(value)}" for key, value in DEMO_RAMP.items()]


def demo_verdict_toml() -> list[str]:
    return [f"{key} = {_toml(value)}" for key, value in DEMO_VERDICT.items()]


def _toml(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def demo_ramp_override() -> dict[str, str]:
    """``CANARY_TUI_RAMP__*`` / ``CANARY_TUI_VERDICT__*`` for the demo console's process,
    except for keys the user set in a variable or the settings file (theirs win)."""
    from canary_tui.config.files import ConfigError, config_path, read_config_file

    try:
        configured = read_config_file(config_path())
    except ConfigError:
        configured = {}  # the settings read reports it
    overrides = {}
    for table, values in demo_ramp_settings().items():
        in_file = configured.get(table)
        for key, value in values.items():
            name = f"{_ENV_PREFIX}{table.upper()}__{key.upper()}"
            if name in os.environ or f"{_ENV_PREFIX}{table.upper()}" in os.environ:
                continue
            if isinstance(in_file, dict) and key in in_file:
                continue
            overrides[name] = str(value)
    return overrides
