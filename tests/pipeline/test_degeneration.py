"""The degeneration guard: loops, runaway length, untranslated and empty outputs are flagged, tail loops cut; the
flags reach results.jsonl, the manifest's counts, the evaluation report and the exported dataset."""

import dataclasses
import importlib.util
import json

import datasets
import pytest

from pipeline.config import ConfigError
from pipeline.errors import InputError
from pipeline.io.run_folder import read_run_folder
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline
from pipeline.summarization import Summarizer
from pipeline.text.degeneration import GuardConfig, check, find_loops, length_in_words
from pipeline.translation import Translator

GUARD = GuardConfig()
HI_EN = ("hin_Deva", "eng_Latn")
EN_HI = ("eng_Latn", "hin_Deva")


# --- loops ---


@pytest.mark.parametrize(
    "output, kept",
    [
        # a word repeated until the token budget ran out: its first occurrence stays
        ("Schools stayed closed on Monday and and and and and", "Schools stayed closed on Monday and"),
        ("नई दिल्ली में बारिश हुई हुई हुई हुई हुई", "नई दिल्ली में बारिश हुई"),
        # a sentence repeated, the last occurrence cut off by max_new_tokens mid-word
        ("It rained. Schools shut. Schools shut. Schools shut. Schools shut. Scho", "It rained. Schools shut."),
        # words compared without the punctuation around them
        ("The rain fell, fell, fell, fell.", "The rain fell,"),
        # characters repeated inside a word: a script without spaces, or garbled output
        ("फार्मरफार्मरफार्मरफार्मरफार्मर", "फार्मर"),
        ("analysts getgetgetgetget", "analysts get"),
        # cut again when the cut leaves another loop at the end
        ("on and on and on and on and and and and", "on and"),
    ],
)
def test_a_loop_at_the_end_is_cut_back_to_its_first_occurrence(output, kept):
    checked = check("स्रोत", output, GUARD)
    assert checked.problems == ("loop",)
    assert (checked.text, checked.cut_chars) == (kept, len(output) - len(kept))


def test_a_loop_in_the_middle_is_flagged_and_left():
    output = "Ajay Ajay Ajay Ajay landed in Delhi."
    checked = check("अजय दिल्ली पहुंचे।", output, GUARD)
    assert (checked.text, checked.problems, checked.cut_chars) == (output, ("loop",), 0)


def test_three_in_a_row_is_natural_four_is_a_loop():
    assert find_loops("It was very very very cold.", GUARD) == []
    assert find_loops("It was very very very very cold.", GUARD) != []
    assert find_loops("It was very very cold.", GuardConfig(max_repeats=1)) != []


@pytest.mark.parametrize(
    "output", ["1000000 people came.", "- - - - - -", "Wait.... ....", "Mississippi", "He said no, no, no."]
)
def test_numbers_punctuation_and_natural_repetition_are_not_loops(output):
    assert check("स्रोत", output, GUARD).problems == ()


def test_units_longer_than_the_configured_n_gram_are_not_looked_for():
    output = "one two three " * 5
    assert find_loops(output, GUARD) != []
    assert find_loops(output, GuardConfig(max_ngram_words=2)) == []


def test_cut_loops_false_flags_the_loop_and_keeps_the_text():
    checked = check("स्रोत", "rain rain rain rain rain", GuardConfig(cut_loops=False))
    assert (checked.text, checked.problems, checked.cut_chars) == ("rain rain rain rain rain", ("loop",), 0)


def test_a_disabled_guard_finds_nothing():
    checked = check("नमस्ते", "", GuardConfig(enabled=False), HI_EN)
    assert (checked.text, checked.problems) == ("", ())


# --- script, length, empty ---


def test_an_english_target_left_in_devanagari_is_untranslated():
    assert check("नई दिल्ली में बारिश हुई।", "नई दिल्ली में बारिश हुई।", GUARD, HI_EN).problems == ("untranslated",)


