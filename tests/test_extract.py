import csv
import shutil
from pathlib import Path

import pytest

from migdocs.errors import ExtractionError
from migdocs.indexer import extract, language
from migdocs.indexer.normalise import fold_arabic
from tests.conftest import HARD


@pytest.mark.parametrize("name, reason", [
    ("empty.pdf", "empty file (0 bytes)"),
    ("not-a-pdf.pdf", "not a PDF: the file is an HTML page"),
    ("truncated.pdf", "damaged or truncated PDF (PdfStreamError: Stream has ended unexpectedly)"),
    ("encrypted-user-password.pdf", "the PDF needs a password to open"),
])
@pytest.mark.parametrize("engine", extract.PDF_ENGINES)
def test_bad_files_fail_with_a_reason_and_a_fix(name: str, reason: str, engine: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract.pages(HARD / name, engine=engine)
    if engine == "pdfium" and name == "truncated.pdf":
        reason = "damaged PDF: PDFium cannot open it (Failed to load document (PDFium: Data format error).)"
    assert caught.value.reason == reason
    assert caught.value.fix


def test_password_opens_the_encrypted_pdf() -> None:
    result = extract.pages(HARD / "encrypted-user-password.pdf", password="unpc-test-2015")
    assert result.pages[0].startswith("A/69/712\nIt should be noted, however,")
    with pytest.raises(ExtractionError, match="the --password given does not open it"):
        extract.pages(HARD / "encrypted-user-password.pdf", password="wrong")


@pytest.mark.parametrize("engine", ["pdfium", "pypdf"])
def test_owner_password_only_pdf_is_read_and_flagged(engine: str) -> None:
    result = extract.pages(HARD / "encrypted-owner-only.pdf", engine=engine)
    assert result.flags == ["copy-protected"]
    assert "statutory exception allows a bank" in result.pages[0]


def test_scanned_pdf_has_one_empty_page() -> None:
    assert extract.pages(HARD / "scanned-image-only.pdf").pages == [""]


def test_visual_order_presentation_forms_become_logical_base_letters() -> None:
    text = extract.pages(HARD / "arabic-visual-presentation-forms.pdf").pages[0]
    assert not any("\ufb50" <= c <= "\ufeff" for c in text)
    flat = " ".join(text.split())
    expected = (HARD / "arabic-visual-presentation-forms.expected.txt").read_text(encoding="utf-8")
    for sentence in expected.splitlines()[:4]:  # the 5th mixes digits: order not recoverable
        assert fold_arabic(sentence) in fold_arabic(flat)


def test_many_pages_keep_their_numbers_and_line_end_hyphens_are_joined() -> None:
    pages = extract.pages(HARD / "many-pages.pdf").pages
    assert len(pages) == 300
    rows = list(csv.DictReader(open(HARD / "many-pages.pages.tsv", encoding="utf-8"),
                               delimiter="\t", quoting=csv.QUOTE_NONE))
    misses = [r["page"] for r in rows
              if " ".join(r["first_sentence"].split()) not in " ".join(pages[int(r["page"]) - 1].split())]
    assert misses == []
    assert "a 15-year-old girl" in " ".join(pages[38].split())


def test_mixed_language_pages_are_detected_per_page() -> None:
    pages = extract.pages(HARD / "mixed-language.pdf").pages
    page_languages, body = language.detect_pages(pages)
    assert page_languages == ["fr", "ar"]
    assert body is not None and body.language == "fr"


def test_docx_and_html_give_the_same_french_text() -> None:
    docx = extract.pages(HARD / "A_69_745-FR.docx")
    html = extract.pages(HARD / "A_69_745-FR.html")
    assert (docx.format, html.format) == ("docx", "html")
    assert docx.pages[0].split() == html.pages[0].split()
    assert docx.pages[0].startswith("A/69/745\nCe projet à haut risque a été lancé")
    assert html.declared_language == "fr"


def test_content_decides_the_format_not_the_extension(tmp_path: Path) -> None:
    renamed = tmp_path / "paper.txt"
    shutil.copyfile(HARD / "A_69_745-FR.html", renamed)
    assert extract.pages(renamed).format == "html"
    docx_as_pdf = tmp_path / "paper.pdf"
    shutil.copyfile(HARD / "A_69_745-FR.docx", docx_as_pdf)
    with pytest.raises(ExtractionError, match="not a PDF: the file is a DOCX document"):
        extract.pages(docx_as_pdf)


def test_text_files_split_pages_at_form_feeds_and_read_latin1_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("first page\fsecond page", encoding="utf-8")
    assert extract.pages(path).pages == ["first page", "second page"]
    assert extract.pages(path).warnings == []
    path.write_bytes("caf\xe9 \u2019".encode("cp1252"))
    result = extract.pages(path)
    assert result.pages == ["caf\xe9 \u2019"]
    warning, = result.warnings
    assert warning.startswith("not UTF-8 (bad byte at offset 3): read as Windows-1252/Latin-1")


@pytest.mark.parametrize("text", ["", "   ", "12 345 678", "—", "A/RES/70/1", "Aleppo"])
def test_language_detection_declines_short_or_non_text(text: str) -> None:
    assert language.detect(text) is None


def _corrupt(data: bytes, seed: int) -> bytes:
    import random

    rng = random.Random(seed)
    damaged = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
    if rng.random() < 0.5:
        damaged = damaged[: rng.randrange(len(damaged) // 2, len(damaged))]
    return bytes(damaged)


# PDFium reads through most flipped bytes; a DOCX's members are deflated with CRCs, so any
# damage is an error. Either way nothing but text or an ExtractionError comes out.
@pytest.mark.parametrize("name, expected", [("mixed-language.pdf", {"text", "error"}),
                                            ("A_69_745-FR.docx", {"error"})])
def test_damaged_files_give_text_or_an_extraction_error(tmp_path: Path, name: str,
                                                       expected: set[str]) -> None:
    original = (HARD / name).read_bytes()
    outcomes = set()
    for seed in range(150):
        path = tmp_path / f"damaged-{seed}{Path(name).suffix}"
        path.write_bytes(_corrupt(original, seed))
        try:
            extract.pages(path)
            outcomes.add("text")
        except ExtractionError as exc:
            assert exc.reason and exc.fix
            outcomes.add("error")
    assert outcomes == expected
