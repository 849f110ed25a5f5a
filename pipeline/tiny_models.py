"""Tiny random-weight models in Hugging Face format, for running the whole pipeline offline in seconds.

They produce meaningless text. What they do exercise is everything around the weights: tokenizers trained here
(SentencePiece for the Marian translators, byte-level BPE for BART), `from_pretrained`, `generate()`, batching,
map-reduce and the run folder. Tests use the same builder.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import sentencepiece as spm
import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer, MarianConfig, MarianMTModel, MarianTokenizer

# A few lines of each language, written for this purpose, to train the tiny vocabularies on.
HINDI_LINES = (
    "नई दिल्ली में सोमवार को तेज़ बारिश हुई।",
    "सरकार ने किसानों के लिए नई योजना की घोषणा की।",
    "डॉ. शर्मा ने अस्पताल का उद्घाटन किया।",
    "भारत ने फ़ाइनल मुक़ाबले में जीत हासिल की।",
    "मेट्रो की नई लाइन पर सेवा शनिवार से शुरू होगी।",
    "मौसम विभाग ने अगले दो दिनों के लिए चेतावनी जारी की है।",
    "छात्रों ने परीक्षा के परिणाम पर ख़ुशी जताई।",
    "शहर में यातायात व्यवस्था सुधारने के लिए नए नियम लागू हुए।",
)
ENGLISH_LINES = (
    "Heavy rain fell in New Delhi on Monday.",
    "The government announced a new scheme for farmers.",
    "Dr. Sharma opened the hospital.",
    "India won the final match.",
    "Service on the new metro line will start on Saturday.",
    "The weather department has issued a warning for the next two days.",
    "Students were happy with the exam results.",
    "New rules came into force to improve traffic in the city.",
    "Officials said the project would be finished by next year.",
    "The minister said the amount would be released in two parts.",
)

_TRANSFORMER_SIZE = dict(
    d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
    encoder_ffn_dim=32, decoder_ffn_dim=32,
)


def _sentencepiece_vocabulary(lines: tuple[str, ...], work_dir: Path) -> Path:
    prefix = work_dir / "spm"
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_prefix=str(prefix), vocab_size=150, model_type="unigram",
        character_coverage=1.0, hard_vocab_limit=False, pad_id=-1, bos_id=-1, eos_id=1, unk_id=2, minloglevel=2,
    )
    return prefix.with_suffix(".model")


def build_tiny_marian(out_dir: Path, seed: int) -> Path:
    """A Marian-style translator (opus-mt layout: source.spm, target.spm, vocab.json) with random weights."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        model_file = _sentencepiece_vocabulary(HINDI_LINES + ENGLISH_LINES, Path(work))
        pieces = spm.SentencePieceProcessor(model_file=str(model_file))
        vocab = {"<pad>": 0, **{pieces.id_to_piece(i): i + 1 for i in range(pieces.get_piece_size())}}
        (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        for name in ("source.spm", "target.spm"):
            (out_dir / name).write_bytes(model_file.read_bytes())
    tokenizer = MarianTokenizer(
        str(out_dir / "source.spm"), str(out_dir / "target.spm"), str(out_dir / "vocab.json"), model_max_length=64
    )
    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(vocab), pad_token_id=0, eos_token_id=vocab["</s>"], decoder_start_token_id=0,
        max_position_embeddings=128, **_TRANSFORMER_SIZE,
    )
    MarianMTModel(config).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def build_tiny_bart(out_dir: Path, seed: int) -> Path:
    """A BART-style summarizer with a byte-level BPE vocabulary trained on a few English lines."""
    out_dir.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(ENGLISH_LINES, vocab_size=400, min_frequency=1, special_tokens=specials, show_progress=False)
    with tempfile.TemporaryDirectory() as work:
        vocab_file, merges_file = bpe.save_model(work)
        tokenizer = BartTokenizer(
            vocab=json.loads(Path(vocab_file).read_text(encoding="utf-8")),
            merges=[tuple(line.split(" ")) for line in Path(merges_file).read_text(encoding="utf-8").split("\n")[1:] if line],
            model_max_length=128,
        )
    torch.manual_seed(seed)
    config = BartConfig(
        vocab_size=len(tokenizer), max_position_embeddings=128, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id, forced_bos_token_id=None, **_TRANSFORMER_SIZE,
    )
    BartForConditionalGeneration(config).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def build_tiny_models(out_dir: str | Path) -> dict[str, Path]:
    """All tiny models `configs/tiny.yaml` uses, under `out_dir`."""
    out_dir = Path(out_dir)
    return {
        "marian-hi-en": build_tiny_marian(out_dir / "marian-hi-en", seed=1),
        "marian-en-hi": build_tiny_marian(out_dir / "marian-en-hi", seed=2),
        "bart-summarizer": build_tiny_bart(out_dir / "bart-summarizer", seed=3),
    }
