"""Saving the theme keeps every other byte of the settings file, and reads back."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from canary_tui.config.theme_file import save_theme, with_theme

FILE = """# our team's settings
region = "eu-west-1"   # prod
theme = "nord"

[verdict]
alpha = 0.01
theme = "not the top-level one"
"""


def test_only_the_top_level_theme_line_changes() -> None:
    updated = with_theme(FILE, "canary-high-contrast")
    assert updated == FILE.replace('theme = "nord"', 'theme = "canary-high-contrast"')
    assert tomllib.loads(updated)["verdict"]["theme"] == "not the top-level one"


def test_a_file_without_a_theme_gets_one_before_its_first_table() -> None:
    text = 'region = "us-east-1"\n\n[ramp]\nsteps = [10, 100]\n'
    updated = with_theme(text, "nord")
    assert updated == 'region = "us-east-1"\n\ntheme = "nord"\n[ramp]\nsteps = [10, 100]\n'
    assert tomllib.loads(updated)["theme"] == "nord"
    assert with_theme("", "nord") == 'theme = "nord"\n'
    assert with_theme('region = "x"', "nord") == 'region = "x"\ntheme = "nord"\n'


@given(st.text(min_size=1, max_size=40))
@example("\x7f")  # DEL: TOML forbids it raw, and JSON escaping leaves it raw
@example('a"b\\c')
def test_any_name_reads_back_as_itself(name: str) -> None:
    assert tomllib.loads(with_theme(FILE, name))["theme"] == name


def test_save_creates_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "canary-tui" / "config.toml"
    save_theme(path, "nord")
    assert path.read_text(encoding="utf-8") == 'theme = "nord"\n'
    path.chmod(0o600)
    save_theme(path, "dracula")
    assert tomllib.loads(path.read_text(encoding="utf-8"))["theme"] == "dracula"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary left


def test_a_file_that_is_not_utf8_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff"\n')
    with pytest.raises(UnicodeDecodeError):
        save_theme(path, "nord")
    assert path.read_bytes() == b'theme = "\xff"\n'
