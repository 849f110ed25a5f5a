"""chrF++ as an ``evaluate`` metric, computed by sacrebleu through ``pipeline.evaluation.translation``.

Unlike the hub's ``chrf`` module it takes one reference per prediction and returns sacrebleu's signature
with the score.
"""

import evaluate

from pipeline.evaluation.hf_metrics import text_pair_info
from pipeline.evaluation.translation import translation_statistics

_DESCRIPTION = """chrF++ (Popovic 2017): character n-gram F-score (n up to 6) plus word unigrams and bigrams, beta 2."""

_KWARGS_DESCRIPTION = """
Args:
    predictions: system translations (detokenized).
    references: one reference translation per prediction.
Returns:
    score: the corpus chrF++; signature: sacrebleu's signature of how it was computed.
"""

_CITATION = """@inproceedings{popovic-2017-chrf, title={chrF++: words helping character n-grams},
author={Popovi{\\'c}, Maja}, booktitle={WMT}, year={2017}}"""


class Chrf(evaluate.Metric):
    def _info(self):
        return text_pair_info(_DESCRIPTION, _CITATION, _KWARGS_DESCRIPTION)

    def _compute(self, predictions, references):
        statistic = translation_statistics(list(predictions), list(references))["chrf++"]
        return {"score": statistic.score(), "signature": statistic.signature}
