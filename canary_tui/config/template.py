"""The commented default settings file, and values as ``canary-tui config`` shows them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from canary_tui.config.files import ConfigError, config_path
from canary_tui.config.loading import env_name
from canary_tui.config.models import NESTED_MODELS, Settings
from canary_tui.config.values import format_duration
from canary_tui.domain.quality import QualityMetric
from canary_tui.notify.targets import Webhook


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, timedelta):
        return json.dumps(format_duration(value))
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{key} = {_toml_value(item)}" for key, item in value.items())
        return "{" + inner + "}" if inner else "{}"
    if isinstance(value, QualityMetric | Webhook):
        return _toml_value(value.to_dict())
    raise TypeError(f"no TOML form for {value!r}")  # pragma: no cover


_EXAMPLES: Mapping[str, Any] = {
    "profile": "prod-admin",
    "region": "eu-west-1",
    "endpoint_url": "http://127.0.0.1:5000",
    "refresh_seconds": "30s",
    "audit_path": "~/canary-audit.jsonl",
    "team_table": "canary-team",
    "read_only_profiles": ["prod-*", "billing"],
    "production_profiles": ["prod-*"],
    "keymap": {"quit": "ctrl+q"},
}


def _comment(text: str | None) -> list[str]:
    return [f"# {line.strip()}" for line in (text or "").strip().splitlines()]


def default_file_text() -> str:
    """A config file with every setting commented out at its default, each documented."""
    lines = [
        "# canary-tui settings. Every key is optional: uncomment to change a default.",
        "# Precedence: this file < CANARY_TUI_* environment variables < command-line flags.",
        "# Durations: 90s, 10m, 1h. Profile patterns: names or globs like prod-*.",
        "",
    ]
    defaults = Settings.model_construct()
    for name, field in Settings.model_fields.items():
        if name in NESTED_MODELS:
            continue
        lines.extend(_comment(field.description))
        lines.append(f"# Environment: {env_name(name)}")
        value = getattr(defaults, name)
        if value is None or (name in _EXAMPLES and value in ([], {})):
            lines.append(f"# example: {name} = {_toml_value(_EXAMPLES[name])}")
        else:
            lines.append(f"# {name} = {_toml_value(value)}")
        lines.append("")
    for table, model in NESTED_MODELS.items():
        lines.extend(_comment(Settings.model_fields[table].description))
        lines.append(f"[{table}]")
        instance = model()
        for name, field in model.model_fields.items():
            lines.extend(_comment(field.description))
            lines.append(f"# Environment: {env_name(f'{table}.{name}')}")
            lines.append(f"# {name} = {_toml_value(getattr(instance, name))}")
        lines.append("")
    return "\n".join(lines)


def write_default_file(path: Path | None = None) -> Path:
    """Write :func:`default_file_text` to ``path`` unless a file is already there."""
    path = path or config_path()
    if path.exists():
        raise ConfigError(f"{path}: already exists; not overwriting it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(default_file_text())
    except FileExistsError:
        raise ConfigError(f"{path}: already exists; not overwriting it") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot write: {error.strerror or error}") from None
    return path


def display_value(value: Any) -> str:
    """A value as ``canary-tui config`` shows it (TOML-like; unset shows as "(unset)")."""
    return "(unset)" if value is None else _toml_value(value)


def value_at(settings: Settings, dotted: str) -> Any:
    current: Any = settings
    for part in dotted.split("."):
        current = getattr(current, part)
    return current
