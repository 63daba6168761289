"""Choices a user makes about extraction, importable without the extraction machinery
(the CLI offers them on every start)."""

from __future__ import annotations

from typing import Literal, get_args

#: auto: PDFium, and pypdf when PDFium cannot open a file.
PdfEngine = Literal["auto", "pdfium", "pypdf"]
PDF_ENGINES: tuple[str, ...] = get_args(PdfEngine)
