"""Properties of the text layer and the IndicTrans2 processor, tried on arbitrary Unicode with hypothesis.

The text mixes Hindi with what documents bring along: sentence ends, initials, numbers, URLs, placeholders,
zero-width characters, every kind of whitespace, any other code point, and lone surrogates (`json.loads`
returns them for a `"\\ud800"` escape). The text layer passes lone surrogates through unchanged; the IndicTrans2
tokenizer (sentencepiece) cannot take them, so the input reader refuses them before any stage runs.
"""

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from indicnlp.tokenize.sentence_tokenize import sentence_split

from pipeline.models.processing_indictrans import IndicTransProcessor
from pipeline.stages.prepare import count_words
from pipeline.text.english import split_sentences as split_english_sentences
from pipeline.text.indic import assemble, clean_whitespace, normalize, segment, split_sentences
from pipeline.text.languages import FLORES_TO_INDICNLP, SUPPORTED_LANGUAGES
from pipeline.text.placeholders import protect, restore

quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DOCUMENT_PIECES = (
    "क", "ष", "्", "ि", "ा", "़", "ं", "डॉ", "श्री", "क.", "डॉ.", "ए.", "1.", "।", "॥", "|", ".", "?", "!", "%",
    " ", " ", " ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u200b", "\u200d", "\u2028", "42", "1,23,456.78", "९",
    "9:30", "https://example.com/a_b", "a@b.co", "<1>", "[ 2 ]", "<ID1>", "#टैग", "a", "Z", "(", ")", "\"", "'", "-",
)
ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates included
LONE_SURROGATE = st.characters(categories=["Cs"])
text_pieces = st.one_of(st.sampled_from(DOCUMENT_PIECES), ANY_CHARACTER, LONE_SURROGATE)
documents = st.lists(text_pieces, max_size=60).map("".join)
# `st.characters()` alone draws lone surrogates too (rarely: a flaky failure), which no UTF-8 input can hold.
encodable_characters = st.characters(codec="utf-8")
encodable_documents = st.lists(st.one_of(st.sampled_from(DOCUMENT_PIECES), encodable_characters), max_size=60).map("".join)
INDIC_CODES = sorted(set(FLORES_TO_INDICNLP.values()) - {"en", "ur"})  # Urdu's normalizer needs urduhack


def sparse_counter(text: str) -> int:
    """A tokenizer-like count that does not add up word by word: a fixed overhead, long words cost more."""
    return 3 + sum(1 + len(word) // 4 for word in text.split())


def erratic_counter(text: str) -> int:
    """A count that goes up and down as the text grows: no search may rely on it to fit what it did not measure."""
    return len(text) % 7 + 2 * text.count(" ")


def non_space(text: str) -> str:
    return "".join(text.split())


@quick
@given(documents)
def test_protected_text_is_restored_exactly(text):
    protected = protect(text)
    assert restore(protected.text, protected.originals) == (text, 0)


@quick
@given(documents, st.sampled_from(INDIC_CODES))
def test_normalization_keeps_lines_and_cleaning_leaves_tidy_text(text, iso_code):
    normalized = normalize(text, iso_code)
    assert normalized.count("\n") == text.count("\n")
    cleaned = clean_whitespace(normalized)
    assert cleaned == cleaned.strip() and "\n\n\n" not in cleaned and "  " not in cleaned
    assert all(line == line.strip() for line in cleaned.split("\n"))
    assert clean_whitespace(cleaned) == cleaned


@quick
@given(documents, st.sampled_from([*INDIC_CODES, "en"]))
def test_sentences_split_as_indic_nlp_library_splits_them(text, iso_code):
    assert split_sentences(text, iso_code) == sentence_split(text, lang=iso_code)


def fits_or_is_one_grapheme(text: str, limit: int, count) -> bool:
    return count(text) <= limit or len(regex.findall(r"\X", text)) == 1


counters = st.sampled_from([count_words, sparse_counter, len, erratic_counter])
units = st.sampled_from(["sentence", "paragraph"])


@quick
@given(documents, st.sampled_from(INDIC_CODES), st.integers(1, 12), counters, units)
def test_segments_reassemble_into_the_prepared_text_and_fit(text, iso_code, limit, count, unit):
    prepared = clean_whitespace(normalize(text, iso_code))
    segments = segment(prepared, iso_code, limit, count, unit)
    assert assemble(segments) == prepared
    assert all(s.text and fits_or_is_one_grapheme(s.text, limit, count) for s in segments)
    assert [s.paragraph for s in segments] == sorted(s.paragraph for s in segments)


def ends(segments) -> list[tuple[int, int]]:
    """Where each segment ends in the assembled text, and its paragraph."""
    position, found = 0, []
    for s in segments:
        position += len(s.text) + len(s.separator)
        found.append((position, s.paragraph))
    return found


@quick
@given(documents, st.sampled_from(INDIC_CODES), st.integers(1, 12), counters)
def test_paragraph_segments_are_runs_of_sentence_segments(text, iso_code, limit, count):
    prepared = clean_whitespace(normalize(text, iso_code))
    by_sentence = segment(prepared, iso_code, limit, count)
    by_paragraph = segment(prepared, iso_code, limit, count, "paragraph")
    assert set(ends(by_paragraph)) <= set(ends(by_sentence))
    assert {s.paragraph for s in by_paragraph} == {s.paragraph for s in by_sentence}


@quick
@given(documents, st.integers(1, 12), units)
def test_segmenting_unprepared_text_keeps_every_visible_character_in_order(text, limit, unit):
    assert non_space(assemble(segment(text, "hi", limit, sparse_counter, unit))) == non_space(text)


@settings(quick, max_examples=30)
@given(encodable_documents, st.integers(8, 24), units)
def test_segments_fit_the_indictrans2_tokenizer(indictrans_count_tokens, text, limit, unit):
    prepared = clean_whitespace(normalize(text, "hi"))
    segments = segment(prepared, "hi", limit, indictrans_count_tokens, unit)
    assert assemble(segments) == prepared
    assert all(fits_or_is_one_grapheme(s.text, limit, indictrans_count_tokens) for s in segments)


@quick
@given(documents)
def test_english_sentences_are_stripped_and_keep_every_visible_character(text):
    sentences = split_english_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert non_space("".join(sentences)) == non_space(text)


@pytest.fixture(scope="module")
def processor():
    return IndicTransProcessor()


languages = st.sampled_from([code for code in SUPPORTED_LANGUAGES if FLORES_TO_INDICNLP[code] != "ur"])


@quick
@given(st.lists(documents, max_size=3), languages, languages)
def test_preprocessing_takes_any_text(processor, texts, src_lang, tgt_lang):
    prepared = processor.preprocess(texts, src_lang, tgt_lang)
    assert len(prepared) == len(texts)
    assert all(p.text.startswith(f"{src_lang} {tgt_lang} ") and "\n" not in p.text for p in prepared)


@quick
@given(st.lists(st.tuples(documents, st.lists(documents, max_size=3)), max_size=3), languages)
def test_postprocessing_takes_any_output_and_entities(processor, outputs, tgt_lang):
    texts = [text for text, _ in outputs]
    assert len(processor.postprocess(texts, [entities for _, entities in outputs], tgt_lang)) == len(texts)
