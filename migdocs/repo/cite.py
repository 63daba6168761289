"""Citations of a document: UN style (as the Dag Hammarskjöld Library cites UN documents:
author, title, symbol, date), BibTeX and RIS for reference managers.

One function per format over the same fields, so the three never disagree. The `cite`
command and the web page both call `cite()`.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from migdocs.repo.model import Document, Meeting

CiteFormat = Literal["un", "bibtex", "ris"]
CITE_FORMATS: tuple[str, ...] = get_args(CiteFormat)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_OCCASION = {"paper": "Paper presented at", "presentation": "Presentation at",
             "background": "Background document for", "meeting": "Document of"}


def cite(document: Document, *, meeting: Meeting | None = None, format: CiteFormat = "un") -> str:
    """The citation of `document` in `format`; `meeting` (the one it belongs to) adds where
    it was presented."""
    if format == "bibtex":
        return _bibtex(document, meeting)
    if format == "ris":
        return _ris(document, meeting)
    return _un(document, meeting)


def author(document: Document) -> str:
    """The corporate author: `International Organization for Migration (IOM)`; the United
    Nations when the catalog names no entity (UN documents with symbols)."""
    if document.entity_name and document.entity and document.entity not in document.entity_name:
        return f"{document.entity_name} ({document.entity})"
    return document.entity_name or document.entity or "United Nations"


def long_date(date: str | None) -> str | None:
    """`2015-02-03` -> `3 February 2015`; `2018-02` -> `February 2018`; `2018` as is."""
    if not date:
        return None
    parts = date.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return date


def title(document: Document) -> str | None:
    """The document's title, else its English version's, else any version's."""
    english = document.version("en")
    return (document.title or (english.title if english else None)
            or next((v.title for v in document.versions if v.title), None))


def _occasion(document: Document, meeting: Meeting | None) -> str | None:
    if meeting is None:
        return None
    when = meeting_dates(meeting)
    where = ", ".join(filter(None, [meeting.name, meeting.place, when]))
    return f"{_OCCASION.get(document.type, 'Document of')} the {where}" if where else None


def meeting_dates(meeting: Meeting) -> str | None:
    """`15-16 February 2018`; across months or years, both dates in full."""
    start, end = long_date(meeting.start), long_date(meeting.end)
    if start and end and start != end:
        a, b = meeting.start.split("-"), meeting.end.split("-")
        if len(a) == len(b) == 3 and a[:2] == b[:2]:  # 15-16 February 2018
            return f"{int(a[2])}-{end}"
        return f"{start} - {end}"
    return start


def _un(document: Document, meeting: Meeting | None) -> str:
    name = title(document)
    head = author(document)
    if name and name != head:  # papers are often titled by their entity: say it once
        head += f", {name}"
    if document.symbol:
        head += f", {document.symbol}"
    date = long_date(document.date)
    head += f" ({date})." if date else "."
    occasion = _occasion(document, meeting)
    return head + (f" {occasion}." if occasion else "")


_BIBTEX_SPECIAL = re.compile(r"([{}\\%&$#_^~])")


_TEX = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def _tex(text: str) -> str:
    """BibTeX-safe text on one line: special characters escaped."""
    return _BIBTEX_SPECIAL.sub(lambda m: _TEX.get(m.group(1), "\\" + m.group(1)), " ".join(text.split()))


def _bibtex(document: Document, meeting: Meeting | None) -> str:
    key = re.sub(r"[^A-Za-z0-9]+", "_", document.symbol or document.id).strip("_") or "document"
    fields = [("author", "{" + _tex(author(document)) + "}"),
              ("title", _tex(title(document) or document.symbol or document.id)),
              ("institution", "United Nations"),
              ("number", _tex(document.symbol) if document.symbol else None),
              ("year", document.year), ("note", _tex(_occasion(document, meeting) or "") or None),
              ("url", document.url)]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@techreport{{{key},\n{body}\n}}"


def _ris(document: Document, meeting: Meeting | None) -> str:
    def line(tag: str, value: str | None) -> str | None:
        return f"{tag}  - {' '.join(value.split())}" if value else None

    date = document.date.replace("-", "/") + "/" if document.date and len(document.date) == 10 else None
    lines = [line("TY", "RPRT"), line("AU", author(document)),
             line("TI", title(document) or document.symbol or document.id),
             line("PY", document.year), line("DA", date), line("SN", document.symbol),
             line("PB", "United Nations"), line("T2", meeting.name if meeting else None),
             line("CY", meeting.place if meeting else None), line("UR", document.url),
             line("N1", _occasion(document, meeting)), "ER  - "]
    return "\n".join(x for x in lines if x)
