"""What the corpus-scale benchmarks (`throughput`, `end_to_end`) share: their common settings and command line."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Workload:
    """Where models are built and the data is, the device, and the decoding every path uses."""

    work_dir: Path
    shared_dir: Path
    device: str = "cpu"
    precision: str = "fp32"
    quick: bool = False  # scaled-down models and short outputs: every code path in seconds
    translation_beams: int = 5  # IndicTrans2's example.py
    summary_beams: int = 4  # bart-large-cnn
    max_output_tokens: int | None = None  # cap on the data-driven output lengths (quick)


def add_workload_arguments(parser: argparse.ArgumentParser, repo_root: Path) -> None:
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="cuda: bf16")
    parser.add_argument("--quick", action="store_true", help="scaled-down models and few inputs: every path in seconds")
    parser.add_argument("--json", type=Path, default=None, help="also write the report to this JSON file")
    parser.add_argument("--work-dir", type=Path, default=None, help="models, corpora and runs (default: a temporary folder)")
    parser.add_argument(
        "--shared-dir", type=Path, default=Path(os.environ.get("PIPELINE_SHARED_DIR", repo_root.parent / "shared")),
        help="the read-only data and fixtures (default: ../shared or $PIPELINE_SHARED_DIR)",
    )


def ready(args: argparse.Namespace) -> bool:
    """Whether the benchmark can run here, offline; if not, says why on standard error (the script exits 2).
    Imports torch, so call it after parsing."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not (args.shared_dir / "data" / "flores200").exists():
        problem = f"{args.shared_dir} lacks data/flores200 (set --shared-dir)"
    else:
        import torch

        problem = ("--device cuda, but torch sees no CUDA device (a CPU build of torch, or no driver)"
                   if args.device == "cuda" and not torch.cuda.is_available() else None)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return False
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # one "Loading weights" bar per model load would bury the log
    return True


def workload(args: argparse.Namespace, work_dir: Path) -> dict:
    """The `Workload` fields the command line sets."""
    return {"work_dir": args.work_dir or work_dir, "shared_dir": args.shared_dir, "device": args.device,
            "precision": "bf16" if args.device == "cuda" else "fp32", "quick": args.quick,
            "max_output_tokens": 8 if args.quick else None}
