#!/usr/bin/env python
"""Convert an IndicTrans2, BART or chat model (Qwen2, Qwen3, Llama 3, Gemma 3) folder into a CTranslate2 model
for `backend: ctranslate2`.

The code is pipeline/cli/convert.py, which `indic-pipeline convert` runs too."""

import sys

from pipeline.cli.convert import main

if __name__ == "__main__":
    sys.exit(main())
