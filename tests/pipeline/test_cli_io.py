"""`--input -` reads JSON Lines from standard input; `--output -` is refused, since a run needs its folder."""

import json
import subprocess
import sys


def run(repo_root, tmp_path, *arguments, stdin=""):
    config = tmp_path / "model-free.yaml"
    config.write_text("stages: [prepare, lead_k]\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(repo_root / "scripts" / "run.py"), "--config", str(config), "--no-progress", *arguments],
        input=stdin, capture_output=True, text=True, timeout=120,
    )


def test_standard_input_is_read_as_json_lines(repo_root, tmp_path):
    lines = "".join(json.dumps({"id": f"d{n}", "text": f"आज मौसम अच्छा है। खबर {n}।"}, ensure_ascii=False) + "\n"
                    for n in range(3))
    completed = run(repo_root, tmp_path, "--input", "-", "--output", str(tmp_path / "run"), stdin=lines)
    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [result["id"] for result in results] == ["d0", "d1", "d2"]
    assert json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))["input"] == "<standard input>"


def test_an_empty_standard_input_is_refused(repo_root, tmp_path):
    completed = run(repo_root, tmp_path, "--input", "-", "--output", str(tmp_path / "run"))
    assert completed.returncode == 2 and "holds no documents" in completed.stderr


def test_output_to_standard_output_is_refused_with_the_reason(repo_root, tmp_path):
    completed = run(repo_root, tmp_path, "--input", "-", "--output", "-", stdin='{"id": "a", "text": "नमस्ते।"}\n')
    assert completed.returncode == 2
    assert completed.stderr.strip().startswith("error: --output -: a run writes a folder")
