"""Stage 4: the extractive lead-k baseline (first k sentences); needs no model, runs anywhere."""

from __future__ import annotations

from pydantic import Field

from pipeline.config import RunConfig, Section
from pipeline.records import Document, OutputField
from pipeline.stages.base import STAGES, Stage, StageContext
from pipeline.stages.summarize import summary_field
from pipeline.text.english import split_sentences


class LeadConfig(Section):
    """The extractive lead-k baseline: the first k sentences of the English text."""

    k: int = Field(3, ge=1)


@STAGES.register("lead_k")
class LeadStage(Stage):
    name = "lead_k"
    config_model = LeadConfig
    metadata_key = "summarize"  # it fills the summary, so its record reads like any summarizer's

    def __init__(self, k: int) -> None:
        self.k = k

    @classmethod
    def declare_outputs(cls, config: RunConfig, language: str) -> list[OutputField]:
        return [summary_field(cls.metadata_key, language)]

    @classmethod
    def build(cls, context: StageContext) -> LeadStage:
        return cls(context.section("lead_k").k)

    def describe(self) -> dict:
        return {"model": f"lead_{self.k}", "revision": None}

    def process(self, documents: list[Document]) -> None:
        for document in documents:
            sentences = split_sentences(document.english)
            document.outputs["summary"] = " ".join(sentences[: self.k])
            document.stages[self.record_key] = {
                "model": f"lead_{self.k}",
                "revision": None,
                "strategy": "lead_k",
                # No tokenizer here: "tokens" are whitespace-separated words.
                "tokens_in": sum(len(s.split()) for s in sentences),
                "tokens_out": sum(len(s.split()) for s in sentences[: self.k]),
                "truncated": False,
                "chunks": 1,
            }
