"""The numbers-and-entities check: what it reads in a text, how it compares, and FLORES references it must pass."""

import dataclasses
import importlib.util
import json
import sys

import pytest

from pipeline.config import ConfigError
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline
from pipeline.text.entities import EMAIL, HANDLE, HASHTAG, NUMBER, URL, check, extract, problems
from pipeline.translation import Translator


def values(text: str) -> list[tuple[str, str]]:
    return [(entity.kind, entity.value) for entity in extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("४२ और ४,२०० लोग", ["42", "4200"]),  # Devanagari digits
        ("১২৩ ੪੫ ௬", ["123", "45", "6"]),  # other Indic digit blocks
        ("1,23,456 और 123,456 और 12,34,56,789", ["123456", "123456", "123456789"]),  # Indian and Western grouping
        ("3.5 और 2.50 और 5.0 और 007", ["3.5", "2.5", "5", "7"]),  # decimals, trailing and leading zeros
        ("50% से 7.5 %", ["50", "7.5"]),  # percentages
        ("₹1,87,500 या Rs. 187500 या 1,87,500 rupees या $45", ["187500", "187500", "187500", "45"]),  # currency
        ("2019 में 21वीं बार, the 21st", ["2019", "21", "21"]),  # years, ordinals inside words
        ("H5N1, 2.4GHz, 802.11n", ["5", "1", "2.4", "802.11"]),  # numbers inside words
        ("10-15 लोग, 26/11/2026, -5", ["10", "15", "26", "11", "2026", "5"]),  # ranges, dates, signs
        ("9:30, 09:30 और 10: 00 बजे, 9.30", ["9:30", "9:30", "10:00", "9.3"]),  # times
        ("1,2345 और 2019,2020", ["1", "2345", "2019", "2020"]),  # commas that do not group
    ],
)
def test_numbers_are_normalized(text, expected):
    assert values(text) == [(NUMBER, value) for value in expected]


def test_urls_emails_handles_and_hashtags():
    text = "लिखें Info@Example.co.in, देखें https://Example.com/a_b?x=1. या www.x.org/2024, @PMOIndia #डिजिटलइंडिया #1"
    assert values(text) == [
        (EMAIL, "info@example.co.in"), (URL, "https://example.com/a_b?x=1"), (URL, "www.x.org/2024"),
        (HANDLE, "@pmoindia"), (HASHTAG, "#डिजिटलइंडिया"), (NUMBER, "1"),  # `#1` is a number, not a hashtag
    ]


def test_entities_say_where_they_were_written():
    text = "कीमत ₹1,87,500 है"
    [entity] = extract(text)
    assert (entity.text, text[entity.start : entity.end]) == ("1,87,500", "1,87,500")


@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("कीमत ₹१,८७,५०० है।", "It costs Rs. 187,500."),
        ("50 प्रतिशत लोग", "50% of people"),
        ("21वीं सदी", "the 21st century"),
        ("सुबह 09:30 बजे", "at 9:30 a.m."),
        ("ईमेल A@B.co या https://X.org/A", "e-mail a@b.co or https://x.org/a."),
        ("#डिजिटलइंडिया पर @PMOIndia", "@pmoindia on #डिजिटलइंडिया"),
        ("2 और 2", "2 plus 2"),
    ],
)
def test_a_faithful_translation_passes(source, translation):
    assert check(source, translation) == []


def test_what_is_missing_is_listed_in_source_order():
    missing = check("2 और 2 से 4, https://a.in पर #टैग", "2 and two make four, see https://a.in")
    assert [(entity.kind, entity.value, entity.start) for entity in missing] == [
        (NUMBER, "2", 5), (NUMBER, "4", 10), (HASHTAG, "#टैग", 29)
    ]


@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("पाँच में से 3", "three out of five"),  # a number in words is not read
        ("5.4 करोड़", "54 million"),  # nor a conversion
        ("कीमत ₹1,87,500", "It costs Rs. 18,750."),  # a digit lost
        ("9:30 बजे", "at 9.30"),
        ("देखें https://a.in/x", "see https://a.in/y"),
    ],
)
def test_a_changed_entity_is_missing(source, translation):
    assert len(check(source, translation)) == 1


def test_problems_name_numbers_first_then_other_entities():
    assert problems(check("https://a.in पर 5", "")) == ["number_missing", "entity_missing"]
    assert problems(check("#टैग", "")) == ["entity_missing"]
    assert problems([]) == []


# --- in the translate stage ---

