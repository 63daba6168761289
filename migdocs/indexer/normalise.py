"""Unicode repair of extracted text, and Arabic folding for indexing.

`repair` is applied once to every page before it is stored: what users see in snippets is
the repaired text. `fold_arabic` is applied by the analyzers at index and query time only.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP = dict.fromkeys(map(ord, BIDI_CONTROLS + "\ufeff\x00"), None)
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
_SOFT_HYPHEN_BREAK = re.compile(r"[\u00ad\x02][ \t]*\n[ \t]*")
_HYPHEN_BREAK = re.compile(r"(?<=\w)-[ \t]*\n[ \t]*(?=\w)")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")

ARABIC_MARKS = "".join(chr(c) for c in [*range(0x064B, 0x0660), 0x0670, *range(0x0610, 0x061B),
                                       *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E9),
                                       *range(0x06EA, 0x06EE)])
TATWEEL = "\u0640"
_ARABIC_FOLD = {
    **dict.fromkeys(map(ord, ARABIC_MARKS + TATWEEL), None),
    **dict.fromkeys(map(ord, "\u0622\u0623\u0625\u0671\u0672\u0673"), "\u0627"),  # alef forms
    ord("\u0649"): "\u064a",  # alef maksura -> yeh
    ord("\u06cc"): "\u064a",  # Farsi yeh -> yeh
    ord("\u06a9"): "\u0643",  # keheh -> kaf
    **{0x0660 + d: str(d) for d in range(10)},  # Arabic-Indic digits
    **{0x06F0 + d: str(d) for d in range(10)},
}


def repair(text: str) -> str:
    """NFKC (presentation forms -> base letters, ligatures), no bidi controls, joined line-end
    hyphens (`15-\\nyear-old` -> `15-year-old`: UN documents hyphenate compounds, not words),
    soft hyphens removed, tidy whitespace."""
    # PDFium writes a hyphen that ends a line as U+FFFE and drops the line break.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-")
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_DROP)
    text = _SOFT_HYPHEN_BREAK.sub("", text).replace("\u00ad", "")
    text = _HYPHEN_BREAK.sub("-", text)
    text = _CONTROL.sub(" ", text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def fold_arabic(text: str) -> str:
    """Strip tashkeel and tatweel, unify alef forms and alef maksura, ASCII digits."""
    return text.translate(_ARABIC_FOLD)


def fold_accents(text: str) -> str:
    """`développement` -> `developpement`, `œuvre` -> `oeuvre`."""
    text = text.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def letter_count(text: str) -> int:
    return sum(1 for c in text if c.isalpha())
