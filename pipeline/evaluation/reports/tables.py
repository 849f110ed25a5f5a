"""The report's tables as rows of strings, shared by the Markdown and HTML writers so both say the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.io.evaluation_files import Report, RunDescription, Score, ScoreRow, SystemIdentity, TrackReport

METRIC_NAMES = {
    "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2",
    "rougeL": "ROUGE-L",
    "rougeLsum": "ROUGE-Lsum",
    "bleu": "BLEU",
    "chrf++": "chrF++",
    "bertscore": "BERTScore-F1",
}
LISTED_IDS = 50  # longer id lists are cut in Markdown and HTML; report.json has them all
MANIFEST_FACTS = ("config_file", "stages", "device", "dtype", "started_at", "finished_at")


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]


def system_name(identity: SystemIdentity | ScoreRow) -> str:
    return f"{identity.run} · {identity.output}"


def metric_names(track: TrackReport) -> list[str]:
    return list(dict.fromkeys(name for system in track.systems for name in system.scores))


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _interval(ci: tuple[float, float] | None, form: str) -> str:
    return "–" if ci is None else f"[{ci[0]:{form}}, {ci[1]:{form}}]"


def _with_interval(score: Score | None) -> str:
    """A corpus score and its interval; "(no CI)" for one from too few documents (the report's notices say so)."""
    if score is None:
        return "–"
    return f"{score.score:.2f} {'(no CI)' if score.ci is None else _interval(score.ci, '.2f')}"


def score_table(track: TrackReport, confidence: float) -> Table:
    metrics = metric_names(track)
    rows = []
    for system in track.systems:
        cells = [_with_interval(system.scores.get(metric)) for metric in metrics]
        role = "baseline" if system.baseline else "system"
        rows.append([system.run, system.output, role, str(system.documents), *cells])
    return Table(
        f"Scores ({confidence * 100:g}% bootstrap confidence intervals)",
        ["run", "output", "role", "documents", *(METRIC_NAMES.get(m, m) for m in metrics)],
        rows,
    )


def comparison_table(track: TrackReport) -> Table:
    rows = [
        [
            system_name(comparison.system),
            system_name(comparison.baseline),
            str(comparison.documents),
            METRIC_NAMES.get(metric, metric),
            f"{result.difference:+.2f}",
            _interval(result.ci, "+.2f"),
            _number(result.p_value, 4),
            "yes" if result.significant else "no" if comparison.note is None else f"no ({comparison.note})",
        ]
        for comparison in track.comparisons
        for metric, result in comparison.metrics.items()
    ]
    header = ["system", "against", "documents", "metric", "difference", "CI", "p-value", "significant"]
    return Table("Paired bootstrap tests (difference = system − against)", header, rows)


def statistics_table(track: TrackReport) -> Table:
    has_sources = any(row.novel_ngrams_percent is not None for row in track.statistics)
    rows = []
    for row in track.statistics:
        words = [None, None] if row.words is None else [row.words.mean, row.words.median]
        cells = [system_name(row), str(row.documents), *(_number(value, 1) for value in words)]
        if has_sources:
            compression = None if row.compression_ratio is None else row.compression_ratio.mean
            novel = row.novel_ngrams_percent or {}
            cells += [_number(compression, 1), *(_number(novel.get(n), 1) for n in ("1", "2", "3"))]
        cells.append(_number(row.repeated_ngrams_percent["3"], 1))
        rows.append(cells)
    header = ["text", "documents", "words (mean)", "words (median)"]
    if has_sources:
        header += ["compression (mean)", "novel 1-grams %", "novel 2-grams %", "novel 3-grams %"]
    header.append("repeated 3-grams %")
    novelty = "; compression and novelty against the English source" if has_sources else ""
    return Table(f"Output statistics (words of any script{novelty})", header, rows)


def signature_table(track: TrackReport) -> Table:
    signatures = {(metric, score.signature) for system in track.systems for metric, score in system.scores.items()}
    rows = [[METRIC_NAMES.get(metric, metric), signature] for metric, signature in sorted(signatures)]
    return Table("Signatures", ["metric", "signature"], rows)


FLAGGED_ROWS = 200  # a report lists at most this many flagged documents per run; results.jsonl has them all


def flagged_table(described: RunDescription) -> Table | None:
    """The run's flagged documents and their flags, the documents to read before trusting the run's outputs."""
    if not described.flagged:
        return None
    rows = [[document.id, ", ".join(document.flags)] for document in described.flagged[:FLAGGED_ROWS]]
    more = len(described.flagged) - len(rows)
    title = f"Flagged documents of {described.label}" + (
        f" (the first {FLAGGED_ROWS} of {len(described.flagged)}; all in results.jsonl)" if more > 0 else ""
    )
    return Table(title, ["id", "flags"], rows)


def run_table(described: RunDescription) -> Table:
    manifest = described.manifest
    stage = described.summarize_stage
    failed = [f"{failure.id} ({failure.stage}: {failure.error})" for failure in described.failed]
    facts = [
        ["label", described.label],
        ["path", described.path],
        ["records", str(described.records)],
        ["failed documents (errors.jsonl)", _counted(failed)],
        ["documents with an English source", str(described.english_sources)],
    ]
    if described.flags is not None:
        flags = ", ".join(f"{flag}: {count}" for flag, count in described.flags.items())
        facts.append(["documents per quality flag (results.jsonl)", flags or "none"])
    if described.references_file:
        facts.append(["references file", described.references_file])
        facts.append(["references without a record", _counted(described.references_without_record)])
        facts.append(["records without references", _counted(described.records_without_references)])
    if manifest is not None:
        given = [(key, getattr(manifest, key)) for key in MANIFEST_FACTS]
        facts += [[key.replace("_", " "), _fact(value)] for key, value in given if value]
        facts += [[f"model ({stage_name})", _model(model)] for stage_name, model in manifest.models.items()]
        facts += [[f"version ({package})", str(value)] for package, value in manifest.versions.items()]
    if stage:
        facts += [
            ["summarized documents", str(stage.documents)],
            ["truncated for the summarizer", f"{stage.truncated_percent:.1f}%"],
            ["summarized in several chunks", f"{stage.chunked_percent:.1f}%"],
            ["summarization strategies", ", ".join(f"{name}: {count}" for name, count in stage.strategies.items())],
        ]
    return Table(f"Run: {described.label}", ["item", "value"], facts)


def _counted(items: list[str]) -> str:
    return f"{len(items)}: {listed_ids(items)}" if items else "0"


def _fact(value: Any) -> str:
    return " → ".join(map(str, value)) if isinstance(value, list) else str(value)


def _model(model: dict[str, Any]) -> str:
    revision = model.get("revision")
    return f"{model.get('model')}@{revision}" if revision else str(model.get("model"))


def listed_ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:LISTED_IDS])
    return shown if len(ids) <= LISTED_IDS else f"{shown}, … ({len(ids) - LISTED_IDS} more in report.json)"


def coverage_notes(track: TrackReport) -> list[str]:
    """What was not scored and why: no reference or no output (documents that failed a stage are under Runs)."""
    missing = track.missing_reference
    scored = track.records - len(missing)
    notes = [f"{scored} of {track.records} records have a reference ({track.reference_field})."]
    if missing:
        notes.append(f"{len(missing)} without a reference, not scored: {listed_ids(missing)}")
    for system in track.systems:
        if system.missing_hypothesis:
            absent = system.missing_hypothesis
            notes.append(f"{system_name(system)}: {len(absent)} with a reference but no output: {listed_ids(absent)}")
    return notes


def report_title(report: Report) -> str:
    return "Evaluation of " + " vs ".join(run.label for run in report.runs())


def track_heading(track: TrackReport) -> str:
    outputs = ", ".join(track.hypothesis_fields)
    return f"{track.name} ({track.language}): {outputs} vs {track.reference_field}"


def track_tables(track: TrackReport, confidence: float) -> list[Table]:
    """Scores first, then comparisons (when there are any), output statistics and signatures."""
    comparisons = [comparison_table(track)] if track.comparisons else []
    return [score_table(track, confidence), *comparisons, statistics_table(track), signature_table(track)]
