"""Typed settings: a TOML file in the platform config dir, ``CANARY_TUI_*`` variables, flags.

Precedence, lowest first: defaults < the file < environment variables < command-line flags.
The file is ``platformdirs.user_config_dir("canary-tui")/config.toml`` unless
``CANARY_TUI_CONFIG`` names another one. Nested tables use ``__`` in variable names
(``CANARY_TUI_VERDICT__ALPHA=0.01``); lists and the key map take comma-separated text
(``CANARY_TUI_READ_ONLY_PROFILES=prod-*,billing``, ``CANARY_TUI_KEYMAP=quit=ctrl+q,help=f1``).

Anything wrong (unknown key, wrong type, bad duration, unreadable TOML) is a
:class:`ConfigError` whose message is one line naming where the bad value came from and
which key it is; callers print it and exit, never a traceback.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from canary_tui.domain.ramp import RampPlanError, validate_steps
from canary_tui.domain.ramp import parse_duration as ramp_parse_duration
from canary_tui.domain.verdict import VerdictThresholds

APP_NAME = "canary-tui"
ENV_PREFIX = "CANARY_TUI_"
#: Names another settings file (the only variable that is not a setting itself).
CONFIG_PATH_ENV = "CANARY_TUI_CONFIG"
WINDOWS: Mapping[str, timedelta] = {
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "3h": timedelta(hours=3),
    "12h": timedelta(hours=12),
}


class ConfigError(ValueError):
    """Settings that cannot be used. ``str(error)`` is one line: where, which key, what."""


# --- value parsers ---------------------------------------------------------------------------


def parse_duration(value: object) -> timedelta:
    """``"90s"``, ``"10m"``, ``"1h"``, ``"1h30m"``, or a number of seconds (the ramp's parser)."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, str):
        try:
            seconds = ramp_parse_duration(value)
        except RampPlanError as error:
            raise ValueError(error.message) from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise ValueError(f"expected a duration like 90s, 10m or 1h, got {value!r}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return timedelta(seconds=seconds)


def format_duration(duration: timedelta) -> str:
    seconds = duration.total_seconds()
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _duration_seconds(value: object) -> object:
    if value is None:
        return None
    return round(parse_duration(value).total_seconds())


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _key_map(value: object) -> object:
    # From the environment: "quit=ctrl+q,help=f1" (or JSON, for keys containing commas).
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                decoded: object = json.loads(text)
            except json.JSONDecodeError as error:
                raise ValueError(f"not valid JSON: {error.msg}") from None
            return decoded
        pairs: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            action, separator, key = item.partition("=")
            if not separator or not action.strip() or not key.strip():
                raise ValueError(f"expected ACTION=KEY pairs, got {item!r}")
            pairs[action.strip()] = key.strip()
        return pairs
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Seconds = Annotated[int, BeforeValidator(_duration_seconds)]
PatternList = Annotated[list[str], NoDecode, BeforeValidator(_comma_list)]


# --- the settings ----------------------------------------------------------------------------


class VerdictSettings(BaseModel):
    """When a canary passes, fails, or has not seen enough traffic yet."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    alpha: float = Field(default=0.05, gt=0, lt=1)
    """Significance level of the statistical tests: a difference counts when p < alpha."""
    min_requests: int = Field(default=1000, ge=0)
    """Requests each variant must have served in the window before a verdict other than
    INCONCLUSIVE is given."""
    min_periods: int = Field(default=10, ge=1)
    """Metric periods with data each variant needs for the latency comparison."""
    max_latency_ratio: float = Field(default=1.2, ge=1)
    """Highest acceptable canary/baseline latency ratio (p99, or average without percentiles)."""
    max_error_rate_increase: float = Field(default=0.5, ge=0, le=100)
    """Largest acceptable rise of the canary's error rate over the baseline's, in percentage
    points (0.5 means 1.0% against 0.5% still passes)."""
    split_tolerance: float = Field(default=2.0, ge=0, le=100)
    """Largest acceptable gap, in percentage points, between a variant's observed share of
    invocations and the share its weight asks for."""

    def thresholds(self) -> VerdictThresholds:
        """The domain's thresholds, for :func:`canary_tui.domain.verdict` functions."""
        return VerdictThresholds(**self.model_dump())


class RampSettings(BaseModel):
    """What a ramp uses when the command or dialog does not say otherwise."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    steps: Annotated[tuple[float, ...], NoDecode, BeforeValidator(_comma_list)] = (
        10.0,
        25.0,
        50.0,
        100.0,
    )
    """Traffic % for the canary at each step, rising, each in (0, 100]: "10,25,50,100"."""
    bake: Duration = timedelta(minutes=10)
    """How long each step runs before the verdict is checked: "90s", "10m", "1h"."""

    @field_validator("steps")
    @classmethod
    def _rising_shares(cls, steps: tuple[float, ...]) -> tuple[float, ...]:
        try:
            return validate_steps(steps)
        except RampPlanError as error:
            raise ValueError(error.message) from None

    @property
    def bake_seconds(self) -> float:
        return self.bake.total_seconds()


_ACTIVE_FILE: ContextVar[Path | None] = ContextVar("canary_tui_config_file", default=None)


class Settings(BaseSettings):
    """Everything a user can set. ``Settings()`` reads the file and the environment;
    :func:`load_settings` adds flags on top and says where each value came from."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        use_attribute_docstrings=True,
        frozen=True,
        validate_default=True,
    )

    profile: str | None = None
    """AWS profile to use. Unset: the standard credential chain (AWS_PROFILE, then default)."""
    region: str | None = None
    """AWS region. Unset: the profile's region, or AWS_REGION / AWS_DEFAULT_REGION."""
    endpoint_url: str | None = None
    """Send every AWS call to this URL (a proxy, LocalStack, moto). AWS_ENDPOINT_URL and
    AWS_ENDPOINT_URL_<SERVICE> work too, without this."""
    refresh_seconds: Seconds | None = Field(default=None, ge=1)
    """How often the console polls AWS ("30s", "2m"). Unset: once per metric period."""
    metric_period_seconds: Seconds = 60
    """CloudWatch period: 1, 5, 10, 30 (high-resolution metrics) or a multiple of 60."""
    rollback_wait_seconds: Seconds = Field(default=1800, ge=1, le=86400)
    """How long a rollback that meets an update in progress waits for the endpoint to settle
    before it gives up ("30m"); the CLI's --wait-timeout overrides it."""
    window: Literal["15m", "1h", "3h", "12h"] = "1h"
    """How much metric history the console shows and the verdict judges."""
    audit_path: Path | None = None
    """Audit log file (JSON lines). Unset: audit.jsonl in the platform data directory."""
    theme: str = "textual-dark"
    """Textual theme name (textual-dark, textual-light, nord, gruvbox, ...); canary-tui adds
    "canary-high-contrast" (also accepted as "high-contrast"). ctrl+p "theme" lists them."""
    ascii: bool = False
    """Plain-ASCII drawing (no box or block characters) for old terminals and fonts."""
    read_only: bool = False
    """Never offer or send a change, whatever the profile."""
    read_only_profiles: PatternList = []
    """Profiles (names or glob patterns like "prod-*") that open read-only, like k9s."""
    production_profiles: PatternList = []
    """Profiles (names or glob patterns) marked production: a distinct colour band."""
    keymap: Annotated[dict[str, str], NoDecode, BeforeValidator(_key_map)] = {}
    """Key overrides: action id -> key, e.g. {quit = "ctrl+q", edit_weights = "w"}."""
    verdict: VerdictSettings = VerdictSettings()
    """Thresholds of the canary verdict."""
    ramp: RampSettings = RampSettings()
    """Defaults of the ramp command and dialog."""

    @field_validator("metric_period_seconds")
    @classmethod
    def _cloudwatch_period(cls, period: int) -> int:
        if period in (1, 5, 10, 30) or (period > 0 and period % 60 == 0):
            return period
        raise ValueError(f"must be 1, 5, 10, 30 or a multiple of 60 seconds, got {period}")

    @field_validator("endpoint_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^\s/]+", url):
            raise ValueError(f"expected an http:// or https:// URL, got {url!r}")
        return url

    @field_validator("region")
    @classmethod
    def _region_name(cls, region: str | None) -> str | None:
        if region is not None and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", region):
            raise ValueError(f"not an AWS region name: {region!r}")
        return region

    @field_validator("audit_path")
    @classmethod
    def _expand_home(cls, path: Path | None) -> Path | None:
        return path.expanduser() if path is not None else None

    @field_validator("keymap")
    @classmethod
    def _keys_given(cls, keymap: dict[str, str]) -> dict[str, str]:
        for action, key in keymap.items():
            if not key.strip():
                raise ValueError(f"no key given for {action!r}")
        return keymap

    @property
    def window_duration(self) -> timedelta:
        return WINDOWS[self.window]

    @property
    def effective_refresh_seconds(self) -> int:
        """Polling interval: as set, or once per metric period."""
        return self.refresh_seconds or self.metric_period_seconds

    @property
    def effective_audit_path(self) -> Path:
        return self.audit_path or default_audit_path()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # First wins: flags (passed as init arguments), then the environment, then the file.
        toml_file = _ACTIVE_FILE.get() or config_path()
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )


