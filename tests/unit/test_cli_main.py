"""The command line's start-up: one command imports only its own module, and the console's
first frame does not wait for boto3 (issue 6: start → first painted frame)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from canary_tui.cli.main import COMMAND_MODULES, MODULE_OF_COMMAND, build_parser


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    return {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }


def test_every_command_is_mapped_to_the_module_that_registers_it() -> None:
    assert _commands(build_parser()) == set(MODULE_OF_COMMAND)
    assert set(MODULE_OF_COMMAND.values()) == set(COMMAND_MODULES)
    for command in MODULE_OF_COMMAND:
        assert command in _commands(build_parser(command))


def test_an_unknown_command_gets_the_whole_parser() -> None:
    assert _commands(build_parser("stauts")) == set(MODULE_OF_COMMAND)


def _modules_after(code: str) -> set[str]:
    """Modules loaded by ``code`` in a fresh interpreter (pytest has imported everything)."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


HEAVY_FOR_THE_FIRST_FRAME = ("boto3", "botocore.session", "s3transfer", "scipy", "numpy")


@pytest.mark.parametrize("command", ["demo", "console"])
def test_the_consoles_first_frame_does_not_import_boto3(command: str) -> None:
    # What runs before the app's first frame: the parser of the command and the app module.
    loaded = _modules_after(
        "from canary_tui.cli.main import build_parser\n"
        f"build_parser({command!r})\n"
        f"import canary_tui.cli.{command}, canary_tui.ui.app\n"
    )
    assert not [name for name in HEAVY_FOR_THE_FIRST_FRAME if name in loaded]
    assert "canary_tui.cli.status" not in loaded  # other commands' modules stay unloaded


def test_the_demo_builds_its_first_frame_without_boto3_or_pydantic() -> None:
    # Everything `canary-tui demo` does before app.run(), but launching the server.
    loaded = _modules_after(
        "from canary_tui.cli.main import build_parser\n"
        "from canary_tui.cli import demo\n"
        "from canary_tui.audit import AuditLog\n"
        "from canary_tui.ui.app import CanaryApp\n"
        "import canary_tui.demo.server\n"
        "args = build_parser('demo').parse_args(['demo'])\n"
        "options = demo.first_frame_options(args)\n"
        "CanaryApp.starting(lambda: None, options, starting_text='…', audit=AuditLog())\n"
    )
    assert not [name for name in (*HEAVY_FOR_THE_FIRST_FRAME, "pydantic") if name in loaded]
