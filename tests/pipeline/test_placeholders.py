import pytest

from pipeline.text.placeholders import protect, restore


@pytest.mark.parametrize(
    "entity",
    ["https://example.com/path_a/b?x=1&y=2", "www.example.org", "reporter.name+news@mail.co.in", "1,23,456.78", "9:30", "२०२६"],
)
def test_entity_is_hidden_and_restored_exactly(entity):
    protected = protect(f"देखें {entity} आज।")
    assert entity not in protected.text
    assert restore(protected.text, protected.originals) == (f"देखें {entity} आज।", 0)


def test_trailing_sentence_punctuation_is_not_part_of_a_url():
    protected = protect("जानकारी https://example.com/a पर है। या https://example.com/b.")
    assert list(protected.originals.values()) == ["https://example.com/a", "https://example.com/b"]


def test_repeated_entity_shares_one_placeholder():
    protected = protect("100 और 100 और 7")
    assert protected.text == "<1> और <1> और <2>"


def test_restore_accepts_the_spellings_translators_produce():
    protected = protect("a@b.com 42")
    assert restore("write to < 1 > or [2]", protected.originals) == ("write to a@b.com or 42", 0)


def test_restore_counts_lost_placeholders_and_leaves_unknown_ones():
    protected = protect("a@b.com 42")
    assert restore("only <2> and <9>", protected.originals) == ("only 42 and <9>", 1)


def test_placeholders_set_before_are_kept_and_numbering_continues_after_them():
    protected = protect("<1> की लाइन 3 पर <2> और <5>", first=3)
    assert protected.text == "<1> की लाइन <3> पर <2> और <<4>>"  # <5> is the text's own: its number is protected
    assert protected.originals == {3: "3", 4: "5"}
