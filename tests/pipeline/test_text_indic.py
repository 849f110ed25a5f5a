import random
import re

import pytest
from indicnlp.tokenize.sentence_tokenize import sentence_split

from pipeline.text.indic import assemble, chunk_on_words, clean_whitespace, normalize, segment, split_sentences


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


@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
@pytest.mark.parametrize("limit", [12, 60])
def test_segmentation_keeps_every_character_of_flores_paragraphs(flores_dir, unit, limit):
    lines = (flores_dir / "hin_Deva.dev").read_text(encoding="utf-8").split("\n")
    shuffled = random.Random(7)
    for _ in range(20):
        paragraphs = [" ".join(shuffled.sample(lines, 3)) for _ in range(shuffled.randint(1, 4))]
        text = clean_whitespace(normalize("\n\n".join(paragraphs), "hi"))
        assert assemble(segment(text, "hi", limit, words, unit)) == text


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


PARAGRAPHS = "वह आया। क्या तुम आए? हाँ!\n\nडॉ. शर्मा ने कहा कि बैठक होगी।सब आएँगे।"


def test_a_paragraph_that_fits_is_one_segment_with_its_sentences_separators():
    segments = segment(PARAGRAPHS, "hi", 256, words, unit="paragraph")
    assert [(s.text, s.paragraph, s.separator) for s in segments] == [
        ("वह आया। क्या तुम आए? हाँ!", 0, "\n\n"), ("डॉ. शर्मा ने कहा कि बैठक होगी।सब आएँगे।", 1, ""),
    ]
    assert assemble(segments) == PARAGRAPHS
    assert assemble(segments, ["He came. Did you come? Yes!", "Dr Sharma said so. All will come."]) == (
        "He came. Did you come? Yes!\n\nDr Sharma said so. All will come."
    )


def test_the_sentence_unit_is_the_default():
    assert segment(PARAGRAPHS, "hi", 256, words) == segment(PARAGRAPHS, "hi", 256, words, unit="sentence")
    assert len(segment(PARAGRAPHS, "hi", 256, words)) == 5


def test_a_paragraph_over_the_limit_is_cut_into_the_longest_runs_of_whole_sentences_that_fit():
    paragraph = "एक दो। तीन चार पाँच। छह। सात आठ नौ दस। ग्यारह।"  # 2, 3, 1, 4, 1 words
    segments = segment(paragraph, "hi", 6, words, unit="paragraph")
    assert [(s.text, s.separator) for s in segments] == [
        ("एक दो। तीन चार पाँच। छह।", " "), ("सात आठ नौ दस। ग्यारह।", ""),
    ]
    assert [s.text for s in segment(paragraph, "hi", 4, words, unit="paragraph")] == [
        "एक दो।", "तीन चार पाँच। छह।", "सात आठ नौ दस।", "ग्यारह।",
    ]
    assert assemble(segments) == paragraph


def test_a_sentence_over_the_limit_is_chunked_and_no_run_reaches_across_it():
    long_sentence = "क ख ग घ च छ ज झ ट ठ ड ढ।"
    paragraph = f"एक। दो। {long_sentence} तीन। चार।"
    segments = segment(paragraph, "hi", 5, words, unit="paragraph")
    assert [s.text for s in segments] == ["एक। दो।", *chunk_on_words(long_sentence, 5, words), "तीन। चार।"]
    assert [s.separator for s in segments] == [" ", " ", " ", " ", ""]
    assert assemble(segments) == paragraph


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown segment unit 'document'"):
        segment(PARAGRAPHS, "hi", 256, words, unit="document")


def test_assemble_needs_one_text_per_segment():
    segments = segment("एक। दो।", "hi", 256, words)
    with pytest.raises(ValueError):
        assemble(segments, ["One."])


def test_a_word_over_the_limit_is_cut_between_grapheme_clusters():
    sentence = "छोटा क्षत्रियअत्यधिकलंबाशब्द छोटा"
    pieces = ["क्ष", "त्रियअ", "त्यधिक", "लंबाश", "ब्द"]
    assert chunk_on_words(sentence, 6, len) == ["छोटा", *pieces, "छोटा"]
    segments = segment(sentence, "hi", 6, len)
    assert [s.separator for s in segments] == [" ", "", "", "", "", " ", ""]
    assert assemble(segments) == sentence


def test_a_grapheme_cluster_over_the_limit_stays_whole():
    cluster = "क" + "\u093c" * 10  # one user-perceived character, however many nuktas
    assert chunk_on_words(f"क {cluster} ख", 3, len) == ["क", cluster, "ख"]


def test_whitespace_alone_makes_no_segments():
    assert segment(clean_whitespace(" \t\n \u00a0\n\n\r\n  " * 1000), "hi", 8, words) == []


