"""Tiny random-weight models in Hugging Face format, for running the whole pipeline offline in seconds.

They produce meaningless text. What they do exercise is everything around the weights: tokenizers trained here
(SentencePiece for the Marian and IndicTrans2 translators, BPE for NLLB and BART), `from_pretrained`,
`generate()`, batching, map-reduce and the run folder; with CTranslate2 installed, also the converted IndicTrans2
and BART models of `backend: ctranslate2`. The decoder-only chat models (Qwen2.5, Qwen3, Llama 3, Gemma 3) carry
their family's special tokens, chat template and stop tokens, for instruction-following translators and
summarizers. Tests use the same builder.

`write_overlays` writes, for each shipped config, the overlay (`scripts/run.py --overlay`) that puts these models in
place of the config's own, so that every config can be smoke-tested without a download.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sentencepiece as spm
import torch
import yaml
from tokenizers import AddedToken, ByteLevelBPETokenizer, SentencePieceBPETokenizer, Tokenizer
from transformers import (
    AutoModelForCausalLM, BartConfig, BartForConditionalGeneration, BartTokenizer, Gemma3TextConfig,
    GenerationConfig, LlamaConfig, M2M100Config, M2M100ForConditionalGeneration, MarianConfig, MarianMTModel,
    MarianTokenizer, NllbTokenizer, PretrainedConfig, PreTrainedTokenizerFast, Qwen2Config, Qwen3Config,
)

from pipeline.config import ConfigError, RunConfig
from pipeline.models.indictrans import IndicTransConfig, IndicTransForConditionalGeneration, IndicTransTokenizer
from pipeline.run_config import load_config
from pipeline.text.languages import LANGUAGE_TAGS

# A few lines of each language, written for this purpose, to train the tiny vocabularies on.
HINDI_LINES = (
    "नई दिल्ली में सोमवार को तेज़ बारिश हुई।",
    "सरकार ने किसानों के लिए नई योजना की घोषणा की।",
    "डॉ. शर्मा ने अस्पताल का उद्घाटन किया।",
    "भारत ने फ़ाइनल मुक़ाबले में जीत हासिल की।",
    "मेट्रो की नई लाइन पर सेवा शनिवार से शुरू होगी।",
    "मौसम विभाग ने अगले दो दिनों के लिए चेतावनी जारी की है।",
    "छात्रों ने परीक्षा के परिणाम पर ख़ुशी जताई।",
    "शहर में यातायात व्यवस्था सुधारने के लिए नए नियम लागू हुए।",
)
ENGLISH_LINES = (
    "Heavy rain fell in New Delhi on Monday.",
    "The government announced a new scheme for farmers.",
    "Dr. Sharma opened the hospital.",
    "India won the final match.",
    "Service on the new metro line will start on Saturday.",
    "The weather department has issued a warning for the next two days.",
    "Students were happy with the exam results.",
    "New rules came into force to improve traffic in the city.",
    "Officials said the project would be finished by next year.",
    "The minister said the amount would be released in two parts.",
)

_TRANSFORMER_SIZE = dict(
    d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
    encoder_ffn_dim=32, decoder_ffn_dim=32,
)


def _sentencepiece_vocabulary(lines: tuple[str, ...], work_dir: Path, symbols: tuple[str, ...] = ()) -> Path:
    prefix = work_dir / "spm"
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_prefix=str(prefix), vocab_size=150, model_type="unigram",
        character_coverage=1.0, hard_vocab_limit=False, pad_id=-1, bos_id=-1, eos_id=1, unk_id=2, minloglevel=2,
        **({"user_defined_symbols": list(symbols)} if symbols else {}),
    )
    return prefix.with_suffix(".model")


def build_tiny_marian(out_dir: Path, seed: int, symbols: tuple[str, ...] = ()) -> Path:
    """A Marian-style translator (opus-mt layout: source.spm, target.spm, vocab.json) with random weights.

    Its vocabulary, trained on `HINDI_LINES` and `ENGLISH_LINES`, has no `<`, `>` or digits: a placeholder such as
    `<1>` is one `<unk>`. `symbols` are pieces it keeps whole besides (a test's placeholders)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        model_file = _sentencepiece_vocabulary(HINDI_LINES + ENGLISH_LINES, Path(work), symbols)
        pieces = spm.SentencePieceProcessor(model_file=str(model_file))
        vocab = {"<pad>": 0, **{pieces.id_to_piece(i): i + 1 for i in range(pieces.get_piece_size())}}
        (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        for name in ("source.spm", "target.spm"):
            (out_dir / name).write_bytes(model_file.read_bytes())
    tokenizer = MarianTokenizer(
        str(out_dir / "source.spm"), str(out_dir / "target.spm"), str(out_dir / "vocab.json"), model_max_length=64
    )
    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(vocab), pad_token_id=0, eos_token_id=vocab["</s>"], decoder_start_token_id=0,
        max_position_embeddings=128, **_TRANSFORMER_SIZE,
    )
    MarianMTModel(config).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def build_tiny_bart(out_dir: Path, seed: int) -> Path:
    """A BART-style summarizer with a byte-level BPE vocabulary trained on a few English lines."""
    out_dir.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(ENGLISH_LINES, vocab_size=400, min_frequency=1, special_tokens=specials, show_progress=False)
    with tempfile.TemporaryDirectory() as work:
        vocab_file, merges_file = bpe.save_model(work)
        tokenizer = BartTokenizer(
            vocab=json.loads(Path(vocab_file).read_text(encoding="utf-8")),
            merges=[tuple(line.split(" ")) for line in Path(merges_file).read_text(encoding="utf-8").split("\n")[1:] if line],
            model_max_length=128,
        )
    torch.manual_seed(seed)
    config = BartConfig(
        vocab_size=len(tokenizer), max_position_embeddings=128, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id, forced_bos_token_id=None, **_TRANSFORMER_SIZE,
    )
    BartForConditionalGeneration(config).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


_FAIRSEQ_SPECIALS = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}  # IndicTrans2's dictionaries start with these


