"""Tracks: which output is scored against which reference, in which language and with which metrics.

A run folder of this version declares its outputs in manifest.json (`OutputField`: name, kind, language,
reference), and each becomes a track, so a new stage's output, or a summary back-translated into Bengali, is
scored without edits here. Plain files and older run folders follow the classic layout (`summary`, `translation`,
`summary_hi`). Fields named on the command line replace those of the track of the same name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from pipeline.io.run_folder import undeclared_outputs
from pipeline.records import OutputField

FAMILIES = {"summary": "rouge", "translation": "translation"}  # an output's kind -> the metrics that score it


@dataclass(frozen=True)
class Track:
    name: str
    hypothesis_fields: tuple[str, ...]
    reference_field: str
    language: str
    family: str  # "rouge" or "translation"

    @classmethod
    def of(cls, output: OutputField) -> Track:
        return cls(output.name, (output.name,), output.reference, output.language, FAMILIES[output.kind])

    @property
    def is_english_summary(self) -> bool:
        """Scored beside the lead baseline, with novelty against the English source."""
        return self.family == "rouge" and self.language == "en"


@dataclass(frozen=True)
class FieldChoice:
    """The fields the command line names for one track; None keeps the declared (or classic) one."""

    hypotheses: tuple[str, ...] | None = None
    reference: str | None = None


def choose_tracks(declared: Sequence[OutputField] | None, chosen: Mapping[str, FieldChoice]) -> tuple[Track, ...]:
    """A track per declared output (the classic layout when `declared` is None), English summaries first.

    A choice replaces the fields of its track, or adds the classic track of its name if the run declares none.
    """
    classic = {output.name: Track.of(output) for output in undeclared_outputs()}
    outputs = undeclared_outputs() if declared is None else declared
    tracks = {output.name: Track.of(output) for output in outputs}
    for name, choice in chosen.items():
        if choice.hypotheses is None and choice.reference is None:
            continue
        track = tracks.get(name, classic[name])
        tracks[name] = replace(
            track,
            hypothesis_fields=choice.hypotheses or track.hypothesis_fields,
            reference_field=choice.reference or track.reference_field,
        )
    return tuple(sorted(tracks.values(), key=lambda track: not track.is_english_summary))


def english_translation_field(tracks: Sequence[Track]) -> str:
    """The field of the English translation: the English source of the lead baseline and of novelty."""
    english = [track for track in tracks if track.family == "translation" and track.language == "en"]
    return english[0].hypothesis_fields[0] if english else "translation"
