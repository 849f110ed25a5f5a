"""A glossary and a protect list given in a config change a run's translation as they say, reported per document.

The tiny random-weight translators never copy a placeholder (the tiny Marian vocabulary does not even hold `<`, `>`
or a digit: `<1>` is one `<unk>`), so a tiny run can only report its terms missing. This module trains a tiny Marian
translator for a few seconds on the one skill the glossary needs of a model: it writes `News` and then the
placeholders `<1>` … `<m>` its source holds (the families number a sentence's placeholders from 1 without gaps:
its numbers first, then its terms). Through scripts/run.py, the run with the glossary then holds each target term
where the source had the term, its record lists every term as found, and no document is flagged; the same model
without the glossary writes none of them; and the untrained tiny model with the glossary is reported missing.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from pipeline.tiny_models import HINDI_LINES, build_tiny_marian

PLACEHOLDERS = tuple(f"<{n}>" for n in range(1, 5))  # pieces of the trained model's vocabulary, whole
MOST_PLACEHOLDERS = 3  # per training sentence; a test sentence has at most this many
TRAIN_STEPS, BATCH, LEARNING_RATE, SEED = 300, 32, 1e-2, 0

GLOSSARY = {"मौसम विभाग": "India Meteorological Department", "मेट्रो": "Metro Rail"}  # source term → target
PROTECTED = {"शर्मा": "Sharma"}  # name → how English text writes it
DOCUMENTS = {  # every term once, among the words the model was trained on; a number takes the first placeholder
    "terms": "मौसम विभाग ने अगले 2 दिनों के लिए चेतावनी जारी की है। शर्मा ने मेट्रो की नई लाइन का उद्घाटन किया।",
    "plain": "भारत ने फ़ाइनल मुक़ाबले में जीत हासिल की।",
}


def _training_pair(rng: random.Random, words: list[str]) -> tuple[str, str]:
    """A bag of Hindi words with `<1>` … `<m>` at random places, and its target: `News <1> … <m>`."""
    sentence = rng.choices(words, k=rng.randint(2, 6))
    placeholders = list(PLACEHOLDERS[:rng.randint(0, MOST_PLACEHOLDERS)])
    for placeholder in rng.sample(placeholders, len(placeholders)):
        sentence.insert(rng.randint(0, len(sentence)), placeholder)
    return " ".join(sentence) + "।", " ".join(["News", *placeholders])


def _generate(model, tokenizer, texts: list[str]) -> list[str]:
    import torch

    with torch.no_grad():
        generated = model.generate(**tokenizer(texts, padding=True, return_tensors="pt"), num_beams=1,
                                   max_new_tokens=24)
    return [text.strip() for text in tokenizer.batch_decode(generated, skip_special_tokens=True)]


@pytest.fixture(scope="module")
def marian_models(tmp_path_factory) -> dict[str, Path]:
    """`untrained`: the tiny Marian translator with placeholders in its vocabulary; `trained`: the same vocabulary,
    trained to copy them. Fails (rather than testing nothing) where the training did not teach it."""
    import torch
    from transformers import AutoTokenizer, MarianConfig, MarianMTModel

    from pipeline.text.glossary import Glossary, Term
    from pipeline.text.indic import normalize
    from pipeline.translation.families import MarianFamily

    folder = tmp_path_factory.mktemp("glossary-models")
    untrained = build_tiny_marian(folder / "untrained", SEED, symbols=PLACEHOLDERS)
    tokenizer = AutoTokenizer.from_pretrained(untrained)
    assert tokenizer.tokenize("<1> ने") == ["▁", "<1>", "▁", "न", "े"]  # one piece, as the model reads and writes it
    config = MarianConfig.from_pretrained(untrained)  # wider than the tiny one, without dropout: learns in seconds
    config.update(dict(d_model=32, encoder_ffn_dim=64, decoder_ffn_dim=64, dropout=0.0, attention_dropout=0.0,
                       activation_dropout=0.0))
    torch.manual_seed(SEED)
    model = MarianMTModel(config)
    rng = random.Random(SEED)
    words = [word for line in HINDI_LINES for word in line.rstrip("।").split()]
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    threads, started = torch.get_num_threads(), time.perf_counter()
    torch.set_num_threads(1)  # a model this small trains faster on one thread (and reproducibly)
    try:
        model.train()
        for _ in range(TRAIN_STEPS):
            sources, targets = zip(*(_training_pair(rng, words) for _ in range(BATCH)))
            batch = tokenizer(list(sources), text_target=list(targets), padding=True, return_tensors="pt")
            batch["labels"][batch["labels"] == tokenizer.pad_token_id] = -100
            loss = model(**batch).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        print(f"trained in {time.perf_counter() - started:.1f} s, last loss {loss.item():.4f}")
        # The sentences of the test, as the Marian family hides their numbers and terms, and unseen word bags.
        terms = Glossary([Term(normalize(source, "hi"), target, "test")
                          for source, target in {**GLOSSARY, **PROTECTED}.items()])
        held_out = [e.text for e in MarianFamily(tokenizer, "hin_Deva", "eng_Latn", terms).encode(
            [normalize(sentence.strip() + "।", "hi") for text in DOCUMENTS.values() for sentence in text.split("।")[:-1]]
        )]
        pairs = [(text, " ".join(["News", *sorted(p for p in PLACEHOLDERS if p in text)])) for text in held_out]
        unseen = random.Random(SEED + 1)
        pairs += [_training_pair(unseen, words) for _ in range(32)]
        answers = _generate(model, tokenizer, [source for source, _ in pairs])
    finally:
        torch.set_num_threads(threads)
    wrong = [(source, target, answer) for (source, target), answer in zip(pairs, answers) if answer != target]
    assert not wrong, f"the tiny Marian model did not learn to copy placeholders (source, expected, written): {wrong}"
    model.save_pretrained(folder / "trained")
    tokenizer.save_pretrained(folder / "trained")
    return {"untrained": untrained, "trained": folder / "trained"}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _run(run_script, folder: Path, model: Path, documents: dict[str, str], glossary: dict[str, str] | None = None,
         protected: dict[str, str] | None = None) -> dict[str, dict]:
    """The results of a prepare+translate run of `documents` (id → text) through scripts/run.py, by document id."""
    folder.mkdir()
    source = _write(folder / "news.jsonl", "".join(
        json.dumps({"id": key, "text": text}, ensure_ascii=False) + "\n" for key, text in documents.items()
    ))
    terms = ""  # file names relative to the config, as a config gives them
    if glossary:
        _write(folder / "terms.tsv", "source\ttarget\n" + "".join(f"{s}\t{t}\n" for s, t in glossary.items()))
        terms += "  glossary: terms.tsv\n"
    if protected:
        _write(folder / "names.txt", "# people\n" + "".join(f"{name}\n" for name in protected))
        terms += "  protect: names.txt\n"
    config = _write(folder / "run.yaml", (
        "stages: [prepare, translate]\ndevice: cpu\nbatch_size: 2\n"
        f"translate:\n  model: {model}\n  family: marian\n  generation:\n    num_beams: 1\n    max_new_tokens: 24\n"
        + terms
    ))
    assert run_script(["--config", str(config), "--input", str(source), "--output", str(folder / "run"),
                       "--no-progress"]) == 0
    lines = (folder / "run" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["id"]: row for row in map(json.loads, lines)}


def test_a_glossary_and_a_protect_list_put_their_terms_in_the_translation_and_report_them(
    marian_models, run_script, tmp_path
):
    targets = {**GLOSSARY, **PROTECTED}
    with_terms = _run(run_script, tmp_path / "with", marian_models["trained"], DOCUMENTS, GLOSSARY, PROTECTED)
    without = _run(run_script, tmp_path / "without", marian_models["trained"], DOCUMENTS)
    untrained = _run(run_script, tmp_path / "untrained", marian_models["untrained"], DOCUMENTS, GLOSSARY, PROTECTED)

    translation = with_terms["terms"]["translation"]
    for source, target in targets.items():
        assert translation.count(target) == DOCUMENTS["terms"].count(source) == 1, (target, translation)
        assert target not in without["terms"]["translation"]
    assert "2" in translation  # the number took placeholder 1 and the terms the next: each restored as its own
    reported = with_terms["terms"]["stages"]["translate"]["glossary"]
    assert sorted((term["source"], term["target"], term["found"]) for term in reported) == sorted(
        (source, target, True) for source, target in targets.items()
    )
    assert "translation:glossary_missing" not in with_terms["terms"]["flags"]
    assert "glossary" not in without["terms"]["stages"]["translate"]  # no glossary, no report

    # A document without terms is translated as without a glossary, and reports none.
    assert with_terms["plain"]["translation"] == without["plain"]["translation"]
    assert "glossary" not in with_terms["plain"]["stages"]["translate"]

    # The check can fail: the untrained model drops the placeholders, and the run says so.
    missed = untrained["terms"]["stages"]["translate"]["glossary"]
    assert [term["found"] for term in missed] == [False] * len(targets)
    assert not any(target in untrained["terms"]["translation"] for target in targets.values())
    assert "translation:glossary_missing" in untrained["terms"]["flags"]


def test_a_glossary_term_with_a_number_in_it_is_hidden_and_restored_like_any_other(marian_models, run_script, tmp_path):
    results = _run(run_script, tmp_path / "run", marian_models["trained"],
                   {"line": "मेट्रो की नई लाइन 3 पर सेवा शनिवार से शुरू होगी।"}, {"लाइन 3": "Line 3"})
    assert "Line 3" in results["line"]["translation"]
    assert "translation:glossary_missing" not in results["line"]["flags"]
