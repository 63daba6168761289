"""Ingest through the real CLI: hard cases, incremental runs, refusals, consistency."""

import os
import shutil
from pathlib import Path

import pytest

import migdocs
from migdocs.search.query import Term
from tests.conftest import CORPUS, HARD, run, without_timing

HARD_CASES_SUMMARY = """\
9 added, 1 updated, 0 unchanged, 5 failed
Ignored 3 file(s) that are not PDF, DOCX, HTML or text.
Warnings:
  {d}/A_69_745-FR.html: A/69/745 [fr] already had another file; replaced it with this one
  {d}/wrong-language-label-FR.pdf: labelled French by the file name but the text is English (confidence 1.00); kept as French and flagged, its text analysed in the language detected -> correct the label if it is wrong
Failed:
  {d}/empty.pdf: empty file (0 bytes) -> replace it with the real document or remove it
  {d}/encrypted-user-password.pdf: the PDF needs a password to open -> run `migdocs ingest --password PASSWORD FILE`, or get an unencrypted copy
  {d}/not-a-pdf.pdf: not a PDF: the file is an HTML page -> if that is the document, rename it to .html; otherwise download it again
  {d}/truncated.pdf: damaged or truncated PDF (PdfStreamError: Stream has ended unexpectedly) -> get a fresh copy of the file (the download or copy was probably cut short)
  {d}/extra/libreoffice-writer-password.pdf: the PDF needs a password to open -> run `migdocs ingest --password PASSWORD FILE`, or get an unencrypted copy
"""


@pytest.fixture(scope="module")
def hard_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("hard-home")
    result = run(home, "ingest", str(HARD))
    return home, without_timing(result.output), result.exit_code  # type: ignore[return-value]


def test_hard_cases_ingest_the_good_files_and_report_every_bad_one(hard_home) -> None:
    home, output, exit_code = hard_home
    assert exit_code == 1
    assert output == HARD_CASES_SUMMARY.format(d=HARD)
    assert "Traceback" not in output
    listing = run(home, "list")
    assert listing.output.splitlines() == [
        "SYMBOL                                      TYPE        ENTITY  SESSIONS  LANGUAGES  TITLE",
        "A/69/712                                    background                    en         State privacy statutes",
        "A/69/713                                    background                    fr",
        "A/69/720                                    background                    fr",
        "A/69/745                                    background                    fr",
        "arabic-visual-order-presentation-form-test  background                    ar         Arabic visual-order presentation-form test",
        "arabic-visual-presentation-forms-expected   background                    ar         برنامج الأمم المتحدة الإنمائي",
        "CEDAW/C/RUS/Q/8                             background                    en         Trafficking and exploitation of prostitution",
        "habibi                                      background                    und        يبيبَح˴ ςΒΘΒhabibi يبيبَح",
        "other-matters                               background                    en         Other matters",
    ]
    assert run(home, "check").output == "OK: catalog, stored files and index agree.\n"


def test_flags_for_protected_scanned_mislabelled_and_mixed_files(hard_home) -> None:
    home = hard_home[0]
    with migdocs.open(home) as repo:
        assert repo.get("A/69/712").versions[0].flags == ["copy-protected"]
        scanned = repo.get("scanned-image-only")  # its file name; read by OCR, it names itself
        assert scanned.symbol == "CEDAW/C/RUS/Q/8"
        assert (scanned.versions[0].flags, scanned.versions[0].page_count) == (["ocr"], 1)
        assert scanned.versions[0].detected_language == "en"
        assert "CEDAW/C/RUS/Q/8" in [h.symbol for h in repo.search("prostitution").hits]
        mislabelled = repo.get("A_69_713-FR.pdf").versions[0]
        assert (mislabelled.language, mislabelled.detected_language) == ("fr", "en")
        assert mislabelled.flags == ["language-mismatch"]
        mixed = repo.get("A/69/720", with_pages=True).versions[0]
        assert mixed.flags == ["mixed-language"]
        assert [p.language for p in mixed.pages] == ["fr", "ar"]
        assert repo.get("A/69/745").versions[0].file.format == "html"


def test_each_page_is_indexed_in_its_own_language(hard_home) -> None:
    home = hard_home[0]
    with migdocs.open(home) as repo:
        reader = repo.backend.reader()
        mixed = reader.top(Term("doc_id", "A/69/720"), limit=None)
        assert sorted((e.page, e.language, e.page_language) for e in mixed if e.kind == "page") == [
            (1, ("fr",), "fr"), (2, ("fr",), "ar")]
        english = reader.top(Term("doc_id", "A/69/713"), limit=None)
        assert sorted(e.page_language for e in english if e.kind == "page") == ["en"]


def test_password_option_opens_encrypted_pdf(tmp_path: Path) -> None:
    result = run(tmp_path, "ingest", "--password", "unpc-test-2015", str(HARD / "encrypted-user-password.pdf"))
    assert (result.exit_code, without_timing(result.output)) == (0, "1 added, 0 updated, 0 unchanged, 0 failed\n")
    assert run(tmp_path, "get", "A/69/712").output.splitlines()[-1] == (
        "  en  encrypted-user-password.pdf  pdf, 1 page, detected en (1.00)")


