"""The command lines: `indic-pipeline COMMAND` (`pipeline.cli.main`) and `scripts/<name>.py` run the same `main`.

Each module parses its arguments, turns the pipeline's errors into one line and an exit code, and imports what is
heavy only after the cheap checks (config, input), so a mistake is refused in well under a second.
"""

from __future__ import annotations

from pathlib import Path


def project_root() -> Path:
    """The source checkout this package runs from (scripts/, or an editable install), whose outputs/ and ../shared
    are the defaults wherever a command is started; the current directory for a package installed elsewhere."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() else Path.cwd()
