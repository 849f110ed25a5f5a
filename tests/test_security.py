"""Nothing a user points the pipeline at runs code: no remote code, no pickle, no unsafe YAML or `torch.load`.

The source of the package and its scripts is read as syntax trees, so a call spelled over several lines or
through an alias is found too.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "pipeline").rglob("*.py"), *(ROOT / "scripts").glob("*.py")])


def calls(tree: ast.AST):
    """(owner, name, keywords) of every call: `yaml.load(...)` is ("yaml", "load", ...), `eval(...)` (None, "eval", ...)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        if isinstance(node.func, ast.Name):
            yield None, node.func.id, keywords
        elif isinstance(node.func, ast.Attribute):
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else ""
            yield owner, node.func.attr, keywords


def problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [alias.name for alias in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            unsafe = {"pickle", "dill", "marshal"}
            found += [f"imports {module}" for module in modules if module and module.split(".")[0] in unsafe]
    for owner, name, keywords in calls(tree):
        remote = keywords.get("trust_remote_code")
        if remote is not None and not (isinstance(remote, ast.Constant) and remote.value is False):
            found.append(f"{name}(trust_remote_code=...)")
        if owner == "yaml" and name in {"load", "load_all", "unsafe_load", "full_load"}:
            found.append(f"yaml.{name}")
        if owner == "torch" and name == "load":
            safe = keywords.get("weights_only")
            if not (isinstance(safe, ast.Constant) and safe.value is True):
                found.append("torch.load without weights_only=True")
        if owner is None and name in {"eval", "exec"}:
            found.append(f"{name}()")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_code_is_run_from_data(path):
    assert problems(path) == []


def test_the_scan_finds_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle\nimport yaml, torch\nfrom transformers import AutoModel\n"
        "AutoModel.from_pretrained('x',\n    trust_remote_code=True)\nyaml.load(open('c'))\ntorch.load('w.bin')\n"
        "eval('1')\n",
        encoding="utf-8",
    )
    assert problems(bad) == [
        "imports pickle", "from_pretrained(trust_remote_code=...)", "yaml.load", "torch.load without weights_only=True",
        "eval()",
    ]
