"""The id memory of a run: exact answers for millions of ids in 16 bytes each."""

from pipeline.io.ids import IdSet


def test_every_added_id_is_found_and_no_other():
    ids = IdSet()
    added = [f"doc-{n}" for n in range(20_000)]
    for identifier in added:
        ids.add(identifier)
    assert all(identifier in ids for identifier in added)
    assert not any(f"doc-{n}" in ids for n in range(20_000, 40_000))
    assert "" not in ids and 42 not in ids


def test_ids_are_kept_in_sorted_arrays_once_there_are_many():
    ids = IdSet()
    for n in range(10_000):
        ids.add(f"doc-{n}")
    assert len(ids._high) >= 8192 and len(ids._pending) < 4096  # merged into the compact part
    assert ids._high.nbytes + ids._low.nbytes == 16 * len(ids._high)


def test_merging_keeps_the_first_halves_sorted_and_loses_nothing():
    ids = IdSet()
    for n in range(300_000):
        ids.add(f"news-{n:07d}")
    assert len(ids) == 300_000 and len(ids._pending) < len(ids._high) // 32 + 1
    assert (ids._high[1:] >= ids._high[:-1]).all()
    assert all(f"news-{n:07d}" in ids for n in range(0, 300_000, 997))
