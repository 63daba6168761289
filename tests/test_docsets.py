"""Document sets over numbers (docsets.py) on hand-made groups: the same documents, counts,
order and languages as the named sets they stand for."""

from __future__ import annotations

from collections import Counter
from itertools import chain

import numpy as np

from migdocs.search import docsets, ranking

CODES = ("ar", "en", "fr")
AR, EN, FR = 1, 2, 4
IDS = {"1": "A/1", "2": "A/2", "3": "A/3", "4": "A/4", "5": "A/5", "7": "A/7"}


def langs(bits: int) -> frozenset[str]:
    return frozenset(code for i, code in enumerate(CODES) if bits & (1 << i))


def matches(numbering: docsets.Numbering, *groups: tuple[int, list[int]]) -> docsets.NumberedMatches:
    """Groups as the engine sends them, largest first; a number may repeat (two pages)."""
    ordered = sorted(groups, key=lambda g: -len(g[1]))
    return docsets.NumberedMatches(numbering, [(langs(b), b, np.array(n, dtype=np.int64))
                                               for b, n in ordered], CODES)


def test_a_set_names_its_documents_with_the_union_of_their_groups_languages() -> None:
    numbering = docsets.Numbering(IDS)
    word = matches(numbering, (EN, [3, 1, 3, 2]), (EN | FR, [1, 5]))
    assert list(word.items()) == [("A/3", langs(EN)), ("A/1", langs(EN | FR)), ("A/2", langs(EN)),
                                  ("A/5", langs(EN | FR))]
    assert "A/5" in word and "A/4" not in word and word.get("A/4") is None and len(word) == 4


def test_coverage_counts_and_orders_as_counting_the_named_sets() -> None:
    numbering = docsets.Numbering(IDS)
    words = [matches(numbering, (EN, [3, 1, 3]), (FR, [7])),
             matches(numbering, (EN, [2, 1]), (EN | FR, [3])),
             matches(numbering, (AR, [5, 2]))]
    named = Counter(chain.from_iterable(dict(w.items()) for w in words))
    assert docsets.numbered(words)
    found, levels = docsets.coverage(words)
    assert list(found.items()) == list(named.items())
    assert levels.ids.tolist() == list(found) and levels.counts.tolist() == list(found.values())
    assert found == {"A/3": 2, "A/1": 2, "A/7": 1, "A/2": 2, "A/5": 1}
    # and through ranking: the same matched documents as from plain dicts
    plain = ranking.candidates([dict(w.items()) for w in words], ["should"] * 3, pinned=None)
    assert list(ranking.candidates(words, ["should"] * 3, pinned=None).matched.items()) \
        == list(plain.matched.items())


def test_languages_count_each_document_once_per_language_of_any_word() -> None:
    numbering = docsets.Numbering(IDS)
    words = [matches(numbering, (EN, [3, 1]), (EN | FR, [1])), matches(numbering, (AR, [3, 5]))]
    assert docsets.languages(words) == {"en": 2, "fr": 1, "ar": 2}
    found = ranking.candidates(words, ["should", "should"], pinned=None)
    plain = ranking.candidates([dict(w.items()) for w in words], ["should", "should"], pinned=None)
    plain.universe = 0  # (forces the per-document count)
    assert found.languages() == plain.languages() == {"en": 2, "fr": 1, "ar": 2}


def test_numbers_no_document_has_are_told_and_left_out() -> None:
    numbering = docsets.Numbering(IDS)
    assert not numbering.missing(np.array([0, 1, 7]))  # 0: the marker row, never a document
    assert numbering.missing(np.array([1, 6])) and numbering.missing(np.array([9]))
    assert numbering.only_known(np.array([0, 1, 6, 7, 9])).tolist() == [1, 7]


def test_sets_of_two_numberings_are_not_counted_together() -> None:
    one, other = docsets.Numbering(IDS), docsets.Numbering(IDS)
    assert not docsets.numbered([matches(one, (EN, [1])), matches(other, (EN, [2]))])
    assert not docsets.numbered([matches(one, (EN, [1])), {"A/2": langs(EN)}])


def test_values_are_counted_over_the_union_as_over_its_named_documents() -> None:
    numbering = docsets.Numbering(IDS)
    words = [matches(numbering, (EN, [3, 1, 3]), (FR, [7])), matches(numbering, (AR, [5, 1]))]
    of = {"A/1": 0, "A/3": 2, "A/5": 2, "A/2": 1}  # A/7: no value (no catalog record)
    union, _ = docsets.coverage(words)
    assert docsets.count_values(words, of) == Counter(map(of.get, union)) == {2: 2, 0: 1, None: 1}
    assert docsets.count_values(words, {"A/1": 1}) == {1: 1, None: 3}  # another mapping: remade


def test_tiers_from_the_arrays_are_the_tiers_from_the_dict() -> None:
    numbering = docsets.Numbering(IDS)
    words = [matches(numbering, (EN, [3, 1, 7])), matches(numbering, (EN, [2, 1, 3])),
             matches(numbering, (AR, [5, 3]))]
    found = ranking.candidates(words, ["should"] * 3, pinned=None)
    arrays = found.level_arrays()
    assert arrays is not None
    docs = list(found.matched)
    for pinned in (None, "A/1", "A/5"):
        levels = dict(found.matched, **({pinned: 3} if pinned else {}))  # a pinned document counts all
        expected = list(ranking.tiers(docs, levels, pinned))
        assert list(ranking.tiers(docs, levels, pinned, arrays=arrays)) == expected
    assert expected == [["A/5"], ["A/3"], ["A/1"], ["A/7", "A/2"]]
    found.discard(["A/7"])  # the arrays no longer say the same
    assert found.level_arrays() is None
