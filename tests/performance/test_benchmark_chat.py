"""The throughput benchmark's chat translator (`--translators ...,qwen2.5-1.5B`, scaled down): its row on the same
sentences as IndicTrans2's, counts that add up, and batched outputs equal to one-at-a-time ones.

Only what the rows say about work is checked: timings come from the benchmark itself, never from tests.
"""

import pytest

from pipeline.backends import GenerationConfig
from pipeline.benchmarking.throughput import GREEDY_SETTING, TRANSLATORS, Options, Throughput, chat_source_ids

SENTENCES = 4
OUTPUT_TOKENS = 4


@pytest.fixture(scope="module")
def options(flores_dir, indictrans_fixtures, tmp_path_factory):
    return Options(
        work_dir=tmp_path_factory.mktemp("chat-throughput"), shared_dir=flores_dir.parents[1], quick=True,
        max_output_tokens=OUTPUT_TOKENS, sentences=SENTENCES, translators=("200M", "qwen2.5-1.5B"),
        summarizer=False, defaults_only=True,
    )


@pytest.fixture(scope="module")
def chat(options):
    """The chat translator's row alone (IndicTrans2's rows are the other throughput test's)."""
    throughput = Throughput(Options(**{**vars(options), "translators": ("qwen2.5-1.5B",)}))
    (row,) = throughput.run()["rows"]
    return throughput, row


def test_a_chat_translator_brings_a_greedy_indictrans2_row_to_compare_with(options):
    settings = {key: Throughput(options)._translation_settings(TRANSLATORS[key]) for key in options.translators}
    assert [setting.beams for setting in settings["200M"]] == [None, 1]  # the workload's beams (5), and greedy
    assert [setting.beams for setting in settings["qwen2.5-1.5B"]] == [1]
    assert settings["qwen2.5-1.5B"][0] == GREEDY_SETTING


def test_the_chat_row_s_counts_add_up(chat):
    _, row = chat
    assert (row["model"], row["beams"], row["items"], row["attention"]) == (
        "qwen2.5-1.5B-instruct (quick)", 1, SENTENCES, "sdpa")
    # Every sentence generates the fixed length (IndicTrans2's rows: the same).
    assert row["output_tokens"] == SENTENCES * OUTPUT_TOKENS and row["output_tokens_per_item"] == OUTPUT_TOKENS
    # The prompt: instructions around each sentence, so more tokens than them alone.
    assert 30 < row["instruction_tokens_per_item"] < row["input_tokens_per_item"]
    assert row["input_tokens_per_item"] == round(row["input_tokens"] / SENTENCES, 1)
    assert row["model_tflops_per_second"] > 0 and row["mfu"] is None


def test_a_batch_gives_what_each_sentence_gives_alone(chat):
    """Left padding and the attention mask leave every row's greedy fp32 answer as it is alone."""
    throughput, _ = chat
    generation = GenerationConfig(num_beams=1, min_new_tokens=OUTPUT_TOKENS, max_new_tokens=OUTPUT_TOKENS)
    folder = throughput.options.work_dir / "translator-qwen2.5-1.5B"
    translator = throughput.translator(folder, "chat", GREEDY_SETTING, generation)
    sentences = ["नमस्ते।", "भारत की राजधानी नई दिल्ली है, जहाँ 2 करोड़ से अधिक लोग रहते हैं।", "यह एक लंबा वाक्य है।"]
    source_ids = chat_source_ids(translator, sentences)
    assert len({len(ids) for ids in source_ids}) == 3  # the batch is padded
    batched = translator.generate(source_ids)
    assert batched == [translator.generate([ids])[0] for ids in source_ids]
    assert all(len(ids) == OUTPUT_TOKENS for ids in batched)
