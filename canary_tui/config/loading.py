"""Loading the settings: defaults < the file < ``CANARY_TUI_*`` < flags, and where each
value came from; every problem becomes one :class:`ConfigError` line."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import EnvSettingsSource, SettingsError

from canary_tui.config.files import (
    CONFIG_PATH_ENV,
    ENV_PREFIX,
    ConfigError,
    config_path,
    read_config_file,
)
from canary_tui.config.models import ACTIVE_FILE_VALUES, NESTED_MODELS, Settings
from canary_tui.config.parsing import WINDOWS


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    settings: Settings
    path: Path
    #: Dotted key ("window", "verdict.alpha") -> where its value came from: "default",
    #: "file", "env CANARY_TUI_WINDOW" or "flag --window".
    sources: Mapping[str, str]
    #: CANARY_TUI_* variables that name no setting (likely typos).
    unknown_env: tuple[str, ...] = ()


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"verdict.alpha": 0.01}`` -> ``{"verdict": {"alpha": 0.01}}``; None means not given."""
    nested: dict[str, Any] = {}
    for dotted, value in flat.items():
        if value is None:
            continue
        *parents, leaf = dotted.replace("-", "_").split(".")
        target = nested
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return nested


def _has(values: Mapping[str, Any], dotted: str) -> bool:
    current: Any = values
    for part in dotted.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return False
        current = current[part]
    return True


def env_name(dotted: str) -> str:
    return ENV_PREFIX + "__".join(part.upper() for part in dotted.split("."))


#: Settings whose command-line flag is not simply ``--`` + the key.
FLAG_NAMES: Mapping[str, str] = {
    "refresh_seconds": "--refresh",
    "metric_period_seconds": "--period",
    "audit_path": "--audit-log",
    "verdict.alpha": "--alpha",
    "verdict.min_requests": "--min-requests",
    "verdict.min_periods": "--min-periods",
    "verdict.max_latency_ratio": "--max-latency-ratio",
    "verdict.max_error_rate_increase": "--max-error-increase",
    "verdict.split_tolerance": "--split-tolerance",
}


def _flag_name(dotted: str) -> str:
    return FLAG_NAMES.get(dotted) or "--" + dotted.replace("_", "-").replace(".", "-")


def setting_keys() -> list[str]:
    """Every dotted key, in declaration order: "profile", ..., "verdict.alpha", ..."""
    keys: list[str] = []
    for name in Settings.model_fields:
        model = NESTED_MODELS.get(name)
        if model is None:
            keys.append(name)
        else:
            keys.extend(f"{name}.{sub}" for sub in model.model_fields)
    return keys


