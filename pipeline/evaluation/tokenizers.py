"""Word tokenization for scripts other than Latin.

rouge_score's default tokenizer keeps only ``[a-z0-9]``, so every Devanagari word vanishes and Hindi
scores 0 whatever the output is. Words here are runs of letters, combining marks (Devanagari vowel
signs and virama are marks) and digits, in any script.
"""

from __future__ import annotations

import unicodedata

from rouge_score.tokenizers import Tokenizer

_JOINERS = dict.fromkeys(map(ord, "\u200c\u200d"))  # ZWNJ/ZWJ only steer glyph shaping inside a word


def words(text: str) -> list[str]:
    """Case-folded NFC words; punctuation (including the danda ।) and symbols separate words."""
    normalized = unicodedata.normalize("NFC", text).translate(_JOINERS).casefold()
    return "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in normalized).split()


class UnicodeWordTokenizer(Tokenizer):
    """`words` behind rouge_score's tokenizer interface; no stemming, as no Porter stemmer exists for Hindi."""

    def tokenize(self, text: str) -> list[str]:
        return words(text)
