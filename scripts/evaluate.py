#!/usr/bin/env python
"""Score pipeline outputs against references and write report.json, report.md, report.html and scores.jsonl.

The code is pipeline/cli/evaluate.py, which `indic-pipeline evaluate` runs too."""

import sys

from pipeline.cli.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
