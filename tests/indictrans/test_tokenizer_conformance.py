"""IndicTransTokenizer reproduces the hub tokenizer's recorded outputs.

Goldens: ../shared/fixtures/indictrans2/golden/tokenizer/<direction>.*.jsonl.
"""

import filecmp
import json
from pathlib import Path

import pytest
from transformers import AutoTokenizer

import pipeline.models.indictrans  # noqa: F401  (registers the IndicTrans auto classes)
from pipeline.models.indictrans import IndicTransTokenizer

# golden file prefix -> checkpoint folder whose tokenizer recorded it
DIRECTIONS = {"indic-en": "tiny-indic-en", "en-indic": "tiny-en-indic"}
VOCABULARY_FILES = ("model.SRC", "model.TGT", "dict.SRC.json", "dict.TGT.json")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module", params=list(DIRECTIONS))
def direction(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def checkpoint_dir(indictrans_fixtures, direction) -> Path:
    return indictrans_fixtures / DIRECTIONS[direction]


@pytest.fixture(scope="module")
def tokenizer(checkpoint_dir) -> IndicTransTokenizer:
    return IndicTransTokenizer.from_pretrained(checkpoint_dir)


@pytest.fixture(scope="module")
def golden(indictrans_fixtures, direction):
    """`golden("encode")` -> the records of golden/tokenizer/<direction>.encode.jsonl."""
    return lambda kind: read_jsonl(indictrans_fixtures / "golden" / "tokenizer" / f"{direction}.{kind}.jsonl")


@pytest.fixture(scope="module")
def encodable(golden) -> list[dict]:
    return [record for record in golden("encode") if "error" not in record]


def test_tokens_match_reference(tokenizer, encodable):
    assert [tokenizer.tokenize(r["text"]) for r in encodable] == [r["tokens"] for r in encodable]


def test_input_ids_and_attention_mask_match_reference(tokenizer, encodable):
    encodings = [tokenizer(r["text"]) for r in encodable]
    assert [e["input_ids"] for e in encodings] == [r["input_ids"] for r in encodable]
    assert [e["attention_mask"] for e in encodings] == [r["attention_mask"] for r in encodable]


def test_truncation_keeps_model_max_length_ids_ending_in_eos(tokenizer, encodable):
    truncated = [r for r in encodable if "input_ids_truncation_true" in r]
    assert truncated, "the golden set has a source longer than model_max_length"
    ids = [tokenizer(r["text"], truncation=True)["input_ids"] for r in truncated]
    assert ids == [r["input_ids_truncation_true"] for r in truncated]
    assert all(len(row) == tokenizer.model_max_length and row[-1] == tokenizer.eos_token_id for row in ids)


def test_malformed_sources_raise_value_error(tokenizer, golden):
    # The hub tokenizer raises AssertionError for unknown tags; this one raises ValueError for every malformed line.
    malformed = [r["text"] for r in golden("encode") if "error" in r]
    assert len(malformed) == 4
    for text in malformed:
        with pytest.raises(ValueError):
            tokenizer(text)


def test_padded_batches_match_reference(tokenizer, golden):
    for record in golden("batch"):
        encoding = tokenizer(record["texts"], **record["call"])
        assert encoding["input_ids"] == record["input_ids"], record["id"]
        assert encoding["attention_mask"] == record["attention_mask"], record["id"]


def test_decode_skipping_special_tokens_matches_reference(tokenizer, golden):
    records = golden("decode")
    decoded = tokenizer.batch_decode([r["ids"] for r in records], skip_special_tokens=True)
    assert decoded == [r["skip_special_tokens"] for r in records]


def test_decode_without_cleanup_matches_reference(tokenizer, golden):
    records = golden("decode")
    decoded = tokenizer.batch_decode(
        [r["ids"] for r in records], skip_special_tokens=True, clean_up_tokenization_spaces=False
    )
    assert decoded == [r["skip_special_tokens_no_cleanup"] for r in records]


def test_decode_keeping_special_tokens_matches_reference(tokenizer, golden):
    records = golden("decode")
    decoded = tokenizer.batch_decode([r["ids"] for r in records], skip_special_tokens=False)
    assert decoded == [r["keep_special_tokens"] for r in records]


def test_target_encoding_matches_reference(tokenizer, golden):
    records = golden("target_encode")
    labels = tokenizer(text_target=[r["text_target"] for r in records])["input_ids"]
    assert labels == [r["labels"] for r in records]


def test_target_batches_pad_on_the_right(tokenizer, golden):
    records = sorted(golden("target_encode")[:2], key=lambda r: len(r["labels"]))
    short, long = (r["labels"] for r in records)
    padding = len(long) - len(short)
    assert padding > 0
    encoding = tokenizer(text_target=[r["text_target"] for r in records], padding="longest")
    assert encoding["input_ids"] == [short + [tokenizer.pad_token_id] * padding, long]
    assert encoding["attention_mask"] == [[1] * len(short) + [0] * padding, [1] * len(long)]


def test_decoding_leaves_the_tokenizer_on_the_source_side(tokenizer, encodable, golden):
    tokenizer.decode(golden("decode")[0]["ids"])
    assert tokenizer.padding_side == "left"
    assert tokenizer(encodable[0]["text"])["input_ids"] == encodable[0]["input_ids"]


def test_save_pretrained_copies_vocabulary_files_byte_identical(tokenizer, checkpoint_dir, tmp_path):
    tokenizer.save_pretrained(tmp_path)
    for name in VOCABULARY_FILES:
        assert filecmp.cmp(checkpoint_dir / name, tmp_path / name, shallow=False), name


def test_saved_folder_reloads_with_auto_tokenizer_to_the_same_encodings(tokenizer, encodable, golden, tmp_path):
    tokenizer.save_pretrained(tmp_path)
    reloaded = AutoTokenizer.from_pretrained(tmp_path)
    batch = golden("batch")[0]
    assert isinstance(reloaded, IndicTransTokenizer)
    assert reloaded(batch["texts"], **batch["call"])["input_ids"] == batch["input_ids"]
    assert reloaded.decode(encodable[0]["input_ids"]) == tokenizer.decode(encodable[0]["input_ids"])


def test_auto_tokenizer_loads_the_checkpoint_without_remote_code(checkpoint_dir):
    # tokenizer_config.json carries an `auto_map` to a tokenization_indictrans.py that is not in the folder.
    loaded = AutoTokenizer.from_pretrained(checkpoint_dir)
    assert type(loaded) is IndicTransTokenizer
    assert "auto_map" not in loaded.init_kwargs


def test_instances_do_not_share_added_tokens(indictrans_fixtures):
    first = IndicTransTokenizer.from_pretrained(indictrans_fixtures / "tiny-indic-en")
    second = IndicTransTokenizer.from_pretrained(indictrans_fixtures / "tiny-en-indic")
    first.add_tokens(["<added_only_to_first>"])
    assert "<added_only_to_first>" in first.get_vocab()
    assert "<added_only_to_first>" not in second.get_vocab()
