"""The architecture as a checked contract: the import-linter layers, no import cycles, imports that cost what they use."""

import shutil
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter

import grimp
import pytest


def test_import_linter_contracts_hold(repo_root):
    lint_imports = shutil.which("lint-imports", path=str(repo_root / ".venv" / "bin")) or shutil.which("lint-imports")
    assert lint_imports, "import-linter is installed with the test extra: pip install -e '.[test]'"
    completed = subprocess.run([lint_imports], cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "0 broken" in completed.stdout


def test_no_import_cycle_among_pipeline_modules():
    graph = grimp.build_graph("pipeline", exclude_type_checking_imports=True)
    dependencies = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    try:
        TopologicalSorter(dependencies).prepare()
    except CycleError as error:
        pytest.fail(f"import cycle: {' imports '.join(reversed(error.args[1]))}")


def modules_after(code: str) -> set[str]:
    """The top-level packages loaded by a fresh interpreter after running `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{name.split('.')[0] for name in sys.modules}})))"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return set(completed.stdout.split())


@pytest.mark.parametrize(
    "code",
    [
        "import pipeline",
        "from pipeline.run_config import load_config; load_config('configs/default.yaml')",  # a config is checked cheaply
        "import pipeline.runner, pipeline.engines, pipeline.stages, pipeline.io.run_folder",
    ],
    ids=["package", "config", "runner"],
)
def test_nothing_heavy_is_imported_before_a_model_loads(repo_root, code, monkeypatch):
    monkeypatch.chdir(repo_root)
    loaded = modules_after(code)
    assert not loaded & {"torch", "transformers", "ctranslate2"}


def test_importing_the_indictrans_package_registers_it_with_the_auto_classes():
    loaded = modules_after(
        "import pipeline.models.indictrans\n"
        "from transformers import AutoConfig, AutoModelForSeq2SeqLM\n"
        "config = AutoConfig.for_model('IndicTrans', encoder_vocab_size=8, decoder_vocab_size=8, pad_token_id=1)\n"
        "assert type(AutoModelForSeq2SeqLM.from_config(config)).__name__ == 'IndicTransForConditionalGeneration'"
    )
    assert "torch" in loaded
