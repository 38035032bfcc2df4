"""matplotlib is loaded by `canary-tui report` only when it draws: the full parser (every
command registered), `report --help` and the other commands never import it, so the CLI's
and the console's start-up figures do not move."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from canary_tui.cli.main import build_parser
build_parser()
build_parser("report")
build_parser("verdict")
print(sorted(name for name in sys.modules if name.split(".")[0] in ("matplotlib", "numpy")))
"""


def test_no_command_but_a_drawing_report_imports_matplotlib() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_drawing_a_chart_imports_it() -> None:
    probe = (
        "import sys\n"
        "from datetime import UTC, datetime, timedelta\n"
        "from canary_tui.domain.metrics import Series\n"
        "from canary_tui.report.charts import chart_points, svg_chart\n"
        "start = datetime(2026, 12, 3, tzinfo=UTC)\n"
        "window = (start, start + timedelta(minutes=3))\n"
        "print('matplotlib' in sys.modules)\n"
        "points = chart_points(Series(((start, 1.0),)), window, 60, count=True)\n"
        "svg = svg_chart(points, title='t', unit='u', markers=[], window=window, salt='s')\n"
        "print('matplotlib' in sys.modules, '<svg' in svg)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["False", "True", "True"], result.stdout + result.stderr
