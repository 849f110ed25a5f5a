"""The CTranslate2 backend: a converted model run by CTranslate2's C++ engine (`pip install .[fast]`).

`translate.model` or `summarize.model` names a CTranslate2 model folder: one written by
`scripts/convert_ctranslate2.py` (IndicTrans2, BART, and the chat models Qwen2, Qwen3, Llama and Gemma 3), or by
CTranslate2's own `ct2-transformers-converter` (with `--copy_files` for the tokenizer files) for Marian, NLLB and
M2M-100. A translation model runs in a `ctranslate2.Translator`, a decoder-only chat model in a
`ctranslate2.Generator` that continues each prompt. Tokenization stays the project's: the folder's tokenizer files
load with the class their config names (as `AutoTokenizer` would, without torch), and ids travel to CTranslate2 as
the tokens of the model's own vocabulary files, which list the tokens in id order. CTranslate2 is imported only
when this backend loads, so the extra stays optional.

A chat model decodes as transformers does (float32 greedy: the same ids), and what the Generator cannot do the same
way is refused when the model loads: stop strings, `no_repeat_ngram_size`, and a checkpoint's own repetition
penalty and the like (transformers counts every token of a prompt, CTranslate2 only those past the batch's
shortest prompt, which it feeds at once). Gemma 3's prompts are kept within its sliding window (`max_input_tokens`),
since CTranslate2 runs a longer prompt wrongly: a longer text is cut as for any input over the limit, and the
summarizer's `map_reduce` splits it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.backends.base import BACKENDS, LOCATORS
from pipeline.errors import ConfigError, DeviceError, ModelLoadError
from pipeline.models.announce import LoadAnnouncement, byte_size
from pipeline.models.ctranslate2_folder import (
    CONVERSION_FILE,
    conversion_record,
    decoder_only,
    forced_tokens,
    generation_defaults,
    load_tokenizer,
    vocabulary,
)
from pipeline.models.limits import MIN_PROMPT_TOKENS, check_prompt_room, declared_limit
from pipeline.models.locate import locate_files

if TYPE_CHECKING:
    from pipeline.backends.settings import GenerationConfig, ModelSettings

# generation_config.json keys that `generate()` would apply to a chat model and CTranslate2's Generator cannot apply
# the same way, with the value that has no effect.
UNSUPPORTED_DEFAULTS = {
    "repetition_penalty": 1.0, "min_length": 0, "bad_words_ids": None, "sequence_bias": None, "suppress_tokens": None,
    "begin_suppress_tokens": None, "stop_strings": None,
}
# CTranslate2 4.x wheels load CUDA 12 libraries at run time; a machine with only CUDA 13 fails on libcublas.so.12.
CUDA_LIBRARIES_HINT = (
    "CTranslate2's CUDA build needs the CUDA 12 cuBLAS and cuDNN 9 libraries "
    "(e.g. pip install nvidia-cublas-cu12 nvidia-cudnn-cu12), or use device: cpu"
)


TRANSLATOR_LENGTHS = ("min_decoding_length", "max_decoding_length")  # `translate_batch`'s names
GENERATOR_LENGTHS = ("min_length", "max_length")  # `generate_batch`'s, counted after the prompt


def decoding_options(
    generation: GenerationConfig, forced_last: bool = False, lengths: tuple[str, str] = TRANSLATOR_LENGTHS
) -> dict[str, Any]:
    """`translate_batch` (or, with `GENERATOR_LENGTHS`, `generate_batch`) options for a generation config
    (sampling and early_stopping are refused by the config).

    With a forced last token, `generate()` spends the last step of the length limit on `</s>`, which the output
    drops: one token less of text, which CTranslate2 gives by stopping one step earlier.
    """
    longest = generation.max_new_tokens - 1 if forced_last else generation.max_new_tokens
    shortest_key, longest_key = lengths
    return {
        "beam_size": generation.num_beams,
        "length_penalty": generation.length_penalty,
        "no_repeat_ngram_size": generation.no_repeat_ngram_size,
        shortest_key: min(generation.min_new_tokens, longest),
        longest_key: longest,
    }


def available_cpus() -> int:
    """CPUs this process may run on: CTranslate2's own default is 4 threads, too many or too few on most machines."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _ctranslate2_device(spec: str, ctranslate2) -> tuple[str, int]:
    """`auto`, `cpu`, `cuda` or `cuda:N` as CTranslate2's (device, index), checked against what it can see."""
    cuda_devices = ctranslate2.get_cuda_device_count()
    if spec == "auto":
        return ("cuda", 0) if cuda_devices else ("cpu", 0)
    kind, _, index = spec.partition(":")
    index = int(index or 0)
    if kind == "cuda" and index >= cuda_devices:
        raise DeviceError(f"device {spec!r}: CTranslate2 sees {cuda_devices} CUDA device(s); {CUDA_LIBRARIES_HINT}")
    return kind, index


