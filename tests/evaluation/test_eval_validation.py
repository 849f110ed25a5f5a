"""Against published data: our ROUGE is rouge_score's, our BLEU and chrF++ are sacrebleu's, to the last digit.

CNN/DM highlights and the system outputs are tokenized (``... on Friday . The club ...``), so ROUGE-Lsum
sentences come from the ``tokenized`` splitter; the check is that the same sentences give rouge_score's number.
"""

import json
import random

import numpy as np
import pytest
import sacrebleu
from rouge_score.rouge_scorer import RougeScorer

from pipeline.evaluation.rouge import RougeSettings, rouge_statistics
from pipeline.evaluation.sentences import split_tokenized
from pipeline.evaluation.translation import translation_statistics

SYSTEMS = ("bart", "bertsum", "bottom_up", "pointer_generator", "seq2seq")


@pytest.fixture(scope="module")
def cnndm(news_summaries_dir):
    lines = (news_summaries_dir / "cnndm.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def flores_english(flores_dir):
    return (flores_dir / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()


def perturbed(sentences, seed=3):
    """A plausible system output: some words dropped, some neighbours swapped."""
    rng = random.Random(seed)
    outputs = []
    for sentence in sentences:
        tokens = [token for token in sentence.split() if rng.random() > 0.1]
        for i in range(len(tokens) - 1):
            if rng.random() < 0.1:
                tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        outputs.append(" ".join(tokens))
    return outputs


@pytest.mark.parametrize("system", SYSTEMS)
def test_cnndm_rouge_equals_rouge_score(cnndm, system):
    hypotheses = [record["systems"][system] for record in cnndm]
    references = [record["reference"] for record in cnndm]
    ours = rouge_statistics(hypotheses, references, RougeSettings.for_language("en", "tokenized"))
    plain = RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    lsum = RougeScorer(["rougeLsum"], use_stemmer=True)
    expected = {name: [] for name in ("rouge1", "rouge2", "rougeL", "rougeLsum")}
    for hypothesis, reference in zip(hypotheses, references):
        for name, score in plain.score(reference, hypothesis).items():
            expected[name].append(score.fmeasure)
        lines = ["\n".join(split_tokenized(text)) for text in (reference, hypothesis)]
        expected["rougeLsum"].append(lsum.score(*lines)["rougeLsum"].fmeasure)
    for name, values in expected.items():
        assert ours[name].score() == pytest.approx(100 * np.mean(values), abs=1e-6), name


def test_flores_bleu_equals_sacrebleu(flores_english):
    hypotheses = perturbed(flores_english)
    expected = sacrebleu.corpus_bleu(hypotheses, [flores_english])
    ours = translation_statistics(hypotheses, flores_english)["bleu"]
    assert ours.score() == pytest.approx(expected.score, abs=1e-9)
    assert 20 < ours.score() < 95


def test_flores_chrf_plus_plus_equals_sacrebleu(flores_english):
    hypotheses = perturbed(flores_english)
    expected = sacrebleu.corpus_chrf(hypotheses, [flores_english], word_order=2)
    ours = translation_statistics(hypotheses, flores_english)["chrf++"]
    assert ours.score() == pytest.approx(expected.score, abs=1e-9)


def test_flores_hindi_rouge_scores_devanagari(flores_dir):
    hindi = (flores_dir / "hin_Deva.devtest").read_text(encoding="utf-8").splitlines()[:100]
    ours = rouge_statistics(perturbed(hindi), hindi, RougeSettings.for_language("hi"))
    assert 50 < ours["rouge1"].score() < 100
    assert rouge_statistics(hindi, hindi, RougeSettings.for_language("hi"))["rougeLsum"].score() == pytest.approx(100)
