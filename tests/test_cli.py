"""The CLI on the whole bundled corpus: exact outputs and exit codes."""

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import migdocs
from migdocs.cli import cli
from migdocs.indexer.analysis import analyze
from migdocs.indexer.entries import analyzer_of
from migdocs.search.query import And, Term
from tests.conftest import CORPUS, run, without_timing


def test_get_a_contributed_paper(corpus_home: Path) -> None:
    result = run(corpus_home, "get", "UN/POP/MIG-16CM/2018/5")
    assert result.exit_code == 0
    assert result.output == (
        "Symbol:   UN/POP/MIG-16CM/2018/5\n"
        "Title:    International Organization for Migration (IOM)\n"
        "Entity:   IOM - International Organization for Migration\n"
        "Type:     paper\n"
        "Meeting:  16CM\n"
        "Date:     2018\n"
        "Versions: none\n")


def test_get_lists_versions_known_without_files(corpus_home: Path) -> None:
    result = run(corpus_home, "get", "un/pop/mig-16cm/2018/1")
    assert result.output.endswith(
        "Versions:\n  ar  (no file)\n  en  (no file)\n  es  (no file)\n  fr  (no file)\n")


@pytest.mark.parametrize("spelling", ["a/69/767", "A / 69 / 767", "A_69_767-FR.pdf", "A/69/767"])
def test_get_json_shows_four_versions_detected_as_declared(corpus_home: Path, spelling: str) -> None:
    result = run(corpus_home, "get", spelling, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["symbol"] == "A/69/767"
    assert list(data) == ["id", "symbol", "title", "title_source", "entity", "entity_name", "type", "meeting",
                          "sessions", "date", "notes", "versions", "resolved_from", "related"]
    assert [(v["language"], v["detected_language"], v["file"], v["format"], v["pages"], v["flags"])
            for v in data["versions"]] == [
        ("ar", "ar", "A_69_767-AR.txt", "text", 1, []),
        ("en", "en", "A_69_767-EN.txt", "text", 1, []),
        ("es", "es", "A_69_767-ES.txt", "text", 1, []),
        ("fr", "fr", "A_69_767-FR.txt", "text", 1, []),
    ]
    assert all(v["language_confidence"] >= 0.99 for v in data["versions"])


def test_get_pdf_versions_and_text(corpus_home: Path) -> None:
    result = run(corpus_home, "get", "A/69/720", "--lang", "SP", "--text")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "--- A/69/720 [es] page 1 ---"
    assert lines[1] == "A/69/720"
    assert "--- A/69/720 [es] page 2 ---" in lines


def test_get_unknown_symbol_exits_1_with_a_message(corpus_home: Path) -> None:
    result = run(corpus_home, "get", "A/99/999")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: no document 'A/99/999' in {corpus_home}; "
                             "`migdocs list` shows what is there\n")
    missing = run(corpus_home, "get", "A/69/767", "--lang", "ru")
    assert (missing.exit_code, missing.stderr) == (
        1, "Error: A/69/767 has no ru version (it has: ar, en, es, fr)\n")


def test_list_session_one(corpus_home: Path) -> None:
    result = run(corpus_home, "list", "--session", "I")
    assert result.output.splitlines() == [
        "SYMBOL                                        TYPE        ENTITY  SESSIONS  LANGUAGES  TITLE",
        "16cm-global-compact-for-safe-orderly-and      background          I                    Global compact for safe, orderly and regular migration. Zero draft",
        "16cm-ten-acts-for-the-global-compact-a-civil  background          I                    Ten acts for the global compact. A civil society vision for a transformative agenda for human mobility, migration and development",
        "16cm-thematic-recollection-2007-2017-gfmd     background  GFMD    I         en,es,fr   Thematic Recollection 2007 – 2017. GFMD contribution to the GCM",
    ]


def test_list_papers_in_natural_order_as_csv(corpus_home: Path) -> None:
    result = run(corpus_home, "list", "--type", "paper", "--csv")
    lines = result.output.splitlines()
    assert lines[0] == "symbol,type,entity,sessions,languages,title"
    assert [line.split(",")[0] for line in lines[1:]] == [
        f"UN/POP/MIG-16CM/2018/{n}" for n in range(1, 18)]
    assert lines[1] == 'UN/POP/MIG-16CM/2018/1,paper,WFP,,"ar,en,es,fr",United Nations World Food Programme (WFP)'


def test_list_filters_combine(corpus_home: Path) -> None:
    both = run(corpus_home, "list", "--session", "vi", "--type", "presentation", "--json")
    assert [d["title"] for d in json.loads(both.output)] == [
        "Disaggregation by migratory status: Interactive discussion (presentation by the moderator, Haoyi Chen)"]
    assert run(corpus_home, "list", "--entity", "iom").output.splitlines()[1].startswith(
        "UN/POP/MIG-16CM/2018/5  paper")
    nothing = run(corpus_home, "list", "--entity", "IOM", "--lang", "SP")
    assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (0, "", "No documents match.\n")


