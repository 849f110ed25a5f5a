"""`translate.numerals`: an output's digits in ASCII, in the target script's own, or as the model wrote them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.stages.translate import translate_documents
from pipeline.text.numerals import write_digits


@pytest.mark.parametrize("text, numerals, script, written", [
    ("२६/११ को ९:३० बजे ₹१,८७,५०० और ३.५%", "ascii", None, "26/11 को 9:30 बजे ₹1,87,500 और 3.5%"),
    ("26/11 को 9:30 बजे ₹1,87,500 और 3.5%", "native", "Deva", "२६/११ को ९:३० बजे ₹१,८७,५०० और ३.५%"),
    ("on 26/11 at 9:30", "native", "Latn", "on 26/11 at 9:30"),  # Latin script has no digits of its own
    ("৫ জন", "ascii", None, "5 জন"),
    ("२६/११ 9:30", "keep", "Deva", "२६/११ 9:30"),
])
def test_digits_of_numbers_are_written_as_asked(text, numerals, script, written):
    assert write_digits(text, numerals, script) == written


@pytest.mark.parametrize("text", ["www.site2.com/2024", "mail a2@b3.in", "COVID-19", "v1.2", "H2O", "G20 देश"])
def test_digits_inside_urls_addresses_codes_and_words_are_left_alone(text):
    assert write_digits(text, "native", "Deva") == text


@given(st.lists(st.integers(min_value=0, max_value=10**9), max_size=6))
def test_native_then_ascii_gives_the_numbers_back(numbers):
    text = " और ".join(f"{n:,}" for n in numbers)
    assert write_digits(write_digits(text, "native", "Deva"), "ascii", None) == text


def test_the_translate_stage_writes_the_configured_digits(fixed_translator):
    back = fixed_translator("सरकार ने 1,87,500 रुपये 26/11 को दिए", src_lang="eng_Latn", tgt_lang="hin_Deva",
                           numerals="native")
    (translated,) = translate_documents(back, [["The government paid Rs 1,87,500 on 26/11."]])
    assert translated.texts == ["सरकार ने १,८७,५०० रुपये २६/११ को दिए"]
    forward = fixed_translator("Paid Rs १,८७,५०० on २६/११", numerals="ascii")
    (translated,) = translate_documents(forward, [["सरकार ने १,८७,५०० रुपये २६/११ को दिए।"]])
    assert translated.texts == ["Paid Rs 1,87,500 on 26/11"]
