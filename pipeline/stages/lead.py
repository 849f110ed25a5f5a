"""Stage 4: the extractive lead-k baseline (first k sentences); needs no model, runs anywhere."""

from __future__ import annotations

from pipeline.records import Document
from pipeline.stages.base import STAGES, Stage, StageContext
from pipeline.text.english import split_sentences


@STAGES.register("lead_k")
class LeadStage(Stage):
    name = "lead_k"
    metadata_key = "summarize"  # it fills the summary, so its record reads like any summarizer's

    def __init__(self, k: int) -> None:
        self.k = k

    @classmethod
    def build(cls, context: StageContext) -> LeadStage:
        return cls(context.config.lead_k.k)

    def describe(self) -> dict:
        return {"model": f"lead_{self.k}", "revision": None}

    def process(self, documents: list[Document]) -> None:
        for document in documents:
            sentences = split_sentences(document.english)
            document.summary = " ".join(sentences[: self.k])
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
