import re
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from migdocs.repo import symbols
from migdocs.repo.series import SERIES_BODIES
from tests.conftest import CORPUS


@pytest.mark.parametrize("written, canonical", [
    ("A/RES/71/1", "A/RES/71/1"),
    ("a/res/71/1", "A/RES/71/1"),
    ("a / res / 71 / 1", "A/RES/71/1"),
    ("E/CN.9/2018/2", "E/CN.9/2018/2"),
    ("a/69/767/add.1", "A/69/767/Add.1"),
    ("A/69/3/REV.1", "A/69/3/Rev.1"),
    ("a/69/176/corr.1", "A/69/176/Corr.1"),
    ("UN/POP/MIG-16CM/2018/5", "UN/POP/MIG-16CM/2018/5"),
    ("un/pop/mig\u201316cm/2018/5", "UN/POP/MIG-16CM/2018/5"),  # en dash
    ("S/RES/2196(2015)", "S/RES/2196 (2015)"),
    ("A/81/6(sect.9)", "A/81/6 (Sect. 9)"),
    ("A/CONF.224/PC(III)/L.1", "A/CONF.224/PC(III)/L.1"),
    ("CEDAW/C/URY/8-9", "CEDAW/C/URY/8-9"),
])
def test_canonical_form_keeps_un_casing(written: str, canonical: str) -> None:
    assert symbols.parse(written) == canonical
    assert symbols.key(written) == symbols.key(canonical)


@pytest.mark.parametrize("text", ["", "hello", "A/RES", "migration and development", "A/(B/1",
                                  "12", "/1/2"])
def test_non_symbols_are_refused(text: str) -> None:
    assert symbols.parse(text) is None


def test_catalog_casing_is_kept_as_written() -> None:
    assert symbols.parse("UNEP(DTIE)/Hg/INC.6/24", keep_case=True) == "UNEP(DTIE)/Hg/INC.6/24"
    assert symbols.key("unep(dtie)/hg/inc.6/24") == symbols.key("UNEP(DTIE)/Hg/INC.6/24")


@pytest.mark.parametrize("name, symbol, language", [
    ("A_RES_71_1-EN.pdf", "A/RES/71/1", "en"),
    ("A_AC.182_L.139-FR.pdf", "A/AC.182/L.139", "fr"),
    ("A_69_720-SP.pdf", "A/69/720", "es"),
    ("A_69_720_S.pdf", "A/69/720", "es"),
    ("A_69_720_A.pdf", "A/69/720", "ar"),
    ("a_69_720-ar.txt", "A/69/720", "ar"),
    ("UN_POP_MIG-16CM_2018_5-AR.pdf", "UN/POP/MIG-16CM/2018/5", "ar"),
    ("CEDAW_C_URY_8-9-EN.txt", "CEDAW/C/URY/8-9", "en"),
    ("A_81_6_SECT.9.pdf", "A/81/6 (Sect. 9)", None),
    ("S_RES_2196(2015)-FR.txt", "S/RES/2196 (2015)", "fr"),
    ("wrong-language-label-FR.pdf", None, "fr"),
    ("many-pages.pdf", None, None),
    ("G2516920.pdf", None, None),
    # not UN series bodies: a year, a word, an organisation that writes no UN symbols
    ("report_2017.pdf", None, None),
    ("IOM_contribution_16CM.pdf", None, None),
    ("2018_WFP_paper_AR.pdf", None, "ar"),
    ("A_contribution_2018.pdf", None, None),  # a word, not an element
    ("UNEP(DTIE)_Hg_INC.6_24-EN.pdf", "UNEP(DTIE)/HG/INC.6/24", "en"),
])
def test_file_names(name: str, symbol: str | None, language: str | None) -> None:
    assert symbols.from_filename(name) == (symbol, language)


def test_symbol_printed_on_first_line() -> None:
    assert symbols.find_in_text("A/69/713\n4. Further to these discussions") == "A/69/713"
    assert symbols.find_in_text("Sixty-ninth session\nA/69/1") is None
    assert symbols.find_in_text("Report/2017 of the WFP\n") is None
    assert symbols.find_in_text("2018/WFP/PAPER") is None


def test_only_symbols_of_un_series_are_found_but_catalogs_write_any() -> None:
    assert symbols.un_symbol("UN/POP/MIG-16CM/2018/5") == "UN/POP/MIG-16CM/2018/5"
    assert symbols.un_symbol("UN/REPORT/2017") is None  # UN alone is no series: UN/POP is
    assert symbols.un_symbol("CEDAW/C/URY/8-9") == "CEDAW/C/URY/8-9"
    assert symbols.un_symbol("S/Agenda/7373") == "S/AGENDA/7373"
    assert symbols.un_symbol("IOM/CONTRIBUTION/16CM") is None
    assert symbols.parse("IOM/2018/1", keep_case=True) == "IOM/2018/1"  # a catalog may


def test_natural_order() -> None:
    papers = [f"UN/POP/MIG-16CM/2018/{n}" for n in (10, 2, 17, 1, 9)]
    assert sorted(papers, key=symbols.natural_key) == [
        "UN/POP/MIG-16CM/2018/1", "UN/POP/MIG-16CM/2018/2", "UN/POP/MIG-16CM/2018/9",
        "UN/POP/MIG-16CM/2018/10", "UN/POP/MIG-16CM/2018/17"]
    assert symbols.natural_key("A/69/767") < symbols.natural_key("A/69/767/Add.1")


def test_every_corpus_symbol_parses_and_round_trips_through_its_file_name() -> None:
    catalog = tomllib.loads((CORPUS / "unpc" / "catalog.toml").read_text(encoding="utf-8"))
    assert len(catalog["document"]) == 732
    for doc in catalog["document"]:
        symbol = doc["symbol"]
        assert symbols.parse(symbol, keep_case=True) == symbol
        assert symbols.un_symbol(symbol) is not None, symbol
        for language, path in doc["files"].items():
            found_symbol, found_language = symbols.from_filename(path)
            assert symbols.key(found_symbol) == symbols.key(symbol), path
            assert found_language == language.lower()


_part = st.from_regex(re.compile(r"[A-Z][A-Z0-9]{0,4}|[0-9]{1,4}|(Add|Rev|Corr)\.[0-9]"), fullmatch=True)


@given(st.sampled_from(sorted(SERIES_BODIES)), st.lists(_part, min_size=1, max_size=5),
       st.integers(1, 999))
def test_parse_is_idempotent_and_tolerant(body: str, parts: list[str], number: int) -> None:
    symbol = "/".join([body, *parts, str(number)])
    canonical = symbols.parse(symbol)
    assert canonical is not None
    assert symbols.parse(canonical) == canonical
    messy = " / ".join(p.lower() for p in canonical.split("/"))
    assert symbols.parse(messy) == canonical
    assert symbols.key(messy) == symbols.key(canonical)
    stem = canonical.replace("/", "_")
    assert symbols.from_filename(f"{stem}-EN.pdf") == (canonical, "en")


@given(st.text(max_size=60))
def test_parse_never_raises(text: str) -> None:
    result = symbols.parse(text)
    assert result is None or symbols.parse(result) == result
    symbols.key(text)
    symbols.natural_key(text)
    symbols.from_filename(text)
