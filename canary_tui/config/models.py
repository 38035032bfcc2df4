"""The typed settings: what each key means, its default and its bounds."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, InstanceOf, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from canary_tui.config import parsing, values
from canary_tui.config.files import ENV_PREFIX, config_path, default_audit_path, read_config_file
from canary_tui.config.parsing import WINDOWS
from canary_tui.config.quality import quality_metrics
from canary_tui.config.values import (
    Duration,
    KeyMap,
    MetricPeriod,
    PathText,
    PatternList,
    RampSteps,
    Seconds,
    StrictBool,
)
from canary_tui.config.webhooks import webhooks as parse_webhooks
from canary_tui.domain.quality import QualityMetric
from canary_tui.domain.verdict import VerdictThresholds
from canary_tui.notify.targets import Webhook


class VerdictSettings(BaseModel):
    """When a canary passes, fails, or has not seen enough traffic yet."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    alpha: Annotated[float, values.decimal(values.ALPHA)] = 0.05
    """Significance level of the statistical tests, above 0 and below 1: a difference counts
    when p < alpha."""
    min_requests: Annotated[int, values.whole(values.MIN_REQUESTS)] = 1000
    """Requests each variant must have served in the window before a verdict other than
    INCONCLUSIVE is given (0 to 1,000,000,000)."""
    min_periods: Annotated[int, values.whole(values.MIN_PERIODS)] = 10
    """Metric periods with data each variant needs for the latency comparison (1 to 100,000)."""
    max_latency_ratio: Annotated[float, values.decimal(values.LATENCY_RATIO)] = 1.2
    """Highest acceptable canary/baseline latency ratio (p99, or average without
    percentiles), 1 to 1000."""
    max_error_rate_increase: Annotated[float, values.decimal(values.PERCENTAGE_POINTS)] = 0.5
    """Largest acceptable rise of the canary's error rate over the baseline's, in percentage
    points, 0 to 100 (0.5 means 1.0% against 0.5% still passes)."""
    split_tolerance: Annotated[float, values.decimal(values.PERCENTAGE_POINTS)] = 2.0
    """Largest acceptable gap, in percentage points (0 to 100), between a variant's observed
    share of invocations and the share its weight asks for."""
    metrics: Annotated[tuple[InstanceOf[QualityMetric], ...], BeforeValidator(quality_metrics)] = ()
    """Quality metrics from CloudWatch (accuracy, conversion...), one [[verdict.metrics]]
    table each: name, namespace, kind ("proportion": successes + trials, or "continuous":
    metric), dimensions ({endpoint}/{variant} templates), statistic, unit, direction
    ("higher"/"lower" is better), allowed_change, critical, mode ("gate"/"observe"), delay."""

    def thresholds(self) -> VerdictThresholds:
        """The domain's thresholds, for :func:`canary_tui.domain.verdict` functions."""
        return VerdictThresholds(**self.model_dump(exclude={"metrics"}), quality=self.metrics)


