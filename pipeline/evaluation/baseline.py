"""The lead-k extractive baseline: the first k sentences of the source.

Lead-3 is the classic CNN/DailyMail baseline that many abstractive systems barely beat, so every
summary report shows it next to the system.
"""

from __future__ import annotations

from pipeline.text.english import split_sentences


def lead(source: str, sentences: int) -> str:
    """The first sentences of an English source, one per line (so ROUGE-Lsum sees its exact sentences).

    The whole source is segmented: pysbd's boundaries are not local (an open quote can move one far
    ahead), so segmenting a prefix would change some leads.
    """
    return "\n".join(split_sentences(source)[:sentences])
