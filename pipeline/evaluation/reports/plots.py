"""Figures of per-document scores and comparisons, drawn with matplotlib's object API (no pyplot state).

Each figure becomes SVG text, so the HTML report embeds it and opens without a network or other files.
"""

from __future__ import annotations

import io
from collections import defaultdict

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from pipeline.evaluation.reports.tables import METRIC_NAMES, metric_names, system_name
from pipeline.io.evaluation_files import ScoreRow, TrackReport

HEADLINE_METRIC = {"rouge": "rougeLsum", "translation": "chrf++"}  # the score plotted against document length
SCORE_BINS = np.linspace(0, 100, 21)
LABEL_WIDTH = 80  # characters of a system's name in a legend or on an axis


def svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "pipeline-evaluation"}):  # stable element ids: reports diff cleanly
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def _plain(label: str) -> str:
    """A label as plain text on one short line: matplotlib reads $…$ as a formula, and a malformed one fails the
    figure; a very long label would squeeze the plot to nothing."""
    line = " ".join(label.split())
    return (line if len(line) <= LABEL_WIDTH else line[: LABEL_WIDTH - 1] + "…").replace("$", r"\$")


def _by_system(rows: list[ScoreRow]) -> dict[str, list[ScoreRow]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[_plain(system_name(row))].append(row)
    return grouped


def distribution_figure(track: TrackReport, rows: list[ScoreRow]) -> Figure | None:
    """One histogram per metric, one outline per system: where the mass of documents lies, and the floor at 0."""
    metrics = metric_names(track)
    if not metrics or not rows:
        return None
    columns = min(len(metrics), 4)
    figure = Figure(figsize=(3.4 * columns, 2.8 * -(-len(metrics) // columns)), layout="constrained")
    axes = figure.subplots(-(-len(metrics) // columns), columns, squeeze=False).ravel()
    for ax, metric in zip(axes, metrics, strict=False):
        for name, system_rows in _by_system(rows).items():
            values = [row.scores[metric] for row in system_rows]
            ax.hist(values, bins=SCORE_BINS, histtype="step", linewidth=1.5, label=name)
        ax.set_title(METRIC_NAMES.get(metric, metric))
        ax.set_xlabel("score per document")
        ax.set_ylabel("documents")
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize="small")
    return figure


def length_figure(track: TrackReport, rows: list[ScoreRow]) -> Figure | None:
    """Headline score against source length: does quality fall for long documents (truncation, chunking)?"""
    metric = HEADLINE_METRIC[track.family]
    rows = [row for row in rows if row.source_words and metric in row.scores]
    if not rows:
        return None
    figure = Figure(figsize=(7, 4), layout="constrained")
    ax = figure.subplots()
    for name, system_rows in _by_system(rows).items():
        lengths, scores = [r.source_words for r in system_rows], [r.scores[metric] for r in system_rows]
        ax.scatter(lengths, scores, s=12, alpha=0.6, label=name)
    ax.set_xlabel("source document length (words)")
    ax.set_ylabel(f"{METRIC_NAMES.get(metric, metric)} per document")
    ax.legend(fontsize="small")
    return figure


def comparison_figure(track: TrackReport) -> Figure | None:
    """Differences with their confidence intervals; an interval clear of 0 is a significant difference.

    Untested differences (too few documents) have no interval and are left out."""
    entries = [
        (_plain(f"{METRIC_NAMES.get(metric, metric)}: {system_name(c.system)} − {system_name(c.baseline)}"), result)
        for c in track.comparisons
        for metric, result in c.metrics.items()
        if result.ci is not None
    ]
    if not entries:
        return None
    figure = Figure(figsize=(8, 0.9 + 0.35 * len(entries)), layout="constrained")
    ax = figure.subplots()
    for position, (_label, result) in enumerate(entries):
        low, high = result.ci
        color = "tab:green" if result.significant else "tab:gray"
        ax.errorbar(
            result.difference,
            position,
            # identical documents resample to one difference, which rounding can leave a hair outside [low, high]
            xerr=[[max(0.0, result.difference - low)], [max(0.0, high - result.difference)]],
            fmt="o",
            color=color,
            capsize=3,
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(entries)), [label for label, _result in entries])
    ax.invert_yaxis()
    ax.set_xlabel("difference in score points (green: significant)")
    return figure