class RampSettings(BaseModel):
    """What a ramp uses when the command or dialog does not say otherwise."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    steps: RampSteps = (10.0, 25.0, 50.0, 100.0)
    """Traffic % for the canary at each step, rising, each in (0, 100]: "10,25,50,100"."""
    bake: Duration = timedelta(minutes=10)
    """How long each step runs before the verdict is checked, 1s to 7d: "90s", "10m", "1h"."""
    bake_requests: Annotated[int, values.whole(parsing.BAKE_REQUESTS)] = 0
    """Requests the canary must also have served in a step before its bake ends, 0 to
    10^12; 0 bakes by the clock alone. Not reached after the extra bakes, the ramp holds."""

    @property
    def bake_seconds(self) -> float:
        return self.bake.total_seconds()


#: The file's values while :func:`canary_tui.config.load_settings` builds Settings (read
#: once, with bounds); unset, ``Settings()`` reads the file itself.
ACTIVE_FILE_VALUES: ContextVar[dict[str, Any] | None] = ContextVar(
    "canary_tui_config_file_values", default=None
)


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
    refresh_seconds: Seconds | None = None
    """How often the console polls AWS ("30s", "2m"), 1s to 7d. Unset: once per metric
    period."""
    metric_period_seconds: MetricPeriod = 60
    """CloudWatch period: 1, 5, 10, 30 (high-resolution metrics) or a multiple of 60, up to
    1d."""
    rollback_wait_seconds: Seconds = 1800
    """How long a rollback that meets an update in progress waits for the endpoint to settle
    before it gives up ("30m"), 1s to 7d; the CLI's --wait-timeout overrides it."""
    window: Literal["15m", "1h", "3h", "12h"] = "1h"
    """How much metric history the console shows and the verdict judges."""
    audit_path: PathText = None
    """Audit log file (JSON lines). Unset: audit.jsonl in the platform data directory."""
    team_table: str | None = None
    """DynamoDB table shared by a team (``canary-tui team init`` creates it): every change
    and ramp holds the endpoint's lease on it, and the audit trail is copied there. Unset or
    empty: the local lock and audit log only, no DynamoDB call."""
    theme: str = "textual-dark"
    """Textual theme name (textual-dark, textual-light, nord, gruvbox, ...); canary-tui adds
    "canary-high-contrast" (also accepted as "high-contrast"). ctrl+p "theme" lists them."""
    ascii: StrictBool = False
    """Plain-ASCII drawing (no box or block characters) for old terminals and fonts."""
    read_only: StrictBool = False
    """Never offer or send a change, whatever the profile (console and CLI)."""
    read_only_profiles: PatternList = []
    """Profiles (names or glob patterns like "prod-*") that are read-only, like k9s: the
    console opens read-only and CLI changes are refused."""
    production_profiles: PatternList = []
    """Profiles (names or glob patterns) marked production: a distinct colour band."""
    keymap: KeyMap = {}
    """Key overrides: action id -> key, e.g. {quit = "ctrl+q", edit_weights = "w"}."""
    verdict: VerdictSettings = VerdictSettings()
    """Thresholds of the canary verdict."""
    ramp: RampSettings = RampSettings()
    """Defaults of the ramp command and dialog."""
    capacity_warning_factor: Annotated[float, values.decimal(values.CAPACITY_FACTOR)] = 1.0
    """Warn when a change would give a variant more requests/min per instance than the
    busiest variant carries now, times this (1.0: any more than the busiest; above 0, up to
    100)."""
    background_describe_rate: Annotated[float, values.decimal(values.DESCRIBE_RATE)] = 10 / 3
    """The console's background describes (filling the list's variant count and canary
    share) per second, at most: DescribeEndpoint is throttled per account and region, and a
    change must never be refused for the list's sake. A first pass over N endpoints takes
    N / rate seconds (above 0, up to 50)."""
    webhooks: Annotated[tuple[InstanceOf[Webhook], ...], BeforeValidator(parse_webhooks)] = ()
    """Where notifications go, one [[webhooks]] table each: url (https; http only to
    localhost) or url_env (the variable holding it), format ("json" or "slack"), events
    (default all: ramp.*, change.*, verdict.failed), timeout ("5s"), profiles (names or
    globs; default all)."""

    # The checks after each type check live in canary_tui.config.parsing, where the quick
    # path (canary_tui.config.quick) runs the same functions.
    @field_validator("endpoint_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        return parsing.http_url(url)

    @field_validator("team_table")
    @classmethod
    def _team_table(cls, table: str | None) -> str | None:
        return parsing.team_table_name(table)

    @field_validator("region")
    @classmethod
    def _region_name(cls, region: str | None) -> str | None:
        return parsing.region_name(region)

    @field_validator("keymap")
    @classmethod
    def _keys_given(cls, keymap: dict[str, str]) -> dict[str, str]:
        return parsing.keys_given(keymap)

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
        file_values = ACTIVE_FILE_VALUES.get()
        if file_values is None:
            file_values = read_config_file(config_path())
        return (
            init_settings,
            env_settings,
            InitSettingsSource(settings_cls, init_kwargs=file_values),
        )


NESTED_MODELS: Mapping[str, type[BaseModel]] = {"verdict": VerdictSettings, "ramp": RampSettings}
