"""Shared test fixtures. Tests never touch the network: the hub is switched off for the whole session."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("PIPELINE_SHARED_DIR", REPO_ROOT.parent / "shared"))


def _shared_path(*parts: str) -> Path:
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the read-only ../shared data is not beside this checkout)")
    return path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def indictrans_fixtures() -> Path:
    """`../shared/fixtures/indictrans2`: real tokenizer files, tiny checkpoints and golden outputs."""
    return _shared_path("fixtures", "indictrans2")


@pytest.fixture(scope="session")
def flores_dir() -> Path:
    return _shared_path("data", "flores200")


@pytest.fixture(scope="session")
def news_summaries_dir() -> Path:
    return _shared_path("data", "news-summaries")
