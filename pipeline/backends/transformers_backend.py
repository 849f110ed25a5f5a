"""The default backend: a Hugging Face model and its `generate()`; torch and transformers load with the model."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pipeline.backends.base import BACKENDS, LOCATORS, until_eos
from pipeline.batching import BatchTooLarge
from pipeline.devices import resolve_placement
from pipeline.models.locate import locate_files

if TYPE_CHECKING:
    from pipeline.backends.settings import GenerationConfig, ModelSettings
    from pipeline.models.loading import LoadedModel


class TransformersBackend:
    def __init__(self, loaded: LoadedModel, max_new_tokens: int = 0) -> None:
        from pipeline.models.loading import input_limit

        self.loaded = loaded
        self.tokenizer = loaded.tokenizer
        self.max_input_tokens = input_limit(loaded, max_new_tokens)
        eos = loaded.model.generation_config.eos_token_id
        self._eos_ids = set(eos) if isinstance(eos, list) else {eos}

    def describe(self) -> dict[str, str | None]:
        return self.loaded.describe()

    def memory_token_budget(self, generation: GenerationConfig) -> int | None:
        from pipeline.models.loading import cuda_token_budget

        return cuda_token_budget(self.loaded, generation.num_beams)

    def generate(self, input_ids: list[list[int]], generation: GenerationConfig, **family_kwargs: Any) -> list[list[int]]:
        import torch

        from pipeline.models.loading import generate_batch

        try:
            generated = generate_batch(self.loaded, input_ids, **generation.generate_kwargs(), **family_kwargs)
        except torch.OutOfMemoryError as error:
            reason = str(error).splitlines()[0]
        else:  # what follows the decoder start token, or a decoder-only model's prompt
            start = max(map(len, input_ids)) if self.loaded.decoder_only else 1
            return [until_eos(row[start:], self._eos_ids) for row in generated.tolist()]
        # Out of the except block, the error and the batch's tensors its traceback held are gone: free their memory.
        torch.cuda.empty_cache()
        raise BatchTooLarge(f"{len(input_ids)} inputs: {reason}")


@BACKENDS.register("transformers")
def load_transformers_backend(settings: ModelSettings, stage: str, device: str, precision: str) -> TransformersBackend:
    from pipeline.models.loading import check_generation_length, load_model

    loaded = load_model(settings.model, settings.revision, stage, device, precision, settings.attention)
    check_generation_length(loaded, settings.generation.max_new_tokens, stage)
    return TransformersBackend(loaded, settings.generation.max_new_tokens)


@LOCATORS.register("transformers")
def locate_transformers_model(settings: ModelSettings, stage: str, device: str, precision: str) -> dict[str, str | None]:
    """config.json, locally or in the cache, says the model type, which decides the numeric type (fp16 refusals)."""
    folder = locate_files(settings.model, settings.revision, stage, ("config.json",))
    model_type = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("model_type")
    placement = resolve_placement(device, precision, model_type)
    return {"model": settings.model, "revision": settings.revision, "files": str(folder),
            "device": str(placement.device), "dtype": placement.dtype_name}
