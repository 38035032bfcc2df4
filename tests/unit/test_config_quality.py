"""[[verdict.metrics]]: good entries become QualityMetric; every bad one is one line naming
the entry and the key, from the file and from a variable; the quick path decides the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from canary_tui.config import ConfigError, config_path, load_settings
from canary_tui.config.quality import quality_metrics
from canary_tui.config.quick import quick_target
from canary_tui.domain.quality import Better, QualityKind, QualityMode

GOOD: dict[str, Any] = {
    "name": "accuracy",
    "namespace": "CanaryTui/Demo",
    "kind": "proportion",
    "successes": "Correct",
    "trials": "Labeled",
    "direction": "higher",
    "allowed_change": 2,
    "delay": "30m",
}


def _write(entries: list[dict[str, Any]]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["[verdict]", "alpha = 0.05"]
    for entry in entries:
        lines.append("[[verdict.metrics]]")
        for key, value in entry.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n")


def test_a_good_entry_is_read_with_its_defaults() -> None:
    _write([GOOD])
    metric = load_settings().settings.verdict.metrics[0]
    assert metric.kind is QualityKind.PROPORTION and metric.direction is Better.HIGHER
    assert metric.delay_seconds == 1800 and metric.mode is QualityMode.GATE and metric.critical
    assert metric.dimensions == (("EndpointName", "{endpoint}"), ("VariantName", "{variant}"))
    assert metric.dimensions_for("ep", "v1") == [
        {"Name": "EndpointName", "Value": "ep"},
        {"Name": "VariantName", "Value": "v1"},
    ]
    thresholds = load_settings().settings.verdict.thresholds()
    assert thresholds.quality == (metric,) and thresholds.alpha == 0.05
    assert quick_target() is not None  # the quick path accepts what the full load accepts


BAD = [
    ({"kind": "ratio"}, 'kind: must be "proportion" or "continuous"'),
    ({"direction": "up"}, 'direction: must be "higher" or "lower"'),
    ({"delay": "soon"}, "delay: "),
    ({"delay": "8d"}, "delay: "),
    ({"dimensions": {"VariantName": "{model}"}}, "unknown placeholder {model}"),
    ({"dimensions": {"EndpointName": "{endpoint}"}}, "no value names {variant}"),
    ({"dimensions": {"VariantName": "{variant"}}, "a brace without its pair"),
    ({"mode": "shadow"}, 'mode: must be "gate" or "observe"'),
    ({"statistic": "Average"}, "it must be Sum"),
    ({"statistic": "Median"}, "not a CloudWatch statistic"),
    ({"unit": "ms"}, "not a CloudWatch unit"),
    ({"allowed_change": -1}, "allowed_change: "),
    ({"allowed_change": "lots"}, "allowed_change: "),
    ({"name": "latency"}, "one of the verdict's own checks"),
    ({"name": "Accuracy!"}, "lowercase letters"),
    ({"metric": "Correct"}, "not used by a proportion metric"),
    ({"critical": "yes"}, "critical: must be true or false"),
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"min_count": 1}, "min_count: "),
    ({"min_count": 2.5}, "min_count: "),
    ({"min_count": "many"}, "min_count: "),
]


@pytest.mark.parametrize(("change", "expected"), BAD)
def test_a_bad_entry_is_one_line_naming_it(change: dict[str, Any], expected: str) -> None:
    _write([{**GOOD, **change}])
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "\n" not in message
    assert "verdict.metrics: metrics entry 1" in message and expected in message, message
    assert quick_target() is None  # the quick path never lets it through


def test_a_missing_key_and_a_repeated_name() -> None:
    _write([{key: value for key, value in GOOD.items() if key != "trials"}])
    with pytest.raises(ConfigError, match="trials: must be a non-empty text"):
        load_settings()
    _write([GOOD, GOOD])
    with pytest.raises(ConfigError, match=r"metrics entry 2 \(accuracy\): name: .* given twice"):
        load_settings()


def test_from_a_variable_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = {**GOOD, "kind": "continuous", "metric": "Cost"}
    del entry["successes"], entry["trials"]
    monkeypatch.setenv("CANARY_TUI_VERDICT__METRICS", json.dumps([entry]))
    assert load_settings().settings.verdict.metrics[0].statistic == "Average"
    monkeypatch.setenv("CANARY_TUI_VERDICT__METRICS", json.dumps([{**entry, "direction": "x"}]))
    with pytest.raises(
        ConfigError, match=r"CANARY_TUI_VERDICT__METRICS: verdict\.metrics: .*direction"
    ):
        load_settings()


def test_the_cli_exits_2_with_one_line() -> None:
    _write([{**GOOD, "delay": "tomorrow"}])
    result = subprocess.run(
        [sys.executable, "-m", "canary_tui", "verdict", "some-endpoint"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "metrics entry 1 (accuracy): delay: " in lines[0], lines


def test_config_shows_the_entries_as_the_file_spells_them() -> None:
    _write([GOOD])
    metric = load_settings().settings.verdict.metrics[0]
    assert quality_metrics([metric.to_dict()]) == (metric,)  # the shown form reads back
    result = subprocess.run(
        [sys.executable, "-m", "canary_tui", "config", "--json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)["settings"]["verdict.metrics"]
    assert shown["source"] == "file" and shown["value"][0]["delay"] == "1800s"
