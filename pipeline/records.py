"""What flows between stages: one `Document` per input document, filled in stage by stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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


@dataclass
class Document:
    id: str
    source: str
    references: dict[str, str] = field(default_factory=dict)
    segments: list[Segment] | None = None
    translation: str | None = None
    summary: str | None = None
    summary_hi: str | None = None
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def english(self) -> str:
        """The English text to summarize: the translation when there is one, else the (English) source."""
        return self.translation if self.translation is not None else self.source

    def to_record(self) -> dict[str, Any]:
        """The `results.jsonl` line of this document."""
        record: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "translation": self.translation,
            "summary": self.summary,
        }
        if self.summary_hi is not None:
            record["summary_hi"] = self.summary_hi
        record.update(self.references)
        record["stages"] = self.stages
        return record


class DocumentError(Exception):
    """A problem with one document (empty text, a failed generation); the run records it and goes on."""
