"""report.md: the tables as Markdown, readable in a terminal and in a pull request.

Every string goes through `markdown_text`: ids, labels, field names and error messages are user-supplied, and must
show as text, not become headings, table breaks, HTML or links.
"""

from __future__ import annotations

from pipeline.text.markdown import markdown_text
from pipeline.evaluation.reports.tables import (
    Table,
    coverage_notes,
    report_title,
    flagged_table,
    run_table,
    track_heading,
    track_tables,
)
from pipeline.io.evaluation_files import Report


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(map(markdown_text, cells)) + " |"


def _table(table: Table) -> str:
    rows = [_line(table.header), _line(["---"] * len(table.header)), *map(_line, table.rows)]
    return f"**{markdown_text(table.title)}**\n\n" + "\n".join(rows)


def markdown_report(report: Report) -> str:
    confidence = report.settings.bootstrap.confidence
    parts = [f"# {markdown_text(report_title(report))}"]
    parts += [f"> {markdown_text(notice, line_start=True)}" for notice in report.notices]
    for track in report.tracks:
        parts.append(f"## {markdown_text(track_heading(track))}")
        parts += [_table(table) for table in track_tables(track, confidence)]
        parts.append("\n".join(f"- {markdown_text(note, line_start=True)}" for note in coverage_notes(track)))
    parts.append("## Runs")
    for run in report.runs():
        parts += [_table(table) for table in (run_table(run), flagged_table(run)) if table is not None]
    return "\n\n".join(parts) + "\n"
