"""OCR of scans: image-only PDFs rendered here from real UN PDFs (PDFium render, saved as
pictures by Pillow), read back by Tesseract during ingest. Few and small: a page costs
1.5 to 6 s."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migdocs.indexer import extract, ocr
from migdocs.indexer.recall import word_recall
from tests.conftest import CORPUS, DATA, run

pytestmark = pytest.mark.skipif(not ocr.installed(), reason="Tesseract is not installed "
                                "(.ci/run installs it)")


def source_text(name: str) -> str:
    with open(DATA / "unpc-pdf-sentences.tsv", encoding="utf-8") as fh:
        rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return "\n".join(r["sentence"] for r in rows if r["file"] == name)


def scan(name: str, target: Path) -> Path:
    """An image-only copy (200 dpi, like a scanner) of corpus/unpc/pdf/NAME."""
    assert extract.save_image_only(CORPUS / "unpc" / "pdf" / name, target, dpi=200) >= 1
    assert not any(extract.pages(target).pages[0].split())  # no text layer at all
    return target


def test_a_scan_with_a_declared_language_is_read_and_found(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    scan("A_69_720-FR.pdf", folder / "A_69_720-FR.pdf")  # French, 2 pages: the file name says fr
    home = tmp_path / "home"
    result = run(home, "ingest", str(folder))
    assert result.exit_code == 0 and "Warnings" not in result.output, result.output
    data = json.loads(run(home, "get", "A/69/720", "--json", "--text").stdout)
    [version] = data["versions"]
    assert (version["flags"], version["pages"], version["detected_language"]) == (["ocr"], 2, "fr")
    text = "\n".join(p["text"] for p in version["text"])
    assert word_recall(source_text("A_69_720-FR.pdf"), text) >= 0.95
    hits = json.loads(run(home, "search", "épidémie stabiliser", "--json").stdout)["hits"]
    assert [h["symbol"] for h in hits] == ["A/69/720"]


def test_a_scan_without_a_language_is_read_in_the_one_langdetect_finds(tmp_path: Path) -> None:
    path = scan("DP_2015_9-AR.pdf", tmp_path / "scan_0042.pdf")  # Arabic, 1 page, name says nothing
    result = extract.pages(path)
    assert ocr.apply(result, path, mode="auto", declared=None) is None
    assert result.flags == ["ocr"]
    assert word_recall(source_text("DP_2015_9-AR.pdf"), result.pages[0]) >= 0.90


def test_never_leaves_a_scan_unread_and_always_reads_text_pages_too(tmp_path: Path) -> None:
    path = scan("A_69_759-EN.pdf", tmp_path / "A_69_759-EN.pdf")
    home = tmp_path / "home"
    result = run(home, "ingest", "--ocr", "never", str(path))
    assert ("no text layer (1 page(s) without text, a scan?): catalogued but not searchable -> "
            "OCR it to a PDF with text and ingest it again") in result.output
    text_pdf = extract.pages(CORPUS / "unpc" / "pdf" / "A_69_759-EN.pdf")
    assert ocr.pages_to_read(text_pdf.pages, "auto") == []
    assert ocr.pages_to_read(text_pdf.pages, "always") == [1]
    ocr.apply(text_pdf, CORPUS / "unpc" / "pdf" / "A_69_759-EN.pdf", mode="always", declared="en")
    assert text_pdf.flags == ["ocr"]
    assert word_recall(source_text("A_69_759-EN.pdf"), text_pdf.pages[0]) >= 0.95


def test_without_tesseract_the_scan_is_catalogued_with_how_to_install_it(tmp_path: Path) -> None:
    path = scan("A_69_759-EN.pdf", tmp_path / "A_69_759-EN.pdf")
    env = {**os.environ, "PATH": str(tmp_path / "no-programs-here")}  # no `tesseract` on PATH
    done = subprocess.run(
        [sys.executable, "-c", "from migdocs.cli import main; main()", "--home",
         str(tmp_path / "home"), "ingest", str(path)],
        env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (f"{path}: no text layer (1 page(s) without text, a scan?): catalogued but not "
            "searchable -> Tesseract is not installed: install Tesseract (`apt-get install "
            "tesseract-ocr tesseract-ocr-ara tesseract-ocr-fra tesseract-ocr-spa`) and ingest "
            "it again") in done.stdout


def test_version_is_tesseracts_and_says_when_it_is_missing(tmp_path: Path) -> None:
    assert ocr.version().split(".")[0].isdigit()
    code = "from migdocs.indexer import ocr; print(ocr.version())"
    env = {**os.environ, "PATH": str(tmp_path / "no-programs-here")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "not installed", done.stderr