TRANSLATIONS = {  # Hindi sentence -> what the translator is made to say
    "कीमत ₹1,87,500 है।": "It costs Rs. 187,500.",
    "कीमत ₹2,50,000 है।": "It costs a lot.",
    "देखें https://a.in/x और 3 लोग।": "See it, 3 people.",
}


@pytest.fixture
def translations(monkeypatch, tmp_path):
    """Documents whose (tiny-model) translations are replaced by TRANSLATIONS; the input file."""
    translate = Translator.translate

    def fixed_translate(self, sentences, progress=None):
        done = translate(self, sentences, progress)
        return [dataclasses.replace(t, text=TRANSLATIONS.get(s, t.text)) for s, t in zip(sentences, done)]

    monkeypatch.setattr(Translator, "translate", fixed_translate)
    path = tmp_path / "input.jsonl"
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n"
                            for i, text in enumerate(TRANSLATIONS)), encoding="utf-8")
    return path


def run_translate(repo_root, tiny_overrides, input_path, run, *overrides) -> list[dict]:
    config = load_config(repo_root / "configs" / "tiny.yaml",
                         [*tiny_overrides, "stages=[prepare, translate]", *overrides])
    run_pipeline(config, input_path, run, progress=False)
    return [json.loads(line) for line in (run / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_translation_lacking_an_entity_is_flagged_and_its_record_lists_what(
    repo_root, tiny_overrides, translations, tmp_path
):
    kept, lost, partly = run_translate(repo_root, tiny_overrides, translations, tmp_path / "run")
    assert (kept["flags"], "missing" in kept["stages"]["translate"]) == ([], False)  # as before the check
    assert lost["flags"] == ["translation:number_missing"]
    assert lost["stages"]["translate"]["missing"] == [{"kind": "number", "value": "250000"}]
    assert partly["flags"] == ["translation:entity_missing"]
    assert partly["stages"]["translate"]["missing"] == [{"kind": "url", "value": "https://a.in/x"}]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["flags"] == {"translation:number_missing": 1, "translation:entity_missing": 1}


@pytest.mark.parametrize("setting", ["translate.guard.entities=false", "translate.guard.enabled=false"])
def test_the_entities_setting_or_the_guard_off_flags_nothing(
    repo_root, tiny_overrides, translations, tmp_path, setting
):
    results = run_translate(repo_root, tiny_overrides, translations, tmp_path / "run", setting)
    assert [(r["flags"], "missing" in r["stages"]["translate"]) for r in results] == [([], False)] * 3


def test_only_the_translate_guard_has_the_entities_key(repo_root):
    with pytest.raises(ConfigError, match="back_translate.guard.entities"):
        load_config(repo_root / "configs" / "bilingual.yaml", ["back_translate.guard.entities=false"])


# --- on FLORES references ---


@pytest.fixture(scope="module")
def flores_script(repo_root):
    """scripts/check_numbers_flores.py as a module (registered while in use: its dataclass looks itself up)."""
    path = repo_root / "scripts" / "check_numbers_flores.py"
    spec = importlib.util.spec_from_file_location("check_numbers_flores", path)
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def digit_pairs(flores_script, flores_dir):
    """FLORES dev and devtest reference pairs writing every number in digits on both sides."""
    pairs = [pair for pair in flores_script.load_pairs(flores_dir) if flores_script.numbers(pair.hindi)]
    return [pair for pair in pairs if flores_script.all_digits(pair)]


def test_flores_references_writing_numbers_in_digits_pass(flores_script, digit_pairs):
    assert len(digit_pairs) > 300
    flagged = {(pair.split, pair.line) for pair in digit_pairs if check(pair.hindi, pair.english)}
    assert flagged == set(flores_script.DISCREPANCIES)


def test_every_number_deleted_from_a_flores_reference_is_caught(flores_script, digit_pairs):
    passing = [pair for pair in digit_pairs if (pair.split, pair.line) not in flores_script.DISCREPANCIES]
    results = [flores_script.deletions(pair) for pair in passing]
    assert sum(caught for caught, _ in results) > 500
    assert [missed for _, missed in results if missed] == []


def test_the_flores_script_reports_and_exits_0(flores_script, flores_dir, tmp_path, capsys):
    assert flores_script.main(["--shared-dir", str(flores_dir.parents[1]), "--json", str(tmp_path / "r.json")]) == 0
    assert "numbers deleted from all-digits references" in capsys.readouterr().out
    assert (tmp_path / "r.json").read_text(encoding="utf-8").count('"caught"') == 3  # dev, devtest, all


def test_the_flores_script_refuses_a_missing_shared_dir(flores_script, tmp_path, capsys):
    assert flores_script.main(["--shared-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path} lacks data/flores200 (set --shared-dir)"