def test_meeting_programme(corpus_home: Path) -> None:
    data = json.loads(run(corpus_home, "meeting", "16cm", "--json").output)
    numbered = [s for s in data["sessions"] if s["number"]]
    assert [(s["number"], s["day"], s["part"]) for s in numbered] == [
        ("I", "2018-02-15", "morning"), ("II", "2018-02-15", "morning"),
        ("III", "2018-02-15", "afternoon"), ("IV", "2018-02-15", "afternoon"),
        ("V", "2018-02-16", "morning"), ("VI", "2018-02-16", "morning"),
        ("VII", "2018-02-16", "afternoon"), ("VIII", "2018-02-16", "afternoon")]
    session_v = numbered[4]
    assert session_v["moderator"] == {"name": "Bela Hovy", "affiliation": "Population Division / UN DESA"}
    assert len(session_v["speakers"]) == 7
    in_v = {d["title"] for d in session_v["documents"]}
    in_vi = {d["title"] for d in numbered[5]["documents"]}
    assert "Tier Classification for Global SDG Indicators" in in_v & in_vi
    text = run(corpus_home, "meeting").output.splitlines()
    assert text[:4] == ["Sixteenth Coordination Meeting on International Migration (16CM)",
                        "2018-02-15 to 2018-02-16, United Nations Headquarters, New York",
                        "", "2018-02-15"]
    assert "  [morning, 10:00-13:00] I. The global compact for safe, orderly and regular migration: An overview" in text
    assert "      Moderator: Laura Thompson, International Organization for Migration (IOM)" in text
    assert "  New York Declaration for Refugees and Migrants [background, A/RES/71/1]" in text
    unknown = run(corpus_home, "meeting", "99CM")
    assert (unknown.exit_code, unknown.stderr) == (
        1, f"Error: no meeting '99CM' in {corpus_home} (known: 16CM)\n")


def test_stats_and_check(corpus_home: Path) -> None:
    data = json.loads(run(corpus_home, "stats", "--json").output)
    assert {k: data[k] for k in ("documents", "versions", "pages", "metadata_only")} == {
        "documents": 781, "versions": 2947, "pages": 3243, "metadata_only": 37}
    assert data["by_language"] == {"ar": 733, "en": 746, "es": 734, "fr": 734}
    assert data["by_type"] == {"background": 758, "meeting": 4, "paper": 17, "presentation": 2}
    assert run(corpus_home, "check").output == "OK: catalog, stored files and index agree.\n"


def test_reingesting_the_corpus_changes_nothing(corpus_home: Path) -> None:
    result = run(corpus_home, "ingest", str(CORPUS))
    assert (result.exit_code, without_timing(result.output)) == (
        0, "0 added, 0 updated, 2977 unchanged, 0 failed\n"
           "Ignored 2 file(s) that are not PDF, DOCX, HTML or text.\n")


@pytest.fixture()
def small_home(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(CORPUS / "16cm", folder / "16cm")
    (folder / "unpc").mkdir()
    for name in ("A_69_720-AR.pdf", "A_69_720-EN.pdf", "A_69_720-FR.pdf"):
        shutil.copyfile(CORPUS / "unpc" / "pdf" / name, folder / "unpc" / name)
    home = tmp_path / "home"
    assert run(home, "ingest", str(folder)).exit_code == 0
    return home


def test_remove_a_version_then_a_document(small_home: Path) -> None:
    assert run(small_home, "remove", "A/69/720", "--lang", "FR").output == "Removed A/69/720 [fr]\n"
    assert [line.split()[0] for line in run(small_home, "get", "A/69/720").output.splitlines()[-2:]] == ["ar", "en"]
    assert run(small_home, "remove", "a/69/720").output == "Removed A/69/720\n"
    assert run(small_home, "get", "A/69/720").exit_code == 1
    assert run(small_home, "check").exit_code == 0
    assert list((small_home / "files").glob("??/*")) == []


def test_reindex_rebuilds_from_the_catalog_alone(small_home: Path) -> None:
    result = run(small_home, "reindex")
    assert without_timing(result.output) == "Reindexed 38 documents\n"
    assert run(small_home, "check").exit_code == 0


def test_index_format_change_rebuilds_automatically(small_home: Path) -> None:
    with sqlite3.connect(small_home / "catalog.sqlite") as db:
        db.execute("UPDATE meta SET value='schema-0/analysis-0' WHERE key='index_version'")
    result = run(small_home, "stats")
    with migdocs.open(small_home) as repo:
        version = repo.index_version
    assert result.stderr == ("Rebuilding the search index from the catalog: the index format "
                             f"changed (schema-0/analysis-0 -> {version}).\n")
    assert run(small_home, "check").output == "OK: catalog, stored files and index agree.\n"


def test_check_reports_a_missing_stored_file(small_home: Path) -> None:
    stored = next((small_home / "files").glob("??/*"))
    stored.unlink()
    result = run(small_home, "check")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"stored file {stored} of ")
    assert result.stdout.endswith(") is missing -> ingest that original file again "
                                  "(`migdocs ingest FILE` or its catalog)\n")
    assert result.stderr == "1 problem(s)\n"


