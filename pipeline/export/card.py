"""The dataset card: Hub metadata plus prose generated from the runs.

The prose says how every split was made (models, revisions, settings), what was left out and why, and how
well it scored, so the exported dataset stays interpretable without the run folders. Languages, in the metadata and
the prose, are those the runs declare: a run that back-translates into Bengali adds `bn`. The models named are the
ones each run used (its results' and its manifest's), and a run that did not finish is flagged under the title.

Every string from the run folders (names, models, config values, errors) goes through `pipeline.text.markdown`,
so it reads as text and can add no heading, table cell or HTML; the YAML metadata is written by a YAML dumper.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from datasets import Dataset, DatasetDict, Value
from huggingface_hub import DatasetCard, DatasetCardData

from pipeline.evaluation.bootstrap import MIN_DOCUMENTS
from pipeline.text.markdown import fenced, markdown_code, markdown_text
from pipeline.export.features import ColumnPlan, flag_column
from pipeline.export.folder import ARROW_DIR, parquet_pattern
from pipeline.export.runs import Run
from pipeline.io.run_folder import Manifest
from pipeline.records import OutputField, count_flags

SIZE_CATEGORIES = (
    "n<1K",
    "1K<n<10K",
    "10K<n<100K",
    "100K<n<1M",
    "1M<n<10M",
    "10M<n<100M",
    "100M<n<1B",
    "1B<n<10B",
    "10B<n<100B",
    "100B<n<1T",
    "n>1T",
)
REASON_WIDTH = 160
METRIC_DESCRIPTION = (
    "per-document score of an output by a metric (`<output>_<metric>`), from the run's scores.jsonl written by "
    "scripts/evaluate.py; null where the document was not scored"
)


def size_category(examples: int) -> str:
    """The Hub's size bucket: each bucket spans one power of ten from 1K up."""
    bucket = 0
    while bucket + 1 < len(SIZE_CATEGORIES) and examples >= 1000 * 10**bucket:
        bucket += 1
    return SIZE_CATEGORIES[bucket]


def _document_means(run: Run, split: Dataset) -> list[tuple[str, float, int]]:
    """(column, mean, documents) over the exported documents that have the score: the figure without report.json."""
    return [
        (column, sum(present) / len(present), len(present))
        for column in run.score_columns
        if (present := [value for value in split[column] if value is not None])
    ]


def failure_reasons(run: Run) -> list[tuple[str, str, int]]:
    """Failures grouped by stage and the first line of their error, most frequent first."""
    reasons = Counter((failure.stage, _first_line(failure.error)) for failure in run.stored.failures.values())
    return [(stage, reason, count) for (stage, reason), count in reasons.most_common()]


def languages(runs: Iterable[Run]) -> list[str]:
    """The ISO 639 codes of the texts: each run's input, then its outputs', in order of appearance."""
    return list(
        dict.fromkeys(
            code
            for run in runs
            for code in [run.stored.source_language, *(output.language for output in run.stored.outputs)]
        )
    )


def build_card(dataset: DatasetDict, splits: Mapping[str, Run], plan: ColumnPlan, license_id: str) -> DatasetCard:
    total = sum(len(data) for data in dataset.values())
    data = DatasetCardData(
        language=languages(splits.values()),
        license=license_id,
        task_categories=["translation", "summarization"],
        multilinguality=["translation"],
        annotations_creators=["machine-generated"],
        size_categories=[size_category(total)],
        pretty_name=f"hindi-pipeline outputs: {', '.join(run.stored.name for run in splits.values())}",
        configs=[
            {
                "config_name": "default",
                "data_files": [{"split": split, "path": parquet_pattern(split)} for split in dataset],
            }
        ],
    )
    sections = [
        f"# {markdown_text(data.pretty_name)}",
        *_unfinished_warnings(splits),
        _overview(dataset, splits, plan),
        _columns(dataset, splits, plan),
        _models(splits),
        _settings(splits),
        _left_out(splits),
        _quality_flags(splits),
        _metrics(dataset, splits),
        _loading(),
    ]
    return DatasetCard(f"---\n{data.to_yaml()}\n---\n\n" + "\n\n".join(sections) + "\n")


