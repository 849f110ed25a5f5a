"""The `indic-pipeline` console command: its subcommands are the scripts' own main(), and mistakes are refused at once.

Installing the package creates the console script; these tests run the same `main` through `python -m pipeline.cli`
and check that pyproject.toml points the script at it.
"""

import importlib
import importlib.util
import subprocess
import sys
import time
import tomllib

import pytest

from pipeline.cli.main import COMMANDS, main

SCRIPTS = {"run": "run.py", "evaluate": "evaluate.py", "export": "export_dataset.py", "benchmark": "benchmark.py",
           "convert": "convert_ctranslate2.py", "make-tiny-models": "make_tiny_models.py"}
# What a refusal must not pay for: model libraries, and the parts of indic-nlp-library and Moses that pull in pandas.
HEAVY = ("torch", "transformers", "ctranslate2", "pandas", "pyarrow", "datasets", "sacremoses",
         "indicnlp.tokenize", "indicnlp.transliterate")
# A mistake: (config file, --set overrides, whether the input exists, what the one line says).
MISTAKES = {
    "bad config": ("stages: [prepare, lead_k]\nbatchsize: 4\n", [], True,
                   "batchsize: unknown key; did you mean 'batch_size'?"),
    "bad --set": ("stages: [prepare, lead_k]\n", ["--set", "stages=[prepare, lead_kk]"], True,
                  "stages: unknown stage 'lead_kk'; did you mean 'lead_k'?"),
    "missing input": ("stages: [prepare, lead_k]\n", [], False, "no such file or folder"),
}


def run_cli(repo_root, *arguments, launcher=("-m", "pipeline.cli")):
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, *launcher, *arguments], cwd=repo_root, capture_output=True, text=True,
                               timeout=120)
    return completed, time.perf_counter() - started


def run_arguments(tmp_path, mistake):
    """`run`'s arguments that make `mistake`, and the line it is refused with."""
    config_text, overrides, input_exists, expected = MISTAKES[mistake]
    config, given = tmp_path / "run.yaml", tmp_path / "in.jsonl"
    config.write_text(config_text, encoding="utf-8")
    if input_exists:
        given.write_text('{"id": "a", "text": "नमस्ते।"}\n', encoding="utf-8")
    return ["--config", str(config), "--input", str(given), "--output", str(tmp_path / "run"), *overrides], expected


def test_the_console_script_is_the_main_that_python_m_runs(repo_root, capsys):
    target = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, _, function = target["indic-pipeline"].partition(":")
    entry = getattr(importlib.import_module(module), function)
    assert entry is main
    with pytest.raises(SystemExit) as exited:
        entry(["--help"])
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("usage: indic-pipeline [-h] COMMAND")


def test_each_command_is_the_same_main_as_its_script(repo_root):
    assert set(SCRIPTS) == set(COMMANDS)
    for name, script in SCRIPTS.items():
        spec = importlib.util.spec_from_file_location(f"{name}_script", repo_root / "scripts" / script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert module.main is importlib.import_module(COMMANDS[name].module).main, script


def test_help_lists_every_command_with_its_summary(repo_root):
    completed, _ = run_cli(repo_root, "--help")
    assert completed.returncode == 0
    listing = completed.stdout.split("commands:\n")[1].split("\n\n")[0].splitlines()
    assert {line.split()[0]: line.split(None, 1)[1] for line in listing} == {
        name: command.summary for name, command in COMMANDS.items()
    }


def test_run_help_is_the_scripts_help_but_for_the_program_name(repo_root):
    entry, _ = run_cli(repo_root, "run", "--help")
    script, _ = run_cli(repo_root, "--help", launcher=("scripts/run.py",))
    assert entry.returncode == script.returncode == 0
    assert entry.stdout.startswith("usage: python -m pipeline.cli run ") and script.stdout.startswith("usage: run.py ")
    assert "--dry-run" in script.stdout
    assert entry.stdout.split("\n\n", 1)[1] == script.stdout.split("\n\n", 1)[1]


@pytest.mark.parametrize("argv, expected", [
    ([], "the following arguments are required: COMMAND"),
    (["evalute", "outputs/x"], "unknown command 'evalute'; did you mean 'evaluate'?"),
], ids=["none", "misspelt"])
def test_a_missing_or_unknown_command_is_one_line_and_exit_2(repo_root, argv, expected):
    completed, _ = run_cli(repo_root, *argv)
    assert completed.returncode == 2 and expected in completed.stderr and "Traceback" not in completed.stderr


@pytest.mark.parametrize("launcher", [("-m", "pipeline.cli", "run"), ("scripts/run.py",)], ids=["entry", "script"])
@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_mistake_is_refused_with_one_line_and_exit_2(repo_root, tmp_path, launcher, mistake):
    arguments, expected = run_arguments(tmp_path, mistake)
    completed, seconds = run_cli(repo_root, *arguments, launcher=launcher)
    print(f"{' '.join(launcher)}: {mistake} refused in {seconds:.2f} s, a fresh interpreter included")
    assert completed.returncode == 2, completed.stderr
    assert expected in completed.stderr and "Traceback" not in completed.stderr
    assert len(completed.stderr.splitlines()) == 1 and not (tmp_path / "run").exists()


@pytest.mark.parametrize("mistake", MISTAKES)
def test_nothing_heavy_is_imported_before_a_refusal(repo_root, tmp_path, mistake):
    arguments, expected = run_arguments(tmp_path, mistake)
    probe = (f"import sys\nfrom pipeline.cli.main import main\ncode = main({['run', *arguments]!r})\n"
             f"print(code, sorted(name for name in sys.modules if name.startswith({HEAVY!r})))")
    completed = subprocess.run([sys.executable, "-c", probe], cwd=repo_root, capture_output=True, text=True, timeout=120)
    assert expected in completed.stderr
    assert completed.stdout.split(None, 1) == ["2", "[]\n"], completed.stdout
