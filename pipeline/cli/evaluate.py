"""Score pipeline outputs against references and write report.json, report.md, report.html and scores.jsonl.

Examples:
  python scripts/evaluate.py outputs/my-run
  python scripts/evaluate.py outputs/my-run --references refs.jsonl --compare outputs/baseline-run
  python scripts/evaluate.py ../shared/data/news-summaries/cnndm.jsonl --out outputs/cnndm-eval \\
      --hypothesis-field systems.bart --reference-field reference --source-field article --sentence-splitter tokenized

With --compare the reports go to a folder of their own, compare-<INPUT>-vs-<OTHER> beside INPUT (or
--compare-output DIR); the runs' own reports are never touched, and a second comparison of the same runs
replaces the first.

A run folder's manifest.json declares the outputs its stages wrote, with their languages and references: each
is scored as one track (a back-translation into Bengali is the track summary_bn, scored against
reference_summary_bn). Plain files and older run folders are scored on summary, translation and summary_hi.

Exit status: 0 when the reports are written; 2 for bad input or nothing to score (no results, every document
failed, no record with both an output and its reference, --references matching no id), with one line on stderr
naming the file (and line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.errors import InputError
from pipeline.evaluation.bootstrap import BootstrapSettings
from pipeline.evaluation.records import join_references, read_run
from pipeline.evaluation.reports import write_reports
from pipeline.evaluation.sentences import SPLITTERS
from pipeline.evaluation.suite import Evaluation, EvaluationSettings, evaluate
from pipeline.evaluation.tracks import FieldChoice, choose_tracks, english_translation_field
from pipeline.io.evaluation_files import comparison_folder
from pipeline.records import OutputField

PROG = "evaluate.py"


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "input",
        type=Path,
        metavar="INPUT",
        help="a run folder (its results.jsonl, manifest.json and errors.jsonl are read), "
        "or a JSONL / Parquet file, or a `datasets` save_to_disk folder",
    )
    parser.add_argument(
        "--references",
        type=Path,
        metavar="FILE",
        help="JSONL / Parquet / `datasets` folder with the reference fields, joined to INPUT on the id field; "
        "its values replace INPUT's own",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where the reports go (default: the run folder, or INPUT's folder); "
        "not with --compare"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="OTHER",
        help="a second run (same forms as INPUT) scored on INPUT's references; each output is tested against "
        "INPUT's with a paired bootstrap on the shared ids (difference = INPUT − OTHER). The reports go to "
        "--compare-output, not into either run's folder",
    )
    parser.add_argument(
        "--compare-output",
        type=Path,
        metavar="DIR",
        help="where the comparison's reports go (default: compare-<INPUT>-vs-<OTHER> beside INPUT, also when OTHER "
        "lies elsewhere; a rerun replaces it); a run's folder is refused",
    )
    fields = parser.add_argument_group(
        "fields",
        "A name, or a dotted path into nested objects such as systems.bart. A run folder's manifest declares its "
        "outputs and their references; these options replace the fields of the track of the same name (summary, "
        "translation, summary_hi), or add that track to a run that declares none of that name.",
    )
    fields.add_argument(
        "--id-field", metavar="FIELD", default="id", help="document id used for joins and pairing (default: id)"
    )
    fields.add_argument(
        "--hypothesis-field",
        action="append",
        metavar="FIELD",
        help="English summary to score; repeat to score several systems of one file (default: summary)",
    )
    fields.add_argument(
        "--reference-field",
        metavar="FIELD",
        help="reference English summary (default: as declared, else reference_summary)",
    )
    fields.add_argument("--translation-field", metavar="FIELD", help="English translation (default: translation)")
    fields.add_argument(
        "--reference-translation-field",
        metavar="FIELD",
        help="reference English translation (default: as declared, else reference_translation)",
    )
    fields.add_argument(
        "--summary-hi-field", metavar="FIELD", help="back-translated Hindi summary (default: summary_hi)"
    )
    fields.add_argument(
        "--reference-summary-hi-field",
        metavar="FIELD",
        help="reference Hindi summary (default: as declared, else reference_summary_hi)",
    )
    fields.add_argument(
        "--source-field",
        metavar="FIELD",
        default="source",
        help="the input document (default: source); its length is plotted against scores, and when it is in "
        "Latin script and there is no translation it is the English source of the lead baseline and novelty",
    )
    scoring = parser.add_argument_group("scoring")
    scoring.add_argument(
        "--sentence-splitter",
        choices=[name for name in SPLITTERS if name != "pysbd-hi"],
        default="pysbd",
        help="sentence boundaries for English ROUGE-Lsum: pysbd (running text, default) or tokenized "
        "(breaks after stand-alone . ! ? tokens, for pre-tokenized text like the CNN/DM highlights); "
        "Hindi, Bengali and other languages written with the danda always use pysbd's Hindi rules",
    )
    scoring.add_argument(
        "--lead-sentences",
        type=int,
        default=3,
        metavar="K",
        help="sentences of the English source in the lead-K baseline (default: 3; 0 turns it off)",
    )
    scoring.add_argument(
        "--bootstrap-samples",
        type=int,
        default=1000,
        metavar="N",
        help="bootstrap resamples for confidence intervals and paired tests (default: 1000)",
    )
    scoring.add_argument("--seed", type=int, default=12345, help="seed of the bootstrap resampling (default: 12345)")
    scoring.add_argument(
        "--confidence", type=float, default=0.95, help="confidence level of intervals and tests (default: 0.95)"
    )
    scoring.add_argument(
        "--bertscore-model",
        type=Path,
        metavar="PATH",
        help="local Hugging Face encoder folder for BERTScore F1 of English outputs (default: BERTScore skipped)",
    )
    return parser


def parse_arguments(argv: list[str] | None, prog: str = PROG) -> argparse.Namespace:
    parser = build_parser(prog)
    arguments = parser.parse_args(argv)
    if arguments.bootstrap_samples < 1:
        parser.error("--bootstrap-samples must be at least 1")
    if not 0 < arguments.confidence < 1:
        parser.error("--confidence must be between 0 and 1")
    if arguments.lead_sentences < 0:
        parser.error("--lead-sentences must be 0 or more")
    if arguments.compare is None and arguments.compare_output is not None:
        parser.error("--compare-output is for --compare")
    if arguments.compare is not None and arguments.out is not None:
        parser.error("--out is for one run's reports; a comparison goes to --compare-output")
    return arguments


def field_choices(arguments: argparse.Namespace) -> dict[str, FieldChoice]:
    """The fields the options name, per track; an option not given leaves its field as the run declares it."""
    summaries = tuple(arguments.hypothesis_field) if arguments.hypothesis_field else None
    translation = None if arguments.translation_field is None else (arguments.translation_field,)
    summary_hi = None if arguments.summary_hi_field is None else (arguments.summary_hi_field,)
    return {
        "summary": FieldChoice(summaries, arguments.reference_field),
        "translation": FieldChoice(translation, arguments.reference_translation_field),
        "summary_hi": FieldChoice(summary_hi, arguments.reference_summary_hi_field),
    }


def settings_from(arguments: argparse.Namespace, declared: list[OutputField] | None) -> EvaluationSettings:
    """`declared`: the outputs of INPUT's manifest, a track each; None for the classic layout."""
    tracks = choose_tracks(declared, field_choices(arguments))
    return EvaluationSettings(
        tracks=tracks,
        id_field=arguments.id_field,
        source_field=arguments.source_field,
        translation_field=english_translation_field(tracks),
        lead_sentences=arguments.lead_sentences,
        sentence_splitter=arguments.sentence_splitter,
        bootstrap=BootstrapSettings(arguments.bootstrap_samples, arguments.seed, arguments.confidence),
        bertscore_model=arguments.bertscore_model,
    )


