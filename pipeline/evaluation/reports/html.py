"""report.html: one self-contained page (inline CSS, figures as data-URI SVG images, no scripts, no network).

SVGs go in ``<img>`` rather than inline ``<svg>``: matplotlib names clip paths per figure, and several
inline figures on one page could clash on those ids.
"""

from __future__ import annotations

import base64
from html import escape

from pipeline.evaluation.reports.plots import comparison_figure, distribution_figure, length_figure, svg
from pipeline.evaluation.reports.tables import (
    Table,
    coverage_notes,
    report_title,
    flagged_table,
    run_table,
    track_heading,
    track_tables,
)
from pipeline.io.evaluation_files import Report, ScoreRow, TrackReport

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; }
figcaption { color: #555; font-size: 0.9rem; }
.notice { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.4rem 0.8rem; }
"""


def _table(table: Table) -> str:
    header = "".join(f"<th>{escape(cell)}</th>" for cell in table.header)
    rows = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows)
    caption = f"<caption>{escape(table.title)}</caption>"
    return f"<table>{caption}<thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def _figure(kind: str, figure, caption: str) -> str:
    if figure is None:
        return ""
    data = base64.b64encode(svg(figure).encode("utf-8")).decode("ascii")
    return (
        f'<figure class="plot" data-plot="{kind}"><img alt="{escape(caption)}" src="data:image/svg+xml;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _track_figures(track: TrackReport, rows: list[ScoreRow]) -> str:
    return "".join(
        [
            _figure("comparison", comparison_figure(track), "Paired differences with confidence intervals"),
            _figure("distribution", distribution_figure(track, rows), "Distribution of per-document scores"),
            _figure("length", length_figure(track, rows), "Per-document score against source length"),
        ]
    )


def html_report(report: Report, scores: list[ScoreRow]) -> str:
    confidence = report.settings.bootstrap.confidence
    title = report_title(report)
    body = [f"<h1>{escape(title)}</h1>", *(f'<p class="notice">{escape(notice)}</p>' for notice in report.notices)]
    for track in report.tracks:
        rows = [row for row in scores if row.track == track.name]
        scores_table, *other_tables = track_tables(track, confidence)
        body += [
            f'<section class="track" id="track-{escape(track.name)}"><h2>{escape(track_heading(track))}</h2>',
            _table(scores_table),
            _track_figures(track, rows),
            *map(_table, other_tables),
            "<ul>" + "".join(f"<li>{escape(note)}</li>" for note in coverage_notes(track)) + "</ul>",
            "</section>",
        ]
    body.append("<h2>Runs</h2>")
    for run in report.runs():
        body += [_table(table) for table in (run_table(run), flagged_table(run)) if table is not None]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
