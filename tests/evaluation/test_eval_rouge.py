"""ROUGE: rouge_score's numbers for English, Unicode words for Hindi, sentence boundaries for ROUGE-Lsum."""

import pytest
from rouge_score.rouge_scorer import RougeScorer

from pipeline.evaluation.rouge import ROUGE_TYPES, RougeSettings, rouge_statistics
from pipeline.evaluation.sentences import split_hindi, split_tokenized
from pipeline.evaluation.tokenizers import words

ENGLISH = RougeSettings.for_language("en")
HINDI = RougeSettings.for_language("hi")
HINDI_REFERENCE = "भारत सरकार ने आज नई शिक्षा नीति की घोषणा की। इससे छात्रों को लाभ होगा।"
HINDI_HYPOTHESIS = "सरकार ने आज शिक्षा नीति घोषित की। छात्रों को इसका लाभ मिलेगा।"


def scores(hypotheses, references, settings):
    return {name: statistic.score() for name, statistic in rouge_statistics(hypotheses, references, settings).items()}


def test_identical_english_texts_score_100_on_every_rouge_type():
    text = "The minister resigned on Monday. Parliament will vote next week."
    assert scores([text], [text], ENGLISH) == pytest.approx(dict.fromkeys(ROUGE_TYPES, 100.0))


def test_english_scores_equal_rouge_score_with_porter_stemming():
    hypothesis, reference = "The runners were running fast races.", "A runner runs a fast race."
    expected = RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True).score(reference, hypothesis)
    ours = scores([hypothesis], [reference], ENGLISH)
    assert {name: ours[name] for name in expected} == pytest.approx({n: 100 * s.fmeasure for n, s in expected.items()})


def test_stemming_matches_inflected_forms():
    assert scores(["runs"], ["running"], ENGLISH)["rouge1"] == 100.0


def test_default_tokenizer_scores_hindi_zero_but_ours_scores_it():
    default = RougeScorer(["rouge1"]).score(HINDI_REFERENCE, HINDI_HYPOTHESIS)["rouge1"].fmeasure
    ours = scores([HINDI_HYPOTHESIS], [HINDI_REFERENCE], HINDI)
    assert default == 0.0
    assert all(0 < ours[name] < 100 for name in ROUGE_TYPES)


def test_identical_hindi_texts_score_100_on_every_rouge_type():
    assert scores([HINDI_REFERENCE], [HINDI_REFERENCE], HINDI) == pytest.approx(dict.fromkeys(ROUGE_TYPES, 100.0))


def test_unicode_words_keep_vowel_signs_and_virama_and_drop_the_danda():
    assert words("शिक्षा नीति।") == ["शिक्षा", "नीति"]


def test_lsum_credits_sentences_in_another_order_where_rouge_l_does_not():
    reference = "Rain fell over the northern hills. Schools stayed closed all day."
    hypothesis = "Schools stayed closed all day. Rain fell over the northern hills."
    result = scores([hypothesis], [reference], ENGLISH)
    assert result["rougeLsum"] == pytest.approx(100.0)
    assert result["rougeL"] < 70


def test_corpus_score_is_the_mean_of_document_f_measures():
    statistics = rouge_statistics(["a b c d", "x y"], ["a b c d", "p q"], ENGLISH)
    assert statistics["rouge1"].score() == pytest.approx(50.0)


def test_signature_names_tokenizer_stemming_and_lsum_splitter():
    assert ENGLISH.signature("rouge1").startswith("rouge1|tok:default|stem:porter|")
    assert "split:" not in ENGLISH.signature("rouge1")
    assert "|split:pysbd|" in ENGLISH.signature("rougeLsum")
    assert HINDI.signature("rougeLsum").startswith("rougeLsum|tok:unicode|stem:no|split:pysbd-hi|")


def test_tokenized_splitter_breaks_after_standalone_final_punctuation_only():
    text = "Locke 's No. 2 took charge . The club went unbeaten ! U.S. fans cheered"
    assert split_tokenized(text) == ["Locke 's No. 2 took charge .", "The club went unbeaten !", "U.S. fans cheered"]


def test_hindi_splitter_ends_sentences_at_the_danda():
    assert split_hindi(HINDI_REFERENCE) == ["भारत सरकार ने आज नई शिक्षा नीति की घोषणा की।", "इससे छात्रों को लाभ होगा।"]


def test_other_languages_are_scored_on_unicode_words_split_at_the_danda_where_they_write_it():
    bengali, tamil = RougeSettings.for_language("bn"), RougeSettings.for_language("ta", "tokenized")
    assert (bengali.tokenizer, bengali.stemming, bengali.sentence_splitter) == ("unicode", False, "pysbd-hi")
    assert (tamil.tokenizer, tamil.stemming, tamil.sentence_splitter) == ("unicode", False, "tokenized")
    reference = "ঢাকায় আজ ভারী বৃষ্টি হয়েছে। রাস্তায় জল জমেছে।"
    hypothesis = "রাস্তায় জল জমেছে। ঢাকায় আজ ভারী বৃষ্টি হয়েছে।"
    assert scores([hypothesis], [reference], bengali)["rougeLsum"] == pytest.approx(100.0)  # two sentences, swapped
