"""Chat models on the ctranslate2 backend: converted Qwen2, Qwen3, Llama 3 and Gemma 3 (text, and the multimodal
checkpoint's text model) translate and summarize exactly as on the transformers backend, greedily in float32, for
batches of prompts of different lengths (transformers pads them on the left, CTranslate2 feeds each its own way).

The models are the tiny random chat models, whose attention depends on position (Qwen's and Llama's weights are drawn
wide for it, Gemma's embeddings are scaled up; with the usual 0.02 and no scale every position looks alike and a wrong
RoPE goes unseen): the tests below show that each of the converter's fixes changes the outputs. The Gemma 3 model is
redrawn as Gemma 3 4B and larger are shaped: linear RoPE scaling on its global layers, an attention scale other than
1/sqrt(head_dim), and a sliding window that the summarizer's prompts fit in and its answers run past.
"""

import json
import shutil

import pytest

pytest.importorskip("ctranslate2")

import torch  # noqa: E402
from ctranslate2.converters import TransformersConverter  # noqa: E402
from transformers import (  # noqa: E402
    AutoConfig, AutoModelForCausalLM, Gemma3Config, Gemma3ForConditionalGeneration,
)

from pipeline.errors import ConfigError, ModelLoadError  # noqa: E402
from pipeline.models import convert_chat_ctranslate2  # noqa: E402
from pipeline.models.convert_ctranslate2 import convert_to_ctranslate2  # noqa: E402
from pipeline.models.ctranslate2_folder import CONVERSION_FILE, load_tokenizer  # noqa: E402
from pipeline.summarization import SummarizerConfig, load_summarizer  # noqa: E402
from pipeline.tiny_models import HINDI_LINES  # noqa: E402
from pipeline.translation import TranslatorConfig, load_translator  # noqa: E402

GREEDY = {"num_beams": 1, "min_new_tokens": 4, "max_new_tokens": 16}
SENTENCES = [HINDI_LINES[0], HINDI_LINES[1] + " " + HINDI_LINES[2], "भारत", *HINDI_LINES[3:6]]
ARTICLES = [" ".join(HINDI_LINES[:2]), HINDI_LINES[4], " ".join(HINDI_LINES[2:5])]
WINDOW = 224  # the Gemma 3 model's sliding window: every summarizer prompt fits, the longest answer runs past it
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "generation_config.json")
GEMMA3_4B_SHAPE = {
    "sliding_window": WINDOW,
    "query_pre_attn_scalar": 24,  # head_dim is 16: scores scaled by 24 ** -0.5, as Gemma 3 27B (168 vs 128)
    "rope_parameters": {  # Gemma 3 4B: its global layers' positions are scaled linearly
        "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1_000_000.0},
        "sliding_attention": {"rope_type": "default", "rope_theta": 10_000.0},
    },
}
ARCHITECTURES = ["qwen2", "qwen3", "llama", "gemma3", "gemma3-multimodal"]


def _copy_tokenizer(source, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in TOKENIZER_FILES:
        shutil.copyfile(source / name, folder / name)
    return folder


def redrawn(source, folder, **changes):
    """A copy of the tiny chat model `source` with config `changes` and new weights."""
    config = AutoConfig.from_pretrained(source)
    for key, value in changes.items():
        setattr(config, key, value)
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config).save_pretrained(_copy_tokenizer(source, folder))
    return folder


def multimodal(text_folder, folder):
    """A Gemma 3 multimodal checkpoint (model_type gemma3, as Sarvam-Translate) around the text model's weights."""
    text = AutoConfig.from_pretrained(text_folder)
    vision = {"model_type": "siglip_vision_model", "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
              "num_attention_heads": 2, "image_size": 28, "patch_size": 14}
    config = Gemma3Config(text_config=text.to_dict(), vision_config=vision, mm_tokens_per_image=4,
                          boi_token_index=text.vocab_size - 3, eoi_token_index=text.vocab_size - 2,
                          image_token_index=text.vocab_size - 1)
    torch.manual_seed(0)
    model = Gemma3ForConditionalGeneration(config)
    model.model.language_model.load_state_dict(AutoModelForCausalLM.from_pretrained(text_folder).model.state_dict())
    model.save_pretrained(_copy_tokenizer(text_folder, folder))
    return folder


