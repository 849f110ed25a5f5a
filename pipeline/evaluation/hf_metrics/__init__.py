"""The metrics as Hugging Face ``evaluate`` modules, loadable offline from the installed package.

``evaluate.load("rouge")`` fetches a script from the hub; ``evaluate.load(metric_path("rouge"))`` loads
ours from disk, and its numbers are this package's numbers, signatures included.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import evaluate

METRICS = ("rouge", "bleu", "chrf")


def metric_path(name: str) -> str:
    """The folder holding the ``evaluate`` module `name` (one of METRICS), for ``evaluate.load``."""
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; expected one of {', '.join(METRICS)}")
    return str(files("pipeline.evaluation.hf_metrics") / name)


def text_pair_info(description: str, citation: str, inputs_description: str) -> evaluate.MetricInfo:
    """What every module here declares: one prediction string scored against one reference string.

    Imported here, not with the package: `evaluate` imports transformers and torch, which scoring a run never needs.
    """
    import datasets
    import evaluate

    return evaluate.MetricInfo(
        description=description,
        citation=citation,
        inputs_description=inputs_description,
        features=datasets.Features({"predictions": datasets.Value("string"), "references": datasets.Value("string")}),
    )
