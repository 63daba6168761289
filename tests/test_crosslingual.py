"""Cross-lingual search: a query in one language finds a document held in another only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import migdocs
from tests.conftest import run
from tests.test_lexicon import FRENCH_ONLY, TEACHERS, write_catalog

#: Held in French only; its text says `mesures d'austérité`.
TARGET = "E/CN.6/2015/NGO/271"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve documents in ar/en/es/fr (three about austerity) teach the lexicon; three
    documents are held in French only."""
    tmp = tmp_path_factory.mktemp("crosslingual")
    documents = {name: ("AR", "EN", "ES", "FR") for name in TEACHERS}
    documents.update({name: ("FR",) for name in FRENCH_ONLY})
    home = tmp / "home"
    assert run(home, "ingest", str(write_catalog(tmp / "docs", documents))).exit_code == 0
    assert run(home, "lexicon", "build", "--no-dictionaries").exit_code == 0
    return home


@pytest.mark.parametrize("query", ["التقشف", "austeridad", "austerity"])
def test_a_french_only_document_is_found_from_arabic_spanish_and_english(home: Path, query: str) -> None:
    data = json.loads(run(home, "search", query, "--json").stdout)
    hits = {h["symbol"]: h for h in data["hits"]}
    assert TARGET in hits
    target = hits[TARGET]
    assert target["languages"] == ["fr"]
    french = [s for s in target["snippets"] if s["language"] == "fr"]
    highlighted = {french[0]["text"][a:b] for a, b in french[0]["highlights"]}
    assert "d'austérité" in highlighted or "austérité" in highlighted
    if query != "austerity":  # English `austerity` and French `austérité` share a stem
        assert target["matched_via"] == [{"word": query, "language": "fr", "words": ["austérité"]}]


def test_cli_says_what_matched_through_a_translation(home: Path) -> None:
    result = run(home, "search", "التقشف")
    assert result.exit_code == 0, result.output
    assert "matched in French: austérité (for التقشف)" in result.stdout


def test_no_translate_searches_the_words_as_typed(home: Path) -> None:
    translated = json.loads(run(home, "search", "التقشف", "--json").stdout)
    plain = json.loads(run(home, "search", "التقشف", "--no-translate", "--json").stdout)
    assert TARGET in [h["symbol"] for h in translated["hits"]]
    assert TARGET not in [h["symbol"] for h in plain["hits"]]
    assert plain["hits"] and all(h["matched_via"] == [] for h in plain["hits"])
    with migdocs.open(home) as repo:
        assert TARGET not in [h.symbol for h in repo.search("austeridad", translate=False).hits]
        assert TARGET in [h.symbol for h in repo.search("austeridad").hits]


def test_required_word_counts_its_translations_and_phrases_stay_as_typed(home: Path) -> None:
    with migdocs.open(home) as repo:
        assert TARGET in [h.symbol for h in repo.search("+austeridad veuves").hits]
        assert TARGET not in [h.symbol for h in repo.search('"medidas de austeridad"').hits]


def test_without_a_lexicon_search_is_untranslated(tmp_path: Path) -> None:
    home = tmp_path / "home"
    docs = write_catalog(tmp_path / "docs", {"E_CN.6_2015_NGO_271": ("FR",)})
    assert run(home, "ingest", str(docs)).exit_code == 0
    result = run(home, "search", "austeridad")
    assert result.exit_code == 1
    assert "No documents match" in result.stdout


def test_the_query_language_is_decided_by_script_then_by_the_lexicon(home: Path) -> None:
    from migdocs.search.translate import query_languages

    with migdocs.open(home) as repo:
        lexicon = repo.lexicon
        assert query_languages(lexicon, ["التقشف"]) == ("ar",)
        assert "ar" not in query_languages(lexicon, ["austeridad"])
        assert query_languages(lexicon, ["austeridad"]) == ("es",)
        assert query_languages(lexicon, ["zzqx"]) == ("en", "fr", "es")  # unseen: any Latin one


