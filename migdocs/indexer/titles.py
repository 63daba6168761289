"""Titles for documents that no catalog record names: from the file's metadata, else the
first heading-like line of its first page, else its file name made readable.

Where a title came from is kept (`title_source`): a catalog title always replaces a derived
one. Measured on the files of corpus/un-pdf: of 12 PDFs, 2 have a real /Title (`GC14.pdf`);
2 have `Microsoft Word - x.doc`, 9 none; the first heading-like line names 10 of the 12.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from migdocs.repo import symbols

TitleSource = Literal["catalog", "metadata", "first-line", "file-name"]
TITLE_SOURCES: tuple[str, ...] = get_args(TitleSource)
MAX_TITLE_CHARS = 160
_LINES_LOOKED_AT = 25

#: Metadata titles that programs write by themselves, not authors.
_GENERATED = re.compile(
    r"^(microsoft (word|powerpoint|excel)\s*-|untitled|document\s*\d*$|title$|test$|"
    r"presentation\d*$|slide \d+$|pdf$|none$|\(anonymous\)$)", re.IGNORECASE)
_FILE_NAME = re.compile(r"\.(pdf|docx?|rtf|txt|html?|odt|indd|pptx?|xlsx?)\s*$", re.IGNORECASE)

#: First-page lines of UN documents that are not titles: the masthead, distribution, dates,
#: job numbers, bar codes, session and agenda lines, the "Original" language.
_BOILERPLATE = re.compile(
    r"^(united nations|united$|nations\b|nations unies|naciones unidas|general assembly|"
    r"security council|economic and social( council)?$|council$|distr\b|original\s*:|agenda item|items? \d|"
    r"(\w+[- ])?\w+ session$|[\w-]+ período de sesiones|ge\.\d|\d{2}-\d{5}|\*|page \d|"
    r"\d{1,2} \w+ \d{4}$|\w+ \d{1,2}, \d{4}$|english|french|spanish|arabic|general$)",
    re.IGNORECASE)
_CONNECTORS = {"of", "on", "and", "the", "for", "in", "to", "a", "an", "de", "du", "des",
               "la", "le", "les", "et", "en", "y", "el", "los", "las", "del", "para", "sobre"}


def real_metadata_title(title: str | None, *, file_name: str) -> str | None:
    """`title` when an author wrote it: not empty, not `Microsoft Word - x.doc`, not a file
    name, not a symbol, at least two words."""
    if not title:
        return None
    title = " ".join(title.split())
    stem = symbols.split_filename(file_name)[0]
    if (_GENERATED.match(title) or _FILE_NAME.search(title) or len(title.split()) < 2
            or title.casefold() in (stem.casefold(), file_name.casefold())
            or symbols.parse(title)):
        return None
    return title[:MAX_TITLE_CHARS]


def first_heading(page: str) -> str | None:
    """The first heading-like line of a first page: a short line of words that is not the UN
    masthead or a symbol, joined with the next line when it plainly goes on (`... of` /
    `Mission in Mali`)."""
    lines = [" ".join(line.split()) for line in page.split("\n")][:_LINES_LOOKED_AT]
    lines = [line for line in lines if line]
    widths = sorted(len(line) for line in lines)
    body_width = widths[int(len(widths) * 0.9)] if len(widths) >= 6 else 10**6
    for n, line in enumerate(lines):
        if not _heading_like(line, body_width) or line[:1].islower():
            continue
        if n and _wrapped(lines[n - 1], body_width):
            continue  # the middle of a paragraph
        title = line
        for following in lines[n + 1:]:
            last = title.split()[-1].casefold()
            goes_on = last in _CONNECTORS or following[:1].islower()
            if not goes_on or not _heading_like(following, body_width, words=1):
                break
            title = f"{title} {following}"
        return title[:MAX_TITLE_CHARS].rstrip(" ,;:")
    return None


def _heading_like(line: str, body_width: int, *, words: int = 2) -> bool:
    letters = sum(c.isalpha() for c in line)
    return (len(line.split()) >= words and letters >= 6 and letters >= 0.6 * len(line.replace(" ", ""))
            and len(line) <= min(MAX_TITLE_CHARS, 0.8 * body_width)
            and not line.endswith((".", ",", ";")) and not re.match(r"^\d+\.\s", line)
            and not _BOILERPLATE.match(line) and not _has_symbol(line))


def _wrapped(line: str, body_width: int) -> bool:
    """A body line that the page wrapped: as wide as the text and not the end of a sentence."""
    return len(line) >= 0.8 * body_width and not line.endswith((".", ":", "!", "?"))


def _has_symbol(line: str) -> bool:
    return any(symbols.parse(word) for word in line.split() if "/" in word)


def readable_file_name(file_name: str) -> str | None:
    """`2018_WFP_paper_AR.pdf` -> `2018 WFP paper`."""
    stem = symbols.split_filename(file_name)[0]
    words = re.sub(r"[_\s]+|(?<=[a-z])-(?=[a-z])|-+(?=\d)|(?<=\d)-+", " ", stem).split()
    return " ".join(words)[:MAX_TITLE_CHARS] or None


def derive(*, metadata: str | None, first_page: str, file_name: str,
           ) -> tuple[str | None, TitleSource | None]:
    """(title, where it came from) for a file without a catalog title."""
    title = real_metadata_title(metadata, file_name=file_name)
    if title:
        return title, "metadata"
    title = first_heading(first_page)
    if title:
        return title, "first-line"
    title = readable_file_name(file_name)
    return (title, "file-name") if title else (None, None)
