"""Word recall of extracted text against source sentences: how much of a document's words
a PDF engine gets back. Used by the tests and by bench/extract_recall.py."""

from __future__ import annotations

import re
from collections import Counter

from migdocs.indexer.normalise import fold_arabic, repair

_WORDS = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    """Words after repair and Arabic folding (tashkeel cannot be recovered from a PDF)."""
    return Counter(_WORDS.findall(fold_arabic(repair(text)).casefold()))


def word_recall(source: str, extracted: str) -> float:
    """Share of the source's words (with multiplicity) found in the extracted text."""
    expected = words(source)
    total = sum(expected.values())
    if not total:
        return 1.0
    found = words(extracted)
    return sum(min(n, found[w]) for w, n in expected.items()) / total
