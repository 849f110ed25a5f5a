"""Stage 2: translate the prepared segments (hi→en by default) and re-assemble them into paragraphs."""

from __future__ import annotations

from pipeline.config import RunConfig
from pipeline.records import Document
from pipeline.stages.base import STAGES, Stage, StageContext, require_model
from pipeline.text.indic import assemble
from pipeline.translation import TRANSLATION_FAMILIES, Translator


def check_translator_section(config: RunConfig, section: str) -> None:
    settings = getattr(config, section)
    require_model(settings, section)
    try:
        family = TRANSLATION_FAMILIES.get(settings.family)
        family.check_languages(settings.src_lang, settings.tgt_lang)
    except ValueError as error:
        key = "family" if settings.family not in TRANSLATION_FAMILIES else "src_lang"
        raise ValueError(f"{section}.{key}: {error}") from None


def translation_metadata(translator: Translator, tokens_in: int, tokens_out: int, segments: int) -> dict:
    described = translator.describe()
    return {
        "model": described["model"],
        "revision": described["revision"],
        "device": described["device"],
        "dtype": described["dtype"],
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "segments": segments,
    }


@STAGES.register("translate")
class TranslateStage(Stage):
    name = "translate"

    def __init__(self, translator: Translator) -> None:
        self.translator = translator

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        if "prepare" not in earlier_stages:
            raise ValueError("stages: translate needs the prepare stage before it")
        check_translator_section(config, "translate")

    @classmethod
    def build(cls, context: StageContext) -> TranslateStage:
        return cls(context.translator("translate"))

    def describe(self) -> dict:
        return self.translator.describe()

    def process(self, documents: list[Document]) -> None:
        # All segments of the batch go to the translator at once so it can sort them by length across documents.
        sentences = [s.text for document in documents for s in document.segments]
        translations = iter(self.translator.translate(sentences))
        for document in documents:
            done = [next(translations) for _ in document.segments]
            document.translation = assemble(document.segments, [t.text for t in done])
            document.stages[self.record_key] = translation_metadata(
                self.translator,
                sum(t.tokens_in for t in done),
                sum(t.tokens_out for t in done),
                len(done),
            )