def test_rerun_is_unchanged_and_a_changed_file_is_updated(tmp_path: Path) -> None:
    folder = folder_with(tmp_path / "in", "A_69_767-EN.txt")
    home = tmp_path / "home"
    assert without_timing(run(home, "ingest", str(folder)).output) == "1 added, 0 updated, 0 unchanged, 0 failed\n"
    assert without_timing(run(home, "ingest", str(folder)).output) == "0 added, 0 updated, 1 unchanged, 0 failed\n"
    (folder / "A_69_767-EN.txt").write_text("A/69/767\nRemittances sent home by migrant workers "
                                            "grew faster than official development assistance.\n",
                                            encoding="utf-8")
    result = run(home, "ingest", str(folder))
    assert without_timing(result.output) == (
        "0 added, 1 updated, 0 unchanged, 0 failed\nWarnings:\n"
        f"  {folder}/A_69_767-EN.txt: A/69/767 [en] already had another file; replaced it with this one\n")
    text = run(home, "get", "A/69/767", "--text").output
    assert "Remittances sent home" in text
    assert run(home, "check").exit_code == 0
    assert len(list((home / "files").glob("??/*"))) == 1


def folder_with(folder: Path, *names: str) -> Path:
    """`folder`, created, with copies of these corpus text files."""
    folder.mkdir()
    for name in names:
        shutil.copyfile(CORPUS / "unpc" / "text" / name, folder / name)
    return folder


def test_catalog_path_traversal_and_outside_symlinks_are_refused(tmp_path: Path) -> None:
    outside = folder_with(tmp_path / "outside", "A_69_767-EN.txt")
    folder = folder_with(tmp_path / "in")
    (folder / "catalog.toml").write_text(
        '[[document]]\nsymbol = "A/69/767"\ntype = "background"\n'
        'files = { EN = "../outside/A_69_767-EN.txt" }\n', encoding="utf-8")
    os.symlink(outside / "A_69_767-EN.txt", folder / "A_69_768-EN.txt")
    result = run(tmp_path / "home", "ingest", str(folder))
    assert result.exit_code == 1
    assert without_timing(result.output) == (
        "1 added, 0 updated, 0 unchanged, 2 failed\nFailed:\n"
        f"  {folder}/A_69_768-EN.txt: symlink to {outside}/A_69_767-EN.txt, outside the ingested "
        "folder -> copy the file into the folder, or ingest its real location\n"
        f"  {folder}/catalog.toml:1: file ../outside/A_69_767-EN.txt leaves the catalog's folder "
        "(path traversal); refused -> keep document files inside the catalog's folder\n")
    # the record itself is kept (metadata only); the file outside was never read
    assert run(tmp_path / "home", "get", "A/69/767").output.endswith("Versions: none\n")


def test_invalid_catalog_ingests_nothing_of_its_folder(tmp_path: Path) -> None:
    folder = folder_with(tmp_path / "in", "A_69_767-EN.txt")
    (folder / "catalog.toml").write_text(
        '[[document]]\nsymbol = "A/69/767"\ntype = "report"\nfiles = { EN = "A_69_767-EN.txt" }\n',
        encoding="utf-8")
    result = run(tmp_path / "home", "ingest", str(folder))
    assert result.exit_code == 1
    assert without_timing(result.output) == (
        "0 added, 0 updated, 0 unchanged, 1 failed\nFailed:\n"
        f"  {folder}/catalog.toml: 1 problem(s); nothing from this catalog was ingested. "
        "Fix them and run ingest again:\n"
        f"    {folder}/catalog.toml:1: `type` must be one of paper, background, presentation, "
        "meeting, not 'report'\n")


def test_a_second_writer_gets_a_clear_message_and_nothing_is_lost(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", str(CORPUS / "unpc" / "text" / "A_69_767-EN.txt"))
    with migdocs.open(home) as other, other.backend.writer():  # another process writing
        result = run(home, "ingest", str(CORPUS / "unpc" / "text" / "A_69_767-FR.txt"))
    assert result.exit_code == 4  # busy
    assert result.stderr == (f"Error: {home / 'index'}: another migdocs process is writing to this "
                             "index; wait for it to finish and run the command again\n")
    assert run(home, "check").exit_code == 0
    assert [v.language for v in migdocs.open(home).get("A/69/767").versions] == ["en"]


def test_missing_path_and_unknown_engine(tmp_path: Path) -> None:
    result = run(tmp_path, "ingest", str(tmp_path / "nope.pdf"))
    assert result.exit_code == 1
    assert without_timing(result.output) == (
        f"0 added, 0 updated, 0 unchanged, 1 failed\nFailed:\n  {tmp_path}/nope.pdf: no such file "
        "or folder -> check the path\n")
    bad = run(tmp_path, "ingest", "--pdf-engine", "ocr", str(HARD))
    assert bad.exit_code == 2
    assert "'ocr' is not one of 'auto', 'pdfium', 'pypdf'" in bad.stderr


def test_pypdf_engine_is_selectable(tmp_path: Path) -> None:
    result = run(tmp_path, "ingest", "--pdf-engine", "pypdf", str(HARD / "mixed-language.pdf"))
    assert result.exit_code == 0
    assert migdocs.open(tmp_path).get("A/69/720").versions[0].page_count == 2


def test_symlinked_folder_outside_and_unreadable_file_are_reported(tmp_path: Path) -> None:
    outside = folder_with(tmp_path / "outside", "A_69_767-EN.txt")
    folder = folder_with(tmp_path / "in", "A_69_767-FR.txt")
    os.symlink(outside, folder / "linked")
    os.symlink(folder / "gone.txt", folder / "A_69_767-ES.txt")  # dangling: cannot be read
    result = run(tmp_path / "home", "ingest", str(folder))
    assert result.exit_code == 1
    assert without_timing(result.output) == (
        "1 added, 0 updated, 0 unchanged, 2 failed\nFailed:\n"
        f"  {folder}/linked: symlink to {outside}, outside the ingested folder -> copy the file "
        "into the folder, or ingest its real location\n"
        f"  {folder}/A_69_767-ES.txt: cannot read A_69_767-ES.txt (No such file or directory) "
        "-> it is a link to a file that is gone: restore the file or remove the link\n")
