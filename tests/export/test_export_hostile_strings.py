"""Hostile strings in a run folder reach report.html, report.md and the dataset card as text, never as structure.

Ids, the run name, config values, model names, an error message and the texts all carry HTML, a closing style tag,
Markdown and YAML metacharacters (a `---` line, a `#` heading, a table's `|`, a code fence, a link) and a
matplotlib formula. report.html is checked with html.parser, report.md and the card's prose by rendering them with
markdown-it (CommonMark and tables, as the Hub renders them), and the card's YAML header by parsing it back.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from huggingface_hub import DatasetCard

markdown_it = pytest.importorskip("markdown_it")  # installed with rich, a dependency of datasets' tooling

HOSTILE = (
    '<script>alert(1)</script>"><img src=x onerror=alert(1)></style>\n---\n# injected heading\n'
    "| cell | break |\n```\n`tick` *star* _under_ [link](javascript:alert(1)) ![i](x.png) $x^$ &amp; \\ end\r\u2028<!--"
)
MODEL = f"org/{HOSTILE}"
CONFIG = {"translate": {"model": MODEL, HOSTILE: [HOSTILE, 1]}, "summarize": {"strategy": HOSTILE}}
DOCUMENTS = 12  # enough for confidence intervals and paired tests, so their rows and plots are drawn too
ENGLISH = "Heavy rain fell in the old town. Families moved to schools. The river will fall by Thursday."


def flat(text: str) -> str:
    """What a one-line rendering of `text` shows: its words, single-spaced."""
    return " ".join(text.split())


def hostile_run(folder: Path) -> Path:
    stage = {"model": MODEL, "revision": HOSTILE, "device": HOSTILE, "dtype": HOSTILE}
    results = [
        {
            "id": f"{flat(HOSTILE)} {n}",  # ids are one line of text (a line break is refused on reading)
            "source": f"भारी बारिश हुई। {HOSTILE}",
            "translation": f"{ENGLISH} {HOSTILE}",
            "summary": f"Rain {n} flooded the town. {HOSTILE}",
            "reference_summary": f"Floods hit the old town. {HOSTILE}",
            "reference_translation": f"Heavy rain fell. {HOSTILE}",
            "stages": {"translate": stage, "summarize": {**stage, "strategy": HOSTILE, "truncated": False}},
        }
        for n in range(DOCUMENTS)
    ]
    failure = {"id": f"{flat(HOSTILE)} failed", "stage": "summarize", "error": f"{HOSTILE}\nTraceback", "source": "…"}
    manifest = {
        "run_name": HOSTILE,
        "config_file": HOSTILE,
        "config": CONFIG,
        "stages": ["translate", "summarize"],
        "models": {"translate": {"model": MODEL, "revision": HOSTILE}, "summarize": {"model": MODEL}},
        "versions": {"pipeline": HOSTILE},
        "device": HOSTILE,
        "dtype": HOSTILE,
        "input": HOSTILE,
        "started_at": "2025-01-01T10:00:00+00:00",
        "finished_at": "2025-01-01T10:05:00+00:00",
        "counts": {"documents": DOCUMENTS + 1, "results": DOCUMENTS, "errors": 1, "resumed": 0},
    }
    folder.mkdir()
    lines = [json.dumps(result, ensure_ascii=False) + "\n" for result in results]
    (folder / "results.jsonl").write_text("".join(lines), encoding="utf-8")
    (folder / "errors.jsonl").write_text(json.dumps(failure, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def run(tmp_path_factory, evaluate_run) -> Path:
    return evaluate_run(hostile_run(tmp_path_factory.mktemp("hostile") / "run"))


@pytest.fixture(scope="module")
def card(run, export_dataset) -> str:
    out = run.parent / "dataset"
    assert export_dataset([str(run), "--out", str(out)]) == 0
    return (out / "README.md").read_text(encoding="utf-8")


class Page(HTMLParser):
    """The elements and the text of an HTML page, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _attributes in self.elements}

    @property
    def text(self) -> str:
        return flat(" ".join(self.texts))


REPORT_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "section", "table", "caption",
               "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption", "ul", "li"}


