"""scripts/evaluate.py as a user runs it: run folders in, four report files out, bad input refused in one line.

The synthetic run folders follow the run folder contract of scripts/run.py (results.jsonl, errors.jsonl,
manifest.json). The browser test opens report.html in headless Chromium, as a reader would.
"""

import csv
import importlib.util
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.image import imread

REFERENCE_SUMMARIES = {
    "doc-1": "Floods hit the old town and families moved to schools.",
    "doc-2": "The council approved a new bus line for the east side.",
    "doc-3": "Wheat prices rose for a third month in a row.",
    "doc-4": "The university opened a library for night students.",
    "doc-5": "A heat wave closed schools across the state.",
    "doc-8": "The state cut the fuel tax by two rupees.",
    "doc-9": "A new metro line opened in the north of the city.",
    "doc-10": "Farmers protested outside the assembly over water.",
    "doc-11": "The hospital added two hundred beds for children.",
    "doc-12": "The cricket final was washed out by rain.",
}
TRANSLATIONS = {
    "doc-1": "Heavy rain flooded the old town on Monday. Families moved to schools. The river will fall by Thursday.",
    "doc-2": "The city council approved a new bus line. It serves the east side. Work starts in May.",
    "doc-3": "Wheat prices rose again. It is the third monthly rise in a row. Traders blame the dry winter.",
    "doc-4": "The university opened a new library. It stays open at night for working students. It cost ten crore.",
    "doc-5": "A heat wave hit the state. Schools were closed for a week. Doctors advised people to stay indoors.",
    "doc-6": "The festival drew large crowds. Police closed the main road. Traffic moved slowly all evening.",
    "doc-8": "The state cut the tax on fuel. Petrol is two rupees cheaper. Transporters welcomed the move.",
    "doc-9": "A new metro line opened. It serves the north of the city. Trains run every five minutes.",
    "doc-10": "Farmers protested outside the assembly. They want more water for their fields. Talks begin today.",
    "doc-11": "The hospital added beds. Two hundred are for children. Doctors say it was overdue.",
    "doc-12": "Rain fell all day. The cricket final was washed out. It will be replayed on Sunday.",
}
SUMMARIES_A = {
    "doc-1": "Rain flooded the old town and families moved to schools.",
    "doc-2": "The council approved a new bus line for the east side.",
    "doc-3": "Wheat prices rose for the third month in a row.",
    "doc-4": "The university opened a library for night students.",
    "doc-5": "A heat wave closed schools across the state.",
    "doc-6": "Crowds at the festival slowed traffic.",
    "doc-8": "The state cut the fuel tax by two rupees.",
    "doc-9": "A metro line opened in the north of the city.",
    "doc-10": "Farmers protested at the assembly over water.",
    "doc-11": "The hospital added two hundred beds for children.",
    "doc-12": "Rain washed out the cricket final.",
}
SUMMARIES_B = {key: "Officials said things happened this week." for key in SUMMARIES_A}
SUMMARY_HI = "भारी बारिश से पुराने शहर में बाढ़ आई।"
REFERENCE_SUMMARY_HI = "पुराने शहर में बाढ़ आई और परिवार स्कूलों में गए।"


def run_record(key, summary):
    stages = {
        "translate": {"model": "ai4bharat/indictrans2-indic-en-dist-200M", "revision": None, "device": "cpu",
                      "dtype": "float32", "tokens_in": 40, "tokens_out": 38, "segments": 3, "seconds": 0.5},
        "summarize": {"model": "facebook/bart-large-cnn", "revision": None, "strategy": "truncate",
                      "tokens_in": 40, "tokens_out": 14, "truncated": key == "doc-2", "chunks": 1, "seconds": 0.3},
    }
    record = {"id": key, "source": "सोमवार को भारी बारिश हुई।", "translation": TRANSLATIONS[key],
              "summary": summary, "summary_hi": SUMMARY_HI, "reference_summary_hi": REFERENCE_SUMMARY_HI,
              "reference_translation": TRANSLATIONS[key].replace("Heavy", "Strong"), "stages": stages}
    if key in REFERENCE_SUMMARIES:
        record["reference_summary"] = REFERENCE_SUMMARIES[key]
    return record


