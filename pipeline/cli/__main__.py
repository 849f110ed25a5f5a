"""`python -m pipeline.cli COMMAND ...`: the `indic-pipeline` command without its console script."""

import sys

from pipeline.cli.main import main

sys.exit(main(prog="python -m pipeline.cli"))
