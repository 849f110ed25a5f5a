"""Bootstrap intervals reproduce from the seed; the paired test finds real differences and only those."""

import numpy as np
import pytest

from pipeline.evaluation.bootstrap import (
    MIN_DOCUMENTS,
    BootstrapSettings,
    CorpusStatistic,
    confidence_interval,
    paired_bootstrap,
)
from pipeline.evaluation.translation import translation_statistics

SETTINGS = BootstrapSettings(samples=500, seed=7)


def noisy_scores(seed: int, documents: int = 200) -> np.ndarray:
    return np.random.default_rng(seed).uniform(20, 60, documents)


def test_same_seed_gives_the_same_interval():
    statistic = CorpusStatistic.mean(noisy_scores(1), "test")
    assert confidence_interval(statistic, SETTINGS) == confidence_interval(statistic, SETTINGS)


def test_another_seed_gives_another_interval():
    statistic = CorpusStatistic.mean(noisy_scores(1), "test")
    other = BootstrapSettings(samples=500, seed=8)
    assert confidence_interval(statistic, SETTINGS) != confidence_interval(statistic, other)


def test_interval_contains_the_mean():
    statistic = CorpusStatistic.mean(noisy_scores(2), "test")
    interval = confidence_interval(statistic, SETTINGS)
    assert interval.low < statistic.score() < interval.high


def test_interval_contains_corpus_bleu():
    hypotheses = [f"the council met on day {i} and approved plan {i % 7}" for i in range(60)]
    references = [f"the council met on day {i} and passed plan {i % 5}" for i in range(60)]
    bleu = translation_statistics(hypotheses, references)["bleu"]
    interval = confidence_interval(bleu, SETTINGS)
    assert interval.low < bleu.score() < interval.high


def test_interval_narrows_with_more_documents():
    small = confidence_interval(CorpusStatistic.mean(noisy_scores(3, 50), "test"), SETTINGS)
    large = confidence_interval(CorpusStatistic.mean(noisy_scores(3, 800), "test"), SETTINGS)
    assert large.high - large.low < small.high - small.low


def test_paired_test_detects_a_real_difference():
    baseline = noisy_scores(4)
    system = baseline + 3 + np.random.default_rng(5).normal(0, 2, len(baseline))
    result = paired_bootstrap(CorpusStatistic.mean(system, "t"), CorpusStatistic.mean(baseline, "t"), SETTINGS)
    assert result.difference == pytest.approx(system.mean() - baseline.mean())
    assert result.p_value < 0.01
    assert result.interval.low > 0


def test_paired_test_finds_no_difference_between_systems_of_equal_quality():
    difficulty = noisy_scores(6)
    first = difficulty + np.random.default_rng(12).normal(0, 5, len(difficulty))
    second = difficulty + np.random.default_rng(13).normal(0, 5, len(difficulty))
    result = paired_bootstrap(CorpusStatistic.mean(first, "t"), CorpusStatistic.mean(second, "t"), SETTINGS)
    assert result.p_value > 0.05
    assert result.interval.low < 0 < result.interval.high


def test_a_system_against_itself_has_p_value_1():
    statistic = CorpusStatistic.mean(noisy_scores(11), "t")
    assert paired_bootstrap(statistic, statistic, SETTINGS).p_value == 1.0


def test_signature_names_samples_seed_and_level():
    assert SETTINGS.signature().startswith("bs:500|rs:7|ci:95|numpy:")


def test_too_few_documents_have_no_interval():
    assert confidence_interval(CorpusStatistic.mean(noisy_scores(1, MIN_DOCUMENTS - 1), "t"), SETTINGS) is None
    assert confidence_interval(CorpusStatistic.mean(noisy_scores(1, MIN_DOCUMENTS), "t"), SETTINGS) is not None


def test_a_paired_test_on_one_document_is_no_test():
    system, baseline = CorpusStatistic.mean(np.array([60.0]), "t"), CorpusStatistic.mean(np.array([20.0]), "t")
    result = paired_bootstrap(system, baseline, SETTINGS)
    assert (result.difference, result.interval, result.p_value) == (40.0, None, None)
