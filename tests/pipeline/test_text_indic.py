import random

import pytest

from pipeline.text.indic import assemble, chunk_on_words, clean_whitespace, normalize, segment


def words(text: str) -> int:
    return len(text.split())


def test_normalize_decomposes_precomposed_nukta_letters():
    assert normalize("फ़ोन", "hi") == "\u092b\u093c\u094b\u0928"


def test_normalize_turns_a_pipe_into_a_danda_and_drops_zero_width_characters():
    assert normalize("यह\u200b ठीक\u200d है|", "hi") == "यह  ठीक है।"


def test_normalize_keeps_line_breaks():
    assert normalize("पहला।\n\nदूसरा।", "hi") == "पहला।\n\nदूसरा।"


def test_clean_whitespace_collapses_spaces_and_blank_line_runs():
    assert clean_whitespace("  एक   दो\t तीन \r\n\r\n\n  चार  \n") == "एक दो तीन\n\nचार"


def test_danda_question_and_exclamation_end_sentences():
    segments = segment("वह आया। क्या तुम आए? हाँ! ठीक है।", "hi", 256, words)
    assert [s.text for s in segments] == ["वह आया।", "क्या तुम आए?", "हाँ!", "ठीक है।"]


def test_abbreviation_with_period_does_not_end_a_sentence():
    segments = segment("डॉ. शर्मा ने कहा कि बैठक होगी। सब आएँगे।", "hi", 256, words)
    assert [s.text for s in segments] == ["डॉ. शर्मा ने कहा कि बैठक होगी।", "सब आएँगे।"]


def test_segments_know_their_paragraph():
    segments = segment("एक। दो।\n\nतीन।", "hi", 256, words)
    assert [(s.text, s.paragraph) for s in segments] == [("एक।", 0), ("दो।", 0), ("तीन।", 1)]


def test_segmentation_keeps_every_character_of_flores_paragraphs(flores_dir):
    lines = (flores_dir / "hin_Deva.dev").read_text(encoding="utf-8").split("\n")
    shuffled = random.Random(7)
    for _ in range(20):
        paragraphs = [" ".join(shuffled.sample(lines, 3)) for _ in range(shuffled.randint(1, 4))]
        text = clean_whitespace(normalize("\n\n".join(paragraphs), "hi"))
        assert assemble(segment(text, "hi", 12, words)) == text


def test_segmentation_keeps_every_character_when_sentences_are_chunked():
    text = "यह एक बहुत लंबा वाक्य है जिसमें बहुत सारे शब्द हैं और यह चलता ही जाता है। छोटा वाक्य।\nनया अनुच्छेद।"
    segments = segment(text, "hi", 5, words)
    assert assemble(segments) == text
    assert all(words(s.text) <= 5 for s in segments)


def test_chunks_fit_the_limit_and_break_on_word_boundaries():
    sentence = " ".join(f"शब्द{i}" for i in range(23))
    chunks = chunk_on_words(sentence, 5, words)
    assert " ".join(chunks) == sentence
    assert [words(c) for c in chunks] == [5, 5, 5, 5, 3]


def test_a_sentence_within_the_limit_is_not_chunked():
    assert chunk_on_words("तीन छोटे शब्द", 3, words) == ["तीन छोटे शब्द"]


def test_a_single_word_over_the_limit_is_its_own_chunk():
    assert chunk_on_words("छोटा अत्यधिकलंबाशब्द छोटा", 3, lambda t: len(t) // 4) == ["छोटा", "अत्यधिकलंबाशब्द", "छोटा"]


def test_translation_is_assembled_with_the_source_paragraph_breaks():
    segments = segment("एक। दो।\n\nतीन।", "hi", 256, words)
    assert assemble(segments, ["One.", "Two.", "Three."]) == "One. Two.\n\nThree."


def test_assemble_needs_one_text_per_segment():
    segments = segment("एक। दो।", "hi", 256, words)
    with pytest.raises(ValueError):
        assemble(segments, ["One."])
