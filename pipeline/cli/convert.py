"""Convert an IndicTrans2, BART or chat model folder into a CTranslate2 model for `backend: ctranslate2`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

QUANTIZATIONS = ("float32", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "float16", "bfloat16")


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Write MODEL_DIR (an IndicTrans2 translator, a BART summarizer such as facebook/bart-large-cnn or "
            "sshleifer/distilbart-cnn-12-6, or a decoder-only chat model for family chat: Qwen2/Qwen2.5 (qwen2), "
            "Qwen3 (qwen3), Llama 3.x (llama), Gemma 3 text or multimodal (gemma3_text, gemma3; the text model "
            "only), e.g. sarvamai/sarvam-translate; config.json, the weights and the tokenizer files) as a "
            "CTranslate2 model in OUT_DIR, with the tokenizer files, chat template and generation_config.json "
            "copied beside it. config.json's model_type picks the converter. Then run the pipeline with --set "
            "translate.backend=ctranslate2 --set translate.model=OUT_DIR, or the same for summarize."
        ),
        epilog=(
            "Weights are stored in the --quantization type; at run time compute_type may convert them again "
            "(default: keep them). Chat models run in CTranslate2's Generator; Gemma 3 prompts are kept within its "
            "sliding window, and stop strings, no_repeat_ngram_size and a checkpoint's repetition_penalty are "
            "refused (CTranslate2 cannot apply them as transformers does). Other decoder-only models (Mistral, "
            "Gemma 2, Phi-3, ...) are not converted. For Marian, NLLB or M2M-100 use CTranslate2's own converter, "
            "e.g. ct2-transformers-converter --model DIR --output_dir OUT --quantization int8 --copy_files "
            "tokenizer_config.json special_tokens_map.json sentencepiece.bpe.model"
        ),
    )
    parser.add_argument(
        "model_dir", type=Path, help="IndicTrans2, BART or chat model folder in the Hugging Face hub layout"
    )
    parser.add_argument("out_dir", type=Path, help="CTranslate2 model folder to write")
    parser.add_argument("--quantization", choices=QUANTIZATIONS, default="float32", help="weight type (default: float32)")
    parser.add_argument(
        "--positions", type=int, default=None, help="IndicTrans2 only: rows of the stored sinusoid table, the longest "
        "input or output in tokens (default: 1024); other models keep their own positions",
    )
    parser.add_argument("--force", action="store_true", help="replace OUT_DIR if it exists")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    args = parse_args(argv, prog)
    try:
        from pipeline.models.convert_ctranslate2 import convert_to_ctranslate2
    except ImportError as error:
        print(f"error: {error}; install the extra with pip install '.[fast]'", file=sys.stderr)
        return 3
    try:
        written = convert_to_ctranslate2(args.model_dir, args.out_dir, args.quantization, args.force, args.positions)
    except (OSError, RuntimeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(written)
    return 0
