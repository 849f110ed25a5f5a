"""The export folder layout and writing it.

    DIR/README.md                                   dataset card; its `configs` cover only the Parquet shards
    DIR/data/<split>-00000-of-00002.parquet ...     what `load_dataset(DIR)` and the Hub read
    DIR/arrow/                                      `DatasetDict.save_to_disk`, for `load_from_disk(DIR/arrow)`

The Arrow copy sits in a subfolder that the card's data_files do not match, so `load_dataset(DIR)` never
mixes the two formats, and the Hub upload leaves it out.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from pathlib import Path

from datasets import Dataset, DatasetDict
from huggingface_hub import DatasetCard

CARD_FILE = "README.md"
PARQUET_DIR = "data"
ARROW_DIR = "arrow"


def parquet_pattern(split: str) -> str:
    return f"{PARQUET_DIR}/{split}-*.parquet"


def shard_count(dataset: Dataset, max_shard_bytes: int) -> int:
    """As many shards as the in-memory size needs, but never an empty shard."""
    return max(1, min(len(dataset), math.ceil(dataset.data.nbytes / max_shard_bytes)))


def write_export(dataset: DatasetDict, card: DatasetCard, out: Path, max_shard_bytes: int) -> None:
    """Write into a sibling staging folder, then swap it in: a failure leaves any earlier export at `out` intact."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o755)
    try:
        dataset.save_to_disk(str(staging / ARROW_DIR), max_shard_size=max_shard_bytes)
        for split, data in dataset.items():
            _write_parquet(data, staging / PARQUET_DIR, split, shard_count(data, max_shard_bytes))
        card.save(staging / CARD_FILE)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_parquet(data: Dataset, folder: Path, split: str, shards: int) -> None:
    folder.mkdir(exist_ok=True)
    for index in range(shards):
        shard = data.shard(num_shards=shards, index=index, contiguous=True)
        shard.to_parquet(str(folder / f"{split}-{index:05d}-of-{shards:05d}.parquet"))


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    previous = staging.with_name(f"{staging.name}.previous")
    out.rename(previous)
    staging.rename(out)
    shutil.rmtree(previous)
