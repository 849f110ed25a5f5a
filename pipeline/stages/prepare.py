"""Stage 1: normalize Indic text and cut it into translation segments that fit the translator."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from pipeline.config import RunConfig, Section
from pipeline.records import Document
from pipeline.stages.base import STAGES, Stage, StageContext
from pipeline.text.indic import SegmentUnit, clean_whitespace, normalize, segment
from pipeline.text.languages import FLORES_TO_INDICNLP, check_language, language_label


class PrepareConfig(Section):
    """Hindi (Indic) text preparation: normalization, sentence segmentation, chunking of long sentences."""

    language: str = Field("hin_Deva", description="FLORES-200 code of the source language")
    max_segment_tokens: int = Field(256, ge=8, description="translator input limit; longer sentences are chunked")
    unit: SegmentUnit = Field(
        "sentence",
        description="a segment is a `sentence`, or (for paragraph-level translators) as many whole sentences of a "
        "paragraph as fit: the whole `paragraph` when it fits",
    )


def count_words(text: str) -> int:
    return len(text.split())


@STAGES.register("prepare")
class PrepareStage(Stage):
    name = "prepare"
    config_model = PrepareConfig

    def __init__(
        self, language: str, max_tokens: int, count_tokens: Callable[[str], int], unit: SegmentUnit = "sentence"
    ) -> None:
        self.iso_code = FLORES_TO_INDICNLP[language]
        self.max_tokens = max_tokens
        self.count_tokens = count_tokens
        self.unit = unit

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        language = config.sections["prepare"].language
        try:
            check_language(language)
        except ValueError as error:
            raise ValueError(f"prepare.language: {error}") from None
        if language_label(language) == "en":
            raise ValueError(
                "prepare.language: eng_Latn is English, and prepare normalizes and segments Indic text; "
                "for English input leave prepare (and translate) out of stages"
            )
        try:  # what would fail every document otherwise: indic-nlp-library's Urdu normalizer needs urduhack
            normalize("", FLORES_TO_INDICNLP[language])
        except ImportError as error:
            raise ValueError(f"prepare.language: {language} needs {error.name} (pip install {error.name})") from None

    @classmethod
    def language_after(cls, config: RunConfig, language: str) -> str:
        return language_label(config.sections["prepare"].language)  # what the input is written in

    @classmethod
    def model_sections(cls, config: RunConfig) -> frozenset[str]:
        return frozenset({"translate"}) if "translate" in config.stages else frozenset()

    @classmethod
    def build(cls, context: StageContext) -> PrepareStage:
        settings = context.section("prepare")
        if "translate" in context.config.stages:
            # Segments must fit the translator, so they are measured with its own tokenizer and pre-processing.
            translator = context.translator("translate")
            limit = min(settings.max_segment_tokens, translator.max_input_tokens)
            return cls(settings.language, limit, translator.count_tokens, settings.unit)
        return cls(settings.language, settings.max_segment_tokens, count_words, settings.unit)

    def process(self, documents: list[Document]) -> None:
        for document in documents:
            prepared = clean_whitespace(normalize(document.source, self.iso_code))
            document.segments = segment(prepared, self.iso_code, self.max_tokens, self.count_tokens, self.unit)
            document.stages[self.record_key] = {
                "segments": len(document.segments),
                "paragraphs": len({s.paragraph for s in document.segments}),
            }
