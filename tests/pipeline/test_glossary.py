"""Glossaries and protected names: whole-word matching after normalization, hidden behind the translator's
placeholders and restored as the target term, verified in the output and reported per document."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline
from pipeline.text.glossary import Glossary, Term, english_name, read_glossary, read_protected
from pipeline.text.indic import normalize
from pipeline.translation import TRANSLATION_FAMILIES, TranslatorConfig
from pipeline.translation.translator import load_glossary


def hindi(text: str) -> str:
    return normalize(text, "hi")


def glossary(*pairs: tuple[str, str]) -> Glossary:
    return Glossary([Term(hindi(source), target, "test") for source, target in pairs])


def test_terms_match_whole_words_longest_first_after_normalization():
    terms = glossary(("भारत", "India"), ("भारतीय रिज़र्व बैंक", "Reserve Bank of India"), ("बैंक", "bank"))
    # The text spells ज़ with a separate nukta; the normalization that documents get makes it the same term.
    text = hindi("भारतीय रिज\u093cर्व बैंक ने भारत के बैंकों से कहा")
    assert [term.target for term in terms.find(text)] == ["Reserve Bank of India", "India"]  # not बैंकों: a word
    assert terms.find(hindi("भारतवर्ष")) == []  # a term inside a longer word is not the term


def test_hiding_numbers_each_distinct_term_once_and_missing_counts_occurrences():
    terms = glossary(("सूर्य", "Surya"), ("चंद्र", "Chandra"))
    text, targets = terms.hide(hindi("सूर्य और चंद्र, फिर सूर्य"), "<ID{}>".format, 3)
    assert text == "<ID3> और <ID4>, फिर <ID3>" and targets == ["Surya", "Chandra"]
    found = terms.find(hindi("सूर्य और चंद्र, फिर सूर्य"))
    assert Glossary.missing(found, "Surya and Chandra, then Surya") == []
    assert [t.target for t in Glossary.missing(found, "Surya and the moon, then the sun")] == ["Surya", "Chandra"]


@pytest.mark.parametrize("name, english", [
    ("सूर्य", "Surya"), ("राहुल गांधी", "Rahul Gandhi"), ("कृष्ण", "Krishna"), ("नरेंद्र मोदी", "Narendra Modi"),
    ("अमिताभ बच्चन", "Amitabh Bachchan"), ("दिल्ली", "Dilli"), ("गंगा", "Ganga"),
])
def test_protected_names_are_romanized_as_english_text_writes_them(name, english):
    assert english_name(name) == english


@given(st.lists(st.sampled_from(["सूर्य", "चंद्र", "नदी", "और", "फिर", "भारत", "3", "www.example.com"]), max_size=12))
def test_hiding_then_restoring_the_placeholders_is_replacing_each_term_by_its_target(words):
    terms = glossary(("सूर्य", "Surya"), ("चंद्र", "Chandra"), ("भारत", "India"))
    text = " ".join(words)
    hidden, targets = terms.hide(text, "<{}>".format, 1)
    restored = hidden
    for number, target in enumerate(targets, start=1):
        restored = restored.replace(f"<{number}>", target)
    expected = " ".join({"सूर्य": "Surya", "चंद्र": "Chandra", "भारत": "India"}.get(word, word) for word in words)
    assert restored == expected


@pytest.mark.parametrize("family, placeholder", [("marian", "<{}>"), ("indictrans2", "<ID{}>")])
def test_every_family_hides_a_term_and_restores_its_target_where_the_model_copied_the_placeholder(
    family, placeholder, tiny_models, indictrans_fixtures
):
    from transformers import AutoTokenizer

    folder = tiny_models["marian-hi-en"] if family == "marian" else indictrans_fixtures / "tiny-indic-en"
    adapter = TRANSLATION_FAMILIES.get(family)(AutoTokenizer.from_pretrained(folder), "hin_Deva", "eng_Latn",
                                               glossary(("सूर्य", "Surya")))
    (encoded,) = adapter.encode([hindi("www.example.com पर लिखा है कि सूर्य उगा।")])
    assert "सूर्य" not in encoded.text
    # Numbered from 1 in the family's own order (Marian: terms first; IndicTrans2: as its processor numbers them).
    numbered = encoded.state if isinstance(encoded.state, dict) else dict(enumerate(encoded.state, start=1))
    number = {original: n for n, original in numbered.items()}
    assert sorted(number) == ["Surya", "www.example.com"] and sorted(numbered) == [1, 2]
    model_output = f"{placeholder.format(number['www.example.com'])} says that {placeholder.format(number['Surya'])} rose"
    (decoded,) = adapter.decode([model_output], [encoded])
    assert decoded.startswith("www.example.com says that Surya rose")


def test_a_bad_glossary_row_is_refused_with_its_file_and_line(tmp_path):
    path = tmp_path / "terms.tsv"
    path.write_text("source\ttarget\nसूर्य\tSurya\nचंद्र\t\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"terms\.tsv:3: an empty target term"):
        read_glossary(path, hindi)
    path.write_text("hindi\tenglish\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"terms\.tsv:1: the header must name a source and a target"):
        read_glossary(path, hindi)
    path.write_text("source\ttarget\nसूर्य\tSurya\nसूर्य\tSun\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"terms\.tsv:3: 'सूर्य' is already given as 'Surya' at .*terms\.tsv:2"):
        read_glossary(path, hindi)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_config_with_a_glossary_and_a_protect_list_reports_every_term_per_document(repo_root, tiny_overrides, tmp_path):
    terms = write(tmp_path / "terms.tsv", "source\ttarget\tnote\nमौसम विभाग\tIMD\tIndia Meteorological Department\n")
    names = write(tmp_path / "names.txt", "# people\nसूर्य\n")
    source = write(tmp_path / "news.jsonl", "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in [
        {"id": "imd", "text": "मौसम विभाग ने कहा कि सूर्य आज तेज़ चमकेगा।"},
        {"id": "plain", "text": "मेट्रो सेवा शनिवार से शुरू होगी।"},
    ]))
    base = [*tiny_overrides, "stages=[prepare,translate]"]
    config = load_config(repo_root / "configs" / "tiny.yaml", [*base, f"translate.glossary={terms}",
                                                               f"translate.protect={names}"])
    assert [term.target for term in load_glossary(config.sections["translate"]).terms.values()] == ["IMD", "Surya"]
    run_pipeline(config, source, tmp_path / "run", progress=False)
    run_pipeline(load_config(repo_root / "configs" / "tiny.yaml", base), source, tmp_path / "plain", progress=False)
    rows = {row["id"]: row for row in map(json.loads, (tmp_path / "run" / "results.jsonl").read_text().splitlines())}
    plain = {row["id"]: row for row in map(json.loads, (tmp_path / "plain" / "results.jsonl").read_text().splitlines())}
    reported = rows["imd"]["stages"]["translate"]["glossary"]
    assert [(term["source"], term["target"]) for term in reported] == [("मौसम विभाग", "IMD"), ("सूर्य", "Surya")]
    for term in reported:  # each verdict is what the output says
        assert term["found"] == (term["target"].casefold() in rows["imd"]["translation"].casefold())
    assert ("translation:glossary_missing" in rows["imd"]["flags"]) == (not all(t["found"] for t in reported))
    assert "glossary" not in rows["plain"]["stages"]["translate"]  # a document without terms is as before
    assert rows["plain"]["translation"] == plain["plain"]["translation"]


def test_a_bad_glossary_is_refused_when_the_config_loads(repo_root, tiny_overrides, tmp_path):
    terms = write(tmp_path / "terms.tsv", "source\ttarget\nसूर्य\n")
    with pytest.raises(Exception, match=r"translate\.glossary: .*terms\.tsv:2: 1 fields, the header has 2"):
        load_config(repo_root / "configs" / "tiny.yaml", [*tiny_overrides, f"translate.glossary={terms}"])


def test_protected_names_file_skips_comments_and_blank_lines(tmp_path):
    path = write(tmp_path / "names.txt", "# names\n\nराहुल गांधी\n")
    assert [(t.source, t.target) for t in read_protected(path, hindi).terms.values()] == [("राहुल गांधी", "Rahul Gandhi")]


def test_the_translator_config_takes_the_files(tmp_path):
    config = TranslatorConfig(model="m", glossary=str(tmp_path / "g.tsv"), protect=str(tmp_path / "p.txt"))
    assert str(config.glossary).endswith("g.tsv") and str(config.protect).endswith("p.txt")


def test_an_unreadable_protect_list_is_refused_under_its_own_key(repo_root, tiny_overrides, tmp_path):
    terms = write(tmp_path / "terms.tsv", "source\ttarget\nसूर्य\tSurya\n")
    folder = tmp_path / "names"
    folder.mkdir()  # a folder where a file is expected: it cannot be read
    with pytest.raises(Exception, match=r"translate\.protect: .*names: cannot read"):
        load_config(repo_root / "configs" / "tiny.yaml",
                    [*tiny_overrides, f"translate.glossary={terms}", f"translate.protect={folder}"])
