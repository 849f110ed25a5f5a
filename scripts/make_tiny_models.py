#!/usr/bin/env python
"""Write the tiny random-weight models that configs/tiny.yaml uses (offline, a few seconds).

The code is pipeline/cli/make_tiny_models.py, which `indic-pipeline make-tiny-models` runs too."""

import sys

from pipeline.cli.make_tiny_models import main

if __name__ == "__main__":
    sys.exit(main())
