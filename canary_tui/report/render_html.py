"""The report as one HTML file: inline CSS, every chart as inline SVG, no script, no font,
no address of any kind, so it opens the same with no network."""

from __future__ import annotations

from html import escape

from canary_tui.report.charts import inline_svg
from canary_tui.report.content import Chart
from canary_tui.report.gather import ReportData
from canary_tui.report.sections import Section, Table, VerdictBlock, build_sections

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1100px; color: #1f2328; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1em; }
th, td { border: 1px solid #d0d7de; padding: .25em .5em; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
pre { background: #f6f8fa; padding: .6em; overflow-x: auto; font-size: .8em;
      white-space: pre-wrap; }
.outcome { font-weight: bold; padding: 0 .4em; border-radius: 3px; }
.PASS { background: #dafbe1; } .FAIL { background: #ffebe9; }
.INCONCLUSIVE { background: #fff8c5; }
figure { display: inline-block; margin: .3em; } figcaption { font-size: .75em; color: #57606a; }
figure svg { width: 480px; height: auto; }
"""


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(cell)}</th>" for cell in table.header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    header = f"<tr>{head}</tr>" if any(table.header) else ""
    return f"<table>{header}{rows}</table>"


def _verdict(block: VerdictBlock) -> str:
    badge = f'<span class="outcome {escape(block.outcome)}">{escape(block.outcome)}</span>'
    body = escape("\n".join(block.lines))
    return f"<h3>{escape(block.title)} {badge}</h3><pre>{body}</pre>"


def _charts(metric: str, charts: list[Chart]) -> str:
    figures = "".join(
        f"<figure>{inline_svg(chart.svg)}<figcaption>{escape(chart.variant)}: "
        f"{escape(chart.status)}</figcaption></figure>"
        for chart in charts
    )
    return f"<h3>{escape(metric)}</h3>{figures}"


def _section(section: Section) -> str:
    slug = section.title.lower().replace(" ", "-")
    out = [f'<h2 id="{slug}">{escape(section.title)}</h2>']
    for part in section.parts:
        if isinstance(part, str):
            out.append(f"<p>{escape(part)}</p>")
        elif isinstance(part, Table):
            out.append(_table(part))
        elif isinstance(part, VerdictBlock):
            out.append(_verdict(part))
        elif isinstance(part, tuple):
            metric, charts = part
            out.append(_charts(metric, charts))
    return "\n".join(out)


def render_html(data: ReportData) -> str:
    title = f"canary-tui report: {data.endpoint.name}"
    body = "\n".join(_section(section) for section in build_sections(data))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n"
        f"<body><h1>{escape(title)}</h1>\n{body}\n</body></html>\n"
    )
