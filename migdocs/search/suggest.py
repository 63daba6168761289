"""Did-you-mean: words as people write them, from the catalog's vocabulary (every word of
every page and title, case-folded, letters only, 3+), corrected by edit distance (rapidfuzz,
in C) and ranked by how many texts hold the correction."""

from __future__ import annotations

from migdocs.indexer.analysis import TOKEN, spelling_word
from migdocs.repo.catalog import Catalog


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
