"""Stage 3: abstractive English summary of the translation (or of English input)."""

from __future__ import annotations

from pipeline.config import RunConfig
from pipeline.devices import FP16_UNSAFE_FAMILIES
from pipeline.records import Document
from pipeline.stages.base import STAGES, Stage, StageContext, require_model
from pipeline.summarization import SUMMARIZER_FAMILIES, Summarizer, load_summarizer


@STAGES.register("summarize")
class SummarizeStage(Stage):
    name = "summarize"

    def __init__(self, summarizer: Summarizer) -> None:
        self.summarizer = summarizer

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        if "lead_k" in config.stages:
            raise ValueError("stages: use either summarize or lead_k, not both (both write the summary)")
        require_model(config.summarize, "summarize")
        try:
            SUMMARIZER_FAMILIES.get(config.summarize.family)
        except ValueError as error:
            raise ValueError(f"summarize.family: {error}") from None
        if config.precision == "fp16" and config.summarize.family in FP16_UNSAFE_FAMILIES:
            raise ValueError(f"precision: fp16 is refused for {config.summarize.family} (it overflows); use bf16 or fp32")

    @classmethod
    def build(cls, context: StageContext) -> SummarizeStage:
        config = context.config
        return cls(load_summarizer(config.summarize, config.device, config.precision))

    def describe(self) -> dict:
        return self.summarizer.describe()

    def process(self, documents: list[Document]) -> None:
        summaries = self.summarizer.summarize([document.english for document in documents])
        described = self.summarizer.describe()
        for document, summary in zip(documents, summaries, strict=True):
            document.summary = summary.text
            document.stages[self.record_key] = {
                "model": described["model"],
                "revision": described["revision"],
                "strategy": described["strategy"],
                "tokens_in": summary.tokens_in,
                "tokens_out": summary.tokens_out,
                "truncated": summary.truncated,
                "chunks": summary.chunks,
            }
