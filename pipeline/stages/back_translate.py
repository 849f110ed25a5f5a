"""Stage 5 (optional): translate the English summary back (en→hi by default) for a bilingual summary."""

from __future__ import annotations

from pipeline.config import RunConfig
from pipeline.records import Document
from pipeline.stages.base import STAGES, Stage, StageContext
from pipeline.stages.translate import check_translator_section, translation_metadata
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
        translations = iter(self.translator.translate([s for per_document in sentences for s in per_document]))
        for document, own in zip(documents, sentences, strict=True):
            done = [next(translations) for _ in own]
            document.summary_hi = " ".join(t.text for t in done)
            document.stages[self.record_key] = translation_metadata(
                self.translator,
                sum(t.tokens_in for t in done),
                sum(t.tokens_out for t in done),
                len(done),
            )
