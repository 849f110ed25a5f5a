"""What a converted CTranslate2 model folder holds beside `model.bin`, read without torch.

The project's converters (`pipeline.models.convert_ctranslate2`) write `conversion.json` and copy the tokenizer
files and the generation config; CTranslate2's own converter writes the vocabularies: a translation model's source
and target ones (or one shared), a decoder-only model's one `vocabulary.json`. The backend reads them here, so a
run on converted models imports neither torch nor the converters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.errors import ModelLoadError

CONVERSION_FILE = "conversion.json"  # written by the project's converters beside the model


def conversion_record(folder: Path) -> dict[str, Any]:
    """What the project's converter recorded (source model, quantization, positions; a chat model's architecture and
    sliding window); empty for CTranslate2's own."""
    path = folder / CONVERSION_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def decoder_only(folder: Path) -> bool:
    """A language model (CTranslate2's `Generator`), which has one vocabulary, rather than a translation model."""
    return (folder / "vocabulary.json").exists()


def vocabulary(folder: Path, side: str) -> list[str]:
    """Tokens in id order from `<side>_vocabulary.json`, the shared one, or a decoder-only model's only one."""
    for name in (f"{side}_vocabulary.json", "shared_vocabulary.json", "vocabulary.json"):
        if (folder / name).exists():
            return json.loads((folder / name).read_text(encoding="utf-8"))
    raise ModelLoadError(f"{folder} holds no {side}_vocabulary.json: not a CTranslate2 model")


def generation_defaults(folder: Path) -> dict[str, Any]:
    """The copied `generation_config.json`: the settings `generate()` takes from the model unless told otherwise."""
    path = folder / "generation_config.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def forced_tokens(folder: Path) -> tuple[int | None, int | None]:
    """The tokens `generate()` would force first and at the length limit, from the copied generation config.

    BART summarizers force `<s>` first (a translation family's own choice, NLLB's target language, replaces it)
    and `</s>` as the last token a length limit allows.
    """
    defaults = generation_defaults(folder)
    return defaults.get("forced_bos_token_id"), defaults.get("forced_eos_token_id")


def load_tokenizer(folder: Path):
    """The tokenizer class that `tokenizer_config.json` names, loaded directly.

    `AutoTokenizer` would give the same tokenizer, but importing it imports torch (through transformers' config
    classes), which a CTranslate2 run does not otherwise need. Without a named class it is the fallback.
    """
    import transformers

    from pipeline.models.tokenization_indictrans import IndicTransTokenizer

    path = folder / "tokenizer_config.json"
    name = json.loads(path.read_text(encoding="utf-8")).get("tokenizer_class") if path.exists() else None
    own = {IndicTransTokenizer.__name__: IndicTransTokenizer}
    tokenizer_class = own.get(name) or getattr(transformers, name or "", None) or transformers.AutoTokenizer
    return tokenizer_class.from_pretrained(str(folder))
