"""IndicTrans2 (AI4Bharat) implemented for transformers 5, so the released checkpoints load without remote code.

Importing this package registers the Auto classes, so that after `import pipeline.models.indictrans`,
`AutoModelForSeq2SeqLM.from_pretrained("ai4bharat/indictrans2-indic-en-dist-200M")` loads this implementation.
This package is the torch side of IndicTrans2; its tokenizer and its text processing sit beside it
(`pipeline.models.tokenization_indictrans`, `pipeline.models.processing_indictrans`) so that a run on the
CTranslate2 backend uses them without importing torch.
"""

from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer

from ..processing_indictrans import IndicTransProcessor, PreprocessedText
from ..tokenization_indictrans import IndicTransTokenizer
from .configuration_indictrans import IndicTransConfig
from .modeling_indictrans import IndicTransForConditionalGeneration, IndicTransModel, IndicTransPreTrainedModel


def register_auto_classes() -> None:
    """Map `model_type: "IndicTrans"` and `tokenizer_class: "IndicTransTokenizer"` to these classes.

    Registered local classes take precedence over a checkpoint's `auto_map`, so `Auto*.from_pretrained` loads the
    hub folders (or their ids) without `trust_remote_code`. Safe to call any number of times.
    """
    AutoConfig.register(IndicTransConfig.model_type, IndicTransConfig, exist_ok=True)
    AutoModelForSeq2SeqLM.register(IndicTransConfig, IndicTransForConditionalGeneration, exist_ok=True)
    AutoTokenizer.register(IndicTransConfig, tokenizer_class=IndicTransTokenizer, exist_ok=True)


register_auto_classes()

__all__ = [
    "IndicTransConfig",
    "IndicTransForConditionalGeneration",
    "IndicTransModel",
    "IndicTransPreTrainedModel",
    "IndicTransProcessor",
    "IndicTransTokenizer",
    "PreprocessedText",
    "register_auto_classes",
]