def _indictrans_side(lines: tuple[str, ...], work_dir: Path, tags: tuple[str, ...]) -> tuple[Path, Path]:
    """One side's SentencePiece model and dictionary (`model.SRC`, `dict.SRC.json`); a source dictionary holds the
    language tags a source line starts with."""
    work_dir.mkdir()
    model_file = _sentencepiece_vocabulary(lines, work_dir)
    pieces = spm.SentencePieceProcessor(model_file=str(model_file))
    vocab = dict(_FAIRSEQ_SPECIALS)
    for token in (*tags, *(pieces.id_to_piece(i) for i in range(pieces.get_piece_size()))):
        vocab.setdefault(token, len(vocab))
    vocab_file = work_dir / "dict.json"
    vocab_file.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    return model_file, vocab_file


def build_tiny_indictrans(out_dir: Path, source: tuple[str, ...], target: tuple[str, ...], seed: int) -> Path:
    """An IndicTrans2 translator in the hub layout (this project's own model and tokenizer classes)."""
    with tempfile.TemporaryDirectory() as work:
        src_model, src_vocab = _indictrans_side(source, Path(work) / "source", tuple(sorted(LANGUAGE_TAGS)))
        tgt_model, tgt_vocab = _indictrans_side(target, Path(work) / "target", ())
        files = map(str, (src_vocab, tgt_vocab, src_model, tgt_model))
        IndicTransTokenizer(*files, model_max_length=128).save_pretrained(out_dir)
        sizes = [len(json.loads(vocab.read_text(encoding="utf-8"))) for vocab in (src_vocab, tgt_vocab)]
    torch.manual_seed(seed)
    config = IndicTransConfig(
        encoder_layers=1, decoder_layers=1, encoder_embed_dim=16, decoder_embed_dim=16, encoder_ffn_dim=32,
        decoder_ffn_dim=32, encoder_attention_heads=2, decoder_attention_heads=2, encoder_vocab_size=sizes[0],
        decoder_vocab_size=sizes[1], max_source_positions=128, max_target_positions=128,
    )
    IndicTransForConditionalGeneration(config).save_pretrained(out_dir)
    return out_dir


