"""Text per page from PDF, plain text, HTML and DOCX: the one module that owns the PDF engines.

PDF: PDFium (pypdfium2) by default, pypdf when PDFium cannot open a file; `engine` picks one.
Every failure is an ExtractionError with a short reason and what to do about it.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from migdocs.errors import ExtractionError
from migdocs.indexer import limits
from migdocs.indexer.normalise import repair
from migdocs.indexer.options import PDF_ENGINES, PdfEngine  # noqa: F401 - PDF_ENGINES re-exported
from migdocs.repo.model import FLAG_COPY_PROTECTED, FLAG_PYPDF_FALLBACK

Format = Literal["pdf", "text", "html", "docx"]

SUFFIX_FORMATS: dict[str, Format] = {
    ".pdf": "pdf", ".txt": "text", ".text": "text", ".html": "html", ".htm": "html",
    ".docx": "docx",
}
_PDF_EXTRACT_PERMISSION = 0x10  # bit 5 of /P: copy or extract text
_AGAIN = "get a fresh copy of the file (the download or copy was probably cut short)"

logging.getLogger("pypdf").setLevel(logging.ERROR)

if TYPE_CHECKING:
    from PIL.Image import Image


@dataclass
class Extraction:
    format: Format
    pages: list[str]
    flags: list[str] = field(default_factory=list)
    declared_language: str | None = None  # what the file itself says (HTML lang, DOCX language)
    title: str | None = None  # as the file's metadata says (PDF /Title, DOCX core title, HTML)
    warnings: list[str] = field(default_factory=list)  # read, but the user should know how


def sniff(path: Path) -> Format:
    """The format of a file by its content; ExtractionError when it is not one we read or
    when it contradicts its .pdf/.docx extension."""
    size = path.stat().st_size
    if size == 0:
        raise ExtractionError("empty file (0 bytes)", "replace it with the real document or remove it")
    with open(path, "rb") as fh:
        head = fh.read(2048)
    found: str
    if b"%PDF-" in head[:1024]:
        found = "pdf"
    elif head.startswith(b"PK\x03\x04"):
        found = "docx" if _is_docx(path) else "zip"
    elif _looks_like_html(head):
        found = "html"
    elif b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")) and not _utf16_order(head):
        found = "binary"
    else:
        found = "text"
    expected = SUFFIX_FORMATS.get(path.suffix.lower())
    if expected in ("pdf", "docx") and found != expected:
        what = {"html": "an HTML page", "docx": "a DOCX document", "zip": "a ZIP archive",
                "binary": "binary data", "text": "plain text", "pdf": "a PDF"}[found]
        rename = {"html": ".html", "docx": ".docx", "text": ".txt", "pdf": ".pdf"}.get(found)
        fix = (f"if that is the document, rename it to {rename}; otherwise download it again"
               if rename else "download the document again")
        raise ExtractionError(f"not a {expected.upper()}: the file is {what}", fix)
    if found in ("zip", "binary"):
        raise ExtractionError(f"unsupported file type ({found})",
                              "migdocs reads PDF, DOCX, HTML and UTF-8 text; convert it to one of those")
    return found  # type: ignore[return-value]


def pages(path: Path, *, engine: PdfEngine = "auto", password: str | None = None) -> Extraction:
    """Repaired text of every page of `path` (one page for text, HTML and DOCX unless the text
    has form feeds)."""
    fmt = sniff(path)
    limits.check_size(path)
    warnings: list[str] = []
    if fmt == "pdf":
        result = _pdf(path, engine, password)
    elif fmt == "docx":
        limits.check_archive(path)
        result = _docx(path)
    elif fmt == "html":
        result = _html(path, warnings)
    else:
        result = Extraction("text", _decode(path, warnings).split("\f"))
    limits.check_pages(len(result.pages))
    result.warnings += warnings
    result.pages = [repair(p) for p in result.pages]
    return result


# -- PDF ----------------------------------------------------------------------------------------
class _CannotOpen(Exception):
    """PDFium could not parse the file; pypdf may still."""


def _pdf(path: Path, engine: PdfEngine, password: str | None) -> Extraction:
    if engine == "pypdf":
        return _pypdf(path, password)
    try:
        return _pdfium(path, password)
    except _CannotOpen as exc:
        if engine == "pdfium":
            raise ExtractionError(f"damaged PDF: PDFium cannot open it ({exc})", _AGAIN) from exc
    result = _pypdf(path, password)
    result.flags.append(FLAG_PYPDF_FALLBACK)
    return result


def _password_error(password: str | None) -> ExtractionError:
    if password:
        return ExtractionError("the PDF is encrypted and the --password given does not open it",
                               "check the password, or ask the sender for an unencrypted copy")
    return ExtractionError("the PDF needs a password to open",
                           "run `migdocs ingest --password PASSWORD FILE`, or get an unencrypted copy")


def _pdfium(path: Path, password: str | None) -> Extraction:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(path, password=password)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == raw.FPDF_ERR_PASSWORD:
            raise _password_error(password) from exc
        raise _CannotOpen(str(exc)) from exc
    flags = []
    try:
        if raw.FPDF_GetSecurityHandlerRevision(document.raw) != -1:
            if not raw.FPDF_GetDocPermissions(document.raw) & _PDF_EXTRACT_PERMISSION:
                flags.append(FLAG_COPY_PROTECTED)
        limits.check_pages(len(document))
        title = _pdf_title(document)
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    except pdfium.PdfiumError as exc:  # e.g. "Failed to load page." in a damaged file
        raise _CannotOpen(str(exc)) from exc
    finally:
        document.close()
    return Extraction("pdf", texts, flags=flags, title=title)


def _pdf_title(document) -> str | None:
    try:
        return (document.get_metadata_value("Title") or "").strip() or None
    except Exception:  # noqa: BLE001 - broken metadata never stops extraction
        return None


def render(path: Path, numbers: list[int], *, dpi: int, password: str | None = None,
           ) -> Iterator[Image]:
    """Grey-scale images of pages `numbers` (1-based) of a PDF, rendered by PDFium at `dpi`:
    what OCR reads. One page at a time, so memory stays at one bitmap (A4 at 400 dpi: 15 MB)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(path, password=password)
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"PDFium cannot render it ({exc})", _AGAIN) from exc
    try:
        for number in numbers:
            page = document[number - 1]
            try:
                yield page.render(scale=dpi / 72, grayscale=True).to_pil()
            finally:
                page.close()
    finally:
        document.close()


