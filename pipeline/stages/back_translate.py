"""Stage 5 (optional): translate the English summary back (en→hi by default) for a bilingual summary.

Like `translate`, it checks each sentence's translation with its guard (`back_translate.guard`): the flags name its
output, e.g. `summary_hi:loop`.
"""

from __future__ import annotations

from pipeline.config import RunConfig
from pipeline.records import Document, OutputField
from pipeline.stages.base import STAGES, Stage, StageContext
from pipeline.stages.translate import check_translator_section, translate_documents
from pipeline.text.english import split_sentences
from pipeline.text.languages import language_label
from pipeline.translation import Translator, TranslatorConfig


class BackTranslatorConfig(TranslatorConfig):
    """The translator of the summary: the reverse direction of `translate` by default."""

    src_lang: str = "eng_Latn"
    tgt_lang: str = "hin_Deva"


@STAGES.register("back_translate")
class BackTranslateStage(Stage):
    name = "back_translate"
    config_model = BackTranslatorConfig

    def __init__(self, translator: Translator, field: str) -> None:
        self.translator = translator
        self.field = field

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        if not {"summarize", "lead_k"} & set(earlier_stages):
            raise ValueError("stages: back_translate needs a summary: put summarize or lead_k before it")
        check_translator_section(config, "back_translate")

    @classmethod
    def declare_outputs(cls, config: RunConfig, language: str) -> list[OutputField]:
        settings = config.sections["back_translate"]
        target = language_label(settings.tgt_lang)
        return [
            OutputField(
                name=f"summary_{target}", kind="summary", language=target,
                source_language=language_label(settings.src_lang), reference=f"reference_summary_{target}",
                stage=cls.name, column=f"summary_{target}", model_column="back_translation_model",
            )
        ]

    @classmethod
    def model_sections(cls, config: RunConfig) -> frozenset[str]:
        return frozenset({"back_translate"})

    @classmethod
    def build(cls, context: StageContext) -> BackTranslateStage:
        (output,) = cls.declare_outputs(context.config, "")
        return cls(context.translator("back_translate"), output.name)

    def describe(self) -> dict:
        return self.translator.describe()

    def process(self, documents: list[Document]) -> None:
        sentences = [split_sentences(document.outputs.get("summary") or "") for document in documents]
        for document, translated in zip(documents, translate_documents(self.translator, sentences)):
            document.outputs[self.field] = " ".join(translated.texts)
            document.stages[self.record_key] = translated.metadata
            document.flag(self.field, translated.problems)
