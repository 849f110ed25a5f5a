"""Corpus BLEU as an ``evaluate`` metric, computed by sacrebleu through ``pipeline.evaluation.translation``.

Unlike the hub's ``bleu`` module it takes one reference per prediction and returns sacrebleu's signature
with the score.
"""

import evaluate

from pipeline.evaluation.hf_metrics import text_pair_info
from pipeline.evaluation.translation import translation_statistics

_DESCRIPTION = """Corpus BLEU (Papineni et al. 2002) with sacrebleu's defaults: 13a tokenization,
exponential smoothing."""

_KWARGS_DESCRIPTION = """
Args:
    predictions: system translations (detokenized).
    references: one reference translation per prediction.
Returns:
    score: the corpus Corpus BLEU; signature: sacrebleu's signature of how it was computed.
"""

_CITATION = """@inproceedings{post-2018-call, title={A Call for Clarity in Reporting BLEU Scores},
author={Post, Matt}, booktitle={WMT}, year={2018}}"""


class Bleu(evaluate.Metric):
    def _info(self):
        return text_pair_info(_DESCRIPTION, _CITATION, _KWARGS_DESCRIPTION)

    def _compute(self, predictions, references):
        statistic = translation_statistics(list(predictions), list(references))["bleu"]
        return {"score": statistic.score(), "signature": statistic.signature}
