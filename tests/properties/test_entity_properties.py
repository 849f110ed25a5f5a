"""The numbers check, tried with hypothesis: a number written in any of its forms on each side never flags, and
taking it out of the translation always does."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.text.entities import NUMBER, check

quick = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")
# Text around the number, without digits: Hindi on the source side, English on the other.
hindi_words = st.lists(st.sampled_from(["लोग", "कीमत", "है", "में", "का", "।", ",", "(", ")"]), max_size=6)
english_words = st.lists(st.sampled_from(["people", "price", "is", "in", "of", ".", ",", "(", ")"]), max_size=6)


def indian_grouping(digits: str) -> str:
    """`187500` -> `1,87,500`: the last three digits, then pairs."""
    head, tail = digits[:-3], digits[-3:]
    pairs = [head[max(0, end - 2) : end] for end in range(len(head), 0, -2)][::-1]
    return ",".join([*pairs, tail]) if head else tail


@st.composite
def written_forms(draw) -> tuple[str, str]:
    """One quantity, written two ways chosen independently: grouped or not, Devanagari digits (Hindi side only),
    with a currency or percent sign, a trailing zero after a decimal point."""
    whole = draw(st.integers(min_value=0, max_value=10**9))
    fraction = draw(st.sampled_from(["", "5", "25", "75"]))

    def form(hindi: bool) -> str:
        digits = draw(st.sampled_from([str(whole), f"{whole:,}", indian_grouping(str(whole))]))
        if fraction:
            digits += "." + fraction + draw(st.sampled_from(["", "0"]))
        if hindi and draw(st.booleans()):
            digits = digits.translate(DEVANAGARI_DIGITS)
        words = ["{} रुपये", "{} प्रतिशत"] if hindi else ["{} rupees", "{} percent"]
        return draw(st.sampled_from(["{}", "₹{}", "Rs. {}", "${}", "{}%", *words])).format(digits)

    return form(hindi=True), form(hindi=False)


@quick
@given(written_forms(), hindi_words, hindi_words, english_words, english_words)
def test_a_number_in_any_written_form_passes(forms, hindi_before, hindi_after, english_before, english_after):
    source = " ".join([*hindi_before, forms[0], *hindi_after])
    translation = " ".join([*english_before, forms[1], *english_after])
    assert check(source, translation) == []


@quick
@given(written_forms(), hindi_words, english_words)
def test_a_number_left_out_is_missing(forms, hindi_words, english_words):
    missing = check(" ".join([*hindi_words, forms[0]]), " ".join(english_words))
    assert [entity.kind for entity in missing] == [NUMBER]
