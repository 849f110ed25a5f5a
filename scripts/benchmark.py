#!/usr/bin/env python
"""Side-by-side speed of the reference usage and the project's paths: `python scripts/benchmark.py [--quick]`.

The code is pipeline/cli/benchmark.py, which `indic-pipeline benchmark` runs too."""

import sys

from pipeline.cli.benchmark import main

if __name__ == "__main__":
    sys.exit(main())
