"""canary-tui team init: --dry-run prints the requests and sends nothing; bad input exits 2."""

from __future__ import annotations

import json

import pytest

from canary_tui.cli.main import main


def test_dry_run_prints_both_requests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["team", "init", "--table", "canary-team", "--dry-run"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["CreateTable"]["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert printed["UpdateTimeToLive"]["TimeToLiveSpecification"] == {
        "Enabled": True,
        "AttributeName": "expires_at",
    }


def test_bad_table_name_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["team", "init", "--table", "a b", "--dry-run"])
    assert exited.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