@contextmanager
def _reading(file_values: dict[str, Any]) -> Iterator[None]:
    token = ACTIVE_FILE_VALUES.set(file_values)
    try:
        yield
    finally:
        ACTIVE_FILE_VALUES.reset(token)


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    path: Path | None = None,
    allow_unknown_env: bool = False,
) -> LoadedSettings:
    """The effective settings: defaults < file < ``CANARY_TUI_*`` < ``flags``.

    ``flags`` maps setting keys ("region", or dotted "verdict.alpha") to values from the
    command line; None values (a flag not given) are ignored. ``path`` overrides the file
    location (else ``CANARY_TUI_CONFIG``, else the platform config dir).

    A ``CANARY_TUI_*`` variable that names no setting is a ConfigError, as an unknown key in
    the file is: a misspelt ``CANARY_TUI_AUDIT_LOG`` or ``CANARY_TUI_TEAM_TABL`` ignored would
    send the audit elsewhere or change with no lease, and say nothing. ``canary-tui config``
    (``allow_unknown_env``) lists them instead, so it can still show what is in force.
    """
    path = path or config_path()
    file_values = read_config_file(path)
    flag_values = _nest(flags or {})
    try:
        env_values = EnvSettingsSource(Settings)()
    except SettingsError as error:
        raise _env_error(error) from None
    except RecursionError:
        raise _deep_env_error() from None

    def source_of(dotted: str) -> str:
        if _has(flag_values, dotted):
            return f"flag {_flag_name(dotted)}"
        if _has(env_values, dotted):
            name = env_name(dotted)
            if "." in dotted and name not in _environ_upper():
                # Given as a whole table: CANARY_TUI_VERDICT='{"alpha": 0.01}'.
                name = env_name(dotted.split(".", 1)[0])
            return f"env {name}"
        if _has(file_values, dotted):
            return "file"
        return "default"

    with _reading(file_values):
        try:
            settings = Settings(**flag_values)
        except ValidationError as error:
            raise _config_error(error, path, source_of) from None
        except SettingsError as error:
            raise _env_error(error) from None
        except RecursionError:
            raise _deep_env_error() from None

    sources = {key: source_of(key) for key in setting_keys()}
    known = {env_name(key) for key in [*setting_keys(), *NESTED_MODELS]}
    unknown_env = tuple(
        sorted(
            name
            for name in os.environ
            if name.upper().startswith(ENV_PREFIX)
            and name.upper() not in known
            and name.upper() != CONFIG_PATH_ENV
        )
    )
    if unknown_env and not allow_unknown_env:
        raise _unknown_env_error(unknown_env[0], known)
    return LoadedSettings(settings, path, sources, unknown_env)


def _unknown_env_error(name: str, known: set[str]) -> ConfigError:
    # Compared without the prefix every name shares (else FOO "resembles" WEBHOOKS).
    suffixes = sorted(k.removeprefix(ENV_PREFIX) for k in known)
    close = difflib.get_close_matches(
        name.upper().removeprefix(ENV_PREFIX), suffixes, n=1, cutoff=0.6
    )
    hint = f" (did you mean {ENV_PREFIX}{close[0]}?)" if close else ""
    return ConfigError(
        f"environment: {name} is not a setting{hint}; unset it "
        "(canary-tui config --init writes a file naming every setting)"
    )


def _deep_env_error() -> ConfigError:
    # A deeply nested JSON value in a variable: json recurses (the file's depth is checked).
    return ConfigError("environment: a CANARY_TUI_* value is nested too deeply to read")


def _environ_upper() -> set[str]:
    return {name.upper() for name in os.environ}


def _env_error(error: SettingsError) -> ConfigError:
    # pydantic-settings says: error parsing value for field "verdict" from source "..."
    match = re.search(r'field "(\w+)"', str(error))
    if match is None:
        return ConfigError(f"environment: {error}")
    field = match.group(1)
    return ConfigError(
        f"{env_name(field)}: {field}: not valid JSON; "
        f"or set one key at a time, e.g. {env_name(field)}__KEY=VALUE"
    )


def _config_error(error: ValidationError, path: Path, source_of: Any) -> ConfigError:
    first = error.errors()[0]
    dotted = ".".join(str(part) for part in first["loc"] if not str(part).isdigit())
    origin = source_of(dotted)
    where = str(path) if origin in ("file", "default") else origin.split(" ", 1)[1]
    if first["type"] == "extra_forbidden":
        table = dotted.rsplit(".", 1)[0] if "." in dotted else ""
        choices = [k for k in setting_keys() if "." in k] if table else list(Settings.model_fields)
        if table:
            choices = [k.split(".", 1)[1] for k in choices if k.startswith(f"{table}.")]
        what = f"unknown setting (known: {', '.join(choices)})"
    else:
        message = str(first["msg"])
        # pydantic prefixes our own ValueErrors with "Value error, ".
        what = message.removeprefix("Value error, ")
        if first["type"] == "literal_error":
            what = f"must be one of {', '.join(WINDOWS)}" if dotted == "window" else what
    more = len(error.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return ConfigError(f"{where}: {dotted}: {what}{suffix}")
