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
    assert len(ids._sorted[0]) >= 8192 and len(ids._pending) < 4096  # merged into the compact part
    highs, lows = ids._sorted
    assert highs.nbytes + lows.nbytes == 16 * len(highs)


def test_merging_keeps_the_first_halves_sorted_and_loses_nothing():
    ids = IdSet()
    for n in range(300_000):
        ids.add(f"news-{n:07d}")
    highs, _ = ids._sorted
    assert len(ids) == 300_000 and len(ids._pending) < len(highs) // 32 + 1
    assert (highs[1:] >= highs[:-1]).all()
    assert all(f"news-{n:07d}" in ids for n in range(0, 300_000, 997))


def test_ids_asked_for_while_another_thread_adds_are_always_found():
    """The local engine checks ids in its input thread while the runner adds finished ones: no false 'not done'."""
    import threading

    ids = IdSet()
    earlier = [f"resumed-{n}" for n in range(5000)]
    for identifier in earlier:
        ids.add(identifier)
    missed, adding = [], threading.Event()

    def ask() -> None:
        while adding.is_set():
            missed.extend(identifier for identifier in earlier[::97] if identifier not in ids)

    adding.set()
    asker = threading.Thread(target=ask)
    asker.start()
    for n in range(60_000):  # many merges of the pending ids into the sorted arrays
        ids.add(f"new-{n}")
    adding.clear()
    asker.join()
    assert missed == [] and len(ids) == 65_000
