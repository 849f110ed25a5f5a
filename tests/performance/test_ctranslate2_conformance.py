"""An IndicTrans2 checkpoint converted to CTranslate2 decodes, in float32, the ids our PyTorch model decodes.

Both tiny fixtures are used: tiny-indic-en has `layernorm_embedding`, tiny-en-indic has neither that nor an untied
LM head. Sources are the preprocessed golden end-to-end inputs, one sentence per call on the PyTorch side.
"""

import json

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

pytest.importorskip("ctranslate2")

from pipeline.backends import until_eos  # noqa: E402
from pipeline.models.ctranslate2_folder import CONVERSION_FILE  # noqa: E402
from pipeline.models.indictrans.convert_ctranslate2 import convert_indictrans, position_table  # noqa: E402
from pipeline.translation import TranslatorConfig, load_translator  # noqa: E402

CHECKPOINTS = ["tiny-indic-en", "tiny-en-indic"]


@pytest.fixture(scope="module", params=CHECKPOINTS)
def checkpoint(request, indictrans_fixtures, tmp_path_factory):
    folder = indictrans_fixtures / request.param
    converted = convert_indictrans(folder, tmp_path_factory.mktemp(request.param) / "ct2")
    lines = (indictrans_fixtures / "golden" / f"e2e_{request.param}.jsonl").read_text(encoding="utf-8").split("\n")
    texts = [json.loads(line)["preprocessed"] for line in lines if line.strip()]
    source_ids = AutoTokenizer.from_pretrained(folder)(texts)["input_ids"]
    return folder, converted, AutoModelForSeq2SeqLM.from_pretrained(folder).eval(), source_ids


def pytorch_ids(model, source_ids, **generate_kwargs):
    with torch.inference_mode():
        rows = [model.generate(torch.tensor([ids]), **generate_kwargs)[0].tolist() for ids in source_ids]
    return [until_eos(row[1:], {model.config.eos_token_id}) for row in rows]


def ctranslate2_ids(converted, source_ids, **generation):
    config = TranslatorConfig(model=str(converted), backend="ctranslate2", compute_type="float32", generation=generation)
    return load_translator(config, "translate", "cpu", "fp32").generate(source_ids)


def test_greedy_ids_equal_the_pytorch_model(checkpoint):
    _, converted, model, source_ids = checkpoint
    expected = pytorch_ids(model, source_ids, num_beams=1, max_new_tokens=24)
    assert ctranslate2_ids(converted, source_ids, num_beams=1, max_new_tokens=24) == expected


def test_beam_search_ids_equal_the_pytorch_model(checkpoint):
    _, converted, model, source_ids = checkpoint
    expected = pytorch_ids(model, source_ids, num_beams=4, max_new_tokens=16, early_stopping=True)
    assert ctranslate2_ids(converted, source_ids, num_beams=4, max_new_tokens=16) == expected


def test_fixed_output_length_is_kept(checkpoint):
    _, converted, _, source_ids = checkpoint
    generated = ctranslate2_ids(converted, source_ids, num_beams=2, min_new_tokens=9, max_new_tokens=9)
    assert {len(ids) for ids in generated} == {9}


def test_converted_folder_tokenizes_like_the_source_folder(checkpoint):
    folder, converted, _, source_ids = checkpoint
    texts = AutoTokenizer.from_pretrained(folder).batch_decode(source_ids[:3])
    assert AutoTokenizer.from_pretrained(converted).batch_decode(source_ids[:3]) == texts


def test_conversion_record_points_at_the_source_folder(checkpoint):
    folder, converted, _, _ = checkpoint
    record = json.loads((converted / CONVERSION_FILE).read_text(encoding="utf-8"))
    assert record["source"] == str(folder) and record["quantization"] == "float32"


def test_stored_positions_start_at_the_first_real_token(checkpoint):
    """Quirk M1: fairseq numbers real tokens from padding_idx + 1, so the stored table starts there."""
    _, _, model, source_ids = checkpoint
    encoder = model.model.encoder
    ids = torch.tensor([source_ids[0]])
    expected = encoder.embed_positions(ids, encoder.embed_tokens(ids))[0]
    assert torch.equal(position_table(encoder, ids.shape[1]), expected)