def test_a_deleted_index_is_rebuilt(small_home: Path) -> None:
    shutil.rmtree(small_home / "index")
    assert run(small_home, "get", "A/69/720").stderr == ""  # `get` reads the catalog only
    result = run(small_home, "search", "A/69/720")
    assert result.stderr == "Rebuilding the search index from the catalog: the index is missing.\n"
    assert run(small_home, "check").exit_code == 0


def test_home_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    monkeypatch.setenv("MIGDOCS_HOME", str(tmp_path / "env-home"))
    result = CliRunner().invoke(cli, ["stats"])
    assert result.output.splitlines()[0] == f"home: {tmp_path / 'env-home'}"


@pytest.mark.parametrize("command", ["ingest", "get", "list", "meeting", "stats", "remove",
                                     "reindex", "check"])
def test_every_command_has_help_with_an_example(tmp_path: Path, command: str) -> None:
    result = run(tmp_path, command, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: migdocs {command} ")
    assert "\n  Example:\n    migdocs " in result.output


def test_bad_language_is_a_usage_error(corpus_home: Path) -> None:
    result = run(corpus_home, "list", "--lang", "klingon!")
    assert result.exit_code == 2
    assert "'klingon!' is not a language code" in result.stderr


# Whoosh leaves the damaged TOC file open when it fails to read it (its bug, not ours).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_damaged_index_is_rebuilt(small_home: Path) -> None:
    for toc in (small_home / "index").glob("*.toc"):
        toc.write_bytes(b"garbage")
    result = run(small_home, "search", "A/69/720")
    assert result.exit_code == 0
    assert result.stderr.startswith("Rebuilding the search index from the catalog: the index could "
                                    "not be opened (")
    assert run(small_home, "check").exit_code == 0


def test_an_unwritable_home_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "catalog.sqlite").mkdir()  # something in the way of the catalog file
    result = run(home, "stats")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {home / 'catalog.sqlite'}: cannot open the catalog (")
    assert "Traceback" not in result.output


def all_words(field: str, words: str) -> And:
    return And(tuple(Term(field, t) for t in analyze(words, analyzer_of(field))))


@pytest.mark.parametrize("field, words, doc_ids", [
    ("title_en", "zero drafts", {"16cm-global-compact-for-safe-orderly-and"}),
    ("entity_name", "IOM", {"UN/POP/MIG-16CM/2018/5", "16cm-improving-data-for-safe-orderly-and"}),
    ("entity_name", "american states migration", {"UN/POP/MIG-16CM/2018/12"}),
    ("title_en", "remittance contributions", {"16cm-contribution-on-remittances-from-the"}),
])
def test_metadata_only_records_are_findable_in_the_index(corpus_home: Path, field: str,
                                                          words: str, doc_ids: set[str]) -> None:
    with migdocs.open(corpus_home) as repo:
        hits = [(e.doc_id, e.kind) for e in repo.backend.reader().top(all_words(field, words))]
    assert sorted(hits) == sorted((doc_id, "meta") for doc_id in doc_ids)


def test_page_text_is_indexed_per_language_with_page_numbers(corpus_home: Path) -> None:
    with migdocs.open(corpus_home) as repo:
        reader = repo.backend.reader()

        def find(field: str, words: str) -> list[tuple[str, str, int]]:
            return sorted((e.doc_id, e.language[0], e.page)
                          for e in reader.top(all_words(field, words), limit=None))

        # A/69/720 is a two-page PDF in each language; "Guinée" is on page 2 in French
        assert ("A/69/720", "fr", 2) in find("text_fr", "guinee")
        assert ("A/69/720", "ar", 2) in find("text_ar", "غينيا")
        assert find("text_ar", "الْعِلاجِ") == find("text_ar", "العلاج")  # diacritics ignored


def test_get_and_list_load_only_the_catalog(small_home: Path) -> None:
    """`get` and `list` read catalog rows: a fresh process running them must not import the
    search engine, the PDF engines, language detection or the search layer (start-up time is
    a target of issue 7)."""
    heavy = ("whoosh", "pypdfium2", "pypdf", "langdetect", "rapidfuzz", "migdocs.search.engine",
             "migdocs.indexer.extract", "migdocs.search.results", "tempfile")
    code = ("import sys; from migdocs.cli import cli\n"
            "try:\n    cli(sys.argv[1:], prog_name='migdocs')\n"
            "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    for args in (["get", "A/69/720"], ["list", "--symbol", "A/*"]):
        out = subprocess.run([sys.executable, "-c", code, "--home", str(small_home), *args],
                             capture_output=True, text=True, check=True).stdout
        assert out.splitlines()[-1] == "[]", (args, out[-300:])


def test_public_names_load_on_first_use() -> None:
    code = "import migdocs, sys; print('migdocs.repository' in sys.modules, migdocs.open.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "migdocs.repository"]
    assert sorted(migdocs.__all__) == sorted(migdocs._HOMES)
    assert all(getattr(migdocs, name) is not None for name in migdocs.__all__)