def test_a_mixed_output_under_the_threshold_is_translated():
    # Latin letters: R a i n i n t o d a y (11); Devanagari letters: न ई द ल ल (5; vowel signs are marks): 5/16
    source, output = "आज नई दिल्ली में बारिश", "Rain in नई दिल्ली today"
    assert check(source, output, GUARD, HI_EN).problems == ()
    assert check(source, output, GuardConfig(untranslated_share=0.3), HI_EN).problems == ("untranslated",)


def test_urls_and_e_mail_addresses_do_not_count_as_untranslated():
    source = "Visit https://www.example.com/annual-report or write to press@example.org today."
    assert check(source, "आज https://www.example.com/annual-report पर जाएं या press@example.org को लिखें।", GUARD,
                 EN_HI).problems == ()
    assert check(source, source, GUARD, EN_HI).problems == ("untranslated",)


def test_the_script_is_compared_only_between_different_scripts_of_known_codes():
    assert check("मराठी मजकूर", "मराठी मजकूर", GUARD, ("hin_Deva", "mar_Deva")).problems == ()
    assert check("नमस्ते दुनिया", "नमस्ते दुनिया", GUARD, ("hi", "en")).problems == ()  # M2M-100 codes name no script


def test_too_long_compares_words_with_a_floor_for_short_sources():
    two_words = "खेल समाचार"
    assert check(two_words, " ".join(f"w{n}" for n in range(30)), GUARD, HI_EN).problems == ()  # 3 × the floor, 10
    assert check(two_words, " ".join(f"w{n}" for n in range(31)), GUARD, HI_EN).problems == ("too_long",)
    twenty = " ".join(f"श{n}" for n in range(20))
    assert check(twenty, " ".join(f"w{n}" for n in range(60)), GUARD, HI_EN).problems == ()
    assert check(twenty, " ".join(f"w{n}" for n in range(61)), GUARD, HI_EN).problems == ("too_long",)


def test_characters_of_scripts_without_spaces_count_as_words():
    assert length_in_words("东京塔很高 Tokyo tower") == 7


def test_an_empty_output_of_a_non_empty_source_is_flagged():
    assert check("नमस्ते", "  ", GUARD, HI_EN).problems == ("empty",)
    assert check("", "", GUARD, HI_EN).problems == ()


def test_a_summary_is_not_checked_for_length_or_script():
    document = "नई दिल्ली में बारिश हुई।"
    assert check(document, "नई दिल्ली में बारिश हुई। " * 2, GUARD).problems == ()


def test_guard_keys_are_checked_in_each_generating_section(repo_root):
    with pytest.raises(ConfigError) as raised:
        load_config(repo_root / "configs" / "bilingual.yaml", [
            "translate.guard.max_repeats=0", "summarize.guard.colour=red", "back_translate.guard.enabled=maybe",
        ])
    keys = sorted(line.split(":")[0] for line in str(raised.value).splitlines())
    assert keys == ["back_translate.guard.enabled", "summarize.guard.colour", "translate.guard.max_repeats"]


# --- reading flags back ---


def write_results(folder, *records):
    folder.mkdir()
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return folder


def test_flags_are_read_back_and_older_results_have_none(tmp_path):
    folder = write_results(tmp_path / "run", {"id": "a", "source": "x", "summary": "y", "flags": ["summary:loop"],
                                              "stages": {}}, {"id": "b", "source": "x", "summary": "y", "stages": {}})
    a, b = read_run_folder(folder).results
    assert (a.flags, b.flags) == (["summary:loop"], [])
    assert a.outputs == {"summary": "y"}  # flags are not an output


@pytest.mark.parametrize("flags", ["summary:loop", [1], {"summary": "loop"}])
def test_flags_that_are_not_a_list_of_strings_are_refused_naming_the_line(tmp_path, flags):
    folder = write_results(tmp_path / "run", {"id": "a", "source": "x", "stages": {}},
                           {"id": "b", "source": "x", "flags": flags, "stages": {}})
    with pytest.raises(InputError, match=r"results\.jsonl:2: 'flags' must be a list of strings$"):
        read_run_folder(folder)


