import pytest

from pipeline.records import Document
from pipeline.stages.lead import LeadStage
from pipeline.summarization import SummarizerConfig, load_summarizer

SHORT = "Heavy rain fell in New Delhi on Monday."
LONG = " ".join(f"India won match {n} easily." for n in range(30))


def summarizer(tiny_models, strategy, max_input_tokens=64):
    config = SummarizerConfig(
        model=str(tiny_models["bart-summarizer"]), strategy=strategy, max_input_tokens=max_input_tokens,
        generation={"num_beams": 1, "min_new_tokens": 3, "max_new_tokens": 6},
    )
    return load_summarizer(config, "cpu", "auto")


def test_map_reduce_is_used_exactly_when_the_input_exceeds_the_limit(tiny_models):
    model = summarizer(tiny_models, "map_reduce")
    short, long = model.summarize([SHORT, LONG])
    assert short.tokens_in <= model.max_input_tokens and short.chunks == 1
    assert long.tokens_in > model.max_input_tokens and long.chunks > 1
    assert not short.truncated and not long.truncated


def test_truncate_marks_documents_over_the_limit(tiny_models):
    model = summarizer(tiny_models, "truncate")
    short, long = model.summarize([SHORT, LONG])
    assert (short.truncated, long.truncated) == (False, True)
    assert long.chunks == 1
    assert 3 <= long.tokens_out <= 6


def test_map_reduce_chunks_are_sentence_aligned_fit_and_overlap(tiny_models):
    model = summarizer(tiny_models, "map_reduce")
    chunks = model._chunk(LONG)
    assert all(model.count_tokens(chunk) <= model.max_input_tokens for chunk in chunks)
    assert len(chunks) > 2 and all(chunk.endswith(".") for chunk in chunks)
    for previous, following in zip(chunks, chunks[1:]):
        first_sentence = following.split(". ")[0] + "."
        assert previous.endswith(first_sentence)  # one sentence of overlap (the default)


def test_summaries_come_back_in_input_order(tiny_models):
    model = summarizer(tiny_models, "truncate", max_input_tokens=None)
    texts = [LONG, SHORT, LONG[:200]]
    batched = [s.text for s in model.summarize(texts)]
    one_by_one = [model.summarize([t])[0].text for t in texts]
    assert batched == one_by_one


@pytest.mark.parametrize("k", [1, 3])
def test_lead_k_takes_the_first_k_sentences(k):
    text = "One is here. Two follows. Three ends. Four is extra."
    document = Document(id="a", source="x", outputs={"translation": text})
    LeadStage(k).process([document])
    assert document.outputs["summary"] == " ".join(["One is here.", "Two follows.", "Three ends."][:k])
    assert document.stages["summarize"]["strategy"] == "lead_k"