def _device_name(kind: str, index: int) -> str:
    """As torch names it: `cuda:1`, `cpu`."""
    return f"cuda:{index}" if kind == "cuda" else kind


def _context(tokenizer, conversion: dict[str, Any]) -> int:
    """The longest input (a decoder-only model: prompt and answer) that the tokenizer and the conversion declare."""
    return declared_limit([tokenizer.model_max_length, conversion.get("positions")])


def _prompt_limit(context: int, conversion: dict[str, Any], max_new_tokens: int) -> int:
    """The longest prompt of a decoder-only model: its context less the answer's room (as transformers keeps), and
    within Gemma 3's sliding window."""
    window = conversion.get("sliding_window")
    return min(context - max_new_tokens, window) if window else context - max_new_tokens


def _refuse_unknown(family_kwargs: dict[str, Any]) -> None:
    if family_kwargs:
        raise ValueError(f"the ctranslate2 backend cannot apply {sorted(family_kwargs)}")


class _ConvertedModel:
    """What both CTranslate2 backends share: the engine (`Translator` or `Generator`), tokenizer and provenance."""

    def __init__(self, engine, tokenizer, model_id: str, conversion: dict[str, Any]) -> None:
        self.engine = engine
        self.tokenizer = tokenizer
        self.model_id = model_id
        self.conversion = conversion

    def memory_token_budget(self, generation: GenerationConfig) -> int | None:
        return None  # CTranslate2 sizes its own buffers; the configured budget applies

    def describe(self) -> dict[str, str | None]:
        return {
            "model": self.model_id,
            "revision": "local",
            "device": _device_name(self.engine.device, self.engine.device_index[0]),
            "dtype": self.engine.compute_type,
            "converted_from": self.conversion.get("source"),
        }


class CTranslate2Backend(_ConvertedModel):
    """A `ctranslate2.Translator` (a seq2seq model) behind the same interface as the transformers backend."""

    def __init__(self, translator, tokenizer, model_id: str, folder: Path, conversion: dict[str, Any]) -> None:
        super().__init__(translator, tokenizer, model_id, conversion)
        self.source_tokens = vocabulary(folder, "source")
        self.target_tokens = vocabulary(folder, "target")
        self._target_ids = {token: index for index, token in enumerate(self.target_tokens)}
        self._forced_first, self._forced_last = forced_tokens(folder)
        self.max_input_tokens = _context(tokenizer, conversion)

    def generate(self, input_ids: list[list[int]], generation: GenerationConfig, **family_kwargs: Any) -> list[list[int]]:
        forced = family_kwargs.pop("forced_bos_token_id", self._forced_first)
        _refuse_unknown(family_kwargs)
        source = [[self.source_tokens[token] for token in row] for row in input_ids]
        prefix = [[self.target_tokens[forced]]] * len(source) if forced is not None else None
        results = self.engine.translate_batch(
            source, target_prefix=prefix, max_input_length=0,
            **decoding_options(generation, forced_last=self._forced_last is not None),
        )
        return [[self._target_ids[token] for token in result.hypotheses[0]] for result in results]


