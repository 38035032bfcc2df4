"""--help for every command, --version, and the generated shell completion scripts."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from canary_tui import __version__
from canary_tui.cli.completion import command_specs
from canary_tui.cli.main import build_parser, main

COMMANDS = [command.name for command in command_specs(build_parser())[1]]


def test_every_command_module_is_listed() -> None:
    # A command missing from here would silently get no --help test below.
    assert {"console", "demo", "status", "set-weights", "audit", "config", "completion"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command_exits_0(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: canary-tui {command}")


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out


def test_version_as_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "canary_tui", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, f"canary-tui {__version__}\n")


def script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def complete_in_bash(script_path: Path, *words: str) -> list[str]:
    """Run the generated function as bash would for ``canary-tui WORDS`` (last one: the
    word being completed) and return its candidates."""
    quoted = " ".join(f"'{word}'" for word in ("canary-tui", *words))
    program = (
        f"source '{script_path}'; COMP_WORDS=({quoted}); COMP_CWORD={len(words)}; "
        '_canary_tui; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    bash = shutil.which("bash")
    assert bash is not None
    result = subprocess.run(
        [bash, "--norc", "-c", program], capture_output=True, text=True, timeout=30, check=True
    )
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture
def bash_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "canary-tui.bash"
    path.write_text(script("bash", capsys))
    return path


def test_bash_completes_commands_flags_and_choices(bash_script: Path) -> None:
    assert complete_in_bash(bash_script, "set") == ["set-weights", "set-capacity"]
    assert complete_in_bash(bash_script, "ser") == ["serve"]
    assert complete_in_bash(bash_script, "status", "--j") == ["--json"]
    assert complete_in_bash(bash_script, "console", "--window", "1") == ["15m", "1h", "12h"]
    assert complete_in_bash(bash_script, "demo", "--scenario", "") == [
        "healthy",
        "regression",
        "accuracy-regression",
    ]
    # Plain `canary-tui --window` opens the console: its flags complete at the top too.
    assert complete_in_bash(bash_script, "--window", "3") == ["3h"]
    assert complete_in_bash(bash_script, "completion", "--h") == ["--help"]


def test_bash_completes_profiles_from_the_aws_config_file(
    bash_script: Path, tmp_path: Path
) -> None:
    # conftest points AWS_CONFIG_FILE at tmp_path/aws-config.
    (tmp_path / "aws-config").write_text(
        "[default]\nregion = us-east-1\n[profile prod-admin]\n[profile staging]\n"
    )
    assert complete_in_bash(bash_script, "status", "--profile", "") == [
        "default",
        "prod-admin",
        "staging",
    ]
    assert complete_in_bash(bash_script, "--profile", "pr") == ["prod-admin"]


def test_bash_script_follows_the_parser(bash_script: Path) -> None:
    text = bash_script.read_text()
    _, commands = command_specs(build_parser())
    for command in commands:
        assert f"        {command.name}) words=" in text
        for flag in command.flags:
            for name in flag.names:
                assert name in text


def test_zsh_script_names_every_command_and_quotes_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = script("zsh", capsys)
    assert text.startswith("#compdef canary-tui\n")
    for command in COMMANDS:
        assert f"    {command})\n      _arguments" in text
    # Help texts with quotes or brackets must not break the single-quoted specs.
    assert "'status:show every endpoint, or one endpoint'\\''s variants'" in text
    assert "'--window[" in text and ":value:(15m 1h 3h 12h)'" in text
    specs = [line for line in text.splitlines() if line.startswith("        '")]
    assert len(specs) > 3 * len(COMMANDS)
    for spec in specs:
        # Each spec is one shell word: its quoting is balanced.
        assert len(shlex.split(spec.removesuffix(" \\"))) == 1, spec


def test_an_unknown_shell_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["completion", "fish"])
    assert exited.value.code == 2
    assert "invalid choice: 'fish'" in capsys.readouterr().err
