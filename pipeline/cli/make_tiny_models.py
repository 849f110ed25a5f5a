"""Write the tiny random-weight models that configs/tiny.yaml uses, and an overlay per config (offline, seconds)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.cli import project_root


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build tiny IndicTrans2, Marian and NLLB translators (hi→en, en→hi), a BART summarizer and "
        "Qwen2-, Qwen3-, Llama- and Gemma-3-shaped chat models with their chat templates, all with "
        "random weights and tokenizers trained on a few lines (and, with CTranslate2 installed, their CTranslate2 "
        "conversions), then OUT_DIR/overlays/<config>.yaml for every config in --configs: run one on the tiny models "
        "with `indic-pipeline run --config configs/X.yaml --overlay OUT_DIR/overlays/X.yaml`. They produce "
        "meaningless text; they exist to run the whole pipeline without downloads."
    )
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path(".tiny-models"), help="default: .tiny-models")
    parser.add_argument("--configs", type=Path, default=project_root() / "configs",
                        help="the configs to write overlays for (default: this project's configs/)")
    args = parser.parse_args(argv)
    from pipeline.tiny_models import build_tiny_models, write_overlays

    models = build_tiny_models(args.out_dir)
    for name, path in models.items():
        print(f"{name}: {path}")
    for config, overlay in write_overlays(args.configs, models, args.out_dir / "overlays").items():
        print(f"{config.name}: {overlay}")
    return 0
