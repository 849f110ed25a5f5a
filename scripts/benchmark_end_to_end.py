#!/usr/bin/env python
"""The whole run (prepare → translate → summarize, results written) against the naive composition of the models.

`python scripts/benchmark_end_to_end.py [--quick] [--device cuda] [--json report.json]`
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from pipeline.benchmarking.workload import add_workload_arguments, ready, workload
from pipeline.logs import add_logging_options, configure_logging

REPO_ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Build real-size IndicTrans2 (indic-en dist-200M) and BART-large-CNN models with random weights, make a "
            "corpus of Hindi news-length documents from FLORES-200 devtest, and time run.py's code path (stages "
            "one batch at a time, then overlapped) against the naive composition of the models' reference usages, "
            "then the overlapped run at larger corpus sizes (the cost curve). Prints documents/s, sentences/s, "
            "tokens/s, each stage's share of the wall time, and whether the outputs agree."
        ),
        epilog="Timings vary with the machine's load: compare rows of one run. Exit 1: outputs of the pipeline's "
               "two schedules differ; 2: the data or the device is missing.",
    )
    parser.add_argument("--documents", type=int, default=None, help="documents of the 1x corpus (default 4; quick 2)")
    parser.add_argument("--sentences-per-document", type=int, default=None, help="default 24 (quick: 8)")
    parser.add_argument("--scales", default=None, help="corpus sizes of the cost curve (default 1,4,16; quick 1,2)")
    parser.add_argument("--batch-size", type=int, default=8, help="documents per batch of the run (default 8)")
    add_workload_arguments(parser, REPO_ROOT)
    add_logging_options(parser)  # quick: 2 short documents, scales 1 and 2
    return parser.parse_args(argv)


def table(report: dict) -> str:
    lines = [f"device: {report['device']} ({report['precision']}); models: {report['models']}; "
             f"output tokens: {report['output_tokens']}",
             "| path | docs | s | docs/s | sentences/s | tokens/s | speedup | stage shares | other |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in report["rows"]:
        shares = ", ".join(f"{stage} {100 * share:.0f}%" for stage, share in row["stage_share"].items())
        other = f"{100 * row['other_share']:.0f}%" if "other_share" in row else ""
        lines.append(f"| {row['path']} | {row['documents']} | {row['seconds']} | {row['documents_per_second']} | "
                     f"{row['sentences_per_second']} | {row['tokens_per_second']} | {row.get('speedup', 1.0)}x | "
                     f"{shares} | {other} |")
    lines.append(f"overlap gain (overlap off / on): {report['overlap_gain']}x")
    lines.append("cost curve: " + ", ".join(f"{point['scale']}x {point['documents']} docs "
                                             f"{point['documents_per_second']} docs/s" for point in report["cost_curve"]))
    for row in report["rows"][1:]:
        lines.append(f"{row['path']}: same outputs as naive {row['agrees_with_naive']}"
                     + (f", as overlap off {row['agrees_with_overlap_off']}" if "agrees_with_overlap_off" in row else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args)
    if not ready(args):
        return 2
    from pipeline.benchmarking.end_to_end import EndToEnd, Options

    scales = tuple(int(scale) for scale in (args.scales or ("1,2" if args.quick else "1,4,16")).split(","))
    with tempfile.TemporaryDirectory(prefix="end-to-end-") as scratch:
        options = Options(
            **workload(args, Path(scratch)), documents=args.documents or (2 if args.quick else 4),
            sentences_per_document=args.sentences_per_document or (8 if args.quick else 24),
            scales=scales, batch_size=args.batch_size,
        )
        report = EndToEnd(options).run()
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    schedules_agree = report["rows"][2]["agrees_with_overlap_off"] == {"translation": 1.0, "summary": 1.0}
    return 0 if schedules_agree else 1


if __name__ == "__main__":
    sys.exit(main())
