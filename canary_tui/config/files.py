"""Where the settings file is, and reading it safely.

The file is read with bounds because its path can come from ``CANARY_TUI_CONFIG``: only a
regular file (a FIFO must not hang the console, a device must not be read forever), at most
:data:`MAX_FILE_BYTES`, UTF-8, and no deeper than :data:`MAX_NESTING` arrays/tables (the
standard TOML parser recurses, and 5,000 nested arrays exhaust Python's stack).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "canary-tui"
ENV_PREFIX = "CANARY_TUI_"
#: Names another settings file (the only variable that is not a setting itself).
CONFIG_PATH_ENV = "CANARY_TUI_CONFIG"
MAX_FILE_BYTES = 1 << 20
#: No setting needs more than a table of lists; 32 leaves room and stays far from recursion.
MAX_NESTING = 32


class ConfigError(ValueError):
    """Settings that cannot be used. ``str(error)`` is one line: where, which key, what."""


def config_path() -> Path:
    override = os.environ.get(CONFIG_PATH_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_audit_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "audit.jsonl"


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes (None: no file there), or a ConfigError. Never blocks on a FIFO."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        # fstat of what was opened (not stat of the name): no swap between check and read.
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(
                f"{path}: not a regular file (a directory, FIFO or device); "
                f"the settings file must be a TOML file"
            )
        if info.st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(descriptor, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_FILE_BYTES:  # it grew while we read it
        raise ConfigError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB")
    return data


def _depth(value: Any) -> int:
    """How deeply lists and tables nest in ``value`` (iterative: no recursion to exhaust)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_NESTING:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return deepest


def read_config_file(path: Path) -> dict[str, Any]:
    """The TOML table in ``path`` ({} when there is no file), or a one-line ConfigError."""
    data = _read_bytes(path)
    if data is None:
        named = os.environ.get(CONFIG_PATH_ENV)
        if named and Path(named).expanduser() == path:
            # Named on purpose: a typo there must not quietly mean "all defaults" (say,
            # read_only = false on the production jump host).
            raise ConfigError(
                f"{path}: no such file ({CONFIG_PATH_ENV} names it); "
                "create it with canary-tui config --init"
            )
        return {}
    import tomllib  # ~2 ms, paid only when there is a file to parse

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (bad byte at offset {error.start})") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested more than {MAX_NESTING} levels deep") from None
    if _depth(values) > MAX_NESTING:
        raise ConfigError(f"{path}: nested more than {MAX_NESTING} levels deep")
    return values