def _unfinished_warnings(splits: Mapping[str, Run]) -> list[str]:
    return [
        f"> **Warning: unfinished run.** Split {markdown_code(split)} (run {markdown_code(run.stored.name)}): "
        f"{markdown_text('; '.join(run.unfinished))}; its examples may be incomplete."
        for split, run in splits.items()
        if run.unfinished
    ]


def _overview(dataset: DatasetDict, splits: Mapping[str, Run], plan: ColumnPlan) -> str:
    rows = [
        (_cell_code(split), _cell_code(run.stored.name), len(dataset[split]), len(run.stored.failures))
        for split, run in splits.items()
    ]
    made = ", ".join(
        f"{markdown_code(output.column)} ({markdown_text(_languages(output))}, {_made_by(output, splits)})"
        for output in plan.outputs
    )
    text = (
        f"Documents in {_codes(_source_languages(splits))} and what the hindi-pipeline made of them: "
        f"{made}; one split per pipeline run.\n\n" + _table(("split", "run", "examples", "left out"), rows)
    )
    for output in plan.outputs:
        if output.kind != "translation":
            continue
        untranslated = sum(list(data["source_language"]).count(output.language) for data in dataset.values())
        if untranslated:
            language = markdown_code(output.language)
            text += (
                f"\n\n{untranslated} examples come from input in {language}: translation was skipped, so "
                f"`source` is in {language}, `source_language` is {language} and "
                f"{markdown_code(output.column)} is null."
            )
    return text


@dataclass(frozen=True)
class _ModelUse:
    stage: str
    model: str
    revision: str | None
    examples: int | None  # exported examples whose result names it; None: only manifest.json names it


def _model_uses(run: Run) -> list[_ModelUse]:
    """The models a run used: those its exported results name, counted, then any other its manifest names."""
    counted = Counter(
        (stage, info["model"], info.get("revision"))
        for result in run.stored.exported
        for stage, info in result.stages.items()
        if info.get("model")
    )
    uses = [_ModelUse(stage, model, revision, count) for (stage, model, revision), count in counted.items()]
    named = {(use.stage, use.model) for use in uses}
    declared = run.stored.manifest.models if run.stored.manifest is not None else {}
    return uses + [
        _ModelUse(stage, str(info["model"]), str(info["revision"]) if info.get("revision") else None, None)
        for stage, info in declared.items()
        if info.get("model") and (stage, str(info["model"])) not in named
    ]


def _made_by(output: OutputField, splits: Mapping[str, Run]) -> str:
    """The models of the stage that wrote the output, in any run."""
    uses = [use for run in splits.values() for use in _model_uses(run)]
    models = dict.fromkeys(use.model for use in uses if use.stage == output.stage)
    return f"by {', '.join(map(markdown_text, models))}" if models else "no model named"


def _columns(dataset: DatasetDict, splits: Mapping[str, Run], plan: ColumnPlan) -> str:
    descriptions = {
        "id": "document id from the pipeline input",
        "source_language": f"the language of `source`: {_codes(_source_languages(splits))}",
        "source": "the input document exactly as the pipeline read it",
        **{reference: "reference supplied with the input" for reference in plan.references},
        "flags": "problems the pipeline found in the document's outputs, as `<output>:<problem>` (see Quality flags); "
        "empty when none",
        **{flag_column(flag): f"true when `flags` holds {markdown_code(flag)}" for flag in plan.flags},
    }
    for output in plan.outputs:
        descriptions[output.column] = _output_description(output)
        descriptions[output.reference] = f"reference for {markdown_code(output.column)} supplied with the input"
        descriptions.setdefault(output.model_column, f"model id of the {markdown_code(output.stage)} stage")
    features = next(iter(dataset.values())).features
    lines = [
        f"- {markdown_code(name)} ({markdown_text(_type_name(feature))}): {descriptions.get(name, METRIC_DESCRIPTION)}"
        for name, feature in features.items()
    ]
    return "## Columns\n\n" + "\n".join(lines)