# --- where things are ------------------------------------------------------------------------


def config_path() -> Path:
    override = os.environ.get(CONFIG_PATH_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_audit_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "audit.jsonl"


# --- loading, with provenance ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    settings: Settings
    path: Path
    #: Dotted key ("window", "verdict.alpha") -> where its value came from: "default",
    #: "file", "env CANARY_TUI_WINDOW" or "flag --window".
    sources: Mapping[str, str]
    #: CANARY_TUI_* variables that name no setting (likely typos).
    unknown_env: tuple[str, ...] = ()


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None


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


def _env_name(dotted: str) -> str:
    return ENV_PREFIX + "__".join(part.upper() for part in dotted.split("."))


def _flag_name(dotted: str) -> str:
    return "--" + dotted.replace("_", "-").replace(".", "-")


_NESTED_MODELS: Mapping[str, type[BaseModel]] = {"verdict": VerdictSettings, "ramp": RampSettings}


def setting_keys() -> list[str]:
    """Every dotted key, in declaration order: "profile", ..., "verdict.alpha", ..."""
    keys: list[str] = []
    for name in Settings.model_fields:
        model = _NESTED_MODELS.get(name)
        if model is None:
            keys.append(name)
        else:
            keys.extend(f"{name}.{sub}" for sub in model.model_fields)
    return keys


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    token = _ACTIVE_FILE.set(path)
    try:
        yield
    finally:
        _ACTIVE_FILE.reset(token)


def load_settings(
    flags: Mapping[str, Any] | None = None, *, path: Path | None = None
) -> LoadedSettings:
    """The effective settings: defaults < file < ``CANARY_TUI_*`` < ``flags``.

    ``flags`` maps setting keys ("region", or dotted "verdict.alpha") to values from the
    command line; None values (a flag not given) are ignored. ``path`` overrides the file
    location (else ``CANARY_TUI_CONFIG``, else the platform config dir).
    """
    path = path or config_path()
    file_values = _read_file(path)
    flag_values = _nest(flags or {})
    try:
        env_values = EnvSettingsSource(Settings)()
    except SettingsError as error:
        raise _env_error(error) from None

    def source_of(dotted: str) -> str:
        if _has(flag_values, dotted):
            return f"flag {_flag_name(dotted)}"
        if _has(env_values, dotted):
            name = _env_name(dotted)
            if "." in dotted and name not in _environ_upper():
                # Given as a whole table: CANARY_TUI_VERDICT='{"alpha": 0.01}'.
                name = _env_name(dotted.split(".", 1)[0])
            return f"env {name}"
        if _has(file_values, dotted):
            return "file"
        return "default"

    with _reading(path):
        try:
            settings = Settings(**flag_values)
        except ValidationError as error:
            raise _config_error(error, path, source_of) from None
        except SettingsError as error:
            raise _env_error(error) from None
        except tomllib.TOMLDecodeError as error:  # pragma: no cover - read above already
            raise ConfigError(f"{path}: not valid TOML: {error}") from None

    sources = {key: source_of(key) for key in setting_keys()}
    known = {_env_name(key) for key in [*setting_keys(), *_NESTED_MODELS]}
    unknown_env = tuple(
        sorted(
            name
            for name in os.environ
            if name.upper().startswith(ENV_PREFIX)
            and name.upper() not in known
            and name.upper() != CONFIG_PATH_ENV
        )
    )
    return LoadedSettings(settings, path, sources, unknown_env)


def _environ_upper() -> set[str]:
    return {name.upper() for name in os.environ}


def _env_error(error: SettingsError) -> ConfigError:
    # pydantic-settings says: error parsing value for field "verdict" from source "..."
    match = re.search(r'field "(\w+)"', str(error))
    if match is None:
        return ConfigError(f"environment: {error}")
    field = match.group(1)
    return ConfigError(
        f"{_env_name(field)}: {field}: not valid JSON; "
        f"or set one key at a time, e.g. {_env_name(field)}__KEY=VALUE"
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


# --- the commented default file --------------------------------------------------------------


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
    raise TypeError(f"no TOML form for {value!r}")  # pragma: no cover


_EXAMPLES: Mapping[str, Any] = {
    "profile": "prod-admin",
    "region": "eu-west-1",
    "endpoint_url": "http://127.0.0.1:5000",
    "refresh_seconds": "30s",
    "audit_path": "~/canary-audit.jsonl",
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
        if name in _NESTED_MODELS:
            continue
        lines.extend(_comment(field.description))
        lines.append(f"# Environment: {_env_name(name)}")
        value = getattr(defaults, name)
        if value is None or (name in _EXAMPLES and value in ([], {})):
            lines.append(f"# example: {name} = {_toml_value(_EXAMPLES[name])}")
        else:
            lines.append(f"# {name} = {_toml_value(value)}")
        lines.append("")
    for table, model in _NESTED_MODELS.items():
        lines.extend(_comment(Settings.model_fields[table].description))
        lines.append(f"[{table}]")
        instance = model()
        for name, field in model.model_fields.items():
            lines.extend(_comment(field.description))
            lines.append(f"# Environment: {_env_name(f'{table}.{name}')}")
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
