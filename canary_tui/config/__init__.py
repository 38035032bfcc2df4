"""Typed settings: a TOML file in the platform config dir, ``CANARY_TUI_*`` variables, flags.

Precedence, lowest first: defaults < the file < environment variables < command-line flags.
The file is ``platformdirs.user_config_dir("canary-tui")/config.toml`` unless
``CANARY_TUI_CONFIG`` names another one. Nested tables use ``__`` in variable names
(``CANARY_TUI_VERDICT__ALPHA=0.01``); lists and the key map take comma-separated text
(``CANARY_TUI_READ_ONLY_PROFILES=prod-*,billing``, ``CANARY_TUI_KEYMAP=quit=ctrl+q,help=f1``).

Anything wrong (unknown key, wrong type, a number out of bounds, unreadable or oversized
file) is a :class:`ConfigError` whose message is one line naming where the bad value came
from and which key it is; callers print it and exit 2, never a traceback.

The package is split by concern: ``files`` (where the file is, reading it with bounds),
``values`` (parsing one value), ``models`` (the settings and their docs), ``loading``
(precedence and provenance) and ``template`` (the commented default file).
"""

from canary_tui.config.files import (
    APP_NAME,
    CONFIG_PATH_ENV,
    ENV_PREFIX,
    MAX_FILE_BYTES,
    MAX_NESTING,
    ConfigError,
    config_path,
    default_audit_path,
    read_config_file,
)
from canary_tui.config.loading import LoadedSettings, env_name, load_settings, setting_keys
from canary_tui.config.models import WINDOWS, RampSettings, Settings, VerdictSettings
from canary_tui.config.template import (
    default_file_text,
    display_value,
    value_at,
    write_default_file,
)
from canary_tui.config.values import format_duration, parse_duration

__all__ = [
    "APP_NAME",
    "CONFIG_PATH_ENV",
    "ENV_PREFIX",
    "MAX_FILE_BYTES",
    "MAX_NESTING",
    "WINDOWS",
    "ConfigError",
    "LoadedSettings",
    "RampSettings",
    "Settings",
    "VerdictSettings",
    "config_path",
    "default_audit_path",
    "default_file_text",
    "display_value",
    "env_name",
    "format_duration",
    "load_settings",
    "parse_duration",
    "read_config_file",
    "setting_keys",
    "value_at",
    "write_default_file",
]
