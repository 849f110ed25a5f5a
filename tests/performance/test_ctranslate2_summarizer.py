"""The summarizer with `summarize.backend: ctranslate2` on a converted tiny BART: the same summaries as the
transformers backend in float32, and the same from `scripts/run.py`."""

import json
import subprocess
import sys

import pytest

pytest.importorskip("ctranslate2")

from pipeline.models.convert_bart_ctranslate2 import convert_bart  # noqa: E402
from pipeline.summarization import SummarizerConfig, load_summarizer  # noqa: E402
from pipeline.tiny_models import ENGLISH_LINES  # noqa: E402

GREEDY = {"num_beams": 1, "min_new_tokens": 3, "max_new_tokens": 12}
# One text over the 24-token limit below (map-reduce splits it), short ones that fit.
TEXTS = [" ".join(ENGLISH_LINES), *ENGLISH_LINES[:3]]


@pytest.fixture(scope="module")
def converted(tiny_models, tmp_path_factory):
    return convert_bart(tiny_models["bart-summarizer"], tmp_path_factory.mktemp("bart") / "ct2")


def summaries(model, backend, generation, **settings):
    config = SummarizerConfig(model=str(model), backend=backend, generation=generation, **settings)
    return load_summarizer(config, "cpu", "fp32").summarize(TEXTS)


@pytest.mark.parametrize("strategy", ["truncate", "map_reduce"])
def test_greedy_summaries_equal_the_transformers_backend(tiny_models, converted, strategy):
    expected = summaries(tiny_models["bart-summarizer"], "transformers", GREEDY, strategy=strategy, max_input_tokens=24)
    got = summaries(converted, "ctranslate2", GREEDY, strategy=strategy, max_input_tokens=24)
    assert [s.text for s in got] == [s.text for s in expected]
    assert [(s.tokens_in, s.tokens_out, s.truncated, s.chunks) for s in got] == [
        (s.tokens_in, s.tokens_out, s.truncated, s.chunks) for s in expected
    ]
    assert any(s.chunks > 1 for s in got) == (strategy == "map_reduce")


def test_int8_conversion_summarizes(tiny_models, tmp_path):
    folder = convert_bart(tiny_models["bart-summarizer"], tmp_path / "int8", quantization="int8")
    got = summaries(folder, "ctranslate2", GREEDY)
    assert len(got) == len(TEXTS) and all(3 <= s.tokens_out <= 12 for s in got)


def test_run_script_summarizes_with_either_backend(run_script, repo_root, tiny_overrides, converted, tmp_path):
    documents = repo_root / "examples" / "hindi_news.jsonl"

    def run(folder, *overrides):
        code = run_script([
            "--config", str(repo_root / "configs" / "tiny.yaml"), "--input", str(documents), "--output", str(folder),
            "--no-progress", *[arg for override in tiny_overrides for arg in ("--set", override)],
            "--set", f"summarize.generation={json.dumps(GREEDY)}", *overrides,
        ])
        assert code == 0
        lines = (folder / "results.jsonl").read_text(encoding="utf-8").split("\n")
        return [json.loads(line) for line in lines if line]

    expected = run(tmp_path / "transformers")
    got = run(tmp_path / "ctranslate2", "--set", "summarize.backend=ctranslate2", "--set", f"summarize.model={converted}")
    assert [r["summary"] for r in got] == [r["summary"] for r in expected]
    manifest = json.loads((tmp_path / "ctranslate2" / "manifest.json").read_text(encoding="utf-8"))
    assert '"backend": "ctranslate2"' in json.dumps(manifest)
    assert manifest["versions"]["ctranslate2"]  # the engine's version, for reproducing the run


def test_the_shipped_ctranslate2_config_runs_on_converted_models(
    run_script, repo_root, indictrans_fixtures, converted, tmp_path
):
    from pipeline.models.convert_ctranslate2 import convert_to_ctranslate2

    translator = convert_to_ctranslate2(indictrans_fixtures / "tiny-indic-en", tmp_path / "it2-int8", "int8")
    code = run_script([
        "--config", str(repo_root / "configs" / "ctranslate2.yaml"), "--input", str(repo_root / "examples" / "hindi_news.jsonl"),
        "--output", str(tmp_path / "run"), "--no-progress",
        "--set", f"translate.model={translator}", "--set", "translate.generation={num_beams: 2, max_new_tokens: 16}",
        "--set", f"summarize.model={converted}", "--set", f"summarize.generation={json.dumps(GREEDY)}",
    ])
    assert code == 0
    results = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert results and all(r["translation"] and r["summary"] for r in results)
    assert {r["stages"]["translate"]["dtype"] for r in results} == {"int8_float32"}


def test_a_run_on_converted_models_never_imports_torch(repo_root, indictrans_fixtures, converted, tmp_path):
    """Tokenizers and CTranslate2 need no torch, so neither does the run: about 300 MB less (docs/performance.md)."""
    from pipeline.models.convert_ctranslate2 import convert_to_ctranslate2

    translator = convert_to_ctranslate2(indictrans_fixtures / "tiny-indic-en", tmp_path / "it2-int8", "int8")
    arguments = [
        "--config", "configs/ctranslate2.yaml", "--input", "examples/hindi_news.jsonl", "--output", str(tmp_path / "run"),
        "--no-progress", "--set", f"translate.model={translator}", "--set", f"summarize.model={converted}",
        "--set", "translate.generation={num_beams: 1, max_new_tokens: 8}", "--set", f"summarize.generation={GREEDY}",
    ]
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['scripts/run.py', *{arguments!r}]\n"
        "try:\n    runpy.run_path('scripts/run.py', run_name='__main__')\n"
        "except SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'torch', 'ctranslate2', 'transformers'}))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "['ctranslate2', 'transformers']"  # tokenizers, and no torch
    assert len((tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 5
