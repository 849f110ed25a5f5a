"""Shared test fixtures. Tests never touch the network: the hub is switched off for the whole session."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Every model in the suite is tiny: per-op threading overhead dominates, and on a shared CPU a second OpenMP thread
# that busy-waits for a core makes PyTorch many times slower (20 greedy decodes of tiny-indic-en: ~1 s on one
# thread, ~30 s on two of a loaded 2-core machine). One thread, in this process (torch is not imported yet: it reads
# this when it is) and in every process a test starts, unless the environment says otherwise.
os.environ.setdefault("OMP_NUM_THREADS", "1")
TORCH_THREADS = int(os.environ["OMP_NUM_THREADS"].split(",")[0])

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("PIPELINE_SHARED_DIR", REPO_ROOT.parent / "shared"))


def _shared_path(*parts: str) -> Path:
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the read-only ../shared data is not beside this checkout)")
    return path


@pytest.fixture(autouse=True)
def torch_threads():
    """Loading a CTranslate2 model sets the OpenMP thread count, which torch shares, to the CPU count: each test starts
    with the session's count again, whatever the tests before it loaded."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != TORCH_THREADS:
        torch.set_num_threads(TORCH_THREADS)


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


@pytest.fixture(scope="session")
def indictrans_count_tokens(indictrans_fixtures):
    """How the prepare stage measures segments in a real run: the tiny IndicTrans2 translator's token counter."""
    from pipeline.translation import TranslatorConfig, load_translator

    config = TranslatorConfig(model=str(indictrans_fixtures / "tiny-indic-en"), family="indictrans2")
    return load_translator(config, "translate", "cpu", "fp32").count_tokens


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """The offline tiny models of `scripts/make_tiny_models.py`, built once per test session."""
    from pipeline.tiny_models import build_tiny_models

    return build_tiny_models(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture(scope="session")
def tiny_overrides(tiny_models) -> list[str]:
    """`--set` overrides that point configs/tiny.yaml at the session's tiny models."""
    return [
        f"translate.model={tiny_models['marian-hi-en']}",
        f"summarize.model={tiny_models['bart-summarizer']}",
        f"back_translate.model={tiny_models['marian-en-hi']}",
    ]


class FixedTranslator:
    """A translator that answers every sentence with one text: what the translate stage does with an output."""

    oom_splits = 0

    def __init__(self, answer: str, **settings) -> None:
        from pipeline.text.glossary import Glossary
        from pipeline.translation import TranslatorConfig

        self.answer = answer
        self.config = TranslatorConfig(model="fixed", **settings)
        self.glossary = Glossary([])

    def translate(self, sentences, progress=None):
        from pipeline.translation import Translation

        return [Translation(self.answer, 1, 1) for _ in sentences]

    def describe(self) -> dict:
        return dict.fromkeys(("model", "revision", "device", "dtype"), "fixed")


@pytest.fixture
def fixed_translator() -> type[FixedTranslator]:
    return FixedTranslator


@pytest.fixture(scope="session")
def load_script(repo_root):
    """`load_script(name)`: main() of `scripts/<name>.py`, loaded in-process (the command line's code path without a
    new interpreter and its imports)."""
    import importlib.util

    def load(name: str):
        spec = importlib.util.spec_from_file_location(f"{name}_script", repo_root / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.main

    return load


@pytest.fixture
def run_script(load_script):
    """Call `scripts/run.py`'s main() in-process (same code path as the command line, without a new interpreter)."""
    return load_script("run")
