"""Stage 3: abstractive summary of the translation, of English input, or directly of the source (`summarize.input`).

A seq2seq summarizer (BART, PEGASUS, T5) summarizes English in English. A chat model summarizes what it is given in
the language `summarize.language` names, so `input: source` with `language: eng_Latn` turns a Hindi article into an
English summary with no translation in between. Each summary passes the degeneration guard (`summarize.guard`) before it is stored: a loop at its end is cut, and a
loop or an empty summary becomes a `summary:<problem>` flag of the document.
"""

from __future__ import annotations

from pipeline.config import RunConfig
from pipeline.devices import FP16_UNSAFE_FAMILIES
from pipeline.records import Document, OutputField
from pipeline.stages.base import STAGES, Stage, StageContext, require_model
from pipeline.summarization import SUMMARIZER_FAMILIES, Summarizer, SummarizerConfig, load_summarizer
from pipeline.text.degeneration import check
from pipeline.text.indic import assemble
from pipeline.text.language_id import guard_language
from pipeline.text.languages import language_label

UNDECLARED_LANGUAGE = "eng_Latn"  # input no stage declares the language of (no prepare) is English


def summary_field(stage: str, language: str) -> OutputField:
    """The `summary` of a record, whichever stage writes it (a summarizer, or the lead-k baseline)."""
    return OutputField(
        name="summary", kind="summary", language=language, reference="reference_summary", stage=stage,
        column=f"summary_{language}", model_column="summarization_model",
    )


def summary_languages(config: RunConfig) -> tuple[str, str]:
    """FLORES codes of the text the summarizer gets (the translation's, or the source's) and of its summary."""
    settings, stages = config.sections["summarize"], config.stages
    if "translate" in stages and settings.input == "translation":
        text = config.sections["translate"].tgt_lang
    else:
        text = config.sections["prepare"].language if "prepare" in stages else UNDECLARED_LANGUAGE
    return text, settings.language or text


@STAGES.register("summarize")
class SummarizeStage(Stage):
    name = "summarize"
    config_model = SummarizerConfig

    def __init__(self, summarizer: Summarizer, summary_language: str, from_source: bool) -> None:
        self.summarizer = summarizer
        self.summary_language = summary_language
        self.from_source = from_source  # the prepared source, even where the run translates

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        settings = config.sections["summarize"]
        if "lead_k" in config.stages:
            raise ValueError("stages: use either summarize or lead_k, not both (both write the summary)")
        require_model(settings, "summarize")
        try:
            family = SUMMARIZER_FAMILIES.get(settings.family)
        except ValueError as error:
            raise ValueError(f"summarize.family: {error}") from None
        text, summary = summary_languages(config)
        if family.english_only and (text, summary) != ("eng_Latn", "eng_Latn"):
            key = "input" if text != "eng_Latn" else "language"
            raise ValueError(
                f"summarize.{key}: a {settings.family} summarizer summarizes English in English, and this run would give "
                f"it {text} text for a {summary} summary; translate first, or use a cross-lingual model (family: chat)"
            )
        if config.precision == "fp16" and settings.family in FP16_UNSAFE_FAMILIES:
            raise ValueError(f"precision: fp16 is refused for {settings.family} (it overflows); use bf16 or fp32")

    @classmethod
    def declare_outputs(cls, config: RunConfig, language: str) -> list[OutputField]:
        return [summary_field(cls.name, language_label(summary_languages(config)[1]))]

    @classmethod
    def model_sections(cls, config: RunConfig) -> frozenset[str]:
        return frozenset({"summarize"})

    @classmethod
    def build(cls, context: StageContext) -> SummarizeStage:
        config, settings = context.config, context.section("summarize")
        languages = summary_languages(config)
        summarizer = load_summarizer(settings, config.device, config.precision, languages)
        return cls(summarizer, languages[1], settings.input == "source")

    def describe(self) -> dict:
        return self.summarizer.describe()

    def process(self, documents: list[Document]) -> None:
        splits_before = self.summarizer.oom_splits
        summaries = self.summarizer.summarize([self._text(document) for document in documents])
        oom_splits = self.summarizer.oom_splits - splits_before
        described = self.summarizer.describe()
        for document, summary in zip(documents, summaries, strict=True):
            checked = check(document.english, summary.text, self.summarizer.config.guard)
            document.outputs["summary"] = checked.text
            document.flag("summary", checked.problems)
            document.flag("summary", guard_language(checked.text, self.summary_language, self.summarizer.config.guard))
            document.stages[self.record_key] = {
                "model": described["model"],
                "revision": described["revision"],
                "strategy": described["strategy"],
                "tokens_in": summary.tokens_in,
                "tokens_out": summary.tokens_out,
                "truncated": summary.truncated,
                "chunks": summary.chunks,
                "cut_chars": checked.cut_chars,
                **({"oom_splits": oom_splits} if oom_splits else {}),  # its batch was halved after CUDA ran out
            }

    def _text(self, document: Document) -> str:
        if self.from_source and document.segments is not None:
            return assemble(document.segments)  # the source as prepare normalized it
        return document.source if self.from_source else document.english
