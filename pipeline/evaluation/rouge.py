"""ROUGE-1/2/L/Lsum through Google's ``rouge_score``, the implementation behind most published summarization numbers.

A corpus score is the mean of the per-document F-measures, times 100. English uses rouge_score's own
tokenizer with the Porter stemmer (``ROUGE-1.5.5.pl -m``), so numbers compare with the literature; other
languages use a Unicode word tokenizer, which rouge_score's ``[a-z0-9]`` tokenizer is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version

import numpy as np
from rouge_score.rouge_scorer import RougeScorer

from pipeline.evaluation.bootstrap import CorpusStatistic
from pipeline.evaluation.sentences import DANDA_LANGUAGES, SPLITTERS
from pipeline.evaluation.tokenizers import UnicodeWordTokenizer

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


@dataclass(frozen=True)
class RougeSettings:
    tokenizer: str = "default"  # "default": rouge_score's [a-z0-9] tokenizer; "unicode": words of any script
    stemming: bool = True
    sentence_splitter: str = "pysbd"  # a key of sentences.SPLITTERS, used by ROUGE-Lsum only

    @classmethod
    def for_language(cls, language: str, sentence_splitter: str = "pysbd") -> RougeSettings:
        """Any language but English (`hi`, `bn`, ...) is scored on Unicode words, without a stemmer; a language
        written with the danda is split into sentences at it, whatever `sentence_splitter` says."""
        if language == "en":
            return cls("default", True, sentence_splitter)
        return cls("unicode", False, "pysbd-hi" if language in DANDA_LANGUAGES else sentence_splitter)

    def signature(self, rouge_type: str) -> str:
        parts = [rouge_type, f"tok:{self.tokenizer}", f"stem:{'porter' if self.stemming else 'no'}"]
        if rouge_type == "rougeLsum":
            parts.append(f"split:{self.sentence_splitter}")
            if self.sentence_splitter.startswith("pysbd"):
                parts.append(f"pysbd:{version('pysbd')}")
        parts += ["agg:mean-f", f"rouge-score:{version('rouge-score')}"]
        return "|".join(parts)

    def scorer(self) -> RougeScorer:
        tokenizer = UnicodeWordTokenizer() if self.tokenizer == "unicode" else None
        return RougeScorer(list(ROUGE_TYPES), use_stemmer=self.stemming, tokenizer=tokenizer)

    def lsum_text(self, text: str) -> str:
        """One sentence per line, the only sentence boundary rouge_score's Lsum reads (it never splits itself here)."""
        return "\n".join(SPLITTERS[self.sentence_splitter](text))


def rouge_statistics(
    hypotheses: list[str], references: list[str], settings: RougeSettings
) -> dict[str, CorpusStatistic]:
    """Per-document F-measures ×100 for each ROUGE type, averaged into the corpus score.

    Newline-joined sentences serve all four types: line breaks only separate tokens for ROUGE-1/2/L.
    """
    scorer = settings.scorer()
    per_document = [
        scorer.score(settings.lsum_text(reference), settings.lsum_text(hypothesis))
        for hypothesis, reference in zip(hypotheses, references, strict=True)
    ]
    return {
        rouge_type: CorpusStatistic.mean(
            np.array([100 * scores[rouge_type].fmeasure for scores in per_document]), settings.signature(rouge_type)
        )
        for rouge_type in ROUGE_TYPES
    }
