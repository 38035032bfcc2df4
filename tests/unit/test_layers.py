"""The layering STYLE.md asks for, checked on the source: domain code imports nothing of
ours outside the domain, and the layers below the UI (and the editor's field logic, which
is kept apart from Textual to be tested without an app) never import Textual."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "canary_tui"
BELOW_UI = ["domain", "aws", "config", "audit.py", "changes.py", "ramp.py", "ui/weight_fields.py"]


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
    "path", [path for part in BELOW_UI for path in sources(part)], ids=lambda path: path.name
)
def test_nothing_below_the_ui_imports_textual(path: Path) -> None:
    assert not any(
        name == "textual" or name.startswith("textual.") for name in imported_modules(path)
    )
