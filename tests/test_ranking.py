"""Ranking on hand-made inputs: coverage tiers and words found together on one page."""

from __future__ import annotations

from migdocs.search import ranking
from migdocs.search.backend import EntryKey, words_together
from migdocs.search.ranking import Candidate


def entry(doc_id: str, page: int, kind: str = "page", language: str = "en") -> EntryKey:
    return doc_id, kind == "meta", (doc_id, language, page)


def test_together_counts_the_words_of_the_best_page_with_the_record() -> None:
    per_word = [
        [entry("long", 1), entry("short", 1)],          # word 0
        [entry("long", 2), entry("short", 1)],          # word 1
        [entry("long", 3), entry("short", 0, "meta")],  # word 2: short has it in its title
    ]
    assert words_together(per_word) == {"long": 1, "short": 3}


def test_together_keeps_language_versions_apart() -> None:
    per_word = [[entry("doc", 1, language="en")], [entry("doc", 1, language="es")]]
    assert words_together(per_word) == {"doc": 1}


def test_tiers_rank_a_translated_document_by_its_words_together() -> None:
    scattered = Candidate("scattered", matched=4, together=2)
    own = Candidate("own", matched=3)
    close = Candidate("close", matched=4, together=4)
    tiers = ranking.tiers([scattered, own, close], pinned=None)
    assert [[c.doc_id for c in tier] for tier in tiers] == [["close"], ["own"], ["scattered"]]


def test_the_pinned_document_comes_first_whatever_its_coverage() -> None:
    tiers = ranking.tiers([Candidate("a", matched=2), Candidate("b", matched=1, together=1)],
                          pinned="b")
    assert [[c.doc_id for c in tier] for tier in tiers] == [["b"], ["a"]]
