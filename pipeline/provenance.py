"""What a run records about its environment so it can be reproduced."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version

_PACKAGES = (
    "torch", "transformers", "tokenizers", "sentencepiece", "datasets", "indic-nlp-library", "sacremoses", "pysbd",
    "ctranslate2",  # None when the optional backend is not installed
)


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in _PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    from pipeline import __version__

    versions["pipeline"] = __version__
    return versions


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
