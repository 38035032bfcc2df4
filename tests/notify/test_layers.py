"""The notify package's own layering: no Textual anywhere in it, and its pure parts (what an
event says, its bodies, the retry rules, the webhook targets) do no I/O and start no thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_layers import PACKAGE, imported_modules

PURE = ("targets.py", "events.py", "change_events.py", "bodies.py", "retry.py")
IO = ("socket", "urllib.request", "http", "threading", "subprocess", "boto3", "botocore")


@pytest.mark.parametrize("path", sorted((PACKAGE / "notify").glob("*.py")), ids=lambda p: p.name)
def test_no_textual(path: Path) -> None:
    assert not any(name.split(".")[0] == "textual" for name in imported_modules(path))


@pytest.mark.parametrize("name", PURE)
def test_pure_parts_do_no_io(name: str) -> None:
    modules = imported_modules(PACKAGE / "notify" / name)
    assert not [module for module in modules if module.startswith(IO)], modules
    ours = {module for module in modules if module.startswith("canary_tui")}
    assert all(module.startswith(("canary_tui.domain", "canary_tui.notify")) for module in ours)