def build_tiny_nllb(out_dir: Path, seed: int) -> Path:
    """An NLLB-style translator (M2M-100 weights, NLLB's tokenizer with its FLORES-200 language tokens), both ways."""
    bpe = SentencePieceBPETokenizer()
    bpe.train_from_iterator(
        HINDI_LINES + ENGLISH_LINES, vocab_size=300, min_frequency=1, special_tokens=list(_FAIRSEQ_SPECIALS),
        show_progress=False,
    )
    trained = json.loads(bpe.to_str())["model"]
    tokenizer = NllbTokenizer(vocab=trained["vocab"], merges=[tuple(merge) for merge in trained["merges"]])
    tokenizer.save_pretrained(out_dir)
    torch.manual_seed(seed)
    config = M2M100Config(
        vocab_size=len(tokenizer), max_position_embeddings=128, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id, **_TRANSFORMER_SIZE,
    )
    M2M100ForConditionalGeneration(config).save_pretrained(out_dir)
    return out_dir


# ChatML, as Qwen2.5 and Qwen3 write it; `{thinking}` is what follows the generation prompt.
_CHATML = r"""
{%- for message in messages %}
    {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}{thinking}
{%- endif %}"""
# Qwen2.5-Instruct gives a conversation without a system turn its own.
_QWEN2_TEMPLATE = r"""
{%- if messages[0].role != 'system' %}
    {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
{%- endif %}""" + _CHATML.replace("{thinking}", "")
# Qwen3 thinks first unless told not to: with `enable_thinking=False` the prompt holds an empty think block.
_QWEN3_TEMPLATE = _CHATML.replace("{thinking}", r"""
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}""")
# Llama 3's turns. Llama 3.1 and later put a dated line in the system turn, left out so that a render does not
# depend on the day.
_LLAMA3_TEMPLATE = r"""
{{- bos_token }}
{%- for message in messages %}
    {{- '<|start_header_id|>' + message.role + '<|end_header_id|>\n\n' + message.content | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}"""
# Gemma 3 has no system role: the system text opens the first user turn. Roles must alternate.
_GEMMA3_TEMPLATE = r"""
{{- bos_token }}
{%- if messages[0].role == 'system' %}
    {%- set first_user_prefix = messages[0].content + '\n\n' %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set first_user_prefix = '' %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- for message in loop_messages %}
    {%- if (message.role == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {{- '<start_of_turn>' + ('model' if message.role == 'assistant' else message.role) + '\n' }}
    {{- (first_user_prefix if loop.first else '') + message.content | trim + '<end_of_turn>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<start_of_turn>model\n' }}
{%- endif %}"""


@dataclass(frozen=True)
class _ChatFamily:
    """What makes a tiny decoder-only model look like its family to a caller: tokens, template, config shape."""

    config_class: type[PretrainedConfig]
    specials: tuple[str, ...]  # the family's special tokens, first in the vocabulary, in this order
    tokens: dict[str, str]  # the tokenizer's bos/eos/pad; a bos is prepended on encoding, as the family does
    bos: str  # the model's bos_token_id
    stops: tuple[str, ...]  # generation_config.eos_token_id: generation ends at any of them
    template: str
    sampling: dict[str, Any]  # the checkpoints' generation defaults: a caller that wants greedy must ask for it
    shape: dict[str, Any] = field(default_factory=dict)  # config keys beyond _CHAT_SIZE
    plain: tuple[str, ...] = ()  # single tokens that decode as text even with skip_special_tokens (Qwen3's think tags)


