"""Scoring of pipeline outputs: ROUGE, BLEU, chrF++, bootstrap confidence intervals, paired tests and reports.

Every score carries a signature naming the options that change it, in the manner of sacrebleu.
"""

from pipeline.evaluation.hf_metrics import metric_path

__all__ = ["metric_path"]