def save_image_only(source: Path, target: Path, *, dpi: int = 200) -> int:
    """Write `target`, a copy of PDF `source` whose pages are pictures only (what a scanner
    makes): for tests and bench/ocr.py. Returns the page count."""
    import pypdfium2 as pdfium

    count = len(pdfium.PdfDocument(source))
    images = list(render(source, list(range(1, count + 1)), dpi=dpi))
    images[0].save(target, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return count


def _pypdf(path: Path, password: str | None) -> Extraction:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, WrongPasswordError

    try:
        reader = PdfReader(path, password=password)
        if reader.is_encrypted and not password and not reader.decrypt(""):
            raise _password_error(None)
        limits.check_pages(len(reader.pages))
        texts = [page.extract_text() or "" for page in reader.pages]
    except (FileNotDecryptedError, WrongPasswordError) as exc:
        raise _password_error(password) from exc
    except DependencyError as exc:
        raise ExtractionError(f"the PDF needs a missing library to decrypt ({exc})",
                              "reinstall migdocs so that `cryptography` is installed") from exc
    except ExtractionError:
        raise
    except Exception as exc:  # damaged files make pypdf raise anything (zlib, struct, Key...)
        raise ExtractionError(f"damaged or truncated PDF ({type(exc).__name__}: {exc})", _AGAIN) from exc
    flags = []
    if reader.is_encrypted and reader.user_access_permissions is not None:
        if not int(reader.user_access_permissions) & _PDF_EXTRACT_PERMISSION:
            flags.append(FLAG_COPY_PROTECTED)
    try:
        title = (reader.metadata.title or "").strip() or None if reader.metadata else None
    except Exception:  # noqa: BLE001 - broken metadata never stops extraction
        title = None
    return Extraction("pdf", texts, flags=flags, title=title)


# -- other formats --------------------------------------------------------------------------
def _decode(path: Path, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or by its zero bytes), else Windows-1252 /
    Latin-1 with a warning: old Western European files are that, and reading them beats
    refusing them (a wrong guess shows as odd accents, which the warning explains)."""
    data = path.read_bytes()
    order = _utf16_order(data[:2048])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or order:
        try:
            return data.decode("utf-16" if not order or data.startswith((b"\xff\xfe", b"\xfe\xff"))
                               else order, errors="replace")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = exc.start
    text = data.decode("cp1252", errors="replace")  # cp1252 is Latin-1 plus € ’ “ ” …
    warnings.append(f"not UTF-8 (bad byte at offset {where}): read as Windows-1252/Latin-1; "
                    "if accents look wrong in `migdocs get --text`, save it as UTF-8 and ingest "
                    "it again")
    return text


def _utf16_order(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for UTF-16 text without a BOM (every other byte zero, as in
    Latin-script text), else None."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even_zero = sum(1 for i in range(0, pairs * 2, 2) if head[i] == 0)
    odd_zero = sum(1 for i in range(1, pairs * 2, 2) if head[i] == 0)
    if odd_zero > 0.6 * pairs and even_zero < 0.05 * pairs:
        return "utf-16-le"
    if even_zero > 0.6 * pairs and odd_zero < 0.05 * pairs:
        return "utf-16-be"
    return None


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<html" in start[:512]


def _docx(path: Path) -> Extraction:
    import docx

    try:
        document = docx.Document(str(path))
        blocks = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                blocks.append(" | ".join(cell.text for cell in row.cells))
    except Exception as exc:  # damaged archives raise zlib, lxml, KeyError, ...
        raise ExtractionError(f"damaged DOCX ({type(exc).__name__}: {exc})", _AGAIN) from exc
    props = document.core_properties
    return Extraction("docx", ["\n".join(blocks)], declared_language=props.language or None,
                      title=props.title or None)


class _HTMLText(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
              "article", "header", "footer", "table", "ul", "ol", "blockquote", "pre", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.in_title = False
        self.title = ""
        self.language: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.language = dict(attrs).get("lang") or None
        if tag in self._SKIP:
            self.skipping += 1
        self.in_title = tag == "title"
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        if tag == "title":
            self.in_title = False
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skipping:
            self.parts.append(data)


def _html(path: Path, warnings: list[str]) -> Extraction:
    parser = _HTMLText()
    parser.feed(_decode(path, warnings))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return Extraction("html", ["\n".join(line for line in lines if line)],
                      declared_language=parser.language, title=parser.title.strip() or None)
