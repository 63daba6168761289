"""OCR of scanned PDF pages: the one module that talks to Tesseract (through pytesseract).

pytesseract runs the `tesseract` program that Debian installs together with its language
packs (`tesseract-ocr-ara` ...); the ~50 ms it costs to start it per page is small beside the
1.5 to 3 s the recognition takes. Pages are rendered by PDFium (`extract.render`).

Measured on renders of the 148 UNPC PDFs (bench/ocr.py, docs/ocr.md): Latin-script pages
read at 300 dpi, Arabic ones need 400 dpi (Naskh at 13 pt: 0.84 word recall at 300 dpi,
0.94 to 0.99 at 400). A page's language is the declared one when there is one; otherwise
the first page with text is read with all four languages, langdetect names its language,
and every page is then read with that language alone (four languages at once lose 1-3% of
the words).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from migdocs.errors import ExtractionError
from migdocs.indexer import extract
from migdocs.indexer.normalise import letter_count, repair
from migdocs.indexer.options import OCR_MODES, OcrMode  # noqa: F401 - re-exported
from migdocs.repo.model import FLAG_OCR

#: Tesseract's names for the languages we read; English comes with `tesseract-ocr`.
TESSERACT_LANGUAGES = {"ar": "ara", "en": "eng", "fr": "fra", "es": "spa"}
DEBIAN_PACKAGES = "tesseract-ocr tesseract-ocr-ara tesseract-ocr-fra tesseract-ocr-spa"
INSTALL = f"install Tesseract (`apt-get install {DEBIAN_PACKAGES}`) and ingest it again"
DPI = {"ar": 400}
DEFAULT_DPI = 300
#: One page never takes longer than this (a normal page: 1.5-6 s on one core).
PAGE_TIMEOUT_S = 180


@dataclass
class OcrResult:
    pages: list[str]  # every page; those not read keep their text layer
    read: list[int]  # 1-based numbers of the pages read by OCR
    language: str | None  # the language Tesseract was told


@functools.cache
def installed() -> frozenset[str]:
    """Our languages (ISO codes) that this machine's Tesseract can read; empty when
    Tesseract itself is missing."""
    import pytesseract

    try:
        found = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return frozenset()
    return frozenset(code for code, name in TESSERACT_LANGUAGES.items() if name in found)


def version() -> str:
    """Tesseract's version, for reports ("5.3.0"); "not installed" without it."""
    import pytesseract

    try:
        return str(pytesseract.get_tesseract_version())
    except (pytesseract.TesseractNotFoundError, OSError):
        return "not installed"


def missing(declared: str | None) -> str | None:
    """Why OCR cannot read a page in `declared` (None: any of ours) here, or None if it can."""
    have = installed()
    if not have:
        return "Tesseract is not installed"
    wanted = declared if declared in TESSERACT_LANGUAGES else None
    if wanted and wanted not in have:
        return f"Tesseract has no {TESSERACT_LANGUAGES[wanted]} language pack"
    return None


def pages_to_read(pages: list[str], mode: OcrMode) -> list[int]:
    """auto: the pages without a letter of text (scans); always: every page; never: none."""
    if mode == "never":
        return []
    return [n for n, text in enumerate(pages, 1) if mode == "always" or not letter_count(text)]


def read(path: Path, pages: list[str], numbers: list[int], *, declared: str | None,
         password: str | None = None) -> OcrResult:
    """The text of `pages` with pages `numbers` read by OCR. Tesseract runs single-threaded
    (OMP_THREAD_LIMIT=1): ingest already runs one worker per core, and Tesseract's own
    threads only slow two workers down."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    out = list(pages)
    lang = declared if declared in installed() else None
    todo = list(numbers)
    if lang is None:
        lang = _decide_language(path, todo, out, password)
    for number in todo:
        out[number - 1] = _read_page(path, number, lang, password)
    return OcrResult(out, list(numbers), lang)


def _decide_language(path: Path, todo: list[int], out: list[str], password: str | None) -> str | None:
    """Read pages with all installed languages until one has enough text for langdetect;
    its language is used for the rest. Pages read meanwhile keep their all-language text
    only when no language could be decided."""
    from migdocs.indexer import language  # langdetect: only where OCR runs

    every = "+".join(TESSERACT_LANGUAGES[c] for c in ("en", "fr", "es", "ar") if c in installed())
    while todo:
        number = todo[0]
        text = _tesseract(path, number, every, DEFAULT_DPI, password)
        found = language.detect(text)
        if found and found.language in installed():
            return found.language  # this page is read again below with that language alone
        out[number - 1] = text
        todo.pop(0)
    return None


def _read_page(path: Path, number: int, lang: str | None, password: str | None) -> str:
    names = TESSERACT_LANGUAGES[lang] if lang else "+".join(
        TESSERACT_LANGUAGES[c] for c in sorted(installed()))
    return _tesseract(path, number, names, DPI.get(lang or "", DEFAULT_DPI), password)


def _tesseract(path: Path, number: int, names: str, dpi: int, password: str | None) -> str:
    import pytesseract

    image = next(extract.render(path, [number], dpi=dpi, password=password))
    try:
        text = pytesseract.image_to_string(image, lang=names, timeout=PAGE_TIMEOUT_S)
    except RuntimeError as exc:  # pytesseract's timeout
        raise ExtractionError(f"OCR of page {number} took over {PAGE_TIMEOUT_S} s ({exc})",
                              "ingest it with --ocr never, or re-scan it") from exc
    except pytesseract.TesseractError as exc:
        raise ExtractionError(f"Tesseract failed on page {number} ({exc.message.strip()})",
                              "ingest it with --ocr never, or re-scan it") from exc
    return repair(text)


def apply(result: extract.Extraction, path: Path, *, mode: OcrMode, declared: str | None,
          password: str | None = None) -> str | None:
    """Read `result`'s pages without text by OCR (in place, flagging the version `ocr`).
    Returns why it could not when OCR was needed and Tesseract is not there, else None."""
    if result.format != "pdf":
        return None
    numbers = pages_to_read(result.pages, mode)
    if not numbers:
        return None
    why = missing(declared)
    if why:
        return why
    done = read(path, result.pages, numbers, declared=declared, password=password)
    result.pages = done.pages
    result.flags.append(FLAG_OCR)
    return None
