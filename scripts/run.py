#!/usr/bin/env python
"""Translate and summarize a file of Hindi documents: `python scripts/run.py --config FILE --input PATH`.

The code is pipeline/cli/run.py, which `indic-pipeline run` runs too."""

import sys

from pipeline.cli.run import main

if __name__ == "__main__":
    sys.exit(main())
