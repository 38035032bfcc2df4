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
``parsing`` (parsing one value), ``values`` (those parsers as pydantic types), ``models``
(the settings and their docs), ``loading`` (precedence and provenance), ``quick`` (the AWS
target and audit path without pydantic, when that gives the same answer) and ``template``
(the commented default file).

The names from ``loading``, ``models`` and ``template`` are imported when first used:
they bring in pydantic and pydantic-settings (~0.1 s), which ``canary-tui status NAME``
does not need (see :mod:`canary_tui.config.quick`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
from canary_tui.config.parsing import WINDOWS, format_duration, parse_duration

if TYPE_CHECKING:
    from canary_tui.config.loading import LoadedSettings, env_name, load_settings, setting_keys
    from canary_tui.config.models import RampSettings, Settings, VerdictSettings
    from canary_tui.config.template import (
        default_file_text,
        display_value,
        value_at,
        write_default_file,
    )

#: Where each lazily imported name lives.
_LAZY = {
    "LoadedSettings": "loading",
    "env_name": "loading",
    "load_settings": "loading",
    "setting_keys": "loading",
    "RampSettings": "models",
    "Settings": "models",
    "VerdictSettings": "models",
    "default_file_text": "template",
    "display_value": "template",
    "value_at": "template",
    "write_default_file": "template",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
