"""The layering STYLE.md asks for, checked on the source: domain code imports nothing of
ours outside the domain, and the layers below the UI (and the editor's field logic, which
is kept apart from Textual to be tested without an app) never import Textual."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "canary_tui"
BELOW_UI = [
    "domain",
    "aws",
    "config",
    "audit.py",
    "changes.py",
    "ramp.py",
    "ramp_actions.py",
    "ramp_control.py",
    "ramp_store.py",
    "ui/weight_fields.py",
]
#: Plain code inside ui/, kept free of Textual so it is tested without an app: the refresh
#: schedule and the shared view state of the console, what a poll asks for, the rows.
PLAIN_UI = [
    "ui/console/schedule.py",
    "ui/console/state.py",
    "ui/refresh.py",
    "ui/options.py",
    "ui/view.py",
    "ui/ports.py",
]
#: What may do I/O or call AWS: widgets only render state and post messages.
IO_MODULES = ("canary_tui.aws", "canary_tui.changes", "canary_tui.ramp", "canary_tui.audit")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def sources(part: str) -> list[Path]:
    target = PACKAGE / part
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


@pytest.mark.parametrize("path", sources("domain"), ids=lambda path: path.name)
def test_domain_imports_only_the_domain(path: Path) -> None:
    ours = {name for name in imported_modules(path) if name.startswith("canary_tui")}
    assert all(name.startswith("canary_tui.domain") for name in ours), ours


@pytest.mark.parametrize(
    "path",
    [path for part in BELOW_UI + PLAIN_UI for path in sources(part)],
    ids=lambda path: path.name,
)
def test_nothing_below_the_ui_imports_textual(path: Path) -> None:
    assert not any(
        name == "textual" or name.startswith("textual.") for name in imported_modules(path)
    )


@pytest.mark.parametrize("path", sources("ui/widgets"), ids=lambda path: path.name)
def test_widgets_do_no_io(path: Path) -> None:
    ours = {name for name in imported_modules(path) if name.startswith("canary_tui")}
    assert not any(name.startswith(IO_MODULES) for name in ours), ours
    assert "boto3" not in imported_modules(path)


def test_no_module_is_much_over_400_lines() -> None:
    """STYLE.md: a reader can open a part alone. A little over is tolerated, not a class
    split over files to dodge it (see the console's parts)."""
    long = {
        str(path.relative_to(PACKAGE)): count
        for path in PACKAGE.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 420
    }
    assert long == {}, long
