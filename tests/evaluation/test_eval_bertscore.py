"""BERTScore from a local encoder folder: no hub, greedy cosine matching of token embeddings."""

from pathlib import Path

import pytest

from pipeline.evaluation.bertscore import bertscore_statistic
from pipeline.evaluation.bootstrap import BootstrapSettings
from pipeline.evaluation.records import Record, Run
from pipeline.evaluation.suite import EvaluationSettings, evaluate
from pipeline.evaluation.tracks import Track

VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"the cat sat on mat a dog ran in park rain fell".split()]


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory):
    """A randomly initialised one-layer BERT: enough to exercise the matching, not to judge text."""
    from transformers import BertConfig, BertModel, BertTokenizer

    folder = tmp_path_factory.mktemp("tiny-bert")
    BertTokenizer(vocab={token: index for index, token in enumerate(VOCABULARY)}).save_pretrained(folder)
    config = BertConfig(
        vocab_size=len(VOCABULARY),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(folder)
    return folder


def test_suite_adds_bertscore_to_english_tracks_when_given_a_model(tiny_encoder):
    track = Track("summary", ("summary",), "reference_summary", "en", "rouge")
    settings = EvaluationSettings(tracks=(track,), lead_sentences=0, bertscore_model=tiny_encoder,
                                  bootstrap=BootstrapSettings(samples=50))
    record = Record({"id": "a", "summary": "the cat sat", "reference_summary": "the cat sat on the mat"}, "x:1")
    report = evaluate(Run("run", Path("x.jsonl"), [record]), None, settings).report
    assert "bertscore" in report.tracks[0].systems[0].scores
    assert not any("BERTScore" in notice for notice in report.notices)


def test_identical_texts_score_100(tiny_encoder):
    statistic = bertscore_statistic(["the cat sat on the mat"], ["the cat sat on the mat"], tiny_encoder)
    assert statistic.score() == pytest.approx(100.0, abs=1e-4)


def test_different_texts_score_below_identical_ones(tiny_encoder):
    statistic = bertscore_statistic(["a dog ran in the park"], ["the cat sat on the mat"], tiny_encoder)
    assert statistic.score() < 99.9


def test_signature_names_the_model_and_the_absence_of_idf_and_rescaling(tiny_encoder):
    signature = bertscore_statistic(["rain fell"], ["rain fell"], tiny_encoder).signature
    assert signature.startswith(f"bertscore|model:{tiny_encoder.name}|layer:last|idf:no|rescale:no|")
