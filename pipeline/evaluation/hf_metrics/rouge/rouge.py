"""ROUGE-1/2/L/Lsum as an ``evaluate`` metric, computed by ``pipeline.evaluation.rouge``.

Scores are ×100 (the scale of sacrebleu and of published tables), each with its signature.
"""

import evaluate

from pipeline.evaluation.hf_metrics import text_pair_info
from pipeline.evaluation.rouge import RougeSettings, rouge_statistics

_DESCRIPTION = """Mean per-document ROUGE F-measure (Lin 2004) via rouge_score. English: rouge_score's tokenizer
with Porter stemming; other languages: Unicode words, so Devanagari is scored rather than dropped.
ROUGE-Lsum sees sentences from pysbd (or, with sentence_splitter="tokenized", breaks after stand-alone
final punctuation tokens)."""

_KWARGS_DESCRIPTION = """
Args:
    predictions: system summaries.
    references: one reference summary per prediction.
    language: "en" (default), "hi" or another language code (Unicode words, no stemming).
    sentence_splitter: "pysbd" (default) or "tokenized", for ROUGE-Lsum in languages not written with the danda
        (Hindi, Bengali, Marathi, ... always split at it with pysbd's Hindi rules).
Returns:
    rouge1, rouge2, rougeL, rougeLsum: corpus scores ×100; signatures: how each was computed.
"""

_CITATION = """@inproceedings{lin-2004-rouge, title={ROUGE: A Package for Automatic Evaluation of Summaries},
author={Lin, Chin-Yew}, booktitle={Text Summarization Branches Out}, year={2004}, pages={74--81}}"""


class Rouge(evaluate.Metric):
    def _info(self):
        return text_pair_info(_DESCRIPTION, _CITATION, _KWARGS_DESCRIPTION)

    def _compute(self, predictions, references, language="en", sentence_splitter="pysbd"):
        settings = RougeSettings.for_language(language, sentence_splitter)
        statistics = rouge_statistics(list(predictions), list(references), settings)
        return {
            **{name: statistic.score() for name, statistic in statistics.items()},
            "signatures": {name: statistic.signature for name, statistic in statistics.items()},
        }
