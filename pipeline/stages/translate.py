"""Stage 2: translate the prepared segments (hi→en by default) and re-assemble them into paragraphs.

Each segment's translation passes the degeneration guard (`translate.guard`) before it is assembled: a loop at its
end is cut, and what was found becomes the document's `translation:<problem>` flags. The whole translation is then
checked for the source's numbers, URLs, e-mail addresses, handles and hashtags (`translate.guard.entities`): what it
lacks is listed in the stage's record (`missing`) and flagged `translation:number_missing` or `entity_missing`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from pipeline.config import RunConfig
from pipeline.errors import InputError
from pipeline.records import Document, OutputField
from pipeline.stages.base import (
    STAGES,
    Stage,
    StageContext,
    StageProgress,
    require_model,
)
from pipeline.text.degeneration import PROBLEMS, GuardConfig, check
from pipeline.text.entities import PROBLEMS as ENTITY_PROBLEMS
from pipeline.text.entities import check as check_entities
from pipeline.text.entities import problems as entity_problems
from pipeline.text.glossary import Glossary, Term
from pipeline.text.indic import assemble
from pipeline.text.language_id import LANGUAGE_PROBLEMS, guard_language
from pipeline.text.languages import language_label
from pipeline.text.numerals import write_digits
from pipeline.translation import TRANSLATION_FAMILIES, Translator, TranslatorConfig
from pipeline.translation.translator import Progress, load_glossary

# A glossary or protected term of the source whose target the translation does not hold.
GLOSSARY_MISSING = "glossary_missing"
QUALITY_PROBLEMS = (*PROBLEMS, GLOSSARY_MISSING)  # found per sentence, in this order in a document's flags
FLAG_PROBLEMS = (*QUALITY_PROBLEMS, *ENTITY_PROBLEMS, *LANGUAGE_PROBLEMS)  # every `<output>:<problem>` a run's stages can flag


class TranslationGuardConfig(GuardConfig):
    """The degeneration guard, and whether the document's translation must keep its source's entities."""

    entities: bool = Field(
        True, description="flag a translation lacking a number, URL, e-mail, handle or hashtag of its source"
    )


class TranslateConfig(TranslatorConfig):
    """The translator of the documents; its guard also checks numbers and entities."""

    guard: TranslationGuardConfig = TranslationGuardConfig()


def check_translator_section(config: RunConfig, section: str) -> None:
    settings = config.sections[section]
    require_model(settings, section)
    try:
        load_glossary(settings)  # a bad row is reported when the config loads, with its file and line
    except InputError as error:
        raise ValueError(f"{section}.{error}") from None
    try:
        family = TRANSLATION_FAMILIES.get(settings.family)
        family.check_languages(settings.src_lang, settings.tgt_lang)
    except ValueError as error:
        key = "family" if settings.family not in TRANSLATION_FAMILIES else "src_lang"
        raise ValueError(f"{section}.{key}: {error}") from None


@dataclass(frozen=True)
class TranslatedDocument:
    texts: list[str]  # one per sentence, as checked by the guard (a looping tail cut)
    metadata: dict  # the stage's entry in the result's `stages`
    problems: list[str]  # the guard's in any sentence, then the glossary's (`QUALITY_PROBLEMS`), then the whole's
    # (`LANGUAGE_PROBLEMS`)


def translate_documents(
    translator: Translator, sentences: list[list[str]], progress: Progress | None = None
) -> list[TranslatedDocument]:
    """Translate each document's sentences, each checked against its source by the translator's guard.

    All sentences of the batch go to the translator at once so it can sort them by length across documents;
    `progress(done, total)` hears the sentences done after each of its batches.
    """
    splits_before = translator.oom_splits
    translations = iter(translator.translate([s for own in sentences for s in own], progress))
    oom_splits = translator.oom_splits - splits_before
    described = translator.describe()
    settings = translator.config
    translated = []
    for own in sentences:
        done = [next(translations) for _ in own]
        languages = (settings.src_lang, settings.tgt_lang)
        checked = [check(source, t.text, settings.guard, languages) for source, t in zip(own, done)]
        metadata = {
            "model": described["model"],
            "revision": described["revision"],
            "device": described["device"],
            "dtype": described["dtype"],
            "tokens_in": sum(t.tokens_in for t in done),
            "tokens_out": sum(t.tokens_out for t in done),
            "segments": len(done),
            "cut_chars": sum(c.cut_chars for c in checked),
            **({"oom_splits": oom_splits} if oom_splits else {}),  # its batch was halved after CUDA ran out
        }
        found = {problem for c in checked for problem in c.problems}
        script = settings.tgt_lang.partition("_")[2] or None
        texts = [write_digits(c.text, settings.numerals, script) for c in checked]
        terms = _terms(translator.glossary, own, texts)
        if terms:
            metadata["glossary"] = terms
            found.update([GLOSSARY_MISSING] if not all(term["found"] for term in terms) else [])
        problems = [p for p in QUALITY_PROBLEMS if p in found]
        problems += guard_language(" ".join(texts), settings.tgt_lang, settings.guard)  # the whole translation
        translated.append(TranslatedDocument(texts, metadata, problems))
    return translated


def _terms(glossary: Glossary, sources: list[str], translations: list[str]) -> list[dict]:
    """The glossary terms of a document's sentences and whether each translation holds their targets."""
    found: dict[Term, bool] = {}
    for source, translation in zip(sources, translations, strict=True):
        terms = glossary.find(source)
        absent = Glossary.missing(terms, translation)
        for term in terms:
            found[term] = found.get(term, True) and term not in absent
    return [{"source": term.source, "target": term.target, "found": ok} for term, ok in found.items()]


@STAGES.register("translate")
class TranslateStage(Stage):
    name = "translate"
    config_model = TranslateConfig

    def __init__(self, translator: Translator, progress: StageProgress) -> None:
        self.translator = translator
        self.progress = progress

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        if "prepare" not in earlier_stages:
            raise ValueError("stages: translate needs the prepare stage before it")
        check_translator_section(config, "translate")

    @classmethod
    def declare_outputs(cls, config: RunConfig, language: str) -> list[OutputField]:
        settings = config.sections["translate"]
        return [
            OutputField(
                name="translation", kind="translation", language=language_label(settings.tgt_lang),
                source_language=language_label(settings.src_lang),
                reference="reference_translation", stage=cls.name, column="translation",
                model_column="translation_model",
            )
        ]

    @classmethod
    def language_after(cls, config: RunConfig, language: str) -> str:
        return language_label(config.sections["translate"].tgt_lang)

    @classmethod
    def model_sections(cls, config: RunConfig) -> frozenset[str]:
        return frozenset({"translate"})

    @classmethod
    def build(cls, context: StageContext) -> TranslateStage:
        return cls(context.translator("translate"), context.progress)

    def describe(self) -> dict:
        return self.translator.describe()

    def process(self, documents: list[Document]) -> None:
        segment_texts = [[s.text for s in document.segments] for document in documents]
        progress = lambda done, total: self.progress(self.name, done, total)  # noqa: E731
        guard = self.translator.config.guard
        for document, translated in zip(documents, translate_documents(self.translator, segment_texts, progress)):
            translation = document.outputs["translation"] = assemble(document.segments, translated.texts)
            document.stages[self.record_key] = translated.metadata
            document.flag("translation", translated.problems)
            if guard.enabled and guard.entities and (missing := check_entities(document.source, translation)):
                translated.metadata["missing"] = [{"kind": entity.kind, "value": entity.value} for entity in missing]
                document.flag("translation", entity_problems(missing))
