"""Ranking on hand-made inputs: coverage tiers and words found together on one page."""

from __future__ import annotations

from migdocs.search import ranking
from migdocs.search.backend import EntryKey, ScoredEntry, words_together


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
    found = ranking.Found([], {"scattered": 4, "own": 3, "close": 4}, together={"scattered": 2, "close": 4})
    tiers = ranking.tiers(list(found.matched), found.levels(), pinned=None)
    assert list(tiers) == [["close"], ["own"], ["scattered"]]


def test_each_tier_keeps_the_order_of_the_documents_given() -> None:
    levels = {"a": 2, "b": 1, "c": 2, "d": 1}
    assert list(ranking.tiers(["a", "b", "c", "d"], levels, None)) == [["a", "c"], ["b", "d"]]
    assert list(ranking.tiers(["d", "c", "b", "a"], levels, None)) == [["c", "a"], ["d", "b"]]
    assert list(ranking.tiers(["d", "a"], levels, None)) == [["a"], ["d"]]  # (one date's)


def test_the_pinned_document_comes_first_whatever_its_coverage() -> None:
    assert list(ranking.tiers(["a", "b"], {"a": 2, "b": 1}, pinned="b")) == [["b"], ["a"]]
    assert list(ranking.tiers(["a", "b"], {"a": 1, "b": 1}, pinned="b")) == [["b"], ["a"]]
    # a pinned document outside the group (another date) is no tier of it
    assert list(ranking.tiers(["a", "c"], {"a": 1, "b": 1, "c": 2}, pinned="b")) == [["c"], ["a"]]


EN, FR, AR = frozenset({"en"}), frozenset({"fr"}), frozenset({"ar"})


def test_candidates_count_words_keep_first_match_order_and_drop_missing_required_words() -> None:
    per_word = [{"b": EN, "a": FR}, {"c": EN, "a": EN}, {"a": AR, "d": FR}]
    found = ranking.candidates(per_word, ["should", "should", "should"], pinned=None)
    assert list(found.matched.items()) == [("b", 1), ("a", 3), ("c", 1), ("d", 1)]
    assert found.universe == 4
    required = ranking.candidates(per_word, ["should", "must", "should"], pinned="d")
    assert list(required.matched.items()) == [("a", 3), ("c", 1), ("d", 3)]  # d pinned: kept, all words
    assert required.universe == 4
    uncounted = ranking.candidates(per_word[:1], ["must"], pinned=None, count_words=False)
    assert uncounted.matched == {"b": 0, "a": 0}


def test_languages_are_the_union_of_each_documents_matching_versions() -> None:
    per_word = [{"a": EN, "b": EN | FR}, {"a": FR, "c": AR}]
    found = ranking.candidates(per_word, ["should", "should"], pinned=None)
    found.add("z", EN | AR, 2)  # matched by its id
    found.discard(["c"])
    assert found.languages() == {"en": 3, "fr": 2, "ar": 1}
    one_word = ranking.candidates([{"a": EN, "b": EN | FR, "c": AR}], ["should"], pinned=None)
    assert one_word.languages() == {"en": 2, "fr": 1, "ar": 1}
    one_word.discard(["b"])
    assert one_word.languages() == {"en": 1, "ar": 1}
    whole = ranking.candidates([{"a": EN, "b": EN | FR, "c": AR}, {"a": FR, "d": EN}],
                               ["should", "should"], pinned=None)  # nothing dropped
    assert whole.languages() == {"en": 3, "fr": 2, "ar": 1}
    required = ranking.candidates([{"a": EN, "b": EN | FR, "c": AR}, {"a": FR, "d": EN}],
                                  ["must", "should"], pinned=None)  # d dropped
    assert required.languages() == {"en": 2, "fr": 2, "ar": 1}


def test_facets_count_each_document_once_per_value_from_the_facet_index() -> None:
    facts: dict[str, ranking.Facts] = {
        "a": ("A/1", ["16cm", "16CM", "15cm"], "UNHCR", "report", "2018", "2018-02-01"),
        "b": ("A/2", ["16CM"], "UNHCR", "report", "2018", "2018-03-01"),
        "c": (None, [], None, "", None, None),
        "d": ("A/3", ["9CM"], "IOM", "note", "2009", "2009-01-01"),  # not found
    }
    index = ranking.facet_index(facts)
    assert index.of["a"] != index.of["b"] and len(index.values) == 4
    found = ranking.Found([{"a": EN, "b": FR, "c": EN, "x": AR}], {"a": 1, "b": 1, "c": 1, "x": 1})
    assert ranking.facets(found, index) == {  # x: no catalog record, only its language counts
        "language": {"en": 2, "ar": 1, "fr": 1},
        "session": {"16CM": 2, "15CM": 1},
        "entity": {"UNHCR": 2},
        "type": {"report": 2},
        "year": {"2018": 2},
    }


def test_found_makes_one_candidate_per_document_and_keeps_its_scores() -> None:
    found = ranking.Found([{"a": EN}], {"a": 2})
    found.candidate("a").score = 1.5
    assert found.candidate("a").score == 1.5 and found.candidate("a").matched == 2


def test_a_tier_counts_as_scored_only_when_every_document_is() -> None:
    found = ranking.Found([{"a": EN, "b": EN}], {"a": 1, "b": 1})
    assert found.scored_already(["a", "b"]) is None  # never scored
    found.candidate("a").entries = [ScoredEntry("a", "page", ("en",), 1, None, 2.0)]
    assert found.scored_already(["a", "b"]) is None
    assert [c.doc_id for c in found.scored_already(["a"]) or []] == ["a"]
    found.candidate("b").entries = [ScoredEntry("b", "meta", ("en",), 0, None, 1.0)]
    assert [c.doc_id for c in found.scored_already(["b", "a"]) or []] == ["b", "a"]