def check_scored(evaluation: Evaluation, settings: EvaluationSettings, source: Path) -> None:
    """An evaluation that scored no document is an error: a report of nothing would pass for a result."""
    tracks = evaluation.report.tracks
    if not tracks:
        fields = ", ".join(name for track in settings.tracks for name in track.hypothesis_fields)
        raise InputError(f"{source}: no record has any of the fields {fields}")
    if not any(system.documents for track in tracks for system in track.systems):
        pairs = "; ".join(f"{' or '.join(track.hypothesis_fields)} with {track.reference_field}" for track in tracks)
        raise InputError(f"{source}: nothing to score: no record has both an output and its reference ({pairs})")


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    arguments = parse_arguments(argv, prog)
    try:
        if arguments.bertscore_model is not None and not arguments.bertscore_model.is_dir():
            raise InputError(f"{arguments.bertscore_model}: no such model folder (--bertscore-model)")
        if arguments.compare is None:
            out_dir = arguments.out or (arguments.input if arguments.input.is_dir() else arguments.input.parent)
        else:
            out_dir = comparison_folder(arguments.input, arguments.compare, arguments.compare_output)
        run = read_run(arguments.input)
        settings = settings_from(arguments, run.declared_outputs)
        if arguments.references is not None:
            reference_fields = [track.reference_field for track in settings.tracks]
            run = join_references(run, arguments.references, reference_fields, settings.id_field)
        other = read_run(arguments.compare) if arguments.compare is not None else None
        evaluation = evaluate(run, other, settings)
        check_scored(evaluation, settings, arguments.input)
        written = write_reports(evaluation, out_dir)
    except (InputError, OSError) as error:  # OSError: e.g. an --out folder that cannot be written; it names the path
        one_line = " ".join(str(error).split())  # wrapped third-party messages may span lines
        print(f"{prog}: error: {one_line}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0