_CHAT_SIZE = dict(
    hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
    max_position_embeddings=512, tie_word_embeddings=True,  # tied, as in the small checkpoints of each family
)
# Weights wider than the usual 0.02 make the untrained model's next token depend on its input: with the default,
# Qwen's and Llama's tiny models answer every prompt with the same run of newlines (Gemma's scaled embeddings do not).
_VARIED_OUTPUTS = dict(initializer_range=0.3)
_QWEN_SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
_QWEN_TOKENS = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}  # no bos token
CHAT_FAMILIES = {
    "qwen2": _ChatFamily(
        Qwen2Config, _QWEN_SPECIALS, _QWEN_TOKENS, bos="<|endoftext|>", stops=("<|im_end|>", "<|endoftext|>"),
        template=_QWEN2_TEMPLATE,
        sampling=dict(do_sample=True, temperature=0.7, top_p=0.8, top_k=20, repetition_penalty=1.05),
        shape=_VARIED_OUTPUTS,
    ),
    "qwen3": _ChatFamily(
        Qwen3Config, _QWEN_SPECIALS, _QWEN_TOKENS, bos="<|endoftext|>", stops=("<|im_end|>", "<|endoftext|>"),
        template=_QWEN3_TEMPLATE, sampling=dict(do_sample=True, temperature=0.6, top_p=0.95, top_k=20),
        shape=dict(head_dim=16, **_VARIED_OUTPUTS), plain=("<think>", "</think>"),
    ),
    "llama": _ChatFamily(  # Llama 3.2 Instruct's tokens; it names no pad token, so its fine-tuning pad serves
        LlamaConfig,
        ("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>",
         "<|eot_id|>", "<|finetune_right_pad_id|>"),
        {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "pad_token": "<|finetune_right_pad_id|>"},
        bos="<|begin_of_text|>", stops=("<|end_of_text|>", "<|eom_id|>", "<|eot_id|>"), template=_LLAMA3_TEMPLATE,
        sampling=dict(do_sample=True, temperature=0.6, top_p=0.9),
        shape=dict(rope_parameters=dict(  # Llama 3.2's long-context RoPE scaling
            rope_type="llama3", rope_theta=500000.0, factor=32.0, low_freq_factor=1.0, high_freq_factor=4.0,
            original_max_position_embeddings=128,
        ), **_VARIED_OUTPUTS),
    ),
    "gemma3": _ChatFamily(  # text-only Gemma 3 (model_type gemma3_text, Gemma3ForCausalLM), as gemma-3-1b-it
        Gemma3TextConfig, ("<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"),
        {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
        bos="<bos>", stops=("<eos>", "<end_of_turn>"), template=_GEMMA3_TEMPLATE,
        sampling=dict(do_sample=True, top_p=0.95, top_k=64),
        # a sliding-window layer and a global one; a window short enough for a test prompt to outgrow it
        shape=dict(head_dim=16, query_pre_attn_scalar=16, sliding_window=16,
                   layer_types=["sliding_attention", "full_attention"]),
    ),
}


def build_tiny_chat(out_dir: Path, architecture: str, seed: int) -> Path:
    """A decoder-only instruction model of `architecture` (a key of `CHAT_FAMILIES`) with random weights and a
    byte-level BPE tokenizer trained on both languages, with its family's special tokens and chat template."""
    family = CHAT_FAMILIES[architecture]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        HINDI_LINES + ENGLISH_LINES, vocab_size=512, min_frequency=1, special_tokens=list(family.specials),
        show_progress=False,
    )
    backend = Tokenizer.from_str(bpe.to_str())
    backend.add_tokens([AddedToken(token, normalized=False, special=False) for token in family.plain])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, **family.tokens, add_bos_token="bos_token" in family.tokens,
        chat_template=family.template.strip(), model_max_length=512,
    )
    tokenizer.save_pretrained(out_dir)
    ids = dict(pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.convert_tokens_to_ids(family.bos),
               eos_token_id=tokenizer.convert_tokens_to_ids(list(family.stops)))
    torch.manual_seed(seed)
    config = family.config_class(vocab_size=len(tokenizer), **_CHAT_SIZE, **family.shape, **ids)
    model = AutoModelForCausalLM.from_config(config)
    model.generation_config = GenerationConfig(**ids, **family.sampling)
    model.save_pretrained(out_dir)
    return out_dir


def build_tiny_models(out_dir: str | Path) -> dict[str, Path]:
    """Every tiny model, under `out_dir`: those `configs/tiny.yaml` uses, a stand-in for each model family the
    shipped configs name, a chat model per instruction family (`chat-qwen2`, ...), and, with CTranslate2 installed,
    the IndicTrans2 and BART ones converted (int8)."""
    out_dir = Path(out_dir)
    models = {
        "marian-hi-en": build_tiny_marian(out_dir / "marian-hi-en", seed=1),
        "marian-en-hi": build_tiny_marian(out_dir / "marian-en-hi", seed=2),
        "bart-summarizer": build_tiny_bart(out_dir / "bart-summarizer", seed=3),
        "indictrans2-hi-en": build_tiny_indictrans(out_dir / "indictrans2-hi-en", HINDI_LINES, ENGLISH_LINES, seed=4),
        "indictrans2-en-hi": build_tiny_indictrans(out_dir / "indictrans2-en-hi", ENGLISH_LINES, HINDI_LINES, seed=5),
        "nllb": build_tiny_nllb(out_dir / "nllb", seed=6),
        **{f"chat-{name}": build_tiny_chat(out_dir / f"chat-{name}", name, seed=7 + index)
           for index, name in enumerate(CHAT_FAMILIES)},
    }
    if importlib.util.find_spec("ctranslate2") is not None:  # an optional extra: pip install '.[fast]'
        from pipeline.models.convert_ctranslate2 import convert_to_ctranslate2

        for name in ("indictrans2-hi-en", "indictrans2-en-hi", "bart-summarizer"):
            models[f"{name}-ct2"] = convert_to_ctranslate2(models[name], out_dir / f"{name}-ct2", "int8", force=True)
    return models


