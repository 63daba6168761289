"""Choices a user makes about extraction, importable without the extraction machinery
(the CLI offers them on every start)."""

from __future__ import annotations

from typing import Literal, get_args

#: auto: PDFium, and pypdf when PDFium cannot open a file.
PdfEngine = Literal["auto", "pdfium", "pypdf"]
PDF_ENGINES: tuple[str, ...] = get_args(PdfEngine)

#: auto: OCR only the pages without text; always: every PDF page; never: none.
OcrMode = Literal["auto", "always", "never"]
OCR_MODES: tuple[str, ...] = get_args(OcrMode)
