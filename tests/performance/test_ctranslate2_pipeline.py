"""The pipeline with `translate.backend: ctranslate2` on a converted tiny checkpoint, end to end."""

import importlib.util
import json

import pytest

pytest.importorskip("ctranslate2")


@pytest.fixture(scope="module")
def convert_script(repo_root):
    spec = importlib.util.spec_from_file_location("convert_script", repo_root / "scripts" / "convert_ctranslate2.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@pytest.fixture(scope="module")
def converted(convert_script, indictrans_fixtures, tmp_path_factory):
    out = tmp_path_factory.mktemp("converted") / "tiny-indic-en-int8"
    assert convert_script([str(indictrans_fixtures / "tiny-indic-en"), str(out), "--quantization", "float32"]) == 0
    return out


def translate_with(run_script, repo_root, tmp_path, model, *overrides):
    documents = repo_root / "examples" / "hindi_news.jsonl"
    code = run_script([
        "--config", str(repo_root / "configs" / "lead3.yaml"), "--input", str(documents), "--output", str(tmp_path),
        "--no-progress", "--set", f"translate.model={model}", "--set", "translate.generation={num_beams: 2, max_new_tokens: 16}",
        *overrides,
    ])
    assert code == 0
    lines = (tmp_path / "results.jsonl").read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines if line]


def test_conversion_script_writes_a_ctranslate2_model_with_its_tokenizer(converted):
    assert {"model.bin", "source_vocabulary.json", "target_vocabulary.json", "model.SRC", "tokenizer_config.json"} <= {
        path.name for path in converted.iterdir()
    }


def test_conversion_script_refuses_to_overwrite_without_force(convert_script, converted, indictrans_fixtures, capsys):
    assert convert_script([str(indictrans_fixtures / "tiny-indic-en"), str(converted)]) == 2
    assert "--force" in capsys.readouterr().err


def test_pipeline_translates_the_same_with_either_backend(run_script, repo_root, indictrans_fixtures, converted, tmp_path):
    transformers = translate_with(run_script, repo_root, tmp_path / "transformers", indictrans_fixtures / "tiny-indic-en")
    ctranslate2 = translate_with(
        run_script, repo_root, tmp_path / "ctranslate2", converted, "--set", "translate.backend=ctranslate2"
    )
    assert [r["translation"] for r in ctranslate2] == [r["translation"] for r in transformers]
    assert [r["stages"]["translate"]["tokens_out"] for r in ctranslate2] == [
        r["stages"]["translate"]["tokens_out"] for r in transformers
    ]


def test_manifest_names_the_backend_and_the_source_checkpoint(run_script, repo_root, indictrans_fixtures, converted, tmp_path):
    translate_with(run_script, repo_root, tmp_path, converted, "--set", "translate.backend=ctranslate2")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    described = json.dumps(manifest)
    assert '"backend": "ctranslate2"' in described and str(indictrans_fixtures / "tiny-indic-en") in described


def test_a_folder_that_is_not_converted_stops_the_run_with_what_to_do(run_script, repo_root, indictrans_fixtures, tmp_path, capsys):
    documents = repo_root / "examples" / "hindi_news.jsonl"
    code = run_script([
        "--config", str(repo_root / "configs" / "lead3.yaml"), "--input", str(documents), "--output", str(tmp_path),
        "--no-progress", "--set", f"translate.model={indictrans_fixtures / 'tiny-indic-en'}",
        "--set", "translate.backend=ctranslate2",
    ])
    assert code == 3
    assert "scripts/convert_ctranslate2.py" in capsys.readouterr().err