# The tiny model that stands in for a config's: by family and languages (a summarizer has none), and backend.
STAND_INS = {
    ("indictrans2", "hin_Deva", "eng_Latn"): "indictrans2-hi-en",
    ("indictrans2", "eng_Latn", "hin_Deva"): "indictrans2-en-hi",
    ("marian", "hin_Deva", "eng_Latn"): "marian-hi-en",
    ("marian", "eng_Latn", "hin_Deva"): "marian-en-hi",
    ("nllb", "hin_Deva", "eng_Latn"): "nllb",
    ("nllb", "eng_Latn", "hin_Deva"): "nllb",
    ("bart", None, None): "bart-summarizer",
    ("crosssum", None, None): "bart-summarizer",  # a seq2seq summarizer all the same
    ("chat", "hin_Deva", "eng_Latn"): "chat-gemma3",  # Sarvam-Translate is a Gemma 3
    ("chat", "eng_Latn", "hin_Deva"): "chat-gemma3",
    ("chat", None, None): "chat-qwen3",
}
# The longest generations (in new tokens) that keep a tiny run to seconds, well inside the 128-position tables;
# a translator has languages, a summarizer none. A config's shorter settings are kept.
TINY_LENGTHS = {"translator": {"min_new_tokens": 4, "max_new_tokens": 12},
                "summarizer": {"min_new_tokens": 4, "max_new_tokens": 16}}


def tiny_overlay(config: RunConfig, models: dict[str, Path], overlay_dir: Path) -> dict[str, Any]:
    """The keys of `config` that must change for it to run on `models`: each stage's model (relative to
    `overlay_dir`) and generation lengths over the tiny limits. A `ValueError` says what no tiny model stands in for."""
    overlay: dict[str, Any] = {}
    for stage in config.stages:
        section = config.sections[stage]
        if not hasattr(section, "model"):
            continue  # no model: prepare, lead_k
        languages = (getattr(section, "src_lang", None), getattr(section, "tgt_lang", None))
        name = STAND_INS.get((section.family, *languages))
        if name is not None and section.backend == "ctranslate2":
            name = f"{name}-ct2"
        if name not in models:
            raise ValueError(
                f"{stage}: no tiny model stands in for family {section.family} ({section.backend}"
                f"{', ' + ' to '.join(languages) if languages[0] else ''})"
            )
        folder = os.path.relpath(Path(models[name]).resolve(), overlay_dir.resolve())
        changes: dict[str, Any] = {"model": Path(folder).as_posix()}
        limits = TINY_LENGTHS["translator" if languages[0] else "summarizer"]
        lengths = {key: limit for key, limit in limits.items() if getattr(section.generation, key) > limit}
        if lengths:
            changes["generation"] = lengths
        overlay[stage] = changes
    return overlay


def write_overlays(configs_dir: Path, models: dict[str, Path], out_dir: Path) -> dict[Path, str]:
    """`out_dir/<config name>.yaml` for every config of `configs_dir`; per config, the overlay written or why none."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for config_file in sorted(configs_dir.glob("*.yaml")):
        try:
            overlay = tiny_overlay(load_config(config_file), models, out_dir)
        except (ConfigError, ValueError) as error:
            written[config_file] = f"no overlay: {error}"
            continue
        path = out_dir / config_file.name
        header = (
            f"# scripts/run.py --config {config_file.parent.name}/{config_file.name} --overlay THIS_FILE runs that\n"
            "# config on the tiny random-weight models of scripts/make_tiny_models.py: they replace its models\n"
            "# (paths relative to this file), with generation lengths that keep a run to seconds. Meaningless text;\n"
            "# the config's code paths.\n"
        )
        path.write_text(header + yaml.safe_dump(overlay, sort_keys=False), encoding="utf-8")
        written[config_file] = str(path)
    return written
