"""Descriptive statistics of outputs, which explain scores that references alone cannot.

Compression says how short a summary is for its source; novel n-grams (n-grams absent from the source)
say how abstractive it is (0 for a purely extractive summary); repeated n-grams flag degenerate outputs
that loop on a phrase. All counts are in `tokenizers.words`.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from pipeline.evaluation.tokenizers import words

NOVEL_NGRAM_ORDERS = (1, 2, 3)
REPEATED_NGRAM_ORDER = 3


def ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def novel_ngram_ratio(text: list[str], source: list[str], n: int) -> float | None:
    """Share of the text's n-grams (with repeats) that never occur in the source; None without n-grams."""
    text_ngrams = ngrams(text, n)
    if not text_ngrams:
        return None
    source_ngrams = set(ngrams(source, n))
    return sum(ngram not in source_ngrams for ngram in text_ngrams) / len(text_ngrams)


def repeated_ngram_ratio(text: list[str], n: int) -> float | None:
    """Share of the text's n-grams that repeat an earlier one; None without n-grams."""
    counts = Counter(ngrams(text, n))
    total = sum(counts.values())
    return (total - len(counts)) / total if total else None


def distribution(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    array = np.asarray(values, dtype=float)
    return {
        "mean": float(array.mean()),
        "median": float(np.median(array)),
        "min": float(array.min()),
        "max": float(array.max()),
    }


def _mean_percent(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return 100 * float(np.mean(present)) if present else None


def describe_texts(texts: list[str], source_words: list[list[str] | None] | None) -> dict:
    """Length and repetition of texts; given the words of their English sources, compression and novelty too."""
    tokenized = [words(text) for text in texts]
    description = {
        "documents": len(texts),
        "words": distribution([len(tokens) for tokens in tokenized]),
        "repeated_ngrams_percent": {
            str(REPEATED_NGRAM_ORDER): _mean_percent([repeated_ngram_ratio(t, REPEATED_NGRAM_ORDER) for t in tokenized])
        },
    }
    if source_words is None:
        return description
    pairs = [(text, source) for text, source in zip(tokenized, source_words, strict=True) if source is not None]
    description["compression_ratio"] = distribution([len(source) / len(text) for text, source in pairs if text])
    description["novel_ngrams_percent"] = {
        str(n): _mean_percent([novel_ngram_ratio(text, source, n) for text, source in pairs])
        for n in NOVEL_NGRAM_ORDERS
    }
    return description


def summarize_stage(stages: list[dict]) -> dict | None:
    """How often the summarizer could not read the whole document: truncated, or split into several chunks."""
    if not stages:
        return None
    return {
        "documents": len(stages),
        "truncated_percent": 100 * sum(bool(stage.get("truncated")) for stage in stages) / len(stages),
        "chunked_percent": 100 * sum((stage.get("chunks") or 0) > 1 for stage in stages) / len(stages),
        "strategies": dict(Counter(str(stage.get("strategy")) for stage in stages)),
        "tokens_in": distribution([stage["tokens_in"] for stage in stages if isinstance(stage.get("tokens_in"), int)]),
    }
