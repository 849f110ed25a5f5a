#!/usr/bin/env python
"""Convert an IndicTrans2 or BART folder into a CTranslate2 model for `backend: ctranslate2`.

The code is pipeline/cli/convert.py, which `indic-pipeline convert` runs too."""

import sys

from pipeline.cli.convert import main

if __name__ == "__main__":
    sys.exit(main())
