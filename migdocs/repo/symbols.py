"""UN document symbols: parse, normalise, compare, sort, and read them from file names.

Canonical form keeps UN casing (`A/RES/71/1`, `E/CN.9/2018/2`, `A/69/767/Add.1`,
`A/81/6 (Sect. 9)`); the lookup key is that form upper-cased without spaces, so lookups are
case-insensitive and tolerant of spaces around `/` and of en dashes for hyphens.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from migdocs.errors import UsageError
from migdocs.repo import languages
from migdocs.repo.series import MAX_ELEMENT_LETTERS, MULTI_ELEMENT_SERIES, SERIES_BODIES

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")
_PART = r"[A-Z0-9][A-Z0-9.\-()]*"
_SYMBOL = re.compile(rf"^{_PART}(?:/{_PART})+(?: \([A-Z0-9][A-Z0-9 .\-]*\))?$")
_TITLE_CASED = re.compile(r"\b(ADD|REV|CORR|SECT|AMEND|SUPPL|ANNEX)\.")
_IN_TEXT = re.compile(r"(?<![\w/])([A-Z][A-Za-z0-9.\-()]*(?:/[A-Za-z0-9.\-()]*[A-Za-z0-9)])+)")
_FILE_EXTENSIONS = {".pdf", ".txt", ".text", ".html", ".htm", ".docx", ".doc", ".rtf"}
_LANG_SUFFIX = re.compile(r"(?:[-_](AR|EN|FR|ES|SP|RU|ZH|CH)|_(A|E|F|S|R|C))$", re.IGNORECASE)
_FILE_SECTION = re.compile(r"/SECT\.?(\d+)$")
_DIGITS = re.compile(r"(\d+)")


def _prepare_spacing(text: str) -> str:
    """NFKC, hyphens for dashes, no spaces around `/` or inside parentheses, and a final
    `(...)` after a number written as a suffix: `S/RES/2196(2015)` -> `S/RES/2196 (2015)`."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\s*\(\s*", "(", text)
    text = re.sub(r"\s*\)", ")", text)
    text = re.sub(r"(?i)\b(sect)\.\s*(?=\d)", r"\1. ", text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"(?<=\d)\((?=[^()]*\)$)", " (", text)


def _prepare(text: str) -> str:
    return _prepare_spacing(text).upper()


def parse(text: str, *, keep_case: bool = False) -> str | None:
    """Canonical form of `text` if it is a UN symbol, else None.

    `keep_case` keeps the letters' case as written when it is mixed (for catalogs, where staff
    write UN casing such as `UNEP(DTIE)/Hg/INC.6/24`); otherwise, and for text written all in
    lower case, UN casing is restored from upper case.
    """
    prepared = _prepare(text)
    if (not _SYMBOL.match(prepared) or not any(c.isdigit() for c in prepared)
            or prepared.count("(") != prepared.count(")")):
        return None
    if keep_case and text != text.lower():
        return _prepare_spacing(text)
    return _TITLE_CASED.sub(lambda m: m.group(1).title() + ".", prepared)


_BODY = re.compile(r"^[A-Z]+")
_LETTER_RUN = re.compile(r"[A-Z]+")


def un_symbol(text: str) -> str | None:
    """Canonical form of `text` when it is a UN symbol beyond its shape: its first element a
    UN series body (`migdocs.repo.series`) and no element a word. For symbols found in file
    names and texts; a catalog's symbols are taken as written (`parse`)."""
    symbol = parse(text)
    if symbol is None:
        return None
    elements = symbol.upper().split(" (")[0].split("/")
    if any(len(run) > MAX_ELEMENT_LETTERS for e in elements for run in _LETTER_RUN.findall(e)):
        return None
    body = _BODY.match(elements[0])
    if body and body.group(0) in SERIES_BODIES:
        return symbol
    if any(tuple(elements[: len(series)]) == series for series in MULTI_ELEMENT_SERIES):
        return symbol
    if any(elements[: len(series) - 1] == list(series[:-1])
           and elements[len(series) - 1].startswith(series[-1] + "-")
           for series in MULTI_ELEMENT_SERIES):
        return symbol  # `UN/POP-...`
    return None


def canonical(text: str, *, keep_case: bool = False) -> str:
    """Canonical form of a symbol; UsageError when `text` is not one."""
    symbol = parse(text, keep_case=keep_case)
    if symbol is None:
        raise UsageError(
            f"{text!r} is not a UN document symbol (expected something like A/RES/71/1 or "
            "UN/POP/MIG-16CM/2018/5)"
        )
    return symbol


def key(text: str) -> str:
    """Lookup key: upper case, no spaces. `a / res / 71/1` and `A/RES/71/1` share one key."""
    return _prepare(text).replace(" ", "")


def natural_key(text: str) -> tuple[str | int, ...]:
    """Sort key that orders numbers as numbers: `.../2018/2` before `.../2018/10`."""
    return natural_key_of_key(key(text))


def natural_key_of_key(symbol_key: str) -> tuple[str | int, ...]:
    """`natural_key` of a text whose `key()` is already known (the catalog stores it)."""
    parts = _DIGITS.split(symbol_key)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def from_filename(name: str) -> tuple[str | None, str | None]:
    """(symbol, language) that a UN file name spells, each None when it does not.

    `A_RES_71_1-EN.pdf` -> (`A/RES/71/1`, `en`); `A_AC.182_L.139-FR.pdf` ->
    (`A/AC.182/L.139`, `fr`); `A_69_720_S.pdf` -> (`A/69/720`, `es`); `report-FR.pdf` ->
    (None, `fr`); `report_2017.pdf` -> (None, None): REPORT is no UN series.
    """
    stem, language = split_filename(name)
    return un_symbol(_file_stem_symbol(stem)), language


