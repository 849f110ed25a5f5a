"""Stage 3: abstractive English summary of the translation (or of English input).

Each summary passes the degeneration guard (`summarize.guard`) before it is stored: a loop at its end is cut, and a
loop or an empty summary becomes a `summary:<problem>` flag of the document.
"""

from __future__ import annotations

from pipeline.config import RunConfig
from pipeline.devices import FP16_UNSAFE_FAMILIES
from pipeline.records import Document, OutputField
from pipeline.stages.base import STAGES, Stage, StageContext, require_model
from pipeline.summarization import SUMMARIZER_FAMILIES, Summarizer, SummarizerConfig, load_summarizer
from pipeline.text.degeneration import check
from pipeline.text.language_id import guard_language


def summary_field(stage: str, language: str) -> OutputField:
    """The `summary` of a record, whichever stage writes it (a summarizer, or the lead-k baseline)."""
    return OutputField(
        name="summary", kind="summary", language=language, reference="reference_summary", stage=stage,
        column=f"summary_{language}", model_column="summarization_model",
    )


@STAGES.register("summarize")
class SummarizeStage(Stage):
    name = "summarize"
    config_model = SummarizerConfig

    def __init__(self, summarizer: Summarizer) -> None:
        self.summarizer = summarizer

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        settings = config.sections["summarize"]
        if "lead_k" in config.stages:
            raise ValueError("stages: use either summarize or lead_k, not both (both write the summary)")
        require_model(settings, "summarize")
        try:
            SUMMARIZER_FAMILIES.get(settings.family)
        except ValueError as error:
            raise ValueError(f"summarize.family: {error}") from None
        if config.precision == "fp16" and settings.family in FP16_UNSAFE_FAMILIES:
            raise ValueError(f"precision: fp16 is refused for {settings.family} (it overflows); use bf16 or fp32")

    @classmethod
    def declare_outputs(cls, config: RunConfig, language: str) -> list[OutputField]:
        return [summary_field(cls.name, language)]

    @classmethod
    def model_sections(cls, config: RunConfig) -> frozenset[str]:
        return frozenset({"summarize"})

    @classmethod
    def build(cls, context: StageContext) -> SummarizeStage:
        config = context.config
        return cls(load_summarizer(context.section("summarize"), config.device, config.precision))

    def describe(self) -> dict:
        return self.summarizer.describe()

    def process(self, documents: list[Document]) -> None:
        splits_before = self.summarizer.oom_splits
        summaries = self.summarizer.summarize([document.english for document in documents])
        oom_splits = self.summarizer.oom_splits - splits_before
        described = self.summarizer.describe()
        for document, summary in zip(documents, summaries, strict=True):
            checked = check(document.english, summary.text, self.summarizer.config.guard)
            document.outputs["summary"] = checked.text
            document.flag("summary", checked.problems)
            document.flag("summary", guard_language(checked.text, "eng_Latn", self.summarizer.config.guard))
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
