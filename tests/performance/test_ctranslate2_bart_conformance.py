"""A BART summarizer converted to CTranslate2 decodes, in float32, the ids transformers' BART decodes.

Two random checkpoints built from `build_tiny_bart`: its own layout, and a bart-large-cnn-like one (scaled
embeddings, more encoder than decoder layers as in distilbart, padding embedding rows without a token, and
`forced_bos_token_id` 0). transformers' own init (std 0.02) makes such a tiny model emit one token whatever the
source; layer-scaled random weights make every source decode differently, so a wrong mapping shows.

Two deliberate settings on the transformers side, both differences of the decoding algorithms, not of the weights:
* `forced_eos_token_id`: transformers turns the last allowed token into `</s>`; CTranslate2 has no such option.
  Greedy: CTranslate2 with one step less gives the same ids. Beam search: switched off on both sides.
* CTranslate2 masks tokens (`</s>` before `min_decoding_length`, `no_repeat_ngram_size` repeats) in the logits
  before its log-softmax, so a beam's log-probabilities are renormalized over the allowed tokens; transformers
  masks after its log-softmax, so the banned mass is lost from the beam score. Beam search is compared against
  transformers with one more logits processor that renormalizes, which makes the two scores the same numbers.
"""

import json
import runpy
import sys

import pytest
import torch
from transformers import (
    AutoTokenizer,
    BartConfig,
    BartForConditionalGeneration,
    GenerationConfig,
    LogitsProcessor,
    LogitsProcessorList,
)

ctranslate2 = pytest.importorskip("ctranslate2")

from pipeline.models.convert_bart_ctranslate2 import build_spec, convert_bart, vocabulary  # noqa: E402
from pipeline.models.convert_ctranslate2 import convert_to_ctranslate2  # noqa: E402
from pipeline.models.ctranslate2_folder import CONVERSION_FILE  # noqa: E402
from pipeline.tiny_models import ENGLISH_LINES, build_tiny_bart  # noqa: E402

EOS = 2
CNN_BEAM = {"num_beams": 4, "length_penalty": 2.0, "no_repeat_ngram_size": 3, "early_stopping": True}
VARIANTS = {
    "tiny": {},
    "cnn-like": {"scale_embedding": True, "encoder_layers": 2, "extra_rows": 3, "forced_bos_token_id": 0},
}


def random_bart(base, out, seed, extra_rows=0, forced_bos_token_id=None, **config_changes):
    """`base`'s tokenizer with a new random model: layer-scaled weights, a random bias favouring `</s>` a little."""
    tokenizer = AutoTokenizer.from_pretrained(base)
    config = BartConfig.from_pretrained(base, vocab_size=len(tokenizer) + extra_rows, **config_changes)
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.dim() == 2:
                parameter.normal_(0, parameter.shape[-1] ** -0.5)
            elif "norm" in name and name.endswith("weight"):
                parameter.normal_(1.0, 0.2)
            else:
                parameter.normal_(0, 0.2)
        model.final_logits_bias.normal_(0, 0.3)
        model.final_logits_bias[0, EOS] += 2.0  # some outputs end before the length limit, some do not
    model.generation_config = GenerationConfig.from_model_config(config)
    model.generation_config.forced_bos_token_id = forced_bos_token_id
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart") / "bart", seed=3)


@pytest.fixture(scope="module", params=list(VARIANTS))
def checkpoint(request, base, tmp_path_factory):
    work = tmp_path_factory.mktemp(request.param)
    folder = random_bart(base, work / "bart", seed=7, **VARIANTS[request.param])
    converted = convert_bart(folder, work / "ct2")
    model = BartForConditionalGeneration.from_pretrained(folder).eval()
    source_ids = AutoTokenizer.from_pretrained(folder)(list(ENGLISH_LINES))["input_ids"]
    return folder, converted, model, source_ids


def until_eos(ids):
    return ids[: ids.index(EOS)] if EOS in ids else ids


class Renormalize(LogitsProcessor):
    """Log-softmax again after transformers' masks, as CTranslate2 masks before its log-softmax."""

    def __call__(self, input_ids, scores):
        return scores.log_softmax(-1)


def pytorch_ids(model, source_ids, renormalize=False, **generate_kwargs):
    processors = LogitsProcessorList([Renormalize()] if renormalize else [])
    with torch.inference_mode():
        rows = [
            model.generate(torch.tensor([ids]), logits_processor=processors, **generate_kwargs)[0].tolist()
            for ids in source_ids
        ]
    return [until_eos(row[1:]) for row in rows]  # row[0] is the decoder start token


