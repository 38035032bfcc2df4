"""The report as Markdown: the text in the file, each chart an SVG file in ``FILE.assets/``
next to it, linked by a relative path (Markdown viewers show SVG files; data URIs are
refused by several of them, GitHub's among them)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from canary_tui.report.content import Chart
from canary_tui.report.gather import ReportData
from canary_tui.report.sections import Section, Table, VerdictBlock, build_sections

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def md_text(text: str) -> str:
    """Text that Markdown shows as it is (no emphasis, link, HTML or table cell break)."""
    return _SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def _table(table: Table) -> list[str]:
    header = table.header if any(table.header) else ("field", "value")
    lines = ["| " + " | ".join(md_text(cell) for cell in header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(md_text(cell) for cell in row) + " |" for row in table.rows]
    return [*lines, ""]


def _fence(lines: tuple[str, ...]) -> str:
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    return "`" * max(3, longest + 1)


def _verdict(block: VerdictBlock) -> list[str]:
    fence = _fence(block.lines)
    return [f"### {md_text(block.title)}: {block.outcome}", "", fence, *block.lines, fence, ""]


def asset_dir(output: Path) -> Path:
    return output.with_name(output.name + ".assets")


def _charts(metric: str, charts: list[Chart], assets: Path, files: dict[str, str]) -> list[str]:
    lines = [f"### {md_text(metric)}", ""]
    for chart in charts:
        name = f"{chart.slug}.svg"
        files[name] = chart.svg
        link = quote(f"{assets.name}/{name}")  # a space or a parenthesis ends a link
        lines.append(f"![{md_text(chart.metric)}, {md_text(chart.variant)}]({link})")
        lines.append("")
        lines.append(f"{md_text(chart.variant)}: {md_text(chart.status)}")
        lines.append("")
    return lines


def _section(section: Section, assets: Path, files: dict[str, str]) -> list[str]:
    lines = [f"## {section.title}", ""]
    for part in section.parts:
        if isinstance(part, str):
            lines += [md_text(part), ""]
        elif isinstance(part, Table):
            lines += _table(part)
        elif isinstance(part, VerdictBlock):
            lines += _verdict(part)
        elif isinstance(part, tuple):
            metric, charts = part
            lines += _charts(metric, charts, assets, files)
    return lines


def render_md(data: ReportData, output: Path) -> tuple[str, dict[str, str]]:
    """The Markdown text and the chart files (name in ``asset_dir(output)`` -> SVG)."""
    assets = asset_dir(output)
    files: dict[str, str] = {}
    lines = [f"# canary-tui report: {md_text(data.endpoint.name)}", ""]
    for section in build_sections(data):
        lines += _section(section, assets, files)
    return "\n".join(lines).rstrip() + "\n", files
