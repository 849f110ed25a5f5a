import random

from pipeline.batching import plan_batches, run_batched


def test_every_input_is_in_exactly_one_batch():
    lengths = [random.Random(3).randint(1, 60) for _ in range(200)]
    batches = plan_batches(lengths, max_tokens=256, max_size=16)
    assert sorted(i for batch in batches for i in batch) == list(range(200))


def test_batches_respect_the_padded_token_budget_and_size():
    lengths = [random.Random(i).randint(1, 60) for i in range(200)]
    for batch in plan_batches(lengths, max_tokens=256, max_size=16):
        assert len(batch) <= 16
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 256


def test_batches_are_formed_longest_first():
    batches = plan_batches([3, 9, 1, 7], max_tokens=100, max_size=2)
    assert batches == [[1, 3], [0, 2]]


def test_an_input_over_the_budget_gets_a_batch_of_its_own():
    assert plan_batches([500, 2, 2], max_tokens=100, max_size=8) == [[0], [1, 2]]


def test_results_come_back_in_input_order():
    items = ["ccc", "a", "bbbbb", "dd"]
    seen_batches = []

    def upper(batch):
        seen_batches.append(batch)
        return [item.upper() for item in batch]

    assert run_batched(items, [len(i) for i in items], upper, max_tokens=6, max_size=2) == ["CCC", "A", "BBBBB", "DD"]
    assert seen_batches[0] == ["bbbbb"]  # sorted: the longest went first
