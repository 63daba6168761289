"""The text shapes (migdocs/render.py) on hand-made values: no home, no index."""

from __future__ import annotations

from migdocs.render import render, search_rows, search_text
from migdocs.search.results import Hit, MatchedVia, SearchResult, Snippet


def result(total: int = 12) -> SearchResult:
    hit = Hit("A/69/767", "A/69/767", "Migrant workers", "ILO", "paper", ["V"], ["en", "fr"],
              "2015", 3.5, 2, [Snippet("en", 4, "sent by migrant workers", [(8, 15)])],
              [MatchedVia("remittances", "fr", ["envois de fonds"])])
    return SearchResult("migrant remittances", total, 1, 10, "relevance", [hit],
                        {"type": {"paper": 1}, "entity": {}})


def test_table_csv_and_json_of_the_same_rows() -> None:
    rows = [{"symbol": "A/69/767", "languages": ["en", "fr"], "title": None},
            {"symbol": "S/RES/2240 (2015)", "languages": [], "title": "Libya, migrants"}]
    assert render(rows, "table", ["symbol", "languages", "title"]).splitlines() == [
        "SYMBOL             LANGUAGES  TITLE",
        "A/69/767           en fr",
        "S/RES/2240 (2015)             Libya, migrants"]
    assert render(rows, "csv", ["symbol", "title"]).splitlines() == [
        "symbol,title", "A/69/767,", 'S/RES/2240 (2015),"Libya, migrants"']
    assert render(rows, "json", ["symbol"]).startswith('[\n  {\n    "symbol": "A/69/767"')


def test_search_text_marks_highlights_pages_translations_and_facets() -> None:
    text = search_text(result(), show_facets=True, emphasise=lambda s: f"*{s}*")
    lines = text.splitlines()
    assert lines[0] == "12 documents match 'migrant remittances' (1-1, by relevance)"
    assert "   p. 4 (en): sent by *migrant* workers" in lines
    assert "   matched in French: envois de fonds (for remittances)" in lines
    assert "Page 1 of 2; --page 2 for more." in lines
    assert lines[-1] == "  type: paper 1"  # an empty facet is not printed
    assert search_text(result(0), show_facets=True).splitlines()[0] == \
        "No documents match 'migrant remittances'."


def test_search_rows_take_each_hit_best_snippet() -> None:
    [row] = search_rows(result())
    assert (row["rank"], row["page"], row["language"], row["snippet"]) == \
        (1, 4, "en", "sent by migrant workers")
