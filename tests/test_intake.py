"""Real-world intake: files named by hand get no made-up symbol, a title from the file, and
an id from that title; a catalog record wins over all of it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

import migdocs
from tests.conftest import CORPUS, HARD, run


@pytest.fixture()
def handmade(tmp_path: Path) -> Path:
    """Real UN files under the names entities give them."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(CORPUS / "un-pdf" / "ccpr.pdf", folder / "report_2017.pdf")
    shutil.copy(CORPUS / "un-pdf" / "GC14.pdf", folder / "IOM_contribution_16CM.pdf")
    shutil.copy(HARD / "arabic-visual-presentation-forms.pdf", folder / "2018_WFP_paper_AR.pdf")
    return folder


def test_hand_named_files_get_ids_from_their_titles_and_no_symbol(tmp_path: Path, handmade: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "ingest", str(handmade)).exit_code == 0
    listed = json.loads(run(home, "list", "--json").output)
    got = {d["id"]: (d["symbol"], d["title"], d["title_source"]) for d in listed}
    assert got == {
        "international-covenant-on-civil-and-political-rights": (
            None, "International Covenant on Civil and Political Rights", "first-line"),
        "general-comment-no-14-the-right-to-the-highest-attainable": (  # the PDF's /Title
            None, "General comment No. 14: The right to the highest attainable", "metadata"),
        "arabic-visual-order-presentation-form-test": (
            None, "Arabic visual-order presentation-form test", "metadata"),
    }
    wfp = json.loads(run(home, "get", "arabic-visual-order-presentation-form-test", "--json").output)
    assert [v["language"] for v in wfp["versions"]] == ["ar"]  # from `_AR` in the file name
    shown = run(home, "get", "international-covenant-on-civil-and-political-rights").output
    assert "International Covenant on Civil and Political Rights" in shown
    for made_up in ("REPORT/2017", "IOM/CONTRIBUTION/16CM", "2018/WFP/PAPER"):
        assert run(home, "get", made_up).exit_code == 1


def test_a_file_name_makes_the_title_when_nothing_else_does(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(HARD / "mixed-language.pdf", folder / "notes_from_the_floor.pdf")  # symbol A/69/720 in its text
    text = (CORPUS / "unpc" / "text" / "A_68_908-FR.txt").read_text(encoding="utf-8")
    (folder / "burundi_update_FR.txt").write_text(text.split("\n", 1)[1], encoding="utf-8")
    with migdocs.open(tmp_path / "home") as repo:
        repo.ingest([folder])
        found = repo.get("A/69/720")
        assert (found.title, found.title_source) == (None, None)  # the symbol is its name
        burundi = repo.get("burundi-update")
        assert (burundi.title, burundi.title_source) == ("burundi update", "file-name")


def test_language_versions_of_one_hand_named_paper_stay_one_document(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for lang in ("EN", "FR"):
        text = (CORPUS / "unpc" / "text" / f"A_68_908-{lang}.txt").read_text(encoding="utf-8")
        (folder / f"burundi_update_{lang}.txt").write_text(text.split("\n", 1)[1], encoding="utf-8")
    with migdocs.open(tmp_path / "home") as repo:
        repo.ingest([folder])
        [document] = repo.list()
        assert [v.language for v in document.versions] == ["en", "fr"]


def test_a_catalog_record_replaces_a_derived_title_and_id(tmp_path: Path, handmade: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "ingest", str(handmade / "report_2017.pdf")).exit_code == 0
    (handmade / "catalog.toml").write_text(
        '[[document]]\nid = "iccpr"\ntype = "background"\n'
        'title = "ICCPR (1966)"\nfiles = { EN = "report_2017.pdf" }\n', encoding="utf-8")
    assert run(home, "ingest", str(handmade / "catalog.toml")).exit_code == 0
    listed = json.loads(run(home, "list", "--json").output)
    assert [(d["id"], d["title"], d["title_source"]) for d in listed] == [
        ("iccpr", "ICCPR (1966)", "catalog")]
    assert run(home, "check").exit_code == 0
    assert json.loads(run(home, "search", "Covenant", "--json").output)["hits"][0]["id"] == "iccpr"


def test_a_home_from_before_titles_were_derived_is_migrated(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db = sqlite3.connect(home / "catalog.sqlite")
    db.executescript(  # the documents table as migdocs 0.1 wrote it
        """CREATE TABLE documents (id TEXT PRIMARY KEY, symbol TEXT, symbol_key TEXT UNIQUE,
               title TEXT, type TEXT NOT NULL, entity TEXT, entity_name TEXT, meeting TEXT,
               date TEXT, url TEXT, notes TEXT, record_hash TEXT, source TEXT);
           INSERT INTO documents(id, title, type, record_hash) VALUES ('a', 'From a catalog', 'paper', 'h');
           INSERT INTO documents(id, title, type) VALUES ('b', 'From a PDF', 'paper');""")
    db.commit()
    db.close()
    with migdocs.open(home) as repo:
        assert [(d.id, d.title_source) for d in repo.list()] == [("a", "catalog"), ("b", "metadata")]
