"""BLEU and chrF++ through sacrebleu, with sacrebleu's default settings and signatures.

sacrebleu keeps each segment's sufficient statistics (n-gram matches and totals) behind private methods that
its own significance tests use; we call the same ones, so bootstrapped and per-document scores are computed
by sacrebleu's code, not re-implemented. A document scored alone keeps the corpus settings (BLEU keeps
``eff:no``), so per-document BLEU of short segments is low: it is for ranking and plots.
"""

from __future__ import annotations

import numpy as np
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.metrics.base import Metric

from pipeline.evaluation.bootstrap import CorpusStatistic



def translation_statistics(hypotheses: list[str], references: list[str]) -> dict[str, CorpusStatistic]:
    """BLEU and chrF++ (chrF with word bigrams, ``word_order=2``), the two scores FLORES-200 results report."""
    return {
        "bleu": _sacrebleu_statistic(BLEU(), hypotheses, references),
        "chrf++": _sacrebleu_statistic(CHRF(word_order=2), hypotheses, references),
    }


def _sacrebleu_statistic(metric: Metric, hypotheses: list[str], references: list[str]) -> CorpusStatistic:
    """Per-segment sufficient statistics; their totals give exactly ``metric.corpus_score``."""
    statistics = np.array(metric._extract_corpus_statistics(hypotheses, [references]), dtype=float)
    return CorpusStatistic(
        statistics,
        lambda totals, _count: metric._compute_score_from_stats(totals).score,
        metric.get_signature().format(),  # known only now: it names the reference count
    )