def test_report_html_has_no_injected_element_or_attribute(run):
    page = Page((run / "report.html").read_text(encoding="utf-8"))
    assert page.tags <= REPORT_TAGS
    assert [tag for tag, _ in page.elements].count("style") == 1
    for tag, attributes in page.elements:
        assert not [name for name in attributes if name.startswith("on")], tag
        if tag == "img":
            assert attributes["src"].startswith("data:image/svg+xml;base64,")
    assert [tag for tag, _ in page.elements].count("figure") == 5  # three for the summary, two for the translation
    assert f"Evaluation of {flat(HOSTILE)}" in page.text


def rendered(markdown: str) -> tuple[list, Page]:
    """markdown-it's tokens of `markdown` and its HTML, parsed."""
    parser = markdown_it.MarkdownIt("commonmark").enable("table")
    return parser.parse(markdown), Page(parser.render(markdown))


def inline_text(token) -> str:
    return flat("".join(child.content for child in token.children or [] if child.type != "softbreak"))


def headings(tokens: list) -> list[tuple[str, str]]:
    return [(token.tag, inline_text(tokens[i + 1])) for i, token in enumerate(tokens) if token.type == "heading_open"]


def cells(tokens: list) -> list[str]:
    return [inline_text(tokens[i + 1]) for i, token in enumerate(tokens) if token.type in ("td_open", "th_open")]


STRUCTURE = {"html_block", "html_inline", "link_open", "image", "hr", "code_block"}


def all_types(tokens: list) -> set[str]:
    return {token.type for token in tokens} | {child.type for token in tokens for child in token.children or []}


def test_report_md_keeps_its_structure_and_shows_the_strings_as_text(run):
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    tokens, page = rendered((run / "report.md").read_text(encoding="utf-8"))
    assert not all_types(tokens) & (STRUCTURE | {"fence"})
    assert page.tags <= {"h1", "h2", "p", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "strong", "ul",
                         "li"}
    tracks = [f"{track['name']} ({track['language']}): " for track in report["tracks"]]
    found = headings(tokens)
    assert found[0] == ("h1", f"Evaluation of {flat(HOSTILE)}")
    assert [tag for tag, _ in found[1:]] == ["h2"] * (len(tracks) + 1) and found[-1] == ("h2", "Runs")
    assert [text.startswith(track) for (_, text), track in zip(found[1:], tracks)] == [True] * len(tracks)
    assert sum(token.type == "blockquote_open" for token in tokens) == len(report["notices"])
    shown = cells(tokens)
    for value in ("label", flat(HOSTILE), "config file", "model (translate)", flat(MODEL)):
        assert value in shown, value


def front_matter(card: str) -> tuple[dict, str]:
    assert card.startswith("---\n")
    header, prose = card[4:].split("\n---\n", 1)
    return yaml.safe_load(header), prose


def test_card_yaml_header_parses_to_the_expected_metadata(card, run):
    metadata, _prose = front_matter(card)
    assert metadata["pretty_name"] == f"hindi-pipeline outputs: {HOSTILE}"
    assert (metadata["language"], metadata["license"], metadata["size_categories"]) == (["hi", "en"], "unknown",
                                                                                        ["n<1K"])
    assert metadata["configs"] == [{"config_name": "default", "data_files": [{"split": "train",
                                                                              "path": "data/train-*.parquet"}]}]
    assert DatasetCard.load(run.parent / "dataset" / "README.md").data.pretty_name == metadata["pretty_name"]


def test_card_prose_has_no_raw_html_and_keeps_its_structure(card):
    _metadata, prose = front_matter(card)
    tokens, _page = rendered(prose)
    html = [token.content.strip() for token in tokens if token.type in ("html_block", "html_inline")]
    assert html == ["<details><summary>resolved configuration</summary>", "</details>"]
    assert not all_types(tokens) & (STRUCTURE - {"html_block"})
    found = headings(tokens)
    assert found[0] == ("h1", f"hindi-pipeline outputs: {flat(HOSTILE)}")
    assert [text for tag, text in found if tag == "h2"] == [
        "Columns", "Models", "Generation settings", "Left out", "Quality flags", "Metrics", "Loading"
    ]
    assert [text for tag, text in found if tag == "h3"] == [f"train (run {flat(HOSTILE)})"]
    fences = [token for token in tokens if token.type == "fence"]
    assert [fence.info for fence in fences] == ["yaml", "python"]
    assert yaml.safe_load(fences[0].content) == CONFIG
    shown = cells(tokens)
    assert flat(MODEL) in shown and flat(HOSTILE) in shown  # the model and its revision in the models table
    assert flat(HOSTILE.splitlines()[0]) in shown  # the first line of the error that left a document out