def bisecting_chunks(sentence, max_tokens, count_tokens):
    """The chunker this project had before: a bisection over all the words left, for every chunk (quadratic)."""
    if count_tokens(sentence) <= max_tokens:
        return [sentence]
    all_words = sentence.split(" ")
    chunks = []
    start = 0
    while start < len(all_words):
        fits, too_long = start + 1, len(all_words) + 1
        while too_long - fits > 1:
            middle = (fits + too_long) // 2
            if count_tokens(" ".join(all_words[start:middle])) <= max_tokens:
                fits = middle
            else:
                too_long = middle
        chunks.append(" ".join(all_words[start:fits]))
        start = fits
    return chunks


def unpunctuated_sentences(flores_dir, line_counts):
    """For each count n, the first n FLORES-200 Hindi lines run together without sentence ends: one sentence."""
    lines = (flores_dir / "hin_Deva.dev").read_text(encoding="utf-8").split("\n")
    return [clean_whitespace(normalize(re.sub(r"[।॥|.?!]", "", " ".join(lines[:n])), "hi")) for n in line_counts]


@pytest.mark.parametrize("limit", [5, 17, 64, 256])
@pytest.mark.parametrize("count", [words, lambda text: len(text) // 4], ids=["words", "characters"])
def test_chunks_are_those_of_the_bisecting_chunker(flores_dir, limit, count):
    for sentence in unpunctuated_sentences(flores_dir, [1, 2, 5, 9, 14]):
        if all(count(word) <= limit for word in sentence.split(" ")):  # over-long words used to stay whole
            assert chunk_on_words(sentence, limit, count) == bisecting_chunks(sentence, limit, count)


@pytest.mark.parametrize("limit", [16, 48, 256])
def test_chunks_measured_by_indictrans2_are_the_bisecting_chunkers_and_fit(flores_dir, indictrans_count_tokens, limit):
    for sentence in unpunctuated_sentences(flores_dir, [1, 3, 8]):
        chunks = chunk_on_words(sentence, limit, indictrans_count_tokens)
        assert chunks == bisecting_chunks(sentence, limit, indictrans_count_tokens)
        assert " ".join(chunks) == sentence
        assert all(indictrans_count_tokens(chunk) <= limit for chunk in chunks)


def measuring(count_tokens, measured):
    """`count_tokens`, recording the length of every text it measures."""

    def count(text):
        measured.append(len(text))
        return count_tokens(text)

    return count


@pytest.mark.parametrize("lines", [40, 160])
def test_an_unpunctuated_text_is_measured_about_twice_whatever_its_length(flores_dir, lines):
    (text,) = unpunctuated_sentences(flores_dir, [lines])
    measured = []
    segments = segment(text, "hi", 256, measuring(words, measured))
    assert assemble(segments) == text
    assert sum(measured) <= 3 * len(text)


@pytest.mark.parametrize("lines", [40, 640])
def test_a_long_paragraph_is_measured_a_few_times_over_and_never_whole(flores_dir, lines):
    text = " ".join((flores_dir / "hin_Deva.dev").read_text(encoding="utf-8").split("\n")[:lines])
    text = clean_whitespace(normalize(text, "hi"))
    measured = []
    segments = segment(text, "hi", 256, measuring(words, measured), unit="paragraph")
    assert assemble(segments) == text and len(segments) > lines / 20
    longest_run = max(len(s.text) for s in segments)
    assert sum(measured) <= 7 * len(text) and max(measured) <= 3 * longest_run


def test_a_megabyte_without_spaces_is_cut_without_being_measured_whole():
    text = "क" * 350_000  # 1 MB of UTF-8
    measured = []
    chunks = chunk_on_words(text, 256, measuring(lambda piece: len(piece) // 2, measured))
    assert "".join(chunks) == text and all(len(chunk) // 2 <= 256 for chunk in chunks)
    assert max(measured) < 2048 and sum(measured) <= 3 * len(text)


def test_initials_and_abbreviations_split_as_indic_nlp_library_splits_them(flores_dir):
    lines = (flores_dir / "hin_Deva.dev").read_text(encoding="utf-8").split("\n")[:200]
    paragraphs = [
        " ".join(lines), re.sub("[।|]", "", " ".join(lines)), "क. ख. ग. घ", "डॉ. शर्मा ने कहा। क. ख. डॉ. ग", " क.",
        "1. 2. 3.", "ए. बी. सी. आज आए. श्री. राम. क्या?", "क." * 50,
    ]
    for paragraph in paragraphs:
        for iso_code in ("hi", "mr", "bn", "ta", "en"):
            assert split_sentences(paragraph, iso_code) == sentence_split(paragraph, lang=iso_code)
