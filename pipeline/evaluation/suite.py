"""Scores runs track by track and assembles the machine-readable report (`pipeline.io.evaluation_files`).

A track (`pipeline.evaluation.tracks`) pairs hypothesis fields with a reference field and a metric family:
ROUGE for summaries (on Unicode words outside English), BLEU and chrF++ for translations. Each hypothesis
field of a run is a system; a lead-k baseline joins the English summary tracks, and a second run
(``compare``) adds its systems and a paired test against each of ours. Nothing is left out silently: empty texts,
references that match only part of the run and scores from too few documents to test are counted in notices.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

import pipeline
from pipeline.evaluation.baseline import lead
from pipeline.evaluation.bootstrap import (
    MIN_DOCUMENTS,
    BootstrapSettings,
    CorpusStatistic,
    Interval,
    confidence_interval,
    paired_bootstrap,
)
from pipeline.evaluation.records import Record, Run, index_by_id
from pipeline.evaluation.rouge import RougeSettings, rouge_statistics
from pipeline.evaluation.statistics import describe_texts, summarize_stage
from pipeline.evaluation.tokenizers import words
from pipeline.evaluation.tracks import Track
from pipeline.evaluation.translation import translation_statistics
from pipeline.io.evaluation_files import (
    Bootstrap,
    Comparison,
    FailedDocument,
    FlaggedDocument,
    PairedTest,
    Report,
    ReportSettings,
    RunDescription,
    Score,
    ScoreRow,
    SummarizeStage,
    SystemIdentity,
    SystemScores,
    TextStatistics,
    Tool,
    TrackReport,
)
from pipeline.records import count_flags


@dataclass(frozen=True)
class EvaluationSettings:
    tracks: tuple[Track, ...]
    id_field: str = "id"
    source_field: str = "source"
    translation_field: str = "translation"
    lead_sentences: int = 3
    sentence_splitter: str = "pysbd"
    bootstrap: BootstrapSettings = field(default_factory=BootstrapSettings)
    bertscore_model: Path | None = None


@dataclass(frozen=True)
class System:
    run: str
    output: str  # the hypothesis field, or "lead-3"
    texts: dict[str, str]  # id -> hypothesis, for the records that have one
    baseline: bool = False

    def identity(self) -> dict[str, str | bool]:
        """The fields that name a system wherever the report and scores.jsonl mention it (`SystemIdentity`)."""
        return {"run": self.run, "output": self.output, "baseline": self.baseline}


@dataclass(frozen=True)
class ScoredSystem:
    system: System
    ids: list[str]  # the documents with both a hypothesis and a reference, in input order
    metrics: dict[str, CorpusStatistic]


@dataclass(frozen=True)
class Evaluation:
    report: Report
    scores: list[ScoreRow]  # one row per (track, system, document)


def english_source(record: Record, settings: EvaluationSettings) -> str | None:
    """The English document a summary was made from: the translation, else a source in Latin script.

    The script check keeps a Hindi source (a plain file without translations) out of lead-k and novelty.
    """
    translation = record.text(settings.translation_field)
    if translation is not None:
        return translation
    source = record.text(settings.source_field)
    if source is None:
        return None
    letters = [ch for ch in source if ch.isalpha()]
    latin = sum(ch.isascii() for ch in letters)
    return source if letters and latin / len(letters) > 0.5 else None


@dataclass(frozen=True)
class IndexedRun:
    """A run's records by id, with what every track needs of each document's source."""

    run: Run
    records: dict[str, Record]
    english_sources: dict[str, str]  # for the documents that have one
    english_source_words: dict[str, list[str]]
    document_words: dict[str, int]  # length of the source field, in its own language

    @classmethod
    def of(cls, run: Run, settings: EvaluationSettings) -> IndexedRun:
        records = index_by_id(run.records, settings.id_field)
        sources = {key: source for key, record in records.items() if (source := english_source(record, settings))}
        lengths = {key: len(words(record.text(settings.source_field) or "")) for key, record in records.items()}
        return cls(run, records, sources, {key: words(source) for key, source in sources.items()}, lengths)

    def texts(self, name: str) -> dict[str, str]:
        return {key: text for key, record in self.records.items() if (text := record.text(name)) is not None}

    def blank(self, name: str) -> list[str]:
        """Ids whose field is empty or whitespace only: not in `texts`, so not scored."""
        return [key for key, record in self.records.items() if record.blank(name)]


def evaluate(run: Run, other: Run | None, settings: EvaluationSettings) -> Evaluation:
    if other is not None and other.label == run.label:
        other = replace(other, label=f"{other.label} (compared)")
    runs = [IndexedRun.of(r, settings) for r in ([run] if other is None else [run, other])]
    notices = [] if settings.bertscore_model else ["BERTScore skipped: no --bertscore-model folder given"]
    notices += _references_notices(run)
    tracks, rows = [], []
    for track in settings.tracks:
        systems = [System(r.run.label, name, r.texts(name)) for r in runs for name in track.hypothesis_fields]
        if not any(system.texts for system in systems):
            notices.append(f"track {track.name!r} skipped: no record has {' or '.join(track.hypothesis_fields)}")
            continue
        notices += _blank_notices(track, runs)
        track_report, track_rows = _evaluate_track(track, systems, runs, settings)
        tracks.append(track_report)
        rows += track_rows
    notices += _too_few_notices(tracks)
    report = Report(
        tool=Tool(name="pipeline.evaluation", version=pipeline.__version__),
        input=_describe_run(runs[0]),
        compare=None if other is None else _describe_run(runs[1]),
        settings=ReportSettings(
            bootstrap=Bootstrap(**asdict(settings.bootstrap), signature=settings.bootstrap.signature()),
            id_field=settings.id_field,
            source_field=settings.source_field,
            translation_field=settings.translation_field,
            lead_sentences=settings.lead_sentences,
            sentence_splitter=settings.sentence_splitter,
            bertscore_model=None if settings.bertscore_model is None else str(settings.bertscore_model),
        ),
        tracks=tracks,
        notices=notices,
    )
    return Evaluation(report, rows)


def _references_notices(run: Run) -> list[str]:
    """A references file that covers only part of the run (one that covers none was refused when joined)."""
    missing = run.records_without_references
    if not missing:
        return []
    return [
        (
            f"{run.references_file}: no record for {len(missing)} of the {len(run.records)} records of {run.label} "
            "(they keep their own references, if any)"
        )
    ]


def _blank_notices(track: Track, runs: list[IndexedRun]) -> list[str]:
    """How many references and outputs of the track were empty or whitespace only, and so not scored."""
    counts = [("reference", track.reference_field, len(runs[0].blank(track.reference_field)))]
    counts += [
        ("output", f"{r.run.label} · {name}", len(r.blank(name))) for r in runs for name in track.hypothesis_fields
    ]
    return [
        f"track {track.name!r}: {count} empty or whitespace-only {kind}{'s' if count > 1 else ''} ({where}) not scored"
        for kind, where, count in counts
        if count
    ]


def _too_few_notices(tracks: list[TrackReport]) -> list[str]:
    """How many systems and comparisons had too few documents: their tables say "(no CI)" and "not tested"."""
    without_interval = sum(
        any(score.ci is None for score in system.scores.values()) for track in tracks for system in track.systems
    )
    untested = sum(comparison.note is not None for track in tracks for comparison in track.comparisons)
    if not without_interval and not untested:
        return []
    return [
        (
            f"confidence intervals and paired tests need at least {MIN_DOCUMENTS} documents: {without_interval} "
            f"systems have scores without an interval, {untested} comparisons were not tested (not significant)"
        )
    ]


def _describe_run(indexed: IndexedRun) -> RunDescription:
    run = indexed.run
    stages = [stage for record in run.records if isinstance(stage := record.value("stages.summarize"), dict)]
    described_stage = summarize_stage(stages)
    return RunDescription(
        label=run.label,
        path=str(run.path),
        records=len(run.records),
        manifest=run.manifest,
        failed=[FailedDocument(id=failure.id, stage=failure.stage, error=failure.error) for failure in run.failures],
        references_file=None if run.references_file is None else str(run.references_file),
        references_without_record=run.references_without_record,
        records_without_references=run.records_without_references,
        english_sources=len(indexed.english_sources),
        summarize_stage=None if described_stage is None else SummarizeStage.model_validate(described_stage),
        flags=None if run.stored is None else count_flags(run.stored.results),
        flagged=[] if run.stored is None else [
            FlaggedDocument(id=result.id, flags=result.flags) for result in run.stored.results if result.flags
        ],
    )


def _evaluate_track(
    track: Track, systems: list[System], runs: list[IndexedRun], settings: EvaluationSettings
) -> tuple[TrackReport, list[ScoreRow]]:
    ours = runs[0]
    references = ours.texts(track.reference_field)
    if track.is_english_summary and settings.lead_sentences > 0 and ours.english_sources:
        leads = {key: lead(source, settings.lead_sentences) for key, source in ours.english_sources.items()}
        systems = [*systems, System(ours.run.label, f"lead-{settings.lead_sentences}", leads, baseline=True)]
    scored = [_score(track, system, references, settings) for system in systems]
    source_words = {r.run.label: r.english_source_words if track.is_english_summary else None for r in runs}
    reference_texts = System(ours.run.label, track.reference_field, references)
    report = TrackReport(
        name=track.name,
        language=track.language,
        family=track.family,
        reference_field=track.reference_field,
        hypothesis_fields=list(track.hypothesis_fields),
        records=len(ours.records),
        missing_reference=[key for key in ours.records if key not in references],
        systems=[_system_report(result, references, settings) for result in scored],
        comparisons=[_compare(a, b, settings) for a, b in _pairs(scored)],
        statistics=[
            _text_statistics(texts, source_words[texts.run])
            for texts in [*(system for system in systems if not system.baseline), reference_texts]
        ],
    )
    return report, [row for result in scored for row in _rows(track, result, ours.document_words)]


def _text_statistics(texts: System, source_words: dict[str, list[str]] | None) -> TextStatistics:
    aligned = None if source_words is None else [source_words.get(key) for key in texts.texts]
    description = describe_texts(list(texts.texts.values()), aligned)
    return TextStatistics.model_validate({**texts.identity(), **description})


def _score(track: Track, system: System, references: dict[str, str], settings: EvaluationSettings) -> ScoredSystem:
    ids = [key for key in system.texts if key in references]
    if not ids:
        return ScoredSystem(system, ids, {})
    hypotheses = [system.texts[key] for key in ids]
    targets = [references[key] for key in ids]
    if track.family == "translation":
        metrics = translation_statistics(hypotheses, targets)
    else:
        metrics = rouge_statistics(
            hypotheses, targets, RougeSettings.for_language(track.language, settings.sentence_splitter)
        )
    if settings.bertscore_model is not None and track.language == "en":
        from pipeline.evaluation.bertscore import bertscore_statistic  # deferred: it loads torch

        metrics["bertscore"] = bertscore_statistic(hypotheses, targets, settings.bertscore_model)
    return ScoredSystem(system, ids, metrics)


def _system_report(result: ScoredSystem, references: dict[str, str], settings: EvaluationSettings) -> SystemScores:
    scores = {
        name: Score(
            score=statistic.score(),
            ci=_bounds(confidence_interval(statistic, settings.bootstrap)),
            signature=f"{statistic.signature}|{settings.bootstrap.signature()}",
        )
        for name, statistic in result.metrics.items()
    }
    return SystemScores(
        **result.system.identity(),
        documents=len(result.ids),
        missing_hypothesis=[key for key in references if key not in result.system.texts],
        scores=scores,
    )


def _pairs(scored: list[ScoredSystem]) -> list[tuple[ScoredSystem, ScoredSystem]]:
    """Each system of the first run against the baseline and against the same output of the compared run."""
    first_run = scored[0].system.run
    ours = [s for s in scored if s.system.run == first_run and not s.system.baseline]
    baselines = [s for s in scored if s.system.baseline]
    theirs = {s.system.output: s for s in scored if s.system.run != first_run}
    pairs = [(system, baseline) for system in ours for baseline in baselines]
    pairs += [(system, theirs[system.system.output]) for system in ours if system.system.output in theirs]
    return [(a, b) for a, b in pairs if a.metrics and b.metrics]


def _bounds(interval: Interval | None) -> tuple[float, float] | None:
    return None if interval is None else (interval.low, interval.high)


def _compare(system: ScoredSystem, baseline: ScoredSystem, settings: EvaluationSettings) -> Comparison:
    """Paired bootstrap on the documents both have scores for; the difference is system minus baseline.

    Below MIN_DOCUMENTS shared documents the differences are given untested, as not significant, with a note.
    """
    theirs_at = {key: position for position, key in enumerate(baseline.ids)}
    ours = np.array([position for position, key in enumerate(system.ids) if key in theirs_at], dtype=int)
    theirs = np.array([theirs_at[system.ids[position]] for position in ours], dtype=int)
    shared_metrics = [name for name in system.metrics if name in baseline.metrics] if len(ours) else []
    tests = {
        name: paired_bootstrap(
            system.metrics[name].subset(ours), baseline.metrics[name].subset(theirs), settings.bootstrap
        )
        for name in shared_metrics
    }
    metrics = {
        name: PairedTest(
            difference=result.difference,
            ci=_bounds(result.interval),
            p_value=result.p_value,
            significant=result.p_value is not None and result.p_value < 1 - settings.bootstrap.confidence,
        )
        for name, result in tests.items()
    }
    shared = len(ours)
    return Comparison(
        system=SystemIdentity(**system.system.identity()),
        baseline=SystemIdentity(**baseline.system.identity()),
        documents=shared,
        test=f"paired-bootstrap|{settings.bootstrap.signature()}",
        metrics=metrics,
        note=None
        if shared >= MIN_DOCUMENTS
        else f"not tested: {shared} shared document{'' if shared == 1 else 's'}, fewer than {MIN_DOCUMENTS}",
    )


def _rows(track: Track, result: ScoredSystem, document_words: dict[str, int]) -> list[ScoreRow]:
    """scores.jsonl rows; metric values sit under ``scores`` so no metric name can clash with a row field."""
    per_document = {name: statistic.document_scores() for name, statistic in result.metrics.items()}
    return [
        ScoreRow(
            id=key,
            track=track.name,
            **result.system.identity(),
            scores={name: float(values[position]) for name, values in per_document.items()},
            words=len(words(result.system.texts[key])),
            source_words=document_words.get(key),
        )
        for position, key in enumerate(result.ids)
    ]
