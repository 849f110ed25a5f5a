"""What flows between stages: one `Document` per input document, filled in stage by stage.

A stage writes its texts into `Document.outputs` under the names it declares as `OutputField`s; a result record is
the id, the source, those outputs in stage order, the references, the document's quality flags and each stage's
metadata. Evaluation and export read the declarations (from the run's manifest), so a new stage's output reaches
them without edits there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pipeline.errors import DocumentError

__all__ = [
    "INPUT_REFERENCES", "Document", "DocumentError", "Failure", "OutputField", "Result", "Segment", "count_flags",
    "flag_matches",
]

# The references an input document can carry (`input.reference_summary_field`, `...translation_field`), by key.
INPUT_REFERENCES = ("reference_summary", "reference_translation")


@dataclass(frozen=True)
class Segment:
    """One translatable unit of a document: a sentence, or a word-aligned chunk of a long sentence.

    `separator` is the exact text that followed the segment in the prepared source (a space, or a paragraph
    break), so the segments re-assemble into the source character for character, and the translation gets
    the same paragraph breaks.
    """

    text: str
    paragraph: int
    separator: str = ""


@dataclass(frozen=True)
class OutputField:
    """A text that a stage adds to every result record, and what it is, for evaluation and export.

    `language` and `source_language` are ISO 639 labels (`hi`, `en`, `bn`; see `pipeline.text.languages`).
    """

    name: str  # the key in results.jsonl, e.g. "translation", "summary", "summary_hi"
    kind: Literal["translation", "summary"]  # what it is scored as: BLEU/chrF++, or ROUGE
    language: str  # the language of the text
    reference: str  # the key of its reference text in a record, e.g. "reference_translation"
    stage: str  # the stage that writes it; its model is the result's `stages.<stage>.model`
    column: str  # the exported dataset's column, e.g. "summary_en"
    model_column: str  # the exported dataset's column naming the model, e.g. "summarization_model"
    source_language: str | None = None  # for a translation: the language it was translated from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Document:
    id: str
    source: str
    references: dict[str, str] = field(default_factory=dict)
    segments: list[Segment] | None = None
    outputs: dict[str, str] = field(default_factory=dict)  # declared output name -> text, in stage order
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # quality problems of its outputs: `<output>:<problem>`

    def flag(self, output: str, problems: Iterable[str]) -> None:
        """Record problems found in one of its outputs (`translation:loop`), each once, in the order found.

        Flags mark a document whose outputs are written but doubtful, for the manifest's counts, the evaluation
        report and the exported dataset to say so; a document that cannot be processed fails instead.
        """
        for problem in problems:
            if (flag := f"{output}:{problem}") not in self.flags:
                self.flags.append(flag)

    @property
    def english(self) -> str:
        """The English text to summarize: the translation when there is one, else the (English) source."""
        return self.outputs.get("translation", self.source)

    def to_result(self) -> Result:
        return Result(self.id, self.source, dict(self.outputs), dict(self.references), self.stages, list(self.flags))


@dataclass(frozen=True)
class Result:
    """A finished document: one line of `results.jsonl`."""

    id: str
    source: str
    outputs: dict[str, str | None]  # declared output name -> text
    references: dict[str, str]  # reference_summary, reference_translation, ... when the input had them
    stages: dict[str, dict[str, Any]]  # stage -> model, revision, tokens, seconds, ...
    flags: list[str] = field(default_factory=list)  # `<output>:<problem>`; empty for a clean document

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "source": self.source, **self.outputs, **self.references, "flags": self.flags,
            "stages": self.stages,
        }


def flag_matches(flag: str, kind: str) -> bool:
    """Whether a flag (`translation:loop`) is of a kind: the flag itself, its output (`translation`) or its problem
    (`loop`)."""
    output, _, problem = flag.partition(":")
    return kind in (flag, output, problem)


def count_flags(results: Iterable[Result]) -> dict[str, int]:
    """Documents per flag, in alphabetical order of the flags (a run's counts read the same in every report)."""
    return dict(sorted(Counter(flag for result in results for flag in result.flags).items()))


@dataclass(frozen=True)
class Failure:
    """A document that failed: one line of `errors.jsonl`. `stage` is `input` for a document that never started."""

    id: str
    stage: str
    error: str
    source: str | None = None
    # A `DocumentError`: the text's own fault (empty, too long), which says nothing about the run's health.
    document_fault: bool = field(default=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "stage": self.stage, "error": self.error, "source": self.source}