def _file_stem_symbol(stem: str) -> str:
    return _FILE_SECTION.sub(r" (Sect. \1)", stem.replace("_", "/").upper())


def split_filename(name: str) -> tuple[str, str | None]:
    """File name without folder, extension and language suffix; and that language.

    `A_69_745-FR.docx` -> (`A_69_745`, `fr`); `many-pages.pdf` -> (`many-pages`, None).
    """
    stem = PurePath(name).name
    suffix = PurePath(stem).suffix.lower()
    if suffix in _FILE_EXTENSIONS:
        stem = stem[: -len(suffix)]
    match = _LANG_SUFFIX.search(stem)
    if not match or match.start() == 0:
        return stem, None
    return stem[: match.start()], languages.normalize(match.group(1) or match.group(2))


def find_in_text(text: str) -> str | None:
    """The symbol printed on the first line of a page (UN documents print it there), if any."""
    first_line = text.strip().split("\n", 1)[0][:200]
    for match in _IN_TEXT.finditer(first_line):
        symbol = un_symbol(match.group(1))
        if symbol:
            return symbol
    return None


_PART_OF = re.compile(r"^(?P<parent>.+?)/(?P<kind>Rev|Add|Corr|Amend|Suppl)\.\d+$", re.IGNORECASE)
_MISSING_FIRST_SEPARATOR = re.compile(r"^(?P<series>[A-Za-z]+)(?P<rest>\d[^/]*/.+)$")
RELATION_NAMES = {"REV": "revision", "ADD": "addendum", "CORR": "corrigendum",
                  "AMEND": "amendment", "SUPPL": "supplement"}


def parent(symbol: str) -> tuple[str, str] | None:
    """(parent symbol, relation) when `symbol` is a revision, addendum, corrigendum,
    amendment or supplement: `A/69/767/Add.1` -> (`A/69/767`, `addendum`)."""
    match = _PART_OF.match(symbol)
    if not match:
        return None
    return match.group("parent"), RELATION_NAMES[match.group("kind").upper()]


def spellings(text: str) -> list[str]:
    """The symbols a messy string may mean, most literal first: as written; as a UN file
    name (`A_69_767-EN.pdf`); with the separator after the series letters that people drop
    (`A69/767` -> `A/69/767`); then the spellings of `forgiving_spellings`. Callers keep the
    first one that exists."""
    out = _literal_spellings(text)
    out += [s for s in forgiving_spellings(text) if s not in out]
    return out


def _literal_spellings(text: str) -> list[str]:
    out: list[str] = []
    direct = parse(text)
    if direct:
        out.append(direct)
    from_file = parse(_file_stem_symbol(split_filename(text.strip())[0]))
    if from_file and from_file not in out:
        out.append(from_file)
    for candidate in (direct, from_file, _prepare(text)):
        match = _MISSING_FIRST_SEPARATOR.match(candidate or "")
        if match:
            fixed = parse(f"{match.group('series')}/{match.group('rest')}")
            if fixed and fixed not in out:
                out.append(fixed)
    return out


_UNPC_ID = re.compile(r"^(?:19|20)\d\d/(?P<rest>[^/].*/.+)$")
_NUMBER_AFTER_LETTERS = re.compile(r"^(?P<letters>[A-Z]+)(?P<number>\d+)$")
_SPACE_FOR_DOT = re.compile(r"(?<=[A-Z]) (?=\d)")
_MAX_DOTTED = 4  # elements that may have lost their dot: at most 2**4 spellings


def forgiving_spellings(text: str) -> list[str]:
    """Spellings people type off paper, as canonical symbols, when `text` is not one as
    written: a dot lost before a number (`Add7`, `SR32`, `WP1`, `PV7500`, `CONF222`) or typed
    as a space (`SR 32`), a file name in any case, and the `YEAR/symbol` ids of the UN Parallel
    Corpus (`2015/e/2015/9/add_4`). Each is an exact symbol: a caller that finds several
    existing ones must ask, never pick; none is ever a neighbour (`E/2015/1` never becomes
    `E/2015/1/Add.1`)."""
    if "/" not in text and "_" not in text:
        return []
    prepared = _SPACE_FOR_DOT.sub(".", _prepare(text))
    bases = [prepared] if "/" in text else [_file_stem_symbol(split_filename(text.strip())[0])]
    unpc = _UNPC_ID.match(prepared)
    if unpc:
        bases.append(unpc.group("rest").replace("_", "."))
    out: list[str] = []
    for base in bases:
        for spelling in _dotted(base):
            for found in [parse(spelling), *_literal_spellings(spelling)]:
                if found and found not in out:
                    out.append(found)
    return out


def _dotted(symbol: str) -> list[str]:
    """`A/CONF222/6` -> [`A/CONF222/6`, `A/CONF.222/6`]: every element after the first that
    is letters then a number, with and without the dot (the first element is the series:
    `A69` is handled as a missing `/`)."""
    head, *elements = symbol.split("/")
    spots = [i for i, e in enumerate(elements) if _NUMBER_AFTER_LETTERS.match(e)][:_MAX_DOTTED]
    variants = []
    for mask in range(2 ** len(spots)):
        parts = list(elements)
        for bit, i in enumerate(spots):
            if mask >> bit & 1:
                parts[i] = _NUMBER_AFTER_LETTERS.sub(r"\g<letters>.\g<number>", parts[i])
        variants.append("/".join([head, *parts]))
    return variants


def without_year(symbol: str) -> bool:
    """Whether `symbol` may be a resolution typed without its `(year)`: `S/RES/2198`."""
    return "(" not in symbol and bool(re.search(r"/\d+$", symbol))
