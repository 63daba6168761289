"""Forgiving symbol look-up: the spellings people type off paper find the one document they
mean, say so, ask when several fit, and never give a neighbour."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import migdocs
from migdocs.repo import symbols
from tests.conftest import HARD, run


@pytest.mark.parametrize("typed, symbol", [
    ("e/2015/9/add7", "E/2015/9/Add.7"),
    ("a/conf222/6", "A/CONF.222/6"),
    ("a/c.5/69/sr32", "A/C.5/69/SR.32"),
    ("a/c.5/69/sr 32", "A/C.5/69/SR.32"),
    ("A/C.5/69/SR 32", "A/C.5/69/SR.32"),
    ("s/res/2198", "S/RES/2198 (2015)"),  # only the resolution of 2015 exists
    ("2015/a/conf.222/6", "A/CONF.222/6"),  # a UN Parallel Corpus id
    ("2015/e/2015/9/add_7", "E/2015/9/Add.7"),
    ("A_C.5_69_SR.32-AR.PDF", "A/C.5/69/SR.32"),  # a file name, upper case
    ("e_2015_9_add.7-en.txt", "E/2015/9/Add.7"),
])
def test_found_cases_resolve_and_say_so(corpus_home: Path, typed: str, symbol: str) -> None:
    result = run(corpus_home, "get", typed)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == f"{symbol} (you typed {typed})"
    assert f"Symbol:   {symbol}" in result.stdout
    data = json.loads(run(corpus_home, "get", typed, "--json").stdout)
    assert (data["symbol"], data["resolved_from"]) == (symbol, typed)


@pytest.mark.parametrize("typed", ["a/conf.222/6", "S/RES/2198(2015)", "s / res / 2198 (2015)"])
def test_exact_spellings_need_no_notice(corpus_home: Path, typed: str) -> None:
    result = run(corpus_home, "get", typed, "--json")
    assert json.loads(result.stdout)["resolved_from"] is None
    assert run(corpus_home, "get", typed).stderr == ""


@pytest.mark.parametrize("typed", ["E/2015/1", "e/2015/1", "E/2015", "a/conf222", "s/res/219",
                                   "A/C.5/69/SR.3"])
def test_never_a_neighbour(corpus_home: Path, typed: str) -> None:
    result = run(corpus_home, "get", typed)
    assert result.exit_code == 1
    assert f"no document {typed!r}" in result.output


def test_several_candidates_exit_1_listing_them(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "catalog.toml").write_text("\n".join(
        f'[[document]]\nsymbol = "{s}"\ntype = "background"\ntitle = "t"\n'
        for s in ("S/RES/1 (2015)", "A/C.5/1", "A/C5/1", "A/CONF.5/1")), encoding="utf-8")
    home = tmp_path / "home"
    assert run(home, "ingest", str(folder)).exit_code == 0
    # `s/res/1` has one year: found; `a/c5/1` is written as itself, so it is not forgiven
    assert run(home, "get", "s/res/1").stderr.startswith("S/RES/1 (2015) (you typed s/res/1)")
    assert run(home, "get", "a/c5/1").stderr == ""
    (folder / "more.catalog.toml").write_text(
        '[[document]]\nsymbol = "S/RES/1 (2016)"\ntype = "background"\ntitle = "t"\n'
        '[[document]]\nsymbol = "A/C.5/1/Add.1"\ntype = "background"\ntitle = "t"\n',
        encoding="utf-8")
    assert run(home, "ingest", str(folder)).exit_code == 0
    result = run(home, "get", "s/res/1")
    assert result.exit_code == 1
    assert "could be any of 2 documents: S/RES/1 (2015), S/RES/1 (2016)" in result.output
    with migdocs.open(home) as repo:
        assert repo.resolve("s/res/1") is None
        assert repo.lookup("s/res/1").candidates == ["S/RES/1 (2015)", "S/RES/1 (2016)"]


def test_a_stored_file_name_finds_its_document_in_any_case(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(HARD / "many-pages.pdf", folder / "Report_2017.pdf")
    home = tmp_path / "home"
    assert run(home, "ingest", str(folder)).exit_code == 0
    for typed in ("Report_2017.pdf", "report_2017", "REPORT_2017.PDF"):
        result = run(home, "get", typed, "--json")
        assert result.exit_code == 0, (typed, result.output)
        assert json.loads(result.stdout)["symbol"] is None


def test_search_pins_a_forgiven_symbol(corpus_home: Path) -> None:
    for typed, symbol in (("a/conf222/6", "A/CONF.222/6"), ("s/res/2198", "S/RES/2198 (2015)"),
                          ("e/2015/9/add7", "E/2015/9/Add.7")):
        found = json.loads(run(corpus_home, "search", typed, "--json").stdout)
        assert found["hits"] and found["hits"][0]["symbol"] == symbol, typed
        assert f"Symbol {symbol} (you typed {typed})." in found["notices"]


def test_spellings_are_exact_symbols() -> None:
    assert "A/CONF.222/6" in symbols.forgiving_spellings("a/conf222/6")
    assert symbols.forgiving_spellings("A/69/767 remittances") == []  # a query, not a symbol
    assert symbols.forgiving_spellings("migrant workers") == []
    assert all(not s.startswith("E/2015/1/") for s in symbols.spellings("E/2015/1"))
