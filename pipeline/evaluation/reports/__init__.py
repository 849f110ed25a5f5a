"""Writers of the evaluation: report.json, report.md, report.html and per-document scores.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.evaluation.reports.html import html_report
from pipeline.evaluation.reports.markdown import markdown_report
from pipeline.evaluation.suite import Evaluation


def write_reports(evaluation: Evaluation, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    contents = {
        "report.json": json.dumps(evaluation.report, ensure_ascii=False, indent=2) + "\n",
        "report.md": markdown_report(evaluation.report),
        "report.html": html_report(evaluation.report, evaluation.scores),
        "scores.jsonl": "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in evaluation.scores),
    }
    for name, text in contents.items():
        (out_dir / name).write_text(text, encoding="utf-8")
    return [out_dir / name for name in contents]