# --- end to end ---

LOOPING = "It rained rained rained rained rained rained"


@pytest.fixture
def looping_models(monkeypatch):
    """The translation of every sentence about rain (बारिश) loops; so does the summary of a text about a stadium.

    (The tiny models write gibberish: the stadium's sentence is given an English translation that says so.)
    """
    translate, summarize = Translator.translate, Summarizer.summarize
    fixed = {"बारिश": LOOPING, "स्टेडियम": "A match was played in the stadium."}

    def looping_translate(self, sentences, progress=None):
        return [
            next((dataclasses.replace(t, text=text) for word, text in fixed.items() if word in s), t)
            for s, t in zip(sentences, translate(self, sentences, progress))
        ]

    def looping_summarize(self, texts):
        return [dataclasses.replace(s, text="stadium " * 8) if "stadium" in text else s
                for text, s in zip(texts, summarize(self, texts))]

    monkeypatch.setattr(Translator, "translate", looping_translate)
    monkeypatch.setattr(Summarizer, "summarize", looping_summarize)


@pytest.fixture
def news(tmp_path):
    texts = {
        "rain": "नई दिल्ली में सोमवार को तेज़ बारिश हुई। स्कूल बंद रहे।",
        "farm": "सरकार ने किसानों के लिए नई योजना की घोषणा की।",
        "stadium": "स्टेडियम में मैच हुआ।",
        "metro": "मेट्रो की नई लाइन पर सेवा शनिवार से शुरू होगी।",
    }
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps({"id": key, "text": text, "reference_summary": "Rain in Delhi.",
                                        "reference_translation": "It rained in Delhi."}, ensure_ascii=False) + "\n"
                            for key, text in texts.items()), encoding="utf-8")
    return path


