"""Export test fixtures: every scores.jsonl and report.json an export reads is written by scripts/evaluate.py."""

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest


def script_main(repo_root: Path, name: str) -> Callable[[list[str]], int]:
    """main() of scripts/<name>.py, loaded in-process: the command line's code path without a new interpreter."""
    spec = importlib.util.spec_from_file_location(f"{name}_script", repo_root / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@pytest.fixture(scope="session")
def evaluate_run(repo_root):
    """Score a run folder with scripts/evaluate.py (few bootstrap samples: fast); its reports land in the folder."""
    main = script_main(repo_root, "evaluate")

    def evaluate(run: Path, *options: str) -> Path:
        assert main([str(run), "--bootstrap-samples", "50", *options]) == 0
        return run

    return evaluate


@pytest.fixture(scope="session")
def export_dataset(repo_root) -> Callable[[list[str]], int]:
    return script_main(repo_root, "export_dataset")
