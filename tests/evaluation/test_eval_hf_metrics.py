"""The `evaluate` modules load from the installed package without the hub and give this package's numbers."""

import evaluate
import pytest

from pipeline.evaluation import metric_path
from pipeline.evaluation.rouge import RougeSettings, rouge_statistics
from pipeline.evaluation.translation import translation_statistics

PREDICTIONS = ["The cat sat on the mat. It purred.", "Heavy rain flooded Delhi on Monday."]
REFERENCES = ["A cat was sitting on the mat. It was happy.", "Delhi was flooded by heavy rain on Monday."]


@pytest.fixture(scope="module")
def offline_modules_cache(tmp_path_factory):
    """evaluate copies a loaded script into its modules cache; keep that copy out of the home folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evaluate.config, "HF_MODULES_CACHE", tmp_path_factory.mktemp("modules"))
        patch.setattr(evaluate.config, "HF_EVALUATE_OFFLINE", True)
        yield


def load(name, tmp_path):
    return evaluate.load(metric_path(name), cache_dir=str(tmp_path), keep_in_memory=True)


def test_rouge_module_gives_the_package_scores(offline_modules_cache, tmp_path):
    result = load("rouge", tmp_path).compute(predictions=PREDICTIONS, references=REFERENCES)
    expected = rouge_statistics(PREDICTIONS, REFERENCES, RougeSettings.for_language("en"))
    assert {name: result[name] for name in expected} == pytest.approx({n: s.score() for n, s in expected.items()})
    assert result["signatures"]["rougeLsum"] == expected["rougeLsum"].signature


def test_rouge_module_scores_hindi_when_told_the_language(offline_modules_cache, tmp_path):
    text = "भारी बारिश से दिल्ली में बाढ़ आई।"
    result = load("rouge", tmp_path).compute(predictions=[text], references=[text], language="hi")
    assert result["rouge1"] == pytest.approx(100.0)


@pytest.mark.parametrize(("module", "metric"), [("bleu", "bleu"), ("chrf", "chrf++")])
def test_translation_modules_give_the_package_scores(offline_modules_cache, tmp_path, module, metric):
    result = load(module, tmp_path).compute(predictions=PREDICTIONS, references=REFERENCES)
    expected = translation_statistics(PREDICTIONS, REFERENCES)[metric]
    assert (result["score"], result["signature"]) == (pytest.approx(expected.score()), expected.signature)


def test_unknown_metric_name_is_refused():
    with pytest.raises(ValueError, match="unknown metric 'meteor'"):
        metric_path("meteor")