def script(repo_root, name):
    spec = importlib.util.spec_from_file_location(f"{name}_script", repo_root / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def tiny_config(repo_root, tiny_overrides, *overrides):
    return load_config(repo_root / "configs" / "tiny.yaml",
                       [*tiny_overrides, "stages=[prepare, translate, summarize]", *overrides])


def test_a_looping_translation_is_cut_flagged_counted_reported_and_exported(
    repo_root, tiny_overrides, looping_models, news, tmp_path
):
    run = tmp_path / "run"
    run_pipeline(tiny_config(repo_root, tiny_overrides), news, run, progress=False)

    records = {r["id"]: r for r in map(json.loads, (run / "results.jsonl").read_text(encoding="utf-8").splitlines())}
    rain = records["rain"]
    assert list(rain)[-3:] == ["reference_translation", "flags", "stages"]
    assert rain["flags"] == ["translation:loop"]
    assert rain["translation"].startswith("It rained ") and "rained rained" not in rain["translation"]
    assert rain["stages"]["translate"]["cut_chars"] == len(LOOPING) - len("It rained")
    assert (records["stadium"]["flags"], records["stadium"]["summary"]) == (["summary:loop"], "stadium")
    assert records["farm"]["flags"] == records["metro"]["flags"] == []
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["flags"] == {"summary:loop": 1, "translation:loop": 1}

    assert script(repo_root, "evaluate")([str(run), "--bootstrap-samples", "20"]) == 0
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    assert report["input"]["flags"] == {"summary:loop": 1, "translation:loop": 1}
    assert report["input"]["flagged"] == [{"id": "rain", "flags": ["translation:loop"]},
                                          {"id": "stadium", "flags": ["summary:loop"]}]
    for page in ("report.md", "report.html"):
        assert "summary:loop: 1, translation:loop: 1" in (run / page).read_text(encoding="utf-8")
    markdown = (run / "report.md").read_text(encoding="utf-8")
    assert "Flagged documents of" in markdown
    assert "| rain | translation:loop |" in markdown and "| stadium | summary:loop |" in markdown
    assert "<td>stadium</td><td>summary:loop</td>" in (run / "report.html").read_text(encoding="utf-8")

    export = tmp_path / "export"
    assert script(repo_root, "export_dataset")([str(run), "--out", str(export)]) == 0
    exported = datasets.load_dataset(str(export), split="train", cache_dir=str(tmp_path / "cache"))
    assert exported.features["flags"] == datasets.Sequence(datasets.Value("string"))
    assert dict(zip(exported["id"], exported["flags"])) == {
        "rain": ["translation:loop"], "farm": [], "stadium": ["summary:loop"], "metro": [],
    }
    assert exported.features["flag_translation_loop"] == datasets.Value("bool")
    assert exported["flag_translation_loop"] == [True, False, False, False]
    assert exported["flag_summary_loop"] == [False, False, True, False]
    card = (export / "README.md").read_text(encoding="utf-8")
    assert "| `train` | `translation:loop` | 1 |" in card and "| `train` | `summary:loop` | 1 |" in card
    assert "- `flag_translation_loop` (bool): true when `flags` holds `translation:loop`" in card


def test_a_resumed_run_counts_the_flags_of_every_session(repo_root, tiny_overrides, looping_models, news, tmp_path):
    config = tiny_config(repo_root, tiny_overrides, "stages=[prepare, translate]")
    earlier = {"id": "farm", "source": "…", "translation": "", "flags": ["translation:empty"], "stages": {}}
    summary = run_pipeline(config, news, write_results(tmp_path / "run", earlier), resume=True, progress=False)
    assert (summary.resumed, summary.results) == (1, 3)
    assert summary.counts.flags == {"translation:empty": 1, "translation:loop": 1}  # the rain document's is new


def test_the_guard_setting_off_keeps_the_loop_unflagged(repo_root, tiny_overrides, looping_models, news, tmp_path):
    config = tiny_config(repo_root, tiny_overrides, "stages=[prepare, translate]", "translate.guard.enabled=false")
    run_pipeline(config, news, tmp_path / "run", progress=False)
    (rain, *_) = map(json.loads, (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").splitlines())
    assert rain["flags"] == [] and LOOPING in rain["translation"]


def run_args(repo_root, tiny_overrides, news, run, *extra):
    sets = [item for override in [*tiny_overrides, "stages=[prepare, translate, summarize]", "batch_size=1"]
            for item in ("--set", override)]
    return ["--config", str(repo_root / "configs" / "tiny.yaml"), "--input", str(news), "--output", str(run),
            "--no-progress", *sets, *extra]


@pytest.mark.parametrize("kind, written", [("translation:loop", ["rain"]), ("summary", ["rain", "farm", "stadium"]),
                                           ("loop", ["rain"])])
def test_fail_on_flag_stops_after_writing_the_first_result_of_that_kind(
    repo_root, tiny_overrides, looping_models, news, tmp_path, capsys, kind, written
):
    run = tmp_path / "run"
    main = script(repo_root, "run")
    assert main(run_args(repo_root, tiny_overrides, news, run, "--fail-on-flag", kind)) == 5
    err = capsys.readouterr().err
    assert "has the quality flag" in err and f"--fail-on-flag {kind}" in err and "continue with:" in err
    assert [r["id"] for r in map(json.loads, (run / "results.jsonl").read_text(encoding="utf-8").splitlines())] == written
    assert main(run_args(repo_root, tiny_overrides, news, run, "--resume")) == 0  # the rest, without the flag option
    assert len((run / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 4


def test_a_flag_kind_no_output_of_the_run_can_have_is_refused(repo_root, tiny_overrides, news, tmp_path, capsys):
    code = script(repo_root, "run")(run_args(repo_root, tiny_overrides, news, tmp_path / "run", "--fail-on-flag", "loops"))
    assert code == 2
    err = capsys.readouterr().err
    assert "--fail-on-flag loops: no flag of this run is of that kind" in err and "translation, summary" in err
    assert not (tmp_path / "run").exists()
