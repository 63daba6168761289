"""Did-you-mean: words as people write them, from the catalog's vocabulary (every word of
every page and title, case-folded, letters only, 3+), corrected by edit distance (rapidfuzz,
in C) and ranked by how many texts hold the correction."""

from __future__ import annotations

import re

from migdocs.indexer.analysis import TOKEN, spelling_word
from migdocs.repo import symbols
from migdocs.repo.catalog import Catalog
from migdocs.search import syntax


def spelled(word: str) -> list[str]:
    """A typed word as the vocabulary holds words (empty: nothing worth checking)."""
    found = (spelling_word(token) for token in TOKEN.findall(word))
    return [w for w in found if w]


class Speller:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def known(self, word: str) -> bool:
        """The word, as typed (case and diacritics aside), occurs in some document or title."""
        return all(self.catalog.has_word(t) for t in spelled(word))

    def correct(self, word: str) -> str | None:
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extract

        tokens = spelled(word)
        if len(tokens) != 1:
            return None
        token = tokens[0]
        counts = self.catalog.words_starting(token[0])
        counts.pop(token, None)
        for distance in (1, 2):
            if distance == 2 and len(token) < 5:
                break
            near = extract(token, list(counts), scorer=Levenshtein.distance,
                           score_cutoff=distance, limit=None)
            if near:  # the word most texts hold
                return max((w for w, _, _ in near), key=lambda w: (counts[w], w))
        return None


def correct_query(speller: Speller, text: str, parsed: syntax.ParsedQuery) -> str | None:
    """The query with each plain word that is in no document replaced by its correction;
    None when no word needed one (or none has a correction)."""
    corrected = text
    changed = False
    for word in syntax.words(parsed.root):
        if not isinstance(word, syntax.Word) or word.wildcard or word.fuzzy:
            continue
        if symbols.parse(word.text) or speller.known(word.text):
            continue
        replacement = _same_case(speller.correct(word.text), word.text)
        if replacement:
            corrected = _replace_word(corrected, word.text, replacement)
            changed = True
    return corrected if changed else None


def _same_case(word: str | None, like: str) -> str | None:
    """`karabakh` written like `Karabak` -> `Karabakh`; like `NATO` -> upper case."""
    if word is None:
        return None
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _replace_word(text: str, word: str, replacement: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, count=1)