def _output_description(output: OutputField) -> str:
    written = f"{markdown_code(output.name)} of results.jsonl, written by the {markdown_code(output.stage)} stage"
    if output.kind == "translation":
        pair = f"{{{output.source_language}: source, {output.language}: translation}}"
        return f"{markdown_code(pair)} ({written}); null when the document was not translated"
    translated = f", translated from {markdown_code(output.source_language)}" if output.source_language else ""
    language = markdown_code(output.language)
    return f"{markdown_text(output.kind)} in {language}{translated} ({written}); null where there is none"


def _languages(output: OutputField) -> str:
    return f"{output.source_language}→{output.language}" if output.kind == "translation" else output.language


def _source_languages(splits: Mapping[str, Run]) -> list[str]:
    return list(dict.fromkeys(run.stored.source_language for run in splits.values()))


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(map(markdown_code, codes))


def _models(splits: Mapping[str, Run]) -> str:
    rows = [
        (
            _cell_code(split),
            _cell_code(use.stage),
            markdown_text(use.model),
            markdown_text(use.revision or "(unpinned)"),
            "– (manifest.json only)" if use.examples is None else use.examples,
        )
        for split, run in splits.items()
        for use in _model_uses(run)
    ]
    return "## Models\n\n" + _table(("split", "stage", "model", "revision", "examples"), rows)


def _settings(splits: Mapping[str, Run]) -> str:
    return "## Generation settings\n\n" + "\n\n".join(_run_settings(split, run) for split, run in splits.items())


def _run_settings(split: str, run: Run) -> str:
    stages = [result.stages for result in run.stored.exported]
    lines = [f"### {markdown_code(split)} (run {markdown_code(run.stored.name)})", ""]
    for name in ("translate", "back_translate"):
        infos = [stage[name] for stage in stages if name in stage]
        if infos:
            placements = _tally(f"{info.get('device')} / {info.get('dtype')}" for info in infos)
            lines.append(f"- `{name}` ran on {placements}")
    summaries = [stage["summarize"] for stage in stages if "summarize" in stage]
    if summaries:
        truncated = sum(1 for info in summaries if info.get("truncated"))
        lines.append(
            f"- summarization strategy: {_tally(str(info.get('strategy')) for info in summaries)}; "
            f"input truncated for {truncated} of {len(summaries)} documents"
        )
    if run.stored.manifest is None:
        return "\n".join([*lines, "- no manifest.json: run configuration unknown"])
    return "\n".join(lines + _manifest_lines(run.stored.manifest))


def _manifest_lines(manifest: Manifest) -> list[str]:
    """The run as its manifest describes it; what an unfinished run's manifest lacks is said, not shown as None."""
    ended = f"to {markdown_text(manifest.finished_at)}" if manifest.finished_at else "on, unfinished"
    # Its flags are under Quality flags, counted over the exported examples.
    counts = "none recorded" if manifest.counts is None else _pairs(manifest.counts.model_dump(exclude={"flags"}))
    return [
        f"- device {markdown_text(str(manifest.device))}, dtype {markdown_text(str(manifest.dtype))}",
        f"- input {markdown_code(str(manifest.input))}, ran from {markdown_text(str(manifest.started_at))} {ended}",
        f"- versions: {_pairs(manifest.versions)}",
        f"- pipeline counts: {counts}",
        "",
        "<details><summary>resolved configuration</summary>",
        "",
        fenced(yaml.safe_dump(manifest.config, allow_unicode=True, sort_keys=False).rstrip(), "yaml"),
        "",
        "</details>",
    ]


def _left_out(splits: Mapping[str, Run]) -> str:
    failed = sum(len(run.stored.failures) for run in splits.values())
    if not failed:
        return "## Left out\n\nNo document failed: every result of every run is included."
    rows = [
        (_cell_code(split), _cell_code(stage), markdown_text(reason), count)
        for split, run in splits.items()
        for stage, reason, count in failure_reasons(run)
    ]
    return (
        f"## Left out\n\n{failed} documents failed in the pipeline (listed in the runs' errors.jsonl) and are not "
        "in the dataset, even where a partial result was written for them:\n\n"
        + _table(("split", "stage", "reason", "documents"), rows)
    )


