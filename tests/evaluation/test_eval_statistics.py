"""Descriptive statistics: how short, how abstractive, how repetitive, how often the summarizer was cut short."""

import pytest

from pipeline.evaluation.statistics import describe_texts, novel_ngram_ratio, repeated_ngram_ratio, summarize_stage
from pipeline.evaluation.tokenizers import words

SOURCE = words("The river flooded the old town after three days of heavy rain in the hills.")


def test_an_extract_of_the_source_has_no_novel_ngrams():
    assert novel_ngram_ratio(words("the old town after three days"), SOURCE, 2) == 0.0


def test_words_absent_from_the_source_are_novel():
    assert novel_ngram_ratio(words("storms wrecked bridges"), SOURCE, 1) == 1.0


def test_text_shorter_than_n_has_no_ratio():
    assert novel_ngram_ratio(words("rain"), SOURCE, 3) is None


def test_a_looping_output_repeats_most_trigrams():
    assert repeated_ngram_ratio(words("the flood the flood the flood the flood"), 3) == pytest.approx(4 / 6)


def test_text_without_repeats_has_zero_repetition():
    assert repeated_ngram_ratio(words("the river flooded the old town"), 3) == 0.0


def test_compression_is_source_words_per_summary_word():
    description = describe_texts(["river flooded town"], [SOURCE])
    assert description["compression_ratio"]["mean"] == pytest.approx(len(SOURCE) / 3)


def test_without_sources_only_length_and_repetition_are_described():
    description = describe_texts(["river flooded town"], None)
    assert description["words"]["mean"] == 3
    assert "novel_ngrams_percent" not in description and "compression_ratio" not in description


def test_summarize_stage_shares_of_truncated_and_chunked_documents():
    stages = [
        {"strategy": "truncate", "truncated": True, "chunks": 1, "tokens_in": 1024},
        {"strategy": "truncate", "truncated": False, "chunks": 1, "tokens_in": 300},
        {"strategy": "map_reduce", "truncated": False, "chunks": 3, "tokens_in": 2900},
        {"strategy": "map_reduce", "truncated": False, "chunks": 1, "tokens_in": 500},
    ]
    described = summarize_stage(stages)
    assert (described["truncated_percent"], described["chunked_percent"]) == (25.0, 25.0)
    assert described["strategies"] == {"truncate": 2, "map_reduce": 2}
