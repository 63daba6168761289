"""Issue 9, scenario 6 (properties): whatever text or bytes come in, the query parser, the symbol
parser, the catalog loader and the file sniffer answer or raise the documented MigdocsError;
no other exception escapes."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migdocs.errors import CatalogFileError, ExtractionError
from migdocs.indexer import extract
from migdocs.repo import catalogfile, symbols
from migdocs.search import syntax

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Text biased to what breaks parsers: operators, quotes, brackets, symbol punctuation,
#: Arabic, combining marks, controls, surrogate-free astral characters.
QUERY_ALPHABET = st.sampled_from(list('+-"()*?~:^/\\_.,; \t\n\x00\u200f\u0651\u0640ـ') +
                                 list("ANDORNOTlangsessionsymbol") + list(string.digits) +
                                 ["عربي", "é", "\U0001F600", "A/RES/", "Rev.", "Add.1", "(", ")"])
queries = st.one_of(st.text(), st.lists(QUERY_ALPHABET, max_size=40).map("".join))


@FAST
@given(queries)
def test_the_query_parser_never_raises(text: str) -> None:
    parsed = syntax.parse(text)
    syntax.words(parsed.root) if hasattr(parsed, "root") else None


@FAST
@given(queries)
def test_the_symbol_parser_never_raises(text: str) -> None:
    symbols.parse(text)
    symbols.key(text)
    symbols.natural_key(text)
    symbols.from_filename(text)
    symbols.split_filename(text)
    symbols.find_in_text(text)
    symbols.parent(text)
    symbols.spellings(text)


toml_scalars = st.one_of(st.text(max_size=30), st.integers(), st.booleans(), st.floats(allow_nan=False),
                         st.dates(), st.lists(st.text(max_size=10), max_size=3))
KEYS = ["symbol", "id", "type", "title", "entity", "entity_name", "sessions", "languages", "files",
        "titles", "notes", "url", "date", "meeting", "code", "name", "start", "end", "number",
        "day", "part", "moderator", "talks", "x"]


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}"
                             for c in value if ord(c) < 0x10000) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return str(value)


tables = st.dictionaries(st.sampled_from(KEYS), st.one_of(
    toml_scalars, st.dictionaries(st.sampled_from(["EN", "FR", "AR", "SP", "xx", "name"]),
                                  st.text(max_size=20), max_size=3)), max_size=8)
catalogs = st.tuples(st.lists(st.sampled_from(["[[document]]", "[meeting]", "[defaults]",
                                               "[[meeting.sessions]]", "[x]"]), min_size=1, max_size=4),
                     st.lists(tables, min_size=1, max_size=4))


@FAST
@given(catalogs, st.text(max_size=40))
def test_the_catalog_loader_raises_only_catalog_file_errors(catalog: tuple, junk: str) -> None:
    headers, bodies = catalog
    text = "\n".join(f"{h}\n" + "\n".join(f"{k} = {_toml_value(v)}" for k, v in b.items())
                     for h, b in zip(headers, bodies, strict=False))
    with tempfile.TemporaryDirectory() as folder:
        for content in (text, text + "\n" + junk):
            path = Path(folder) / "catalog.toml"
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
            try:
                catalogfile.load(path)
            except CatalogFileError:
                pass


@FAST
@given(st.binary(max_size=3000), st.sampled_from([".pdf", ".docx", ".txt", ".html", ".bin", ""]),
       st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", b"\xff\xfe", b"<html>", b"\xef\xbb\xbf"]))
def test_the_sniffer_raises_only_extraction_errors(data: bytes, suffix: str, head: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"file{suffix}"
        path.write_bytes(head + data)
        try:
            found = extract.sniff(path)
        except ExtractionError:
            return
        assert found in ("pdf", "docx", "html", "text")


def test_deep_nesting_and_huge_queries_are_answered() -> None:
    for text in ("(" * 5000 + "migrants" + ")" * 5000, '"' * 10001, "a " * 100_000,
                 "-" * 10_000 + "x", "lang:" * 5000, "A/" * 20_000 + "1"):
        parsed = syntax.parse(text)
        assert isinstance(parsed.notices, list)
        symbols.parse(text)
        symbols.spellings(text)
