"""Real benchmark inputs: FLORES-200 Hindi sentences for the translator, CNN/DailyMail articles for the summarizer.

Sources go through the same preparation as in a pipeline run (IndicTransProcessor and the real IndicTrans2
tokenizer files), so token counts, and with them the cost, are those of real text. Random weights cannot say when
to stop, so output lengths are fixed, and set from real outputs: the English FLORES references through the
IndicTrans2 target vocabulary, and the published BART-large summaries of the same CNN/DailyMail articles.

The BART tokenizer cannot be downloaded here, so a byte-level BPE (the family's kind of tokenizer) is trained on
the XSum articles, another publisher's news, and applied to the CNN/DailyMail ones, text it has not seen, as GPT-2's
BPE has not: about 1.47 tokens per word, a little above GPT-2's usual 1.3 on news. Its vocabulary is filled up to
the model's 50264 entries with unused placeholder tokens.

A chat model's tokenizer (Qwen2.5's) cannot be downloaded either: a byte-level BPE is trained on the FLORES dev
Hindi and English lines with Qwen2's own normalization and split into words (transformers' `Qwen2Tokenizer`, which
also loads it from the model's folder) and applied to the devtest ones, with ChatML's special tokens at the ids
Qwen2's vocabulary gives them and a ChatML chat template. Its merges are not Qwen's: trained on 2,000 lines it
learns 6,776 of them (Qwen's has about 151,000, learned on far more text), and splits the devtest Hindi into 2.6
tokens per word (66 per sentence) and the English references into 1.7 (37); a real model's counts differ
(`docs/performance.md`).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from tokenizers import Tokenizer, pre_tokenizers, trainers
from tokenizers.models import BPE
from transformers import AutoTokenizer, BartTokenizer, Qwen2Tokenizer

from pipeline.models.indictrans import IndicTransProcessor

BART_SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
# ChatML's tokens where Qwen2's vocabulary has them: after its 151643 byte-level BPE tokens.
CHATML_TOKENS = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}
CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


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


def _lines(path: Path, count: int | None) -> list[str]:
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


def _byte_level_bpe(texts: list[str], vocab_size: int, special_tokens: list[str],
                    like: Tokenizer | None = None) -> tuple[dict[str, int], list]:
    """The vocabulary and merges of a byte-level BPE trained on `texts` (at most `vocab_size` entries), the text
    normalized and split into words as `like` does it (default: GPT-2's byte-level split, as BART's tokenizer)."""
    bpe = Tokenizer(BPE())
    if like is None:
        bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    else:
        bpe.normalizer, bpe.pre_tokenizer = like.normalizer, like.pre_tokenizer
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=special_tokens,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(texts, trainer=trainer)
    trained = json.loads(bpe.to_str())["model"]
    return trained["vocab"], [tuple(pair) for pair in trained["merges"]]


def _fill(vocab: dict[str, int], vocab_size: int) -> dict[str, int]:
    """`vocab` with an unused placeholder at every id below `vocab_size` it leaves free: every id a model can
    produce then decodes."""
    taken = set(vocab.values())
    return {**vocab, **{f"<unused{index}>": index for index in range(vocab_size) if index not in taken}}


def train_bart_tokenizer(articles: list[str], vocab_size: int, out_dir: Path) -> Path:
    """A byte-level BPE tokenizer trained on `articles`, its vocabulary filled up to `vocab_size` entries.

    The training stops short of `vocab_size` on a small corpus; the placeholders keep every id the model can
    produce decodable.
    """
    vocab, merges = _byte_level_bpe(articles, vocab_size, BART_SPECIAL_TOKENS)
    out_dir.mkdir(parents=True, exist_ok=True)
    BartTokenizer(vocab=_fill(vocab, vocab_size), merges=merges, model_max_length=1024).save_pretrained(out_dir)
    return out_dir


def train_chat_tokenizer(flores_dir: Path, vocab_size: int, out_dir: Path, model_max_length: int = 32768) -> Path:
    """A Qwen2 tokenizer for a Qwen2-shaped model of `vocab_size` rows: a byte-level BPE trained on the FLORES dev
    Hindi and English lines with Qwen2's own normalization and split into words (NFC; digits one at a time),
    ChatML's tokens at Qwen2's ids, placeholders at every other id, a ChatML chat template."""
    lines = [line for language in ("hin_Deva", "eng_Latn") for line in _lines(flores_dir / f"{language}.dev", None)]
    splitting = Qwen2Tokenizer().backend_tokenizer  # Qwen2's normalizer and pre-tokenizer, around an empty vocabulary
    vocab, merges = _byte_level_bpe([line for line in lines if line], min(CHATML_TOKENS.values()), [], splitting)
    tokenizer = Qwen2Tokenizer(
        vocab=_fill({**vocab, **CHATML_TOKENS}, vocab_size), merges=merges, unk_token=None, eos_token="<|im_end|>",
        pad_token="<|endoftext|>", additional_special_tokens=["<|im_start|>"], model_max_length=model_max_length,
        chat_template=CHATML_TEMPLATE,
    )
    tokenizer.save_pretrained(out_dir)
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
