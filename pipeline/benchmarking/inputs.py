"""Real benchmark inputs: FLORES-200 Hindi sentences for the translator, CNN/DailyMail articles for the summarizer.

Sources go through the same preparation as in a pipeline run (IndicTransProcessor and the real IndicTrans2
tokenizer files), so token counts, and with them the cost, are those of real text. Random weights cannot say when
to stop, so output lengths are fixed, and set from real outputs: the English FLORES references through the
IndicTrans2 target vocabulary, and the published BART-large summaries of the same CNN/DailyMail articles.

The BART tokenizer cannot be downloaded here, so a byte-level BPE (the family's kind of tokenizer) is trained on
the XSum articles, another publisher's news, and applied to the CNN/DailyMail ones, text it has not seen, as GPT-2's
BPE has not: about 1.47 tokens per word, a little above GPT-2's usual 1.3 on news. Its vocabulary is filled up to
the model's 50264 entries with unused placeholder tokens.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from tokenizers import ByteLevelBPETokenizer
from transformers import AutoTokenizer, BartTokenizer

from pipeline.models.indictrans import IndicTransProcessor

BART_SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


@dataclass(frozen=True)
class TranslationInputs:
    sentences: list[str]  # Hindi, as read
    source_ids: list[list[int]]  # prepared and tokenized, as the translator sees them
    output_tokens: int  # the fixed output length: mean target tokens of the English references


@dataclass(frozen=True)
class SummaryInputs:
    articles: list[str]
    source_ids: list[list[int]]  # tokenized, truncated to the model's 1024 positions
    output_tokens: int  # the fixed summary length: mean tokens of the published BART-large summaries


def _lines(path: Path, count: int) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:count]


def translation_inputs(flores_dir: Path, tokenizer_dir: Path, count: int) -> TranslationInputs:
    """The first `count` Hindi devtest sentences, and the output length their English references suggest."""
    sentences = _lines(flores_dir / "hin_Deva.devtest", count)
    references = _lines(flores_dir / "eng_Latn.devtest", count)
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    prepared = IndicTransProcessor().preprocess(sentences, "hin_Deva", "eng_Latn")
    source_ids = tokenizer([p.text for p in prepared], truncation=True)["input_ids"]
    english = IndicTransProcessor().preprocess(references, "eng_Latn", "hin_Deva")  # Moses-tokenized, tagged
    target_ids = tokenizer(text_target=[p.text.split(" ", 2)[2] for p in english])["input_ids"]
    return TranslationInputs(sentences, source_ids, round(statistics.mean(len(ids) for ids in target_ids)))


def train_bart_tokenizer(articles: list[str], vocab_size: int, out_dir: Path) -> Path:
    """A byte-level BPE tokenizer trained on `articles`, its vocabulary filled up to `vocab_size` entries.

    The training stops short of `vocab_size` on a small corpus; the placeholders keep every id the model can
    produce decodable.
    """
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(articles, vocab_size=vocab_size, special_tokens=BART_SPECIAL_TOKENS, show_progress=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab_file, merges_file = bpe.save_model(str(out_dir))
    vocab = json.loads(Path(vocab_file).read_text(encoding="utf-8"))
    vocab.update({f"<unused{index}>": index for index in range(len(vocab), vocab_size)})
    merges = [tuple(line.split(" ")) for line in Path(merges_file).read_text(encoding="utf-8").split("\n")[1:] if line]
    Path(vocab_file).unlink()
    Path(merges_file).unlink()
    BartTokenizer(vocab=vocab, merges=merges, model_max_length=1024).save_pretrained(out_dir)
    return out_dir


def summary_inputs(cnndm_file: Path, tokenizer_dir: Path, count: int) -> SummaryInputs:
    """The first `count` articles, tokenized as BART sees them, and the length of BART-large's summaries of them."""
    records = [json.loads(line) for line in cnndm_file.read_text(encoding="utf-8").split("\n") if line.strip()][:count]
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    articles = [record["article"] for record in records]
    source_ids = tokenizer(articles, truncation=True, max_length=tokenizer.model_max_length)["input_ids"]
    summaries = tokenizer([record["systems"]["bart"] for record in records])["input_ids"]
    return SummaryInputs(articles, source_ids, round(statistics.mean(len(ids) for ids in summaries)))


def read_articles(cnndm_file: Path) -> list[str]:
    return [json.loads(line)["article"] for line in cnndm_file.read_text(encoding="utf-8").split("\n") if line.strip()]
