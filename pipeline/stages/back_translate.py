"""Stage 5 (optional): translate the English summary back (en→hi by default) for a bilingual summary."""

from __future__ import annotations

from pipeline.config import RunConfig
from pipeline.records import Document
from pipeline.stages.base import STAGES, Stage, StageContext
from pipeline.stages.translate import check_translator_section, translate_documents
from pipeline.text.english import split_sentences
from pipeline.translation import Translator


@STAGES.register("back_translate")
class BackTranslateStage(Stage):
    name = "back_translate"

    def __init__(self, translator: Translator) -> None:
        self.translator = translator

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        if not {"summarize", "lead_k"} & set(earlier_stages):
            raise ValueError("stages: back_translate needs a summary: put summarize or lead_k before it")
        check_translator_section(config, "back_translate")

    @classmethod
    def build(cls, context: StageContext) -> BackTranslateStage:
        return cls(context.translator("back_translate"))

    def describe(self) -> dict:
        return self.translator.describe()

    def process(self, documents: list[Document]) -> None:
        sentences = [split_sentences(document.summary or "") for document in documents]
        for document, (texts, metadata) in zip(documents, translate_documents(self.translator, sentences)):
            document.summary_hi = " ".join(texts)
            document.stages[self.record_key] = metadata
