"""What the templates call: links, language and direction attributes, highlighted snippets.

Everything that puts text into HTML goes through Jinja2's autoescaping or `markupsafe.escape`
here; nothing builds HTML from unescaped strings.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from markupsafe import Markup, escape

from migdocs.repo.cite import long_date, meeting_dates
from migdocs.repo.languages import NAMES

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
_RTL_SCRIPT = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LETTER = re.compile(r"[^\W\d_]")


def document_url(symbol_or_id: str, suffix: str = "") -> str:
    """`/documents/A/69/767`: the symbol's slashes stay plain (both plain and %2F work)."""
    return "/documents/" + quote(symbol_or_id, safe="/") + suffix


def file_url(symbol_or_id: str, language: str, page: int | None = None) -> str:
    """The stored file of one language version; `#page=N` opens a PDF at that page."""
    return document_url(symbol_or_id, f"/files/{quote(language)}") + (f"#page={page}" if page else "")


def meeting_url(code: str, session: str | None = None) -> str:
    return "/meetings/" + quote(code, safe="") + (f"#session-{quote(session)}" if session else "")


def url(path: str, params: dict[str, str]) -> str:
    return path + ("?" + urlencode(params) if params else "")


def text_language(text: str | None) -> str | None:
    """'ar' for text mostly in Arabic script (titles carry no language of their own)."""
    if not text:
        return None
    letters = _LETTER.findall(text)
    rtl = sum(1 for c in letters if _RTL_SCRIPT.match(c))
    return "ar" if letters and rtl * 2 > len(letters) else None


def lang_attrs(language: str | None = None, text: str | None = None) -> Markup:
    """` lang="ar" dir="rtl"` for Arabic (by code, or by script when no code is known), so it
    renders right to left inside the left-to-right page; ` lang="fr"` otherwise; ` dir="auto"`
    for text of unknown language."""
    language = language or text_language(text)
    if not language:
        return Markup(' dir="auto"')
    direction = ' dir="rtl"' if language in RTL_LANGUAGES else ' dir="ltr"'
    return Markup(f' lang="{escape(language)}"{direction}')


def marked(text: str, highlights: list[tuple[int, int]] | list[list[int]]) -> Markup:
    """The snippet with its matched words in <mark>; every piece escaped."""
    out, pos = [], 0
    for start, end in sorted(tuple(h) for h in highlights):
        if start < pos or end > len(text):
            continue
        out += [escape(text[pos:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def day_name(day: str) -> str:
    """`2018-02-15` -> `Thursday, 15 February 2018` (as the programme is printed)."""
    try:
        weekday = WEEKDAYS[datetime.date.fromisoformat(day).weekday()]
    except ValueError:
        return day
    return f"{weekday}, {long_date(day)}"


def language_name(code: str) -> str:
    return NAMES.get(code, code)


def badge(code: str) -> str:
    return code.upper()


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals.update(document_url=document_url, file_url=file_url, meeting_url=meeting_url,
                       url=url, lang_attrs=lang_attrs, marked=marked, language_name=language_name,
                       badge=badge, day_name=day_name, meeting_dates=meeting_dates)
    return env