def without_repetition_penalty(source, folder):
    """The tiny Qwen2 as it is, less its checkpoint's repetition penalty (which the ctranslate2 backend refuses)."""
    shutil.copytree(source, folder)
    defaults = json.loads((folder / "generation_config.json").read_text(encoding="utf-8"))
    del defaults["repetition_penalty"]
    (folder / "generation_config.json").write_text(json.dumps(defaults), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sources(tiny_models, tmp_path_factory):
    root = tmp_path_factory.mktemp("chat-sources")
    gemma3 = redrawn(tiny_models["chat-gemma3"], root / "gemma3", **GEMMA3_4B_SHAPE)
    return {
        "qwen2": without_repetition_penalty(tiny_models["chat-qwen2"], root / "qwen2"),
        "qwen3": tiny_models["chat-qwen3"],
        "llama": tiny_models["chat-llama"],  # Llama 3.2's llama3 RoPE scaling
        "gemma3": gemma3,
        "gemma3-multimodal": multimodal(gemma3, root / "gemma3-multimodal"),
    }


@pytest.fixture(scope="module")
def converted(sources, tmp_path_factory):
    root = tmp_path_factory.mktemp("chat-ct2")
    return {name: convert_to_ctranslate2(folder, root / name, "float32") for name, folder in sources.items()}


@pytest.fixture(scope="module")
def reference(sources):
    """The transformers backend's translations by each source model, computed once."""
    cache = {}

    def of(architecture):
        if architecture not in cache:
            cache[architecture] = translations(sources[architecture], "transformers")
        return cache[architecture]

    return of


def translations(folder, backend, generation=GREEDY, **settings):
    config = TranslatorConfig(model=str(folder), family="chat", backend=backend, generation=generation, **settings)
    translator = load_translator(config, "translate", "cpu", "fp32")
    return [(t.text, t.tokens_in, t.tokens_out) for t in translator.translate(SENTENCES)]


def summarizer(folder, backend, **settings):
    config = SummarizerConfig(model=str(folder), family="chat", backend=backend, generation=GREEDY, **settings)
    return load_summarizer(config, "cpu", "fp32", ("hin_Deva", "eng_Latn"))


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_translations_equal_the_transformers_backend(reference, converted, architecture):
    expected = reference(architecture)
    assert translations(converted[architecture], "ctranslate2", compute_type="float32") == expected
    assert len({text for text, _, _ in expected}) > len(SENTENCES) // 2  # the model answers each prompt its own way


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_summaries_equal_the_transformers_backend(sources, converted, architecture):
    expected = summarizer(sources[architecture], "transformers").summarize(ARTICLES)
    ctranslate2 = summarizer(converted[architecture], "ctranslate2", compute_type="float32")
    assert ctranslate2.summarize(ARTICLES) == expected
    if architecture.startswith("gemma3"):  # prompts within the window, answers past it
        longest = max(ctranslate2.count_tokens(article) for article in ARTICLES)
        assert longest <= WINDOW < longest + GREEDY["max_new_tokens"]


def test_beam_search_without_a_minimum_length_equals_the_transformers_backend(sources, converted):
    """Not promised: with a minimum length, CTranslate2 renormalizes the scores of the tokens it allows (as for BART,
    docs/performance.md), and beams can part."""
    beams = {"num_beams": 4, "max_new_tokens": 16}
    expected = translations(sources["llama"], "transformers", beams)
    assert translations(converted["llama"], "ctranslate2", beams) == expected


@pytest.mark.parametrize(("architecture", "fix"), [
    ("llama", "set_rope"),  # CTranslate2 drops the llama3 scaling factor and original context
    ("gemma3", "set_rope"),  # ... and Gemma 3's linear scaling
    ("gemma3", "set_queries_scale"),  # ... and Gemma's attention scale
])
def test_without_each_fix_the_outputs_differ(sources, reference, architecture, fix, monkeypatch, tmp_path):
    """What the tests above check is sensitive to what the converter fixes."""
    monkeypatch.setattr(convert_chat_ctranslate2, fix, lambda attention, parameters: None)
    folder = convert_to_ctranslate2(sources[architecture], tmp_path / "unfixed", "float32")
    assert translations(folder, "ctranslate2") != reference(architecture)


def test_ctranslate2s_own_conversion_of_llama_3_differs_and_is_refused(sources, converted, reference, tmp_path):
    folder = tmp_path / "stock"
    TransformersConverter(str(sources["llama"]), copy_files=list(TOKENIZER_FILES)).convert(str(folder))
    with pytest.raises(ModelLoadError, match="convert_ctranslate2.py"):
        translations(folder, "ctranslate2")
    shutil.copyfile(converted["llama"] / CONVERSION_FILE, folder / CONVERSION_FILE)  # so that it loads
    assert translations(folder, "ctranslate2") != reference("llama")


def test_the_converted_folder_holds_the_tokenizer_chat_template_and_record(sources, converted):
    folder = converted["gemma3-multimodal"]
    record = json.loads((folder / CONVERSION_FILE).read_text(encoding="utf-8"))
    assert record == {"source": str(sources["gemma3-multimodal"]), "quantization": "float32", "architecture": "gemma3",
                      "positions": 512, "eos_token_id": [1, 5], "sliding_window": WINDOW}
    tokenizer = load_tokenizer(folder)
    messages = [{"role": "user", "content": HINDI_LINES[0]}]
    assert tokenizer.apply_chat_template(messages, tokenize=False) == load_tokenizer(
        sources["gemma3-multimodal"]).apply_chat_template(messages, tokenize=False)
    assert "sliding_window" not in json.loads((converted["llama"] / CONVERSION_FILE).read_text(encoding="utf-8"))


def test_gemma3_prompts_are_kept_within_the_sliding_window(converted):
    gemma3 = summarizer(converted["gemma3"], "ctranslate2")
    assert gemma3.max_input_tokens == WINDOW  # not the context less the answer's room, as for the others
    assert summarizer(converted["qwen3"], "ctranslate2").max_input_tokens == 512 - GREEDY["max_new_tokens"]
    (summary,) = gemma3.summarize([" ".join(HINDI_LINES * 4)])
    assert summary.truncated and summary.tokens_in > WINDOW


def test_an_int8_conversion_from_the_script_translates(sources, tmp_path):
    from pipeline.cli.convert import main

    assert main([str(sources["qwen3"]), str(tmp_path / "int8"), "--quantization", "int8"]) == 0
    translated = translations(tmp_path / "int8", "ctranslate2")
    assert all(4 <= tokens_out <= 16 for _, _, tokens_out in translated)  # GREEDY's lengths


@pytest.mark.parametrize(("settings", "message"), [
    ({"chat": {"stop": ["###"]}}, r"translate.chat.stop \('###'\): the ctranslate2 backend cannot stop at a string"),
    ({"generation": {"num_beams": 1, "max_new_tokens": 16, "no_repeat_ngram_size": 3}},
     "no_repeat_ngram_size \\(3\\): the ctranslate2 backend cannot ban repeated n-grams"),
    ({"generation": {"num_beams": 1, "max_new_tokens": 500}}, r"max_new_tokens \(500\) leaves no room for a prompt"),
])
def test_what_the_generator_cannot_do_as_transformers_is_refused_when_loading(converted, settings, message):
    with pytest.raises(ConfigError, match=message):
        translations(converted["qwen3"], "ctranslate2", **settings)


def test_a_checkpoints_repetition_penalty_is_refused(tiny_models, tmp_path):
    folder = convert_to_ctranslate2(tiny_models["chat-qwen2"], tmp_path / "qwen2", "float32")
    with pytest.raises(ConfigError, match="sets repetition_penalty: 1.05, which transformers' generate"):
        translations(folder, "ctranslate2")


def test_a_sliding_window_too_short_for_a_prompt_is_refused(tiny_models, tmp_path):
    folder = convert_to_ctranslate2(tiny_models["chat-gemma3"], tmp_path / "gemma3", "float32")  # a 16-token window
    with pytest.raises(ConfigError, match="16-token sliding window .* leaves no room for a chat prompt"):
        translations(folder, "ctranslate2")


@pytest.mark.parametrize(("changes", "message"), [
    ({"model_type": "mistral"}, "unknown model_type .*'mistral'.*Mistral, Gemma 2, Phi-3"),
    ({"rope_parameters": {"rope_type": "yarn", "factor": 4.0, "rope_theta": 1e6}}, "rope_type 'yarn'"),
])
def test_what_the_converter_does_not_check_is_refused(tiny_models, tmp_path, changes, message):
    folder = shutil.copytree(tiny_models["chat-qwen3"], tmp_path / "source")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    (folder / "config.json").write_text(json.dumps({**config, **changes}), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        convert_to_ctranslate2(folder, tmp_path / "out")