class CTranslate2GeneratorBackend(_ConvertedModel):
    """A `ctranslate2.Generator` (a decoder-only chat model) that continues each prompt, as `generate()` does.

    Prompts of different lengths need no padding: CTranslate2 feeds the batch's shortest prompt length at once and
    the rest of each longer prompt token by token. It stops at the ids `generate()` stops at (the checkpoint's
    generation config, recorded by the converter) and returns what follows the prompt, without them.
    """

    def __init__(
        self, generator, tokenizer, model_id: str, folder: Path, conversion: dict[str, Any], max_new_tokens: int
    ) -> None:
        super().__init__(generator, tokenizer, model_id, conversion)
        self.tokens = vocabulary(folder, "target")
        end_ids = conversion["eos_token_id"]
        self._end_tokens = [self.tokens[token] for token in (end_ids if isinstance(end_ids, list) else [end_ids])]
        self.max_input_tokens = _prompt_limit(_context(tokenizer, conversion), conversion, max_new_tokens)

    def generate(self, input_ids: list[list[int]], generation: GenerationConfig, **family_kwargs: Any) -> list[list[int]]:
        _refuse_unknown(family_kwargs)
        prompts = [[self.tokens[token] for token in row] for row in input_ids]
        results = self.engine.generate_batch(
            prompts, include_prompt_in_result=False, end_token=self._end_tokens,
            **decoding_options(generation, lengths=GENERATOR_LENGTHS),
        )
        return [result.sequences_ids[0] for result in results]


def _import_ctranslate2(stage: str):
    try:
        import ctranslate2
    except ImportError:
        raise ModelLoadError(
            f"{stage}.backend: ctranslate2 is not installed\n  what to do: pip install '.[fast]' "
            f"(or set {stage}.backend: transformers)"
        ) from None
    return ctranslate2


def _model_folder(config: ModelSettings, stage: str) -> Path:
    folder = Path(config.model).expanduser()
    if not (folder / "model.bin").exists():
        raise ModelLoadError(
            f"cannot load model {config.model!r} for stage {stage!r}: not a CTranslate2 model folder (no model.bin)\n"
            f"  what to do: convert it first, e.g. `python scripts/convert_ctranslate2.py MODEL_DIR OUT_DIR`"
        )
    return folder


def _stop_strings(config: ModelSettings, stage: str) -> tuple[str, ...]:
    """The strings a chat model's answers would stop at (the config's, or its preset's)."""
    return config.chat.resolve("summarize" if stage == "summarize" else "translate").stop if config.chat else ()


def _check_chat_model(folder: Path, conversion: dict[str, Any], config: ModelSettings, stage: str) -> None:
    """A decoder-only folder is run only as transformers would run it: from the project's converter (which fixes
    RoPE and records the context), with room for a prompt, and without what the Generator cannot do the same way."""
    if "architecture" not in conversion:
        raise ModelLoadError(
            f"cannot load model {config.model!r} for stage {stage!r}: a decoder-only CTranslate2 model without the "
            f"project's {CONVERSION_FILE}\n  what to do: convert the checkpoint with `python "
            f"scripts/convert_ctranslate2.py MODEL_DIR OUT_DIR` (CTranslate2's own converter drops Llama 3's and "
            f"Gemma 3's RoPE scaling)"
        )
    generation, context = config.generation, conversion["positions"]
    check_prompt_room(context - generation.max_new_tokens, generation.max_new_tokens, context, config.model, stage)
    if _prompt_limit(conversion["positions"], conversion, generation.max_new_tokens) < MIN_PROMPT_TOKENS:
        raise ConfigError(
            f"{stage}.backend: the {conversion['sliding_window']}-token sliding window of {config.model} leaves no "
            f"room for a chat prompt (CTranslate2 runs a Gemma 3 prompt longer than the window wrongly, so the "
            f"ctranslate2 backend keeps prompts within it); use backend transformers"
        )
    prompt_tokens = "CTranslate2 counts only the prompt tokens past the batch's shortest prompt, transformers all"
    if generation.no_repeat_ngram_size:
        raise ConfigError(
            f"{stage}.generation.no_repeat_ngram_size ({generation.no_repeat_ngram_size}): the ctranslate2 backend "
            f"cannot ban repeated n-grams of a chat model as transformers does ({prompt_tokens}); set it to 0"
        )
    if stops := _stop_strings(config, stage):
        raise ConfigError(
            f"{stage}.chat.stop ({', '.join(map(repr, stops))}): the ctranslate2 backend cannot stop at a string; "
            f"drop the stop strings or use backend transformers"
        )
    defaults = generation_defaults(folder)
    applied = {
        key: value for key, no_effect in UNSUPPORTED_DEFAULTS.items()
        if (value := defaults.get(key)) not in (no_effect, None, [])
    }
    if applied:
        settings = ", ".join(f"{key}: {value}" for key, value in applied.items())
        raise ConfigError(
            f"{stage}: {folder / 'generation_config.json'} sets {settings}, which transformers' generate() applies "
            f"and the ctranslate2 backend does not (a repetition penalty, for one: {prompt_tokens})\n  what to do: "
            f"use backend transformers, or delete the key from that file to decode without it"
        )


