#!/usr/bin/env python
"""Export pipeline run folders as a Hugging Face dataset: Arrow, Parquet shards and a dataset card.

The code is pipeline/cli/export.py, which `indic-pipeline export` runs too."""

import sys

from pipeline.cli.export import main

if __name__ == "__main__":
    sys.exit(main())
