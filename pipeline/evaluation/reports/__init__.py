"""Writers of the evaluation: report.json and scores.jsonl (`pipeline.io.evaluation_files`), report.md, report.html."""

from __future__ import annotations

from pathlib import Path

from pipeline.evaluation.reports.html import html_report
from pipeline.evaluation.reports.markdown import markdown_report
from pipeline.evaluation.suite import Evaluation
from pipeline.io.evaluation_files import write_report, write_scores


def write_reports(evaluation: Evaluation, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = {
        "report.md": markdown_report(evaluation.report),
        "report.html": html_report(evaluation.report, evaluation.scores),
    }
    for name, text in pages.items():
        (out_dir / name).write_text(text, encoding="utf-8")
    report = write_report(out_dir, evaluation.report)
    scores = write_scores(out_dir, evaluation.scores)
    return [report, *(out_dir / name for name in pages), scores]
