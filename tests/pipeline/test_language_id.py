"""The output language check: language identification, mixed scripts, and its thresholds on FLORES-200."""

from __future__ import annotations

import dataclasses
import json

import pytest

from pipeline.run_config import load_config
from pipeline.runner import run_pipeline
from pipeline.stages.translate import translate_documents
from pipeline.summarization import Summarizer
from pipeline.text.degeneration import GuardConfig
from pipeline.text.language_id import MIXED_SCRIPT, WRONG_LANGUAGE, check_language, guard_language, identify

HINDI = "सोमवार को वैज्ञानिकों ने एक नए उपकरण की घोषणा की जो कोशिकाओं को उनके प्रकार के आधार पर छाँट सकता है।"
ENGLISH = "On Monday, scientists announced a new diagnostic tool that can sort cells by type."
HINGLISH = "somavara ko vaijnanikom ne eka nae upakarana ki ghoshana ki jo koshikaom ko unake prakara ke adhara para"


def test_hindi_is_identified_as_hindi():
    language, probability = identify(HINDI)
    assert language == "hi" and probability > 0.5


def test_english_is_identified_as_english():
    language, probability = identify(ENGLISH)
    assert language == "en" and probability > 0.5


def test_the_candidates_restrict_the_answer():
    assert identify(HINDI, frozenset({"en", "mr"}))[0] in {"en", "mr"}


def test_references_pass_in_their_own_language():
    assert check_language(HINDI, "hi", "Deva") == []
    assert check_language(ENGLISH, "en", "Latn") == []


def test_hindi_where_english_is_expected_is_the_wrong_language_and_script():
    assert check_language(HINDI, "en", "Latn") == [WRONG_LANGUAGE, MIXED_SCRIPT]


def test_romanized_hindi_is_not_english():
    assert check_language(HINGLISH, "en", "Latn") == [WRONG_LANGUAGE]


def test_half_latin_hindi_is_mixed_script():
    mixed = "सोमवार को वैज्ञानिकों ने announced a new diagnostic tool that can sort cells by their type"
    assert MIXED_SCRIPT in check_language(mixed, "hi", "Deva")


def test_a_latin_name_in_hindi_is_not_mixed_script():
    assert check_language("सोमवार को Stanford विश्वविद्यालय के वैज्ञानिकों ने एक नए उपकरण की घोषणा की।", "hi", "Deva") == []


def test_numbers_and_urls_are_not_letters_of_another_script():
    text = "रिपोर्ट https://example.com/report-2024 पर है: 1,234 लोग, 56.7% वृद्धि, 2023 से अब तक के आंकड़े"
    assert check_language(text, "hi", "Deva") == []


def test_short_texts_are_not_judged():
    assert check_language("नमस्ते दोस्त", "en", "Latn") == []
    assert check_language("नमस्ते दोस्त", "en", "Latn", min_words=2) == [WRONG_LANGUAGE, MIXED_SCRIPT]


def test_the_guard_checks_a_stage_output_by_its_flores_code():
    assert guard_language(HINDI, "eng_Latn", GuardConfig()) == [WRONG_LANGUAGE, MIXED_SCRIPT]
    assert guard_language(HINDI, "en", GuardConfig()) == [WRONG_LANGUAGE]  # M2M-100's code names no script


@pytest.mark.parametrize("switch", [{"language": False}, {"enabled": False}])
def test_the_guard_can_turn_the_check_off(switch):
    assert guard_language(HINDI, "eng_Latn", GuardConfig(**switch)) == []


@pytest.fixture(scope="module")
def flores(flores_dir):
    """The first 200 sentences of FLORES-200 dev in Hindi and English."""
    return {
        language: flores_dir.joinpath(f"{code}.dev").read_text(encoding="utf-8").splitlines()[:200]
        for language, code in (("hi", "hin_Deva"), ("en", "eng_Latn"))
    }


@pytest.mark.parametrize("language", ["hi", "en"])
def test_flores_sentences_are_identified(flores, language):
    # Measured: 1.000 for both on all 997 dev sentences (docs/quality-checks.md); a floor, not the figure.
    accuracy = sum(identify(text)[0] == language for text in flores[language]) / len(flores[language])
    assert accuracy >= 0.99


def test_flores_five_word_snippets_are_identified(flores):
    # Measured on all of dev: 0.97 for Hindi, 1.000 for English.
    snippets = [(" ".join(text.split()[:5]), language) for language in flores for text in flores[language]]
    assert sum(identify(text)[0] == language for text, language in snippets) / len(snippets) >= 0.95


@pytest.mark.parametrize(("language", "script"), [("hi", "Deva"), ("en", "Latn")])
def test_every_flores_reference_passes_in_its_own_language(flores, language, script):
    failing = [text for text in flores[language] if check_language(text, language, script)]
    assert failing == []


@pytest.mark.parametrize(
    ("answer", "languages", "problems"),
    [
        (ENGLISH, {}, []),
        (HINGLISH, {}, [WRONG_LANGUAGE]),
        (HINDI, {"src_lang": "eng_Latn", "tgt_lang": "hin_Deva"}, []),  # a back-translation into Hindi
        # the source copied: the degeneration guard's `untranslated` first, then the language check's problems
        (ENGLISH, {"src_lang": "eng_Latn", "tgt_lang": "hin_Deva"}, ["untranslated", WRONG_LANGUAGE, MIXED_SCRIPT]),
    ],
)
def test_a_translation_is_checked_in_its_target_language(fixed_translator, answer, languages, problems):
    (translated,) = translate_documents(fixed_translator(answer, **languages), [["एक वाक्य।"]])
    assert translated.problems == problems


def test_a_summary_in_hindi_is_flagged_and_the_check_can_be_turned_off(repo_root, tiny_overrides, monkeypatch, tmp_path):
    summarize = Summarizer.summarize
    monkeypatch.setattr(Summarizer, "summarize", lambda self, texts: [
        dataclasses.replace(summary, text=HINDI) for summary in summarize(self, texts)
    ])
    news = tmp_path / "news.jsonl"
    news.write_text(json.dumps({"id": "a", "text": "नई दिल्ली में सोमवार को तेज़ बारिश हुई।"}) + "\n", encoding="utf-8")
    flags = {}
    for switch in ("true", "false"):
        config = load_config(repo_root / "configs" / "tiny.yaml", [
            *tiny_overrides, "stages=[prepare, translate, summarize]", "translate.guard.language=false",
            f"summarize.guard.language={switch}",
        ])
        run_pipeline(config, news, tmp_path / switch, progress=False)
        flags[switch] = json.loads((tmp_path / switch / "results.jsonl").read_text(encoding="utf-8"))["flags"]
    assert flags == {"true": ["summary:wrong_language", "summary:mixed_script"], "false": []}