def write_run_folder(folder, name, summaries):
    folder.mkdir()
    lines = [json.dumps(run_record(key, summary), ensure_ascii=False) for key, summary in summaries.items()]
    (folder / "results.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    failure = {"id": "doc-7", "stage": "summarize", "error": "CUDA out of memory", "source": "..."}
    (folder / "errors.jsonl").write_text(json.dumps(failure) + "\n", encoding="utf-8")
    manifest = {"run_name": name, "stages": ["translate", "summarize", "back_translate"],
                "models": {"translate": {"model": "ai4bharat/indictrans2-indic-en-dist-200M", "revision": None}},
                "versions": {"python": "3.11.7", "pipeline": "0.1.0"},
                "counts": {"documents": len(summaries) + 1, "results": len(summaries), "errors": 1, "resumed": 0}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def evaluate_script(repo_root, *arguments):
    command = [sys.executable, str(repo_root / "scripts" / "evaluate.py"), *map(str, arguments)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


REPORT_FILES = ("report.json", "report.md", "report.html", "scores.jsonl")


def report_bytes(folder):
    return {name: (folder / name).read_bytes() for name in REPORT_FILES}


@pytest.fixture(scope="module")
def compared(repo_root, tmp_path_factory, script):
    """Two runs, each scored on its own, then compared; the runs' own reports as they were before the comparison."""
    root = tmp_path_factory.mktemp("runs")
    ours = write_run_folder(root / "ours", "bart-truncate", SUMMARIES_A)
    theirs = write_run_folder(root / "theirs", "lead-like", SUMMARIES_B)
    own = {}
    for run in (ours, theirs):
        assert script.main([str(run), "--bootstrap-samples", "20"]) == 0
        own[run] = report_bytes(run)
    finished = evaluate_script(repo_root, ours, "--compare", theirs, "--bootstrap-samples", "200")
    assert finished.returncode == 0, finished.stderr
    return root / "compare-ours-vs-theirs", own


@pytest.fixture(scope="module")
def reports(compared):
    return compared[0]


@pytest.fixture(scope="module")
def report(reports):
    return json.loads((reports / "report.json").read_text(encoding="utf-8"))


def summary_track(report):
    return next(track for track in report["tracks"] if track["name"] == "summary")


def test_reports_of_a_comparison_are_written_into_a_folder_beside_the_first_run(reports):
    assert all((reports / name).stat().st_size > 0 for name in REPORT_FILES)


def test_a_comparison_leaves_each_runs_own_report_byte_identical(compared):
    _, own = compared
    assert all(report_bytes(run) == before for run, before in own.items())


def test_a_comparison_goes_to_compare_output_when_given(script, compared, tmp_path):
    folder, own = compared
    ours, theirs = own
    out = tmp_path / "ours-against-theirs"
    assert script.main([str(ours), "--compare", str(theirs), "--compare-output", str(out),
                        "--bootstrap-samples", "20"]) == 0
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["compare"]["label"] == "lead-like"
    assert report_bytes(ours) == own[ours]


@pytest.mark.parametrize("target", ["ours", "theirs", "evaluated"])
def test_a_comparison_never_writes_over_a_runs_report(script, compared, tmp_path, capsys, target):
    _, own = compared
    ours, theirs = own
    evaluated = tmp_path / "evaluated"  # a folder holding one run's report (evaluate.py --out)
    assert script.main([str(ours), "--out", str(evaluated), "--bootstrap-samples", "20"]) == 0
    before = report_bytes(evaluated)
    destination = {"ours": ours, "theirs": theirs, "evaluated": evaluated}[target]
    assert script.main([str(ours), "--compare", str(theirs), "--compare-output", str(destination)]) == 2
    assert f"evaluate.py: error: {destination}: " in one_line_error(capsys)
    assert report_bytes(ours) == own[ours] and report_bytes(theirs) == own[theirs]
    assert report_bytes(evaluated) == before


@pytest.mark.parametrize("options, message", [
    (["--compare-output", "x"], "--compare-output is for --compare"),
    (["--compare", "x", "--out", "y"], "--out is for one run's reports; a comparison goes to --compare-output"),
])
def test_output_options_of_the_wrong_mode_are_usage_errors(script, tmp_path, capsys, options, message):
    with pytest.raises(SystemExit) as stopped:
        script.main([str(tmp_path), *options])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_every_track_of_a_full_run_is_scored(report):
    assert [track["name"] for track in report["tracks"]] == ["summary", "translation", "summary_hi"]


def test_report_scores_carry_intervals_and_signatures(report):
    for track in report["tracks"]:
        for system in track["systems"]:
            for name, score in system["scores"].items():
                assert score["ci"][0] <= score["score"] <= score["ci"][1], name
                assert "|bs:200|rs:12345|ci:95|" in score["signature"], name


def test_report_lists_the_record_without_reference(reports, report):
    assert summary_track(report)["missing_reference"] == ["doc-6"]
    assert "doc-6" in (reports / "report.md").read_text(encoding="utf-8")


def test_report_lists_failed_documents_from_the_error_log(report):
    assert report["input"]["failed"] == [{"id": "doc-7", "stage": "summarize", "error": "CUDA out of memory"}]


def test_report_has_the_lead_baseline_row(report):
    lead = next(system for system in summary_track(report)["systems"] if system["output"] == "lead-3")
    assert lead["baseline"] and lead["documents"] == 10


def test_comparison_finds_the_better_run_significantly_better(report):
    comparison = next(c for c in summary_track(report)["comparisons"] if c["baseline"]["run"] == "lead-like")
    assert comparison["documents"] == 10
    assert all(result["difference"] > 0 and result["significant"] for result in comparison["metrics"].values())


def test_markdown_shows_score_and_comparison_tables(reports):
    markdown = (reports / "report.md").read_text(encoding="utf-8")
    assert "| bart-truncate | summary | system | 10 |" in markdown
    assert "Paired bootstrap tests" in markdown


def test_scores_jsonl_has_a_row_per_scored_document_and_system(reports, report):
    rows = [json.loads(line) for line in (reports / "scores.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = sum(system["documents"] for track in report["tracks"] for system in track["systems"])
    assert len(rows) == expected
    assert set(rows[0]) == {"id", "track", "run", "output", "baseline", "scores", "words", "source_words"}
    assert set(rows[0]["scores"]) == {"rouge1", "rouge2", "rougeL", "rougeLsum"}


def test_html_needs_no_network_and_no_scripts(reports):
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html


def test_bad_json_line_exits_2_naming_file_and_line(repo_root, tmp_path):
    path = tmp_path / "outputs.jsonl"
    path.write_text('{"id": "a", "summary": "x"}\n{"id": "b", "summary": \n', encoding="utf-8")
    finished = evaluate_script(repo_root, path)
    assert finished.returncode == 2
    assert finished.stderr.startswith(f"evaluate.py: error: {path}:2: malformed JSON")
    assert len(finished.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def script(repo_root):
    """The script loaded in-process, for checks that need no fresh interpreter."""
    spec = importlib.util.spec_from_file_location("evaluate_script", repo_root / "scripts" / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_field_of_the_wrong_type_exits_2_naming_the_line(script, tmp_path, capsys):
    path = tmp_path / "outputs.jsonl"
    path.write_text('{"id": "a", "summary": "x"}\n{"id": "b", "summary": ["x"]}\n', encoding="utf-8")
    assert script.main([str(path)]) == 2
    assert capsys.readouterr().err == f"evaluate.py: error: {path}:2: field 'summary' must be text, not list\n"


def test_input_without_any_output_field_exits_2(script, tmp_path, capsys):
    path = tmp_path / "outputs.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    assert script.main([str(path)]) == 2
    assert "no record has any of the fields summary" in capsys.readouterr().err


def test_duplicate_ids_in_the_references_file_exit_2_naming_the_line(script, tmp_path, capsys):
    path = tmp_path / "outputs.jsonl"
    path.write_text('{"id": "a", "summary": "x"}\n', encoding="utf-8")
    references = tmp_path / "references.jsonl"
    references.write_text('{"id": "a", "reference_summary": "x"}\n{"id": "a", "reference_summary": "y"}\n')
    assert script.main([str(path), "--references", str(references)]) == 2
    assert capsys.readouterr().err.startswith(f"evaluate.py: error: {references}:2: duplicate id 'a'")


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("evaluate.py: error: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("name, content", [("empty.jsonl", ""), ("header-only.csv", "id,summary,reference_summary\n")])
def test_an_input_without_records_exits_2_in_one_line(script, tmp_path, capsys, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert script.main([str(path)]) == 2
    assert f"{path}: no records" in one_line_error(capsys)


def test_an_empty_run_folder_exits_2_in_one_line(script, tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "results.jsonl").write_text("", encoding="utf-8")
    assert script.main([str(tmp_path / "run")]) == 2
    assert "results.jsonl: no results: nothing to evaluate" in one_line_error(capsys)


def test_a_run_whose_every_document_failed_exits_2_in_one_line(script, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "results.jsonl").write_text("", encoding="utf-8")
    failure = {"id": "doc-1", "stage": "translate", "error": "CUDA out of memory", "source": "..."}
    (run / "errors.jsonl").write_text(json.dumps(failure) + "\n", encoding="utf-8")
    assert script.main([str(run)]) == 2
    assert "every document failed (1 in errors.jsonl)" in one_line_error(capsys)


def test_outputs_without_any_reference_exit_2_in_one_line(script, tmp_path, capsys):
    path = tmp_path / "outputs.csv"
    path.write_text("id,summary,reference_summary\na,Rain fell.,\nb,Prices rose., \n", encoding="utf-8")
    assert script.main([str(path)]) == 2
    assert "nothing to score: no record has both an output and its reference" in one_line_error(capsys)


def test_references_matching_no_id_exit_2_in_one_line(script, tmp_path, capsys):
    path = tmp_path / "outputs.jsonl"
    path.write_text('{"id": "a", "summary": "Rain fell."}\n', encoding="utf-8")
    references = tmp_path / "references.jsonl"
    references.write_text('{"id": "z", "reference_summary": "Rain fell."}\n', encoding="utf-8")
    assert script.main([str(path), "--references", str(references)]) == 2
    assert f"{references}: none of its 1 ids matches a record of {path}" in one_line_error(capsys)


def write_csv(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_empty_and_unmatched_references_are_notices(script, tmp_path):
    """Eleven outputs; the references file has empty cells for two, no row for one, and a row for an unknown id."""
    keys = list(SUMMARIES_A)
    outputs = write_csv(tmp_path / "outputs.csv", ["id", "summary"], [[key, SUMMARIES_A[key]] for key in keys])
    cells = {**{key: REFERENCE_SUMMARIES.get(key, "") for key in keys[:-1]}, "doc-11": " ", "other": "Unrelated."}
    references = write_csv(tmp_path / "references.csv", ["id", "reference_summary"], list(cells.items()))
    assert script.main([str(outputs), "--references", str(references), "--out", str(tmp_path / "eval")]) == 0
    report = json.loads((tmp_path / "eval" / "report.json").read_text(encoding="utf-8"))
    assert report["input"]["records_without_references"] == ["doc-12"]
    assert report["input"]["references_without_record"] == ["other"]
    assert summary_track(report)["missing_reference"] == ["doc-6", "doc-11", "doc-12"]
    notices = report["notices"]
    assert any(notice.startswith(f"{references}: no record for 1 of the 11 records of outputs") for notice in notices)
    assert "track 'summary': 2 empty or whitespace-only references (reference_summary) not scored" in notices


def test_every_option_is_explained_in_help():
    from pipeline.cli.evaluate import build_parser  # scripts/evaluate.py runs this module's main

    assert all(action.help for action in build_parser()._actions)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def chromium(tmp_path, *arguments):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([CHROMIUM, *flags, *arguments], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
def test_html_report_renders_its_plots_in_a_browser(reports, tmp_path):
    url = (reports / "report.html").as_uri()
    dom = chromium(tmp_path, "--dump-dom", url).stdout
    for kind in ("distribution", "length", "comparison"):
        assert f'data-plot="{kind}"><img' in dom, kind
    assert dom.count('src="data:image/svg+xml;base64,') >= 7
    screenshot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1280,2400", url)
    pixels = imread(screenshot)[..., :3]
    tab_blue = np.array([0x1F, 0x77, 0xB4]) / 255  # matplotlib's first colour: only the plots use it
    assert np.all(np.abs(pixels - tab_blue) < 0.03, axis=-1).sum() > 200
