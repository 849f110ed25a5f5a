"""Hindi/English sentence → processor → tokenizer → model → decode → post-process, as the reference did it.

golden/e2e_<checkpoint>.jsonl was recorded with the reference's example usage: batches of 4 in input order,
greedy decoding, 24 new tokens. The first tests repeat that usage step by step; the last ones check that the
pipeline's translator, which sorts sentences by length across batches, returns the same outputs.
"""

import json

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from pipeline.models.indictrans import IndicTransProcessor
from pipeline.translation import TranslatorConfig, load_translator

CHECKPOINTS = ["tiny-indic-en", "tiny-en-indic"]


def golden(fixtures, checkpoint):
    lines = (fixtures / "golden" / f"e2e_{checkpoint}.jsonl").read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines if line.strip()]


def batches_of_four(records):
    starts = sorted({r["batch_start"] for r in records})
    return [[r for r in records if r["batch_start"] == start] for start in starts]


@pytest.fixture(scope="module", params=CHECKPOINTS)
def checkpoint(request, indictrans_fixtures):
    folder = indictrans_fixtures / request.param
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    return request.param, folder, AutoTokenizer.from_pretrained(folder), model, golden(indictrans_fixtures, request.param)


def test_reference_usage_reproduces_every_step(checkpoint):
    _, _, tokenizer, model, records = checkpoint
    processor = IndicTransProcessor()
    for batch in batches_of_four(records):
        src, tgt = batch[0]["src_lang"], batch[0]["tgt_lang"]
        prepared = processor.preprocess([r["input"] for r in batch], src, tgt)
        assert [p.text for p in prepared] == [r["preprocessed"] for r in batch]
        inputs = tokenizer([p.text for p in prepared], truncation=True, padding="longest", return_tensors="pt")
        assert inputs["input_ids"].tolist() == [r["input_ids"] for r in batch]
        assert inputs["attention_mask"].tolist() == [r["attention_mask"] for r in batch]
        with torch.inference_mode():
            generated = model.generate(**inputs, num_beams=1, do_sample=False, max_new_tokens=24, use_cache=True)
        assert generated.tolist() == [r["generated_ids"] for r in batch]
        decoded = tokenizer.batch_decode(generated, skip_special_tokens=True, clean_up_tokenization_spaces=True)
        assert decoded == [r["decoded"] for r in batch]
        outputs = processor.postprocess(decoded, [p.entities for p in prepared], tgt)
        assert outputs == [r["output"] for r in batch]


def test_pipeline_translator_gives_the_reference_outputs(checkpoint):
    _, folder, _, _, records = checkpoint
    config = TranslatorConfig(
        model=str(folder), family="indictrans2", src_lang=records[0]["src_lang"], tgt_lang=records[0]["tgt_lang"],
        max_batch_tokens=256, generation={"num_beams": 1, "max_new_tokens": 24},
    )
    translator = load_translator(config, "translate", "cpu", "fp32")
    translations = translator.translate([r["input"] for r in records])
    # The translator strips the decoded text; the reference post-processes it unstripped, which changes nothing here.
    assert [t.text for t in translations] == [r["output"] for r in records]


def test_run_script_translates_hindi_with_the_tiny_checkpoint(run_script, indictrans_fixtures, repo_root, tmp_path):
    records = golden(indictrans_fixtures, "tiny-indic-en")
    documents = tmp_path / "docs.jsonl"
    documents.write_text(
        "".join(json.dumps({"id": f"s{i}", "text": r["input"]}, ensure_ascii=False) + "\n" for i, r in enumerate(records) if r["input"]),
        encoding="utf-8",
    )
    code = run_script([
        "--config", str(repo_root / "configs" / "lead3.yaml"), "--input", str(documents), "--output", str(tmp_path / "run"),
        "--no-progress", "--set", f"translate.model={indictrans_fixtures / 'tiny-indic-en'}",
        "--set", "translate.generation.num_beams=1", "--set", "translate.generation.max_new_tokens=24",
    ])
    assert code == 0
    results = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").split("\n") if line]
    by_input = {r["input"]: r["output"] for r in records}
    assert len(results) == sum(1 for r in records if r["input"])
    single_sentence = [r for r in results if r["stages"]["prepare"]["segments"] == 1]
    assert single_sentence, "at least some FLORES lines are one segment"
    for result in single_sentence:
        assert result["translation"] == by_input[result["source"]].strip()
        assert result["stages"]["translate"]["model"].endswith("tiny-indic-en")


def test_bilingual_config_back_translates_with_the_en_indic_checkpoint(run_script, indictrans_fixtures, tiny_models, repo_root, tmp_path):
    code = run_script([
        "--config", str(repo_root / "configs" / "bilingual.yaml"), "--input", str(repo_root / "examples" / "hindi_news.jsonl"),
        "--output", str(tmp_path / "run"), "--no-progress",
        "--set", f"translate.model={indictrans_fixtures / 'tiny-indic-en'}",
        "--set", f"summarize.model={tiny_models['bart-summarizer']}",
        "--set", f"back_translate.model={indictrans_fixtures / 'tiny-en-indic'}",
        "--set", "translate.generation={num_beams: 1, max_new_tokens: 12}",
        "--set", "summarize.generation={num_beams: 1, min_new_tokens: 4, max_new_tokens: 8}",
        "--set", "back_translate.generation={num_beams: 2, max_new_tokens: 12}",
    ])
    assert code == 0
    results = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").split("\n") if line]
    assert len(results) == 5
    for result in results:
        assert any("\u0900" <= character <= "\u097f" for character in result["summary_hi"])  # Devanagari out
        back = result["stages"]["back_translate"]
        assert back["model"].endswith("tiny-en-indic") and back["segments"] >= 1
