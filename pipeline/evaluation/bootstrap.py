"""Bootstrap confidence intervals and the paired bootstrap test (Koehn 2004) over documents.

Every corpus score is a function of per-document sufficient statistics (a ROUGE F-measure, BLEU's
n-gram counts, chrF's character and word n-gram counts), so a resample of documents re-derives the
corpus score exactly, whatever the metric. A resample is stored as how often each document was drawn,
so its totals are one matrix product. The same seed gives the same resamples to every system and metric:
the paired test needs the same resamples on both sides, and results reproduce.

Below `MIN_DOCUMENTS` documents there is no interval and no test: resampling one document gives that document back
every time (an interval of width 0, and a "significant" p = 1/(samples+1) for any difference), and a handful of
documents have too few distinct resamples for percentiles to mean anything. Even an exact sign test, which assumes
nothing about the scores, reaches the 1% level only from 8 documents that all agree (with 5, its smallest p-value
is 0.0625); 10 leaves a little room.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

import numpy as np

MIN_DOCUMENTS = 10  # for a confidence interval or a paired test; see the module docstring


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


def confidence_interval(statistic: CorpusStatistic, settings: BootstrapSettings) -> Interval | None:
    """None below MIN_DOCUMENTS documents."""
    if statistic.documents < MIN_DOCUMENTS:
        return None
    counts = settings.resample_counts(statistic.documents)
    return percentile_interval(statistic.resampled_scores(counts), settings.confidence)


@dataclass(frozen=True)
class PairedResult:
    difference: float  # system minus baseline on the full shared set
    interval: Interval | None  # None: too few documents to test
    p_value: float | None


def paired_bootstrap(system: CorpusStatistic, baseline: CorpusStatistic, settings: BootstrapSettings) -> PairedResult:
    """Two-sided p-value of "no difference": how often the resampled differences, shifted to mean 0 as
    the null hypothesis prescribes, stray as far from 0 as the observed one (+1 smoothing, so p > 0).
    Below MIN_DOCUMENTS documents only the difference is given."""
    if system.documents != baseline.documents:
        raise ValueError("a paired test needs the same documents on both sides")
    observed = system.score() - baseline.score()
    if system.documents < MIN_DOCUMENTS:
        return PairedResult(difference=observed, interval=None, p_value=None)
    counts = settings.resample_counts(system.documents)
    differences = system.resampled_scores(counts) - baseline.resampled_scores(counts)
    extreme = int(np.count_nonzero(np.abs(differences - differences.mean()) >= abs(observed)))
    return PairedResult(
        difference=observed,
        interval=percentile_interval(differences, settings.confidence),
        p_value=(extreme + 1) / (settings.samples + 1),
    )
