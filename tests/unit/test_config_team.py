"""team_table: the full load and the quick path accept and refuse the same names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from canary_tui.config.models import Settings
from canary_tui.config.quick import CHECKS


@pytest.mark.parametrize("name", ["canary-team", "ops.canary_team", "abc"])
def test_table_names_accepted(name: str) -> None:
    assert Settings.model_validate({"team_table": name}).team_table == name
    assert CHECKS["team_table"](name) == name


@pytest.mark.parametrize("name", ["ab", "has space", "a/b", "x" * 256])
def test_table_names_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({"team_table": name})
    with pytest.raises(ValueError):
        CHECKS["team_table"](name)


def test_unset_by_default() -> None:
    assert Settings.model_construct().team_table is None


def test_empty_text_turns_the_team_table_off() -> None:
    # CANARY_TUI_TEAM_TABLE= overrides a table named in the file (said in refusals).
    assert Settings.model_validate({"team_table": ""}).team_table is None
    assert CHECKS["team_table"]("") is None
