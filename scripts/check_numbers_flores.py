#!/usr/bin/env python
"""The numbers-and-entities check on FLORES-200's Hindi/English references: `python scripts/check_numbers_flores.py`.

References are correct translations, so the check (pipeline/text/entities.py) must not flag a pair that writes its
numbers in digits on both sides, and must flag every number deleted from such a reference. The other pairs with
numbers are flagged for reasons the check does not read (a number in words, a lakh converted to millions, a date
reworded); this counts them by a rough heuristic so the rate of such flags on real translations can be judged.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.text.entities import NUMBER, check, extract

REPO_ROOT = Path(__file__).resolve().parents[1]
EXIT_FAILED, EXIT_UNAVAILABLE = 1, 2
SPLITS = ("dev", "devtest")
REASONS = ("words", "conversion", "date", "other")
# All-digits pairs whose references disagree: the check is right to flag them.
DISCREPANCIES = {
    ("devtest", 831): "the references disagree: 35-40 mph is 56-60 km/h in the Hindi, 56-64 km/h in the English",
}

# English numbers in words; a scale after digits ("45 million") is still a number in digits.
ENGLISH_NUMBER_WORDS = regex.compile(
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen"
    r"|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundred|thousand|dozen"
    r"|(?<![\d.,] ?)(?:million|billion|trillion))\b",
    regex.IGNORECASE,
)
# A Hindi scale (5 लाख) or a unit the English may convert (35-40 mph, 56-64 km/h): the digits differ legitimately.
CONVERSION = regex.compile(
    r"लाख|करो[\u0921\u095c]|अरब|ह[\u091c\u095b]\u093c?ार"  # ड़ and ज़ precomposed or not
    r"|\b(?:mph|km/h|miles?|kilomet(?:er|re)s?|feet|foot|inch(?:es)?|pounds|°[CF]|Fahrenheit|Celsius)\b"
)
# A month named in the Hindi: the English may write the date otherwise (a year said once for two dates).
DATE = regex.compile(
    r"जनवरी|[फ\u095e]\u093c?रवरी|मार्च|अप्रैल|मई|जून|जुलाई|अगस्त|सितंबर|सितम्बर|अक्टूबर|अक्तूबर|नवंबर|नवम्बर|दिसंबर|दिसम्बर"
    r"|\d+/\d+/\d+"
)


@dataclass(frozen=True)
class Pair:
    split: str
    line: int  # 1-based, in both files
    hindi: str
    english: str


def load_pairs(flores_dir: Path) -> list[Pair]:
    """Every Hindi/English reference pair of dev, then devtest (the files are line-aligned)."""
    pairs = []
    for split in SPLITS:
        hindi = (flores_dir / f"hin_Deva.{split}").read_text(encoding="utf-8").splitlines()
        english = (flores_dir / f"eng_Latn.{split}").read_text(encoding="utf-8").splitlines()
        pairs += [Pair(split, line, h, e) for line, (h, e) in enumerate(zip(hindi, english, strict=True), 1)]
    return pairs


def numbers(text: str) -> int:
    """How many numbers the check reads in the text."""
    return sum(entity.kind == NUMBER for entity in extract(text))


def all_digits(pair: Pair) -> bool:
    """Both sides write every number in digits: as many on each side, none in words, no Hindi scale to convert."""
    return (
        numbers(pair.hindi) == numbers(pair.english)
        and not ENGLISH_NUMBER_WORDS.search(pair.english)
        and not CONVERSION.search(pair.hindi)
    )


def reason(pair: Pair) -> str:
    """Why a reference pair is flagged, guessed from the texts (the first of REASONS that fits)."""
    if ENGLISH_NUMBER_WORDS.search(pair.english):
        return "words"
    if CONVERSION.search(pair.hindi) or CONVERSION.search(pair.english):
        return "conversion"
    return "date" if DATE.search(pair.hindi) else "other"


def deletions(pair: Pair) -> tuple[int, list[str]]:
    """Delete each number of the (passing) English side in turn: how many deletions the check caught, and the
    numbers whose deletion it missed."""
    missed = [
        entity.text for entity in extract(pair.english)
        if entity.kind == NUMBER and not check(pair.hindi, pair.english[: entity.start] + pair.english[entity.end :])
    ]
    return numbers(pair.english) - len(missed), missed


def flagged(pairs: list[Pair]) -> list[dict]:
    """The pairs the check flags: where, why, what is missing."""
    return [
        {
            "split": pair.split, "line": pair.line, "reason": DISCREPANCIES.get((pair.split, pair.line), reason(pair)),
            "missing": [{"kind": entity.kind, "value": entity.value} for entity in missing],
            "hindi": pair.hindi, "english": pair.english,
        }
        for pair in pairs if (missing := check(pair.hindi, pair.english))
    ]


def measure(pairs: list[Pair]) -> dict:
    with_numbers = [pair for pair in pairs if numbers(pair.hindi)]
    digits = [pair for pair in with_numbers if all_digits(pair)]
    others = [pair for pair in with_numbers if not all_digits(pair)]
    digits_flagged, others_flagged = flagged(digits), flagged(others)
    known = [entry for entry in digits_flagged if (entry["split"], entry["line"]) in DISCREPANCIES]
    flagged_pairs = {(entry["split"], entry["line"]) for entry in digits_flagged}
    deleted = [deletions(pair) for pair in digits if (pair.split, pair.line) not in flagged_pairs]
    reasons = Counter(entry["reason"] for entry in others_flagged)
    return {
        "pairs": len(pairs),
        "with_numbers": len(with_numbers),
        "all_digits": {
            "pairs": len(digits), "flagged": [entry for entry in digits_flagged if entry not in known],
            "discrepancies": known,
        },
        "others": {
            "pairs": len(others), "flagged": len(others_flagged),
            "by_reason": {name: reasons[name] for name in REASONS}, "pairs_flagged": others_flagged,
        },
        "deletions": {
            "caught": sum(caught for caught, _ in deleted),
            "total": sum(caught + len(missed) for caught, missed in deleted),
            "missed": [text for _, missed in deleted for text in missed],
        },
    }


def table(reports: dict[str, dict]) -> str:
    """One column per split and one for both; then every flagged pair, with its reason."""
    rows = [
        ("reference pairs", lambda r: r["pairs"]),
        ("Hindi side holds a number", lambda r: r["with_numbers"]),
        ("both sides write every number in digits", lambda r: r["all_digits"]["pairs"]),
        ("  flagged", lambda r: len(r["all_digits"]["flagged"])),
        ("  flagged, the references disagree", lambda r: len(r["all_digits"]["discrepancies"])),
        ("the others", lambda r: r["others"]["pairs"]),
        ("  flagged", lambda r: r["others"]["flagged"]),
        *((f"  flagged, {name}", lambda r, name=name: r["others"]["by_reason"][name]) for name in REASONS),
        ("numbers deleted from all-digits references", lambda r: r["deletions"]["total"]),
        ("  caught", lambda r: r["deletions"]["caught"]),
    ]
    lines = [f"{'FLORES-200 hin_Deva/eng_Latn':<45}" + "".join(f"{name:>9}" for name in reports)]
    lines += [f"{title:<45}" + "".join(f"{value(r):>9}" for r in reports.values()) for title, value in rows]
    every = reports["all"]
    for title, entries in (
        ("all-digits pair", every["all_digits"]["flagged"] + every["all_digits"]["discrepancies"]),
        ("other pair", every["others"]["pairs_flagged"]),
    ):
        for entry in entries:
            values = ", ".join(missing["value"] for missing in entry["missing"])
            lines.append(f"{title} {entry['split']}:{entry['line']} ({entry['reason']}) misses {values}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Run the numbers-and-entities check on every FLORES-200 dev and devtest Hindi/English reference pair "
            "whose Hindi side holds a number: pairs writing every number in digits on both sides must pass, every "
            "number deleted from their English side must be caught; the other pairs' flags are counted by reason "
            "(numbers in words, unit or lakh/crore conversion, date format, other)."
        ),
        epilog="Exit codes: 0 as expected, 1 an all-digits pair flagged or a deletion missed, 2 the data is missing.",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the report to this JSON file")
    parser.add_argument(
        "--shared-dir", type=Path, default=Path(os.environ.get("PIPELINE_SHARED_DIR", REPO_ROOT.parent / "shared")),
        help="where data/flores200 is read from (default: ../shared or $PIPELINE_SHARED_DIR)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    flores_dir = args.shared_dir / "data" / "flores200"
    if not all((flores_dir / f"{lang}.{split}").is_file() for lang in ("hin_Deva", "eng_Latn") for split in SPLITS):
        print(f"error: {args.shared_dir} lacks data/flores200 (set --shared-dir)", file=sys.stderr)
        return EXIT_UNAVAILABLE
    pairs = load_pairs(flores_dir)
    reports = {split: measure([pair for pair in pairs if pair.split == split]) for split in SPLITS}
    reports["all"] = measure(pairs)
    print(table(reports))
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    every, deleted = reports["all"], reports["all"]["deletions"]
    return EXIT_FAILED if every["all_digits"]["flagged"] or deleted["caught"] < deleted["total"] else 0


if __name__ == "__main__":
    sys.exit(main())
