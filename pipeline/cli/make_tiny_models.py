"""Write the tiny random-weight models that configs/tiny.yaml uses (offline, a few seconds)."""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build tiny Marian (hi→en, en→hi) and BART models with random weights and tokenizers trained "
        "on a few lines. They produce meaningless text; they exist to run the whole pipeline without downloads."
    )
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path(".tiny-models"), help="default: .tiny-models")
    args = parser.parse_args(argv)
    from pipeline.tiny_models import build_tiny_models

    for name, path in build_tiny_models(args.out_dir).items():
        print(f"{name}: {path}")
    return 0