def ctranslate2_ids(converted, model, source_ids, **options):
    """Ids in, ids out, through the converted folder's own vocabulary (the way the backend talks to it)."""
    tokens = json.loads((converted / "shared_vocabulary.json").read_text(encoding="utf-8"))
    token_id = {token: i for i, token in enumerate(tokens)}
    forced_bos = model.generation_config.forced_bos_token_id
    prefix = [[tokens[forced_bos]] if forced_bos is not None else None for _ in source_ids]
    translator = ctranslate2.Translator(str(converted), compute_type=options.pop("compute_type", "float32"))
    results = translator.translate_batch(
        [[tokens[i] for i in ids] for ids in source_ids], target_prefix=prefix, max_input_length=0, **options
    )
    return [until_eos([token_id[token] for token in result.hypotheses[0]]) for result in results]


def test_greedy_ids_equal_the_pytorch_model(checkpoint):
    _, converted, model, source_ids = checkpoint
    expected = pytorch_ids(model, source_ids, num_beams=1, max_new_tokens=16, min_new_tokens=3, forced_eos_token_id=None)
    assert len({tuple(ids) for ids in expected}) > 1, "the fixture should decode differently per source"
    generated = ctranslate2_ids(converted, model, source_ids, beam_size=1, max_decoding_length=16, min_decoding_length=3)
    assert generated == expected


def test_forced_eos_at_the_limit_is_one_decoding_step_less(checkpoint):
    _, converted, model, source_ids = checkpoint
    assert model.generation_config.forced_eos_token_id == EOS
    expected = pytorch_ids(model, source_ids, num_beams=1, max_new_tokens=12, min_new_tokens=3)
    generated = ctranslate2_ids(converted, model, source_ids, beam_size=1, max_decoding_length=11, min_decoding_length=3)
    assert generated == expected


@pytest.mark.parametrize("max_new_tokens", [16, 32])
def test_beam_search_with_bart_large_cnn_settings_equals_the_pytorch_model(checkpoint, max_new_tokens):
    _, converted, model, source_ids = checkpoint
    expected = pytorch_ids(
        model, source_ids, renormalize=True, max_new_tokens=max_new_tokens, min_new_tokens=4, forced_eos_token_id=None,
        **CNN_BEAM,
    )
    lengths = {len(ids) for ids in expected}
    assert min(lengths) < max_new_tokens - 1 and max(lengths) > 4, "the fixture should end some outputs early"
    generated = ctranslate2_ids(
        converted, model, source_ids, beam_size=4, length_penalty=2.0, no_repeat_ngram_size=3,
        max_decoding_length=max_new_tokens, min_decoding_length=4,
    )
    assert generated == expected


def test_the_forced_bos_token_is_returned_and_counts_towards_min_decoding_length(checkpoint):
    _, converted, model, source_ids = checkpoint
    forced_bos = model.generation_config.forced_bos_token_id
    if forced_bos is None:
        pytest.skip("this checkpoint has no forced_bos_token_id")
    for shortest in (3, 4):
        generated = ctranslate2_ids(
            converted, model, source_ids, beam_size=1, max_decoding_length=16, min_decoding_length=shortest
        )
        assert {ids[0] for ids in generated} == {forced_bos}
        assert min(len(ids) for ids in generated) == shortest  # the fixture ends some outputs as early as allowed


def test_token_log_probabilities_equal_the_pytorch_model(checkpoint):
    """Teacher-forced scores: every weight (positions, scale, LayerNorms, bias) shows in them, not only the argmax."""
    _, converted, model, source_ids = checkpoint
    tokens = json.loads((converted / "shared_vocabulary.json").read_text(encoding="utf-8"))
    targets = source_ids[1:] + source_ids[:1]
    translator = ctranslate2.Translator(str(converted), compute_type="float32")
    scored = translator.score_batch(
        [[tokens[i] for i in ids] for ids in source_ids], [[tokens[i] for i in ids[:-1]] for ids in targets],
        max_input_length=0,
    )
    for ids, target, result in zip(source_ids, targets, scored, strict=True):
        decoder_input = [model.config.decoder_start_token_id, *target[:-1]]  # target ends with </s>
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([ids]), decoder_input_ids=torch.tensor([decoder_input])).logits[0]
        expected = logits.log_softmax(-1).gather(1, torch.tensor(target)[:, None])[:, 0]
        assert torch.allclose(torch.tensor(result.log_probs), expected, atol=1e-4)


def test_int8_conversion_loads_and_decodes(checkpoint, tmp_path):
    folder, converted, model, source_ids = checkpoint
    int8 = convert_bart(folder, tmp_path / "int8", quantization="int8")
    assert (int8 / "model.bin").stat().st_size < (converted / "model.bin").stat().st_size
    assert json.loads((int8 / CONVERSION_FILE).read_text(encoding="utf-8"))["quantization"] == "int8"
    generated = ctranslate2_ids(int8, model, source_ids, compute_type="int8", beam_size=2, max_decoding_length=8)
    assert len(generated) == len(source_ids) and all(generated)


