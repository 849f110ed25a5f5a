"""Run folders to export: read by `pipeline.io.run_folder`, with what scripts/evaluate.py scored of their outputs.

Every problem is an `InputError` naming the file (and line).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.export.evaluation import CorpusReport, read_corpus_report, read_document_scores
from pipeline.io.run_folder import StoredRun, read_run_folder


@dataclass(frozen=True)
class Run:
    """One run folder; its results are kept as written, so nothing (Unicode included) is altered on the way."""

    stored: StoredRun
    scores: dict[str, dict[str, float]]  # id -> score column -> this run's per-document score
    score_columns: tuple[str, ...]
    report: CorpusReport | None

    @property
    def unfinished(self) -> list[str]:
        """Why the run may lack documents, as its manifest tells: it did not finish, or it disagrees with its results.
        Empty for a finished run, and for a folder without manifest.json (which the card calls unknown anyway)."""
        manifest, results = self.stored.manifest, len(self.stored.results)
        if manifest is None:
            return []
        reasons = [] if manifest.finished_at else ["manifest.json has no finished_at: the run stopped before its end"]
        if manifest.counts is None:
            reasons.append("manifest.json has no counts")
        elif manifest.counts.results != results:
            reasons.append(
                f"manifest.json counts {manifest.counts.results} results, {self.stored.results_name} holds {results}"
            )
        return reasons


def read_run(path: Path) -> Run:
    stored = read_run_folder(path)
    scores = read_document_scores(path, stored.name)  # the evaluator labels a run as the run folder does
    return Run(stored, scores.by_id, scores.columns, read_corpus_report(path, stored.name))
