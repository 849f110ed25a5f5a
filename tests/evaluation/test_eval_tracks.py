"""Tracks: one per output a run declares, the classic three without declarations, options that name fields win."""

from pipeline.evaluation.tracks import FieldChoice, Track, choose_tracks, english_translation_field
from pipeline.records import OutputField

TRANSLATION = OutputField(
    "translation", "translation", "en", "reference_translation", "translate", "translation", "translation_model",
    source_language="hi",
)
SUMMARY = OutputField("summary", "summary", "en", "reference_summary", "summarize", "summary_en", "summarization_model")
SUMMARY_BN = OutputField(
    "summary_bn", "summary", "bn", "reference_summary_bn", "back_translate", "summary_bn", "back_translation_model",
    source_language="en",
)
CLASSIC = (
    Track("summary", ("summary",), "reference_summary", "en", "rouge"),
    Track("translation", ("translation",), "reference_translation", "en", "translation"),
    Track("summary_hi", ("summary_hi",), "reference_summary_hi", "hi", "rouge"),
)


def test_each_declared_output_is_a_track_in_its_language_english_summaries_first():
    assert choose_tracks([TRANSLATION, SUMMARY, SUMMARY_BN], {}) == (
        CLASSIC[0],
        CLASSIC[1],
        Track("summary_bn", ("summary_bn",), "reference_summary_bn", "bn", "rouge"),
    )


def test_without_declared_outputs_the_classic_tracks_are_scored():
    assert choose_tracks(None, {}) == CLASSIC


def test_named_fields_replace_those_of_their_track():
    chosen = {"summary": FieldChoice(("systems.bart", "systems.t5"), "reference"), "translation": FieldChoice()}
    summary, translation, _summary_bn = choose_tracks([TRANSLATION, SUMMARY, SUMMARY_BN], chosen)
    assert (summary.hypothesis_fields, summary.reference_field) == (("systems.bart", "systems.t5"), "reference")
    assert translation == CLASSIC[1]


def test_named_fields_of_a_track_the_run_does_not_declare_add_it():
    chosen = {"summary_hi": FieldChoice(reference="gold_hi")}
    tracks = choose_tracks([TRANSLATION, SUMMARY, SUMMARY_BN], chosen)
    assert tracks[-1] == Track("summary_hi", ("summary_hi",), "gold_hi", "hi", "rouge")


def test_the_english_source_is_the_english_translation_track():
    chosen = {"translation": FieldChoice(("english",))}
    assert english_translation_field(choose_tracks(None, chosen)) == "english"
    assert english_translation_field(choose_tracks([SUMMARY], {})) == "translation"