def _quality_flags(splits: Mapping[str, Run]) -> str:
    rows = [
        (_cell_code(split), _cell_code(flag), count)
        for split, run in splits.items()
        for flag, count in count_flags(run.stored.exported).items()
    ]
    if not rows:
        return "## Quality flags\n\nNo example is flagged: the pipeline found no degenerate output in the examples."
    return (
        "## Quality flags\n\nExamples whose `flags` name a problem the pipeline found in one of their outputs "
        "(`<output>:<problem>`): `loop` (an n-gram repeated back to back; a loop at the end of an output was cut "
        "back to its first occurrence unless the run's guard kept it), `too_long` (a translation far longer than its "
        "source), `untranslated` (a translation mostly in the source's script), `empty` (no text for a non-empty "
        "input), `wrong_language` and `mixed_script` (an output not in its language, or with many letters in "
        "another script). They are in the dataset as written; filter on `flags` to leave them out.\n\n"
        + _table(("split", "flag", "examples"), rows)
    )


def _metrics(dataset: DatasetDict, splits: Mapping[str, Run]) -> str:
    rows, signatures = [], []
    for split, run in splits.items():
        if run.report is None:
            means = _document_means(run, dataset[split])
            rows += [
                (_cell_code(split), _cell_code(column), f"{mean:.2f}", "–", count) for column, mean, count in means
            ]
            continue
        for score in run.report.scores:
            interval = _interval(score.interval, run.report.confidence)
            rows.append((_cell_code(split), _cell_code(score.column), f"{score.score:.2f}", interval, score.documents))
            signatures.append(
                f"- {markdown_code(split)} {markdown_code(score.column)}: {markdown_code(score.signature)}"
            )
    if not rows:
        return "## Metrics\n\nNo scores: the runs were not evaluated, or their outputs had no references."
    parts = [
        "## Metrics\n\nScores of each run's own outputs by scripts/evaluate.py: the corpus scores of the run's "
        "report.json with bootstrap confidence intervals (`documents`: how many it scored; a score from fewer than "
        f"{MIN_DOCUMENTS} documents has none), or, for a run without report.json, the mean of the exported "
        "documents' scores (`documents`: how many had one).",
        _table(("split", "column", "score", "confidence interval", "documents"), rows),
    ]
    if signatures:
        parts.append("Signatures, naming every setting behind a score:\n\n" + "\n".join(signatures))
    return "\n\n".join(parts)


def _loading() -> str:
    return (
        "## Loading\n\n"
        "```python\n"
        "from datasets import load_dataset, load_from_disk\n\n"
        'dataset = load_dataset("path/to/this/folder")  # or the Hub repo id; reads the Parquet shards\n'
        f'dataset = load_from_disk("path/to/this/folder/{ARROW_DIR}")  # the local Arrow copy\n'
        "```"
    )


def _type_name(feature: Any) -> str:
    return feature.dtype if isinstance(feature, Value) else repr(feature)


def _interval(interval: tuple[float, float] | None, confidence: float) -> str:
    if interval is None:
        return f"none: fewer than {MIN_DOCUMENTS} documents"
    return f"{confidence:.0%} [{interval[0]:.2f}, {interval[1]:.2f}]"


def _tally(values: Iterable[str]) -> str:
    return ", ".join(f"{markdown_text(value)} ({count})" for value, count in Counter(values).most_common())


def _pairs(values: Mapping[str, Any]) -> str:
    return ", ".join(markdown_text(f"{key} {value}") for key, value in values.items())


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "(no message)"
    return line if len(line) <= REASON_WIDTH else line[: REASON_WIDTH - 1] + "…"


def _cell_code(text: str) -> str:
    return markdown_code(text, table_cell=True)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)