def _conversion_record(folder: Path, config: ModelSettings, stage: str) -> dict[str, Any]:
    """What the project's converters recorded (none for CTranslate2's own); outputs must fit the position table."""
    conversion = conversion_record(folder)
    if decoder_only(folder):
        _check_chat_model(folder, conversion, config, stage)
        return conversion
    positions = conversion.get("positions")
    if positions is not None and config.generation.max_new_tokens >= positions:
        raise ConfigError(
            f"{stage}.generation.max_new_tokens ({config.generation.max_new_tokens}) must be < {positions}, the "
            f"positions {config.model} was converted with (IndicTrans2: convert again with --positions)"
        )
    return conversion


def _checked(config: ModelSettings, stage: str, device: str) -> tuple[Any, Path, str, int, dict[str, Any]]:
    """What a load checks before it loads (a dry run stops here): ctranslate2, the folder, the device, the
    compute type, the conversion's positions; `(ctranslate2, folder, device kind, device index, conversion)`."""
    ctranslate2 = _import_ctranslate2(stage)
    folder = _model_folder(config, stage)
    kind, index = _ctranslate2_device(device, ctranslate2)
    supported = ctranslate2.get_supported_compute_types(kind, index)
    if config.compute_type not in supported | {"default"}:
        raise DeviceError(
            f"{stage}.compute_type: {config.compute_type} is not supported on {kind} here "
            f"(supported: {', '.join(sorted(supported))})"
        )
    return ctranslate2, folder, kind, index, _conversion_record(folder, config, stage)


@LOCATORS.register("ctranslate2")
def locate_ctranslate2_model(config: ModelSettings, stage: str, device: str, precision: str) -> dict[str, str | None]:
    _, folder, kind, index, conversion = _checked(config, stage, device)
    locate_files(str(folder), None, stage, ("config.json",))
    return {"model": config.model, "revision": "local", "files": str(folder), "device": _device_name(kind, index),
            "dtype": config.compute_type, "converted_from": conversion.get("source")}


@BACKENDS.register("ctranslate2")
def load_ctranslate2_backend(
    config: ModelSettings, stage: str, device: str, precision: str
) -> CTranslate2Backend | CTranslate2GeneratorBackend:
    """The numeric type is `compute_type` (CTranslate2's); the run's `precision` applies to transformers models."""
    ctranslate2, folder, kind, index, conversion = _checked(config, stage, device)
    chat = decoder_only(folder)
    announcement = LoadAnnouncement(stage, config.model, _device_name(kind, index), config.compute_type)
    try:
        engine = (ctranslate2.Generator if chat else ctranslate2.Translator)(
            str(folder), device=kind, device_index=index, compute_type=config.compute_type,
            intra_threads=config.threads or available_cpus(),
        )
        tokenizer = load_tokenizer(folder)
    except (OSError, ValueError, RuntimeError) as error:
        hint = f"\n  what to do: {CUDA_LIBRARIES_HINT}" if kind == "cuda" else ""
        raise ModelLoadError(f"cannot load model {config.model!r} for stage {stage!r}: {error}{hint}") from error
    announcement.loaded(f"{byte_size((folder / 'model.bin').stat().st_size)} on disk ({engine.compute_type})")
    if chat:
        return CTranslate2GeneratorBackend(
            engine, tokenizer, config.model, folder, conversion, config.generation.max_new_tokens
        )
    return CTranslate2Backend(engine, tokenizer, config.model, folder, conversion)
