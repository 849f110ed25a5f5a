"""Bootstrap confidence intervals and the paired bootstrap test (Koehn 2004) over documents.

Every corpus score is a function of per-document sufficient statistics (a ROUGE F-measure, BLEU's
n-gram counts, chrF's character and word n-gram counts), so a resample of documents re-derives the
corpus score exactly, whatever the metric. A resample is stored as how often each document was drawn,
so its totals are one matrix product. The same seed gives the same resamples to every system and metric:
the paired test needs the same resamples on both sides, and results reproduce.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

import numpy as np


@dataclass(frozen=True)
class BootstrapSettings:
    samples: int = 1000
    seed: int = 12345
    confidence: float = 0.95

    def signature(self) -> str:
        return f"bs:{self.samples}|rs:{self.seed}|ci:{self.confidence * 100:g}|numpy:{version('numpy')}"

    def resample_counts(self, documents: int) -> np.ndarray:
        """(samples, documents): how often each document is drawn when drawing `documents` with replacement."""
        uniform = np.full(documents, 1 / documents)
        return np.random.default_rng(self.seed).multinomial(documents, uniform, size=self.samples)


@dataclass(frozen=True)
class CorpusStatistic:
    """A corpus score, the per-document statistics it is computed from, and the signature of how."""

    statistics: np.ndarray  # (documents, k)
    score_from_totals: Callable[[np.ndarray, int], float]  # column totals (k,), document count -> score
    signature: str

    @classmethod
    def mean(cls, values: np.ndarray, signature: str) -> CorpusStatistic:
        return cls(np.asarray(values, dtype=float)[:, None], lambda totals, count: float(totals[0] / count), signature)

    def subset(self, positions: np.ndarray) -> CorpusStatistic:
        return CorpusStatistic(self.statistics[positions], self.score_from_totals, self.signature)

    @property
    def documents(self) -> int:
        return len(self.statistics)

    def document_scores(self) -> np.ndarray:
        """Each document scored alone."""
        return np.array([self.score_from_totals(row, 1) for row in self.statistics])

    def score(self) -> float:
        return self.score_from_totals(self.statistics.sum(axis=0), self.documents)

    def resampled_scores(self, counts: np.ndarray) -> np.ndarray:
        return np.array([self.score_from_totals(totals, self.documents) for totals in counts @ self.statistics])


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def percentile_interval(samples: np.ndarray, confidence: float) -> Interval:
    tail = 50 * (1 - confidence)
    low, high = np.percentile(samples, [tail, 100 - tail])
    return Interval(float(low), float(high))


def confidence_interval(statistic: CorpusStatistic, settings: BootstrapSettings) -> Interval:
    counts = settings.resample_counts(statistic.documents)
    return percentile_interval(statistic.resampled_scores(counts), settings.confidence)


@dataclass(frozen=True)
class PairedResult:
    difference: float  # system minus baseline on the full shared set
    interval: Interval
    p_value: float


def paired_bootstrap(system: CorpusStatistic, baseline: CorpusStatistic, settings: BootstrapSettings) -> PairedResult:
    """Two-sided p-value of "no difference": how often the resampled differences, shifted to mean 0 as
    the null hypothesis prescribes, stray as far from 0 as the observed one (+1 smoothing, so p > 0)."""
    if system.documents != baseline.documents:
        raise ValueError("a paired test needs the same documents on both sides")
    counts = settings.resample_counts(system.documents)
    differences = system.resampled_scores(counts) - baseline.resampled_scores(counts)
    observed = system.score() - baseline.score()
    extreme = int(np.count_nonzero(np.abs(differences - differences.mean()) >= abs(observed)))
    return PairedResult(
        difference=observed,
        interval=percentile_interval(differences, settings.confidence),
        p_value=(extreme + 1) / (settings.samples + 1),
    )