def test_a_document_held_in_the_query_language_is_ranked_on_its_own_words(home: Path) -> None:
    with migdocs.open(home) as repo:
        translated = {h.symbol: h for h in repo.search("austeridad", limit=50).hits}
        plain = {h.symbol: h for h in repo.search("austeridad", limit=50, translate=False).hits}
        assert TARGET in translated and translated[TARGET].matched_via
        spanish = [s for s, h in translated.items() if "es" in h.languages]
        assert spanish
        for symbol in spanish:  # its French, English, Arabic versions add nothing
            assert translated[symbol].matched_via == []
            assert translated[symbol].score == plain[symbol].score
        # Only French-only documents lack Spanish: translations go into French only.
        assert repo.engine.foreign_languages(("es",)) == frozenset({"fr"})



def test_an_arabic_name_finds_its_latin_spelling_in_a_french_only_document(home: Path) -> None:
    # `Melkonian` is only in A/69/796 (French only): no lexicon or dictionary knows it.
    with migdocs.open(home) as repo:
        hits = {h.symbol: h for h in repo.search("ميلكونيان").hits}
        assert "A/69/796" in hits
        assert [(m.language, m.words) for m in hits["A/69/796"].matched_via] == [
            ("fr", ["Melkonian"])]
        assert "A/69/796" not in [h.symbol for h in repo.search("ميلكونيان", translate=False).hits]


@pytest.mark.parametrize(("arabic", "latin"), [
    ("أنغيلا", "anguilla"), ("المنامة", "manama"), ("نورماندي", "normandi"),
    ("اليونيسيف", "unicef"), ("كاراباخ", "karabakh"), ("بنما", "panama")])
def test_names_in_both_scripts_share_their_consonants(arabic: str, latin: str) -> None:
    from migdocs.search.transliterate import arabic_skeleton, latin_skeleton

    assert arabic_skeleton(arabic) == latin_skeleton(latin)


def test_two_consonants_are_too_few_to_match_a_name(home: Path) -> None:
    from migdocs.search.transliterate import latin_names

    with migdocs.open(home) as repo:
        assert latin_names(repo.backend.reader(), "هايتي", "text_fr") == []  # HT: hait, heat, ...


def test_translated_words_count_together_only_on_one_page(home: Path, tmp_path: Path) -> None:
    """Two English-only papers reach the Spanish `mujer salud` through translation: one
    has both words on one page, the other one word per page (and the better page score).
    The first ranks above: words found through translation count where one page has
    them together."""
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    filler = "The committee reviewed the report of the secretariat on the programme. " * 12
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "scattered.txt").write_text(
        f"Women and women: women everywhere. {filler}\f Health, health and health. {filler}",
        encoding="utf-8")
    (docs / "together.txt").write_text(f"{filler} Women. {filler} Health. {filler}",
                                       encoding="utf-8")
    (docs / "catalog.toml").write_text(
        '[defaults]\ntype = "background"\n\n'
        '[[document]]\nsymbol = "X/1"\nfiles = { EN = "scattered.txt" }\n\n'
        '[[document]]\nsymbol = "X/2"\nfiles = { EN = "together.txt" }\n', encoding="utf-8")
    assert run(copy, "ingest", str(docs)).exit_code == 0
    with migdocs.open(copy) as repo:
        hits = [h for h in repo.search("mujer salud", limit=50).hits if h.symbol in ("X/1", "X/2")]
        plain = {h.symbol: h for h in repo.search("women health", limit=50).hits}
    assert [h.symbol for h in hits] == ["X/2", "X/1"]
    assert all(h.matched == 2 and h.matched_via for h in hits)
    # Ranked on scores alone (as an English query ranks them), the scattered one wins.
    assert plain["X/1"].score > plain["X/2"].score


def test_did_you_mean_counts_a_correction_found_only_through_translation(home: Path) -> None:
    """`austerty` in French documents: `austerity` is in no French text as typed, only
    through its translation `austérité`, so only a translated search suggests it."""
    with migdocs.open(home) as repo:
        assert repo.search("austerity", lang="fr", translate=False).total == 0
        assert repo.search("austerity", lang="fr").total >= 1
        assert repo.search("austerty", lang="fr").suggestion == "austerity"
        assert repo.search("austerty", lang="fr", translate=False).suggestion is None
