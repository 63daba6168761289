"""The search layer on the real bundled corpus: API, query language, symbol lookup, grouping,
snippets with page numbers, highlights, facets, sorting, paging, did-you-mean, similar."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import migdocs
from migdocs.errors import UsageError
from migdocs.search.compile import MAX_EXPANSIONS, analyze
from tests.conftest import CORPUS, HARD, run

PAPERS = [f"UN/POP/MIG-16CM/2018/{n}" for n in range(1, 18)]


@pytest.fixture(scope="module")
def repo(corpus_home: Path):
    with migdocs.open(corpus_home) as repository:
        yield repository


def symbols_of(result) -> list[str]:
    return [h.symbol or h.id for h in result.hits]


# -- one query, four languages ----------------------------------------------------------------
@pytest.mark.parametrize("query, language", [
    ("migrant workers", "en"),
    ("travailleurs migrants", "fr"),
    ("trabajadores migrantes", "es"),
    ("العمال المهاجرين", "ar"),
])
def test_each_language_finds_the_document_in_its_language(repo, query: str, language: str) -> None:
    result = repo.search(query)
    top = result.hits[0]
    assert top.symbol == "A/CONF.222/11"
    assert top.languages == ["ar", "en", "es", "fr"]
    assert top.snippets[0].language == language
    assert top.snippets[0].page == 1
    assert top.matched == 2 == result.words


def test_inflections_match(repo) -> None:
    singular = repo.search("travailleur migrant", lang="fr")
    assert symbols_of(singular)[0] == "A/CONF.222/11"


def test_french_and_spanish_ignore_accents(repo) -> None:
    with_accents = repo.search("développement durable", limit=20)
    without = repo.search("developpement durable", limit=20)
    assert with_accents.total == without.total > 100
    assert symbols_of(with_accents) == symbols_of(without)
    snippet = without.hits[0].snippets[0]
    assert [snippet.text[s:e] for s, e in snippet.highlights][:2] == ["développement", "durable"]


def test_arabic_query_with_diacritics_finds_undiacritised_text(repo) -> None:
    plain = repo.search("المهاجرين", lang="ar")
    marked = repo.search("المُهَاجِرِينَ", lang="ar")  # damma, fatha, kasra, fatha
    assert marked.total == plain.total > 0
    assert symbols_of(marked) == symbols_of(plain)
    assert symbols_of(repo.search("lang:ar المُهَاجِرِينَ")) == symbols_of(plain)
    snippet = marked.hits[0].snippets[0]
    assert snippet.language == "ar"
    highlighted = [snippet.text[s:e] for s, e in snippet.highlights]
    assert "المهاجرين" in highlighted  # the text has no diacritics; the word is marked whole


def test_arabic_with_or_without_article_and_conjunction(repo) -> None:
    # Same documents; the form as typed ranks a little higher (the unstemmed field).
    bare = repo.search("جماعات مسلحة", lang="ar", limit=1000)
    with_article = repo.search("الجماعات المسلحة", lang="ar", limit=1000)
    assert bare.total == with_article.total > 10
    assert set(symbols_of(bare)) == set(symbols_of(with_article))
    found = repo.search("والمهاجرين", lang="ar")
    assert "A/CONF.222/11" in symbols_of(found)


def test_lang_restricts_to_that_version(repo) -> None:
    result = repo.search("migrantes", lang="SP", limit=50)
    assert result.total == result.facets["language"]["es"] > 0
    assert {s.language for h in result.hits for s in h.snippets} == {"es"}


# -- best match and operators -----------------------------------------------------------------
def test_best_match_ranks_documents_with_all_words_first(repo) -> None:
    # A/69/767 says "Azerbaijan", never "azerbaijani": it is still found, below the documents
    # that contain every word.
    result = repo.search("azerbaijani armed forces ceasefire violations", limit=50)
    matched = [h.matched for h in result.hits]
    assert matched == sorted(matched, reverse=True)
    assert matched[0] == result.words == 5
    letter = next(h for h in result.hits if h.symbol == "A/69/767")
    assert letter.matched < 5
    assert repo.search("azerbaijani", limit=1000).total < result.total


def test_required_and_excluded_words_are_decided_per_document(repo) -> None:
    both = repo.search("+migrant +smuggling", limit=100)
    assert both.total > 0 and all(h.matched == 2 for h in both.hits)
    without = repo.search("migrant -smuggling", limit=100)
    assert not set(symbols_of(both)) & set(symbols_of(without))
    assert repo.search("migrant NOT smuggling").total == without.total
    assert repo.search("migrant AND smuggling").total == both.total


def test_or_finds_either(repo) -> None:
    either = repo.search("Tawergha OR Anguilla")
    assert {"S/2015/128", "A/AC.109/2015/14"} <= set(symbols_of(either))
    assert either.total == repo.search("Tawergha").total + repo.search("Anguilla").total


def test_phrase_matches_adjacent_words_only(repo) -> None:
    phrase = repo.search('"armed forces"', lang="en", limit=100)
    words = repo.search("+armed +forces", lang="en", limit=100)
    assert 0 < phrase.total < words.total
    assert set(symbols_of(phrase)) <= set(symbols_of(words))


def test_parentheses_group(repo) -> None:
    result = repo.search("+(Tawergha OR Anguilla) +satellite")
    assert symbols_of(result) == ["S/2015/128"]


def test_trailing_wildcard_and_fuzzy(repo) -> None:
    assert "S/2015/128" in symbols_of(repo.search("Taw*"))
    fuzzy = repo.search("Tawerga~")
    assert symbols_of(fuzzy)[0] == "S/2015/128"
    assert repo.search("Tawerga").total == 0


def test_wildcard_expansion_is_capped_and_said(repo) -> None:
    result = repo.search("a*")
    assert result.total > 0
    assert len(result.notices) == 1
    assert result.notices[0].startswith("a* matches ")
    assert result.notices[0].endswith(f" words; searched the {MAX_EXPANSIONS} most frequent. "
                                      "Type more letters to narrow it.")


@pytest.mark.parametrize("query, notice", [
    ('"migrant workers', 'Ignored a \'"\' without its closing \'"\'; searched the words.'),
    ("(migrant workers", "Closed a '(' that had no matching ')'."),
    ("migrant workers)", "Ignored a ')' without a matching '('."),
    ("AND migrant workers", "Ignored AND with nothing before it."),
    ("migrant workers OR", "Ignored OR with nothing after it."),
    ("migrant workers NOT", "Ignored a NOT with nothing after it."),
    ("migrant workers lang:", "Ignored 'lang:' with no value after it."),
    ("migrant workers lang:xx", "Ignored lang:xx: use ar, en, fr or es."),
    ("migrant workers type:memo", "Ignored type:memo: use one of paper, background, presentation, meeting."),
    ("*migrant workers", "A wildcard can only end a word; searched 'migrant' for '*migrant'."),
])
def test_bad_syntax_still_searches_the_words_with_a_notice(repo, query: str, notice: str) -> None:
    result = repo.search(query)
    assert result.notices == [notice]
    assert symbols_of(result)[0] == "A/CONF.222/11"


def test_fields_in_the_query_mean_the_same_as_options(repo) -> None:
    assert symbols_of(repo.search("migrants lang:fr year:2015", limit=50)) == \
        symbols_of(repo.search("migrants", lang="fr", year=2015, limit=50))
    by_option = repo.search("", session="V", entity="UNCDF", type="background", meeting="16cm")
    by_query = repo.search("session:v entity:uncdf type:background meeting:16CM")
    assert symbols_of(by_query) == symbols_of(by_option) == ["16cm-contribution-on-remittances-from-the"]


# -- symbols ----------------------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["A/69/767", "a/69/767", "A / 69 / 767", "A69/767",
                                      "A_69_767-EN.pdf", "a_69_767_F"])
def test_a_symbol_in_any_spelling_puts_its_document_first(repo, spelling: str) -> None:
    assert symbols_of(repo.search(spelling))[0] == "A/69/767"
    assert repo.get(spelling).symbol == "A/69/767"


def test_en_dash_in_a_symbol(repo) -> None:
    assert symbols_of(repo.search("UN/POP/MIG\u201316CM/2018/5"))[0] == "UN/POP/MIG-16CM/2018/5"


def test_a_symbol_that_does_not_exist_finds_nothing(repo, corpus_home: Path) -> None:
    assert repo.search("A/69/9999").total == 0
    assert repo.search("symbol:A/69/9999").total == 0
    assert repo.resolve("A/69/9999") is None
    result = run(corpus_home, "get", "A/69/9999")
    assert result.exit_code == 1
    assert result.output == (f"Error: no document 'A/69/9999' in {corpus_home}; "
                             "`migdocs list` shows what is there\n")


def test_a_symbol_query_never_returns_neighbours(repo) -> None:
    # E/2015/1 is not in the corpus; E/2015/1/Add.1, S/PRST/2015/1 and A/AC.284/2015/1 are.
    assert repo.search("E/2015/1").total == 0
    assert symbols_of(repo.search("S/RES/2208 (2015)")) == ["S/RES/2208 (2015)"]
    assert symbols_of(repo.search("s/res/2208(2015)")) == ["S/RES/2208 (2015)"]
    assert symbols_of(repo.search("A/81/6 (Sect. 9)")) == ["A/81/6 (Sect. 9)"]


def test_a_symbol_query_lists_the_documents_that_cite_it(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(HARD / "mixed-language.pdf", folder / "mixed-language.pdf")  # A/69/720
    (folder / "citing.txt").write_text("Letter on the report\nAs the report A / 69 / 720 shows, "
                                       "more is needed.\n", encoding="utf-8")
    (folder / "neighbour.txt").write_text("Another letter\nSee A/69/720/Add.1 and A/69/7200.\n",
                                          encoding="utf-8")
    with migdocs.open(tmp_path / "home") as repository:
        repository.ingest([folder])
        assert symbols_of(repository.search("a69/720")) == ["A/69/720", "letter-on-the-report"]
        assert symbols_of(repository.search("A/69/7201")) == []


def test_symbol_pattern_lists_the_papers_in_natural_order(repo, corpus_home: Path) -> None:
    result = repo.search("symbol:UN/POP/MIG-16CM/2018/*", limit=50)
    assert symbols_of(result) == PAPERS
    listed = run(corpus_home, "list", "--symbol", "UN/POP/MIG-16CM/2018/*", "--csv")
    assert listed.exit_code == 0
    assert [r["symbol"] for r in csv.DictReader(io.StringIO(listed.output))] == PAPERS
    assert symbols_of(repo.search("", symbol="a/res/69/*", limit=50)) == [
        d.symbol for d in repo.list(symbol="A/RES/69/*")]


def test_get_lists_parts_with_their_parent(corpus_home: Path) -> None:
    result = run(corpus_home, "get", "HSP/GC/25/2/Add.3")
    assert result.exit_code == 0
    assert result.output.endswith("Related:\n  HSP/GC/25/2  parent\n  HSP/GC/25/2/Add.2  addendum\n"
                                  "  HSP/GC/25/2/Add.6  addendum\n")
    parent = json.loads(run(corpus_home, "get", "A/CONF.224/1", "--json").output)
    assert parent["related"] == [{"symbol": "A/CONF.224/1/Rev.1", "relation": "revision", "title": None}]


# -- results ----------------------------------------------------------------------------------
def test_results_are_grouped_by_document(repo) -> None:
    result = repo.search("migrants", limit=100)
    assert len(symbols_of(result)) == len(set(symbols_of(result)))
    assert result.total == sum(1 for _ in symbols_of(repo.search("migrants", limit=1000)))


def test_metadata_only_records_are_found_by_title_entity_and_session(repo) -> None:
    by_title = repo.search("remittances")
    assert symbols_of(by_title) == ["16cm-contribution-on-remittances-from-the"]
    assert by_title.hits[0].snippets == [] and by_title.hits[0].languages == []
    assert "UN/POP/MIG-16CM/2018/5" in symbols_of(repo.search("International Organization for Migration"))
    assert symbols_of(repo.search("IOM type:paper")) == ["UN/POP/MIG-16CM/2018/5"]


def test_snippet_reports_the_page_of_a_phrase_on_page_120(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copy(HARD / "many-pages.pdf", tmp_path / "many-pages.pdf")
    assert run(home, "ingest", str(tmp_path / "many-pages.pdf")).exit_code == 0
    pages = {int(r["page"]): r["first_sentence"] for r in csv.DictReader(
        (HARD / "many-pages.pages.tsv").open(encoding="utf-8"), delimiter="\t")}
    with migdocs.open(home) as repository:
        for page in (120, 2, 300):
            phrase = " ".join(pages[page].split()[:8])
            result = repository.search(f'"{phrase}"')
            assert result.total == 1
            assert result.hits[0].snippets[0].page == page, phrase


def test_highlights_mark_whole_words_in_the_snippet(repo) -> None:
    result = repo.search("kidnapping hostages")
    snippet = result.hits[0].snippets[0]
    marked = [snippet.text[s:e] for s, e in snippet.highlights]
    assert marked and {m.lower() for m in marked} <= {"kidnapping", "hostage", "hostages", "kidnappings"}
    for s, e in snippet.highlights:  # word boundaries on both sides
        assert (s == 0 or not snippet.text[s - 1].isalnum()) and (e == len(snippet.text)
                                                                  or not snippet.text[e].isalnum())


def test_facets_count_documents_before_pagination(repo) -> None:
    result = repo.search("migrants", limit=1)
    assert len(result.hits) == 1
    assert sum(result.facets["type"].values()) == result.total
    for language, count in result.facets["language"].items():
        assert repo.search("migrants", lang=language).total == count
    for year, count in result.facets["year"].items():
        assert repo.search("migrants", year=year).total == count


def test_sort_by_symbol_and_date_and_paging(repo) -> None:
    by_symbol = repo.search("migration", sort="symbol", limit=1000)
    from migdocs.repo.symbols import natural_key
    assert symbols_of(by_symbol) == sorted(symbols_of(by_symbol), key=lambda s: natural_key(s)
                                           if "/" in s else natural_key("~" + s))
    for page in (1, 2, 3):  # only the documents up to a page are put in order
        assert symbols_of(repo.search("migration", sort="symbol", limit=4, page=page)) == \
            symbols_of(by_symbol)[4 * (page - 1):4 * page]
    by_date = repo.search("migration", sort="date", limit=1000)
    dates = [h.date or "" for h in by_date.hits if h.date]
    assert dates == sorted(dates, reverse=True)
    first, second = repo.search("migration", limit=5), repo.search("migration", limit=5, page=2)
    assert symbols_of(first) + symbols_of(second) == symbols_of(repo.search("migration", limit=10))
    with pytest.raises(UsageError):
        repo.search("migration", limit=0)
    with pytest.raises(UsageError):
        repo.search("migration", sort="popularity")  # type: ignore[arg-type]


def test_did_you_mean(repo) -> None:
    result = repo.search("migrent wokers")
    assert result.total == 0
    assert result.suggestion == "migrant workers"
    assert repo.search("remitances").suggestion == "remittances"
    assert repo.search("migrant workers").suggestion is None
    assert repo.search("Nagorno Karabak").suggestion == "Nagorno Karabakh"
    assert repo.search("travailleures migrans").suggestion == "travailleurs migrants"
    assert repo.search("الاجئين").suggestion == "اللاجئين"


def test_similar_finds_related_documents_not_itself(repo) -> None:
    result = repo.similar("A/69/767", limit=5)
    assert "A/69/767" not in symbols_of(result)
    assert symbols_of(result)[0] == "A/69/755"  # Armenia on Nagorno Karabakh, answering it
    assert symbols_of(repo.similar("a/conf.222/11", limit=2)) == ["A/CONF.222/6", "A/CONF.222/1"]


def test_searcher_is_reused_and_reopened_after_a_change(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with migdocs.open(home) as repository:
        assert repository.search("Tawergha").total == 0  # an empty repository
        repository.ingest([HARD / "mixed-language.pdf"])  # its text names it A/69/720
        assert symbols_of(repository.search("A/69/720")) == ["A/69/720"]
        reader = repository.backend.reader()
        repository.search("anything")
        assert repository.backend.reader() is reader
        repository.ingest([HARD / "many-pages.pdf"])
        assert repository.backend.reader() is not reader
        assert symbols_of(repository.search("many-pages")) == ["other-matters"]  # its file


def test_a_repository_kept_open_sees_an_index_rebuilt_by_another(tmp_path: Path) -> None:
    # A rebuilt index starts its generations again: the open one must notice the swap.
    home = tmp_path / "home"
    text = CORPUS / "unpc" / "text"
    with migdocs.open(home) as server:
        server.ingest([text / "A_69_767-EN.txt"])
        assert symbols_of(server.search("A/69/767")) == ["A/69/767"]
        with migdocs.open(home) as other:
            other.ingest([text / "A_68_908-EN.txt"])
            other.reindex()
        assert symbols_of(server.search("A/68/908")) == ["A/68/908"]
        assert server.search("A/69/767").total == 1


# -- hostile input ----------------------------------------------------------------------------
_PIECES = st.sampled_from(['"', "(", ")", "*", "?", "~", "~9", ":", "+", "-", "/", "_", " ", " AND ",
                           " OR ", " NOT ", "lang:", "symbol:", "session:", "year:", "type:", "&&",
                           "||", "!", "migrant", "المهاجرين", "é", "\u0651", "\u200f", "\\", "A/",
                           "69", "Ø", "\x00", "\t", "'", "a", "ş"])


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.one_of(st.lists(_PIECES, max_size=12).map("".join), st.text(max_size=40)))
def test_random_queries_never_raise(repo, query: str) -> None:
    result = repo.search(query, limit=3)
    assert result.total >= len(result.hits)
    for hit in result.hits:
        for snippet in hit.snippets:
            assert all(0 <= s < e <= len(snippet.text) for s, e in snippet.highlights)


# -- the command line -------------------------------------------------------------------------
def test_search_human_output(corpus_home: Path) -> None:
    result = run(corpus_home, "search", "remittances")
    assert result.exit_code == 0
    assert result.output == (
        "1 document matches 'remittances' (1-1, by relevance)\n"
        "\n"
        "1. 16cm-contribution-on-remittances-from-the  [no file]  background, UNCDF, sessions V, VI, 2018\n"
        "   Contribution on remittances from the United Nations Capital Development Fund (UNCDF)\n"
    )


def test_search_marks_matches_in_bold_on_a_terminal(corpus_home: Path) -> None:
    result = run(corpus_home, "search", "Tawergha", "--limit", "1", color=True)
    assert "\x1b[1mTawergha\x1b[0m" in result.output


def test_search_json_shape(corpus_home: Path) -> None:
    result = run(corpus_home, "search", "Tawergha satellite", "--json", "--limit", "2")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == ["query", "total", "page", "limit", "sort", "hits", "facets", "suggestion",
                          "notices"]
    hit = data["hits"][0]
    assert list(hit) == ["symbol", "id", "title", "entity", "type", "sessions", "languages", "date",
                         "score", "snippets", "matched_via"]
    assert hit["symbol"] == "S/2015/128"
    assert hit["matched_via"] == []  # no lexicon in this home: nothing translated
    snippet = hit["snippets"][0]
    assert list(snippet) == ["language", "page", "text", "highlights"]
    assert snippet["page"] == 1
    assert {snippet["text"][s:e] for s, e in snippet["highlights"]} >= {"Tawergha"}
    assert list(data["facets"]) == ["language", "session", "entity", "type", "year"]


def test_search_csv(corpus_home: Path) -> None:
    result = run(corpus_home, "search", "Tawergha", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == ["rank", "symbol", "title", "entity", "type", "sessions", "languages",
                             "date", "score", "page", "language", "snippet"]
    assert rows[0]["symbol"] == "S/2015/128" and rows[0]["page"] == "1"


def test_nothing_found_says_so_offers_a_correction_and_exits_1(corpus_home: Path) -> None:
    result = run(corpus_home, "search", "migrent wokers")
    assert result.exit_code == 1
    assert result.output == "No documents match 'migrent wokers'.\n\nDid you mean: migrant workers\n"


def test_facets_and_notices_in_human_output(corpus_home: Path) -> None:
    result = run(corpus_home, "search", "Tawergha OR", "--facets")
    assert result.exit_code == 0
    assert result.stderr == "Note: Ignored OR with nothing after it.\n"
    assert result.stdout.endswith("Facets:\n  language: en 1, es 1, fr 1\n  type: background 1\n"
                                  "  year: 2015 1\n")


def test_similar_command(corpus_home: Path) -> None:
    result = run(corpus_home, "similar", "A/69/767", "--limit", "1")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("Documents most like A/69/767 (1-1 of ")
    assert result.output.splitlines()[2].startswith("1. A/69/755  [ar en es fr]  background, 2015")


def test_query_analysis_is_the_index_analysis() -> None:
    assert analyze("Développement", "fr") == analyze("developpement", "fr")
    assert analyze("الجماعات", "ar") == analyze("جماعات", "ar") == analyze("للجماعات", "ar")


def test_search_without_words_lists_by_filters_and_words_need_no_quotes(corpus_home: Path) -> None:
    result = run(corpus_home, "search", "--session", "V", "--type", "presentation")
    assert result.exit_code == 0
    assert result.output == (
        "1 document matches the filters (1-1, by symbol)\n"
        "\n"
        "1. 16cm-migration-related-sdg-targets-brief  [no file]  presentation, UN DESA, session V, "
        "2018-02-16\n"
        "   Migration-related SDG targets: Brief updates on indicators (presentation by the "
        "moderator, Bela Hovy)\n"
    )
    unquoted = run(corpus_home, "search", "migrant", "workers", "--json")
    assert json.loads(unquoted.output)["query"] == "migrant workers"
