"""IndicTransProcessor reproduces the reference IndicProcessor (golden/processor) string for string.

The golden records are read when the module is collected so that every record is its own test case, named by
its id; the spec tests below them need no shared data.
"""

import json
import os
import re
import sys
from pathlib import Path

import pytest

from pipeline.models.processing_indictrans import IndicTransProcessor, PreprocessedText
from pipeline.text.languages import FLORES_TO_INDICNLP, SUPPORTED_LANGUAGES, UnknownLanguageError

# Same location rule as conftest's `indictrans_fixtures`; needed here because parametrization happens at collection.
SHARED_DIR = Path(os.environ.get("PIPELINE_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
GOLDEN_DIR = SHARED_DIR / "fixtures" / "indictrans2" / "golden" / "processor"
DIRECTIONS = ("hin_Deva-eng_Latn", "eng_Latn-hin_Deva")

# The reference numbers the entities of one pattern in `set` order, which changes with PYTHONHASHSEED; the
# golden lists the numberings seen under seeds 0-3. For this sentence's four handles ours (order of first
# occurrence) is none of those four, so the record is checked up to renumbering.
RENUMBERED = {"en-hi-dev-1004"}


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _golden(kind: str) -> list[dict]:
    if not GOLDEN_DIR.is_dir():
        return []
    return [record for direction in DIRECTIONS for record in _read_jsonl(GOLDEN_DIR / f"{direction}.{kind}.jsonl")]


def _by_id(records: list[dict], key: str = "id"):
    return pytest.mark.parametrize("record", records, ids=[record[key] for record in records])


PREPROCESS = _golden("preprocess")
POSTPROCESS = _golden("postprocess")
QUEUE_SCENARIOS = _read_jsonl(GOLDEN_DIR / "queue_semantics.jsonl") if GOLDEN_DIR.is_dir() else []


def entities_of(placeholders: dict[str, str]) -> tuple[str, ...]:
    """`{"<ID1>": a, "<ID2>": b}` as the processor carries it: `(a, b)`."""
    return tuple(placeholders[f"<ID{n}>"] for n in range(1, len(placeholders) + 1))


def recorded_numberings(record: dict, result_key: str) -> list[tuple[str, dict[str, str]]]:
    """Every (result, placeholder map) pair the reference produced for this record."""
    if record["hash_seed_dependent"]:
        return list(zip(record[f"{result_key}_variants"], record["placeholders_variants"]))
    return [(record[result_key], record["placeholders"])]


def renumber(text: str, placeholders: dict[str, str], entities: tuple[str, ...]) -> str:
    """`text` with each placeholder number changed to the one `entities` gives the same entity."""
    number_of = {entity: str(n) for n, entity in enumerate(entities, start=1)}
    return re.sub(r"(?<=ID)\d+", lambda match: number_of[placeholders[f"<ID{match.group()}>"]], text)


@pytest.fixture(scope="module")
def processor() -> IndicTransProcessor:
    return IndicTransProcessor()


def test_every_golden_file_is_read(indictrans_fixtures: Path):
    assert GOLDEN_DIR == indictrans_fixtures / "golden" / "processor"
    assert (len(PREPROCESS), len(POSTPROCESS), len(QUEUE_SCENARIOS)) == (1059 + 1038, 1059 + 1038, 7)


@_by_id(PREPROCESS)
def test_preprocess_matches_reference(processor, record):
    result = processor.preprocess([record["input"]], record["src_lang"], record["tgt_lang"])[0]

    if record["id"] in RENUMBERED:
        assert sorted(result.entities) == sorted(record["placeholders"].values())
        assert result.text == renumber(record["preprocessed"], record["placeholders"], result.entities)
    else:
        assert (result.text, result.placeholder_map) in recorded_numberings(record, "preprocessed")


@_by_id(POSTPROCESS)
def test_postprocess_matches_reference(processor, record):
    source = processor.preprocess([record["placeholders_source"]], record["src_lang"], record["lang"])[0]
    numberings = recorded_numberings(record, "output")

    if record["id"] in RENUMBERED:
        # The reference output for our numbering was not recorded; restore with the seed-0 map instead.
        entities, expected = entities_of(record["placeholders"]), record["output"]
    else:
        assert source.placeholder_map in [placeholders for _, placeholders in numberings]
        entities = source.entities
        expected = next(output for output, placeholders in numberings if placeholders == source.placeholder_map)

    assert processor.postprocess([record["input"]], [entities], record["lang"]) == [expected]


@_by_id([record for record in POSTPROCESS if record["hash_seed_dependent"]])
def test_postprocess_restores_every_recorded_numbering(processor, record):
    for output, placeholders in recorded_numberings(record, "output"):
        assert processor.postprocess([record["input"]], [entities_of(placeholders)], record["lang"]) == [output]


def _run_preprocess_calls(processor, scenario) -> list[list[PreprocessedText]]:
    return [
        processor.preprocess(call, scenario["src_lang"], scenario["tgt_lang"]) for call in scenario["preprocess_calls"]
    ]


@_by_id(QUEUE_SCENARIOS, key="name")
def test_queue_scenario_preprocesses_like_reference(processor, record):
    calls = _run_preprocess_calls(processor, record)

    assert [[source.text for source in call] for call in calls] == record["preprocessed"]


@_by_id(QUEUE_SCENARIOS, key="name")
def test_queue_scenario_postprocesses_like_reference(processor, record):
    # The reference pairs outputs with sources through a queue filled by every preprocess call: output i takes
    # the map of source i // num_return_sequences, and whatever the postprocess does not take is discarded
    # (fewer_post_than_pre_queue_cleared). Here the caller names the sources, so the scenario passes those the
    # reference would have dequeued, each repeated once per returned sequence.
    sources = [source for call in _run_preprocess_calls(processor, record) for source in call]
    per_source = record["num_return_sequences"]
    taken = sources[: len(record["postprocess_input"]) // per_source]
    entities = [source.entities for source in taken for _ in range(per_source)]

    outputs = processor.postprocess(record["postprocess_input"], entities, record["postprocess_lang"])

    assert outputs == record["postprocess_output"]


@_by_id(QUEUE_SCENARIOS, key="name")
def test_sentence_after_queue_scenario_gets_its_own_placeholders(processor, record):
    _run_preprocess_calls(processor, record)
    followup = record["followup"]

    sources = processor.preprocess(followup["preprocess_input"], "hin_Deva", "eng_Latn")
    outputs = processor.postprocess(followup["postprocess_input"], [s.entities for s in sources], "eng_Latn")

    assert [source.text for source in sources] == followup["preprocessed"]
    assert outputs == followup["postprocess_output"]


def test_url_email_and_number_are_hidden_and_restored(processor):
    source = processor.preprocess(
        ["रिपोर्ट https://data.gov.in/report पर है, प्रश्न help@data.gov.in पर भेजें, कुल 12,34,567 लोग"],
        "hin_Deva",
        "eng_Latn",
    )[0]
    translation = "The report is at < ID2 > , send questions to <ID1> , total [ID3] people"

    restored = processor.postprocess([translation], [source.entities], "eng_Latn")[0]

    assert restored == (
        "The report is at https://data.gov.in/report, send questions to help@data.gov.in, total 12,34,567 people"
    )


def test_entities_are_numbered_email_url_numeral_handle(processor):
    source = processor.preprocess(
        ["@team: visit https://example.org/a or mail a.b@example.org on 15/08/2023"], "eng_Latn", "hin_Deva"
    )[0]

    assert source.text == "eng_Latn hin_Deva < ID4 > : visit < ID2 > or mail < ID1 > on < ID3 >"
    assert source.entities == ("a.b@example.org", "https://example.org/a", "15/08/2023", "@team")


def test_entities_of_one_kind_are_numbered_in_reading_order(processor):
    source = processor.preprocess(["@zeta thanked @alpha and @mu"], "eng_Latn", "hin_Deva")[0]

    assert source.entities == ("@zeta", "@alpha", "@mu")


def test_interleaved_calls_keep_their_own_placeholders(processor):
    first = processor.preprocess(["साइट https://first.example.com देखें"], "hin_Deva", "eng_Latn")[0]
    second = processor.preprocess(["साइट https://second.example.com देखें"], "hin_Deva", "eng_Latn")[0]

    assert processor.postprocess(["see <ID1>"], [second.entities], "eng_Latn") == ["see https://second.example.com"]
    assert processor.postprocess(["see <ID1>"], [first.entities], "eng_Latn") == ["see https://first.example.com"]


def test_postprocess_without_entities_for_every_text_is_an_error(processor):
    # The reference would wait forever on its empty queue here.
    with pytest.raises(ValueError, match="one per text"):
        processor.postprocess(["see <ID1>", "mail <ID1>"], [("https://example.com",)], "eng_Latn")


@pytest.mark.parametrize("code", [code for code in SUPPORTED_LANGUAGES if FLORES_TO_INDICNLP[code] != "ur"])
def test_every_supported_source_language_is_accepted(processor, code):
    source = processor.preprocess(["https://example.com"], code, "eng_Latn")[0]

    assert (source.text, source.entities) == (f"{code} eng_Latn < ID1 >", ("https://example.com",))


@pytest.mark.parametrize("code", SUPPORTED_LANGUAGES)
def test_every_supported_target_language_is_accepted(processor, code):
    assert processor.postprocess(["< ID1 >"], [("https://example.com",)], code) == ["https://example.com"]


def test_unknown_language_is_rejected_with_the_valid_codes(processor):
    with pytest.raises(UnknownLanguageError, match="hindi.*hin_Deva"):
        processor.preprocess(["नमस्ते"], "hindi", "eng_Latn")


@pytest.mark.parametrize("code", [code for code in SUPPORTED_LANGUAGES if FLORES_TO_INDICNLP[code] == "ur"])
def test_urdu_script_source_without_urduhack_says_what_to_install(processor, monkeypatch, code):
    monkeypatch.setitem(sys.modules, "urduhack", None)  # as if it were not installed

    message = rf"^preprocessing {code} text needs .*'urduhack' package; install it with: pip install 'urduhack\[tf\]'$"
    with pytest.raises(ImportError, match=message):
        processor.preprocess(["یہ دیکھیں"], code, "eng_Latn")
