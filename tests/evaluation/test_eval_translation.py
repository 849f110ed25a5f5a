"""BLEU and chrF++: sacrebleu's corpus scores, rebuilt from per-segment statistics."""

import pytest
import sacrebleu

from pipeline.evaluation.translation import translation_statistics

HYPOTHESES = ["The cat sat on the mat.", "It rained all day in Delhi.", "Prices rose again this year."]
REFERENCES = ["The cat was sitting on the mat.", "It rained the whole day in Delhi.", "Prices went up again this year."]


def test_bleu_equals_sacrebleu_corpus_bleu():
    expected = sacrebleu.corpus_bleu(HYPOTHESES, [REFERENCES]).score
    assert translation_statistics(HYPOTHESES, REFERENCES)["bleu"].score() == pytest.approx(expected, abs=1e-9)


def test_chrf_plus_plus_equals_sacrebleu_corpus_chrf_with_word_bigrams():
    expected = sacrebleu.corpus_chrf(HYPOTHESES, [REFERENCES], word_order=2).score
    assert translation_statistics(HYPOTHESES, REFERENCES)["chrf++"].score() == pytest.approx(expected, abs=1e-9)


def test_document_chrf_equals_sacrebleu_sentence_chrf():
    documents = translation_statistics(HYPOTHESES, REFERENCES)["chrf++"].document_scores()
    expected = [sacrebleu.sentence_chrf(h, [r], word_order=2).score for h, r in zip(HYPOTHESES, REFERENCES)]
    assert documents == pytest.approx(expected)


def test_signatures_are_sacrebleus():
    statistics = translation_statistics(HYPOTHESES, REFERENCES)
    expected_bleu = f"nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:{sacrebleu.__version__}"
    assert statistics["bleu"].signature == expected_bleu
    assert "|nw:2|" in statistics["chrf++"].signature
