"""The CTranslate2 backend: a converted model run by CTranslate2's C++ translator (`pip install .[fast]`).

`translate.model` or `summarize.model` names a CTranslate2 model folder: one written by
`scripts/convert_ctranslate2.py` (IndicTrans2, BART), or by CTranslate2's own `ct2-transformers-converter` (with
`--copy_files` for the tokenizer files) for Marian, NLLB and M2M-100. Tokenization stays the project's: the
folder's tokenizer files load with the class their config names (as `AutoTokenizer` would, without torch), and
ids travel to CTranslate2 as the tokens of the model's own vocabulary files, which list the tokens in id order.
CTranslate2 is imported only when this backend loads, so the extra stays optional.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.backends.base import BACKENDS, LOCATORS
from pipeline.errors import ConfigError, DeviceError, ModelLoadError
from pipeline.models.announce import LoadAnnouncement, byte_size
from pipeline.models.ctranslate2_folder import conversion_record, forced_tokens, load_tokenizer, vocabulary
from pipeline.models.locate import locate_files

if TYPE_CHECKING:
    from pipeline.backends.settings import GenerationConfig, ModelSettings

FALLBACK_INPUT_LIMIT = 1024  # CTranslate2's own default max_input_length
# CTranslate2 4.x wheels load CUDA 12 libraries at run time; a machine with only CUDA 13 fails on libcublas.so.12.
CUDA_LIBRARIES_HINT = (
    "CTranslate2's CUDA build needs the CUDA 12 cuBLAS and cuDNN 9 libraries "
    "(e.g. pip install nvidia-cublas-cu12 nvidia-cudnn-cu12), or use device: cpu"
)


def decoding_options(generation: GenerationConfig, forced_last: bool = False) -> dict[str, Any]:
    """`translate_batch` options for a generation config (sampling and early_stopping are refused by the config).

    With a forced last token, `generate()` spends the last step of the length limit on `</s>`, which the output
    drops: one token less of text, which CTranslate2 gives by stopping one step earlier.
    """
    longest = generation.max_new_tokens - 1 if forced_last else generation.max_new_tokens
    return {
        "beam_size": generation.num_beams,
        "length_penalty": generation.length_penalty,
        "no_repeat_ngram_size": generation.no_repeat_ngram_size,
        "min_decoding_length": min(generation.min_new_tokens, longest),
        "max_decoding_length": longest,
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


class CTranslate2Backend:
    """A `ctranslate2.Translator` behind the same interface as the transformers backend."""

    def __init__(self, translator, tokenizer, model_id: str, folder: Path, conversion: dict[str, Any]) -> None:
        self.translator = translator
        self.tokenizer = tokenizer
        self.model_id = model_id
        self.conversion = conversion
        self.source_tokens = vocabulary(folder, "source")
        self.target_tokens = vocabulary(folder, "target")
        self._target_ids = {token: index for index, token in enumerate(self.target_tokens)}
        self._forced_first, self._forced_last = forced_tokens(folder)
        declared = [tokenizer.model_max_length, conversion.get("positions")]
        usable = [value for value in declared if isinstance(value, int) and 0 < value < 1_000_000]
        self.max_input_tokens = min(usable or [FALLBACK_INPUT_LIMIT])

    def memory_token_budget(self, generation: GenerationConfig) -> int | None:
        return None  # CTranslate2 sizes its own buffers; the configured budget applies

    def describe(self) -> dict[str, str | None]:
        return {
            "model": self.model_id,
            "revision": "local",
            "device": _device_name(self.translator.device, self.translator.device_index[0]),
            "dtype": self.translator.compute_type,
            "converted_from": self.conversion.get("source"),
        }

    def generate(self, input_ids: list[list[int]], generation: GenerationConfig, **family_kwargs: Any) -> list[list[int]]:
        forced = family_kwargs.pop("forced_bos_token_id", self._forced_first)
        if family_kwargs:
            raise ValueError(f"the ctranslate2 backend cannot apply {sorted(family_kwargs)}")
        source = [[self.source_tokens[token] for token in row] for row in input_ids]
        prefix = [[self.target_tokens[forced]]] * len(source) if forced is not None else None
        results = self.translator.translate_batch(
            source, target_prefix=prefix, max_input_length=0,
            **decoding_options(generation, forced_last=self._forced_last is not None),
        )
        return [[self._target_ids[token] for token in result.hypotheses[0]] for result in results]


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


def _conversion_record(folder: Path, config: ModelSettings, stage: str) -> dict[str, Any]:
    """What the project's converters recorded (none for CTranslate2's own); outputs must fit the position table."""
    conversion = conversion_record(folder)
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
def load_ctranslate2_backend(config: ModelSettings, stage: str, device: str, precision: str) -> CTranslate2Backend:
    """The numeric type is `compute_type` (CTranslate2's); the run's `precision` applies to transformers models."""
    ctranslate2, folder, kind, index, conversion = _checked(config, stage, device)
    announcement = LoadAnnouncement(stage, config.model, _device_name(kind, index), config.compute_type)
    try:
        translator = ctranslate2.Translator(
            str(folder), device=kind, device_index=index, compute_type=config.compute_type,
            intra_threads=config.threads or available_cpus(),
        )
        tokenizer = load_tokenizer(folder)
    except (OSError, ValueError, RuntimeError) as error:
        hint = f"\n  what to do: {CUDA_LIBRARIES_HINT}" if kind == "cuda" else ""
        raise ModelLoadError(f"cannot load model {config.model!r} for stage {stage!r}: {error}{hint}") from error
    announcement.loaded(f"{byte_size((folder / 'model.bin').stat().st_size)} on disk ({translator.compute_type})")
    return CTranslate2Backend(translator, tokenizer, config.model, folder, conversion)