def test_converted_folder_has_the_tokenizer_the_generation_settings_and_the_record(checkpoint):
    folder, converted, model, source_ids = checkpoint
    assert AutoTokenizer.from_pretrained(converted).batch_decode(source_ids) == AutoTokenizer.from_pretrained(
        folder
    ).batch_decode(source_ids)
    generation = GenerationConfig.from_pretrained(converted)
    assert generation.forced_bos_token_id == model.generation_config.forced_bos_token_id
    record = json.loads((converted / CONVERSION_FILE).read_text(encoding="utf-8"))
    positions = model.config.max_position_embeddings
    assert record == {"source": str(folder), "quantization": "float32", "positions": positions}
    config = json.loads((converted / "config.json").read_text(encoding="utf-8"))
    assert (config["decoder_start_token"], config["add_source_bos"], config["add_source_eos"]) == ("</s>", False, False)


def test_vocabulary_has_one_token_per_embedding_row(base):
    tokenizer = AutoTokenizer.from_pretrained(base)
    tokens = [tokenizer.convert_ids_to_tokens(i) for i in range(len(tokenizer))]
    assert vocabulary(tokenizer, len(tokens)) == tokens
    assert vocabulary(tokenizer, len(tokens) - 1) == tokens[:-1]
    assert vocabulary(tokenizer, len(tokens) + 2) == [*tokens, "<madeupword0>", "<madeupword1>"]


@pytest.mark.parametrize(
    ("change", "named"),
    [({"activation_function": "tanh"}, "tanh"), ({"normalize_before": True}, "normalize_before"),
     ({"add_final_layer_norm": True}, "add_final_layer_norm")],
)
def test_what_the_spec_cannot_express_is_refused(base, change, named):
    config = BartConfig.from_pretrained(base)
    config.update(change)  # as a fairseq-era config.json would set it
    with pytest.raises(ValueError, match=named):
        build_spec(BartForConditionalGeneration(config))


def test_dispatcher_converts_by_model_type(base, indictrans_fixtures, tmp_path):
    indictrans = convert_to_ctranslate2(indictrans_fixtures / "tiny-indic-en", tmp_path / "indictrans", positions=64)
    bart = convert_to_ctranslate2(base, tmp_path / "bart")
    assert json.loads((indictrans / CONVERSION_FILE).read_text(encoding="utf-8"))["positions"] == 64
    assert {"source_vocabulary.json", "target_vocabulary.json", "model.SRC"} <= {p.name for p in indictrans.iterdir()}
    assert {"shared_vocabulary.json", "tokenizer.json", "generation_config.json"} <= {p.name for p in bart.iterdir()}


def test_dispatcher_refuses_positions_for_bart(base, tmp_path):
    with pytest.raises(ValueError, match="IndicTrans2 only"):
        convert_to_ctranslate2(base, tmp_path / "bart", positions=64)


def test_dispatcher_names_the_known_model_types_and_ctranslate2s_converter(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "marian"}), encoding="utf-8")
    with pytest.raises(ValueError, match="'marian'") as error:
        convert_to_ctranslate2(tmp_path, tmp_path / "out")
    assert "IndicTrans, bart" in str(error.value) and "ct2-transformers-converter" in str(error.value)


@pytest.fixture
def convert_script(repo_root):
    """The script's main(), called in-process so that a test can hide ctranslate2 from it."""
    return runpy.run_path(str(repo_root / "scripts" / "convert_ctranslate2.py"))["main"]


def test_script_writes_the_folder_and_exits_0(convert_script, base, tmp_path, capsys):
    assert convert_script([str(base), str(tmp_path / "out"), "--quantization", "int8"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "out")
    assert (tmp_path / "out" / "model.bin").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["--positions", "64"], "IndicTrans2 only"), ([], "--force")],
)
def test_script_exits_2_on_bad_input(convert_script, base, tmp_path, capsys, arguments, message):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "model.bin").write_bytes(b"")
    assert convert_script([str(base), str(tmp_path / "out"), *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err


def test_script_exits_2_on_an_unknown_model_type(convert_script, tmp_path, capsys):
    (tmp_path / "marian").mkdir()
    (tmp_path / "marian" / "config.json").write_text(json.dumps({"model_type": "marian"}), encoding="utf-8")
    assert convert_script([str(tmp_path / "marian"), str(tmp_path / "out")]) == 2
    assert "ct2-transformers-converter" in capsys.readouterr().err


def test_script_exits_3_without_ctranslate2(convert_script, monkeypatch, base, tmp_path, capsys):
    for name in [name for name in sys.modules if name.split(".")[0] == "ctranslate2"]:
        monkeypatch.setitem(sys.modules, name, None)  # `import ctranslate2...` raises ImportError
    for name in ("pipeline.models.convert_ctranslate2", "pipeline.models.convert_bart_ctranslate2",
                 "pipeline.models.indictrans.convert_ctranslate2", "pipeline.models.ctranslate2_spec"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert convert_script([str(base), str(tmp_path / "out")]) == 3
    assert "pip install '.[fast]'" in capsys.readouterr().err
