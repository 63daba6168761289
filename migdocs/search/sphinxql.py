"""The sphinxql backend: the one module that imports pymysql and speaks SphinxQL.

The engine is Sphinx 2.2.11 (Debian `sphinxsearch`, used in CI) or Manticore Search (what
docs/scale-out.md recommends in production): real-time shards written directly, searched
through a distributed index (see `sphinx_config` for the layout and the ports).

Terms arrive analysed by migdocs (the same analyzers as for Whoosh); they are sent as text
of space-separated terms, which the engine stores as given (its charset_table maps each
word character to itself). A term with a character outside that table is sent encoded
(`encode_term`), the same way at ingest and at query time, so it still matches exactly and
by prefix.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from migdocs.errors import MigdocsError
from migdocs.search.sphinx_config import CHARSET_RANGES

if TYPE_CHECKING:
    import pymysql

#: Marks an encoded term (U+00D7 MULTIPLICATION SIGN: in the charset table, never in a word).
ENCODED = "\u00d7"
#: Seconds: a search or write that waits longer fails with a clear message (fail fast).
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 10.0


class EngineError(MigdocsError):
    """The search engine cannot be used: unreachable, index missing, schema mismatch."""


def _charset_pattern() -> re.Pattern[str]:
    ranges = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in CHARSET_RANGES)
    return re.compile(f"[{ranges}]+")


_WORD = _charset_pattern()


def encode_term(term: str) -> str:
    """A term the engine stores as given: itself if every character is in the charset
    table, else the marker and the hex of its UTF-8 bytes. Hex keeps prefixes: `t*` matches
    every term starting with `t` in both forms (UTF-8 never splits a character's prefix)."""
    if _WORD.fullmatch(term) and ENCODED not in term:
        return term
    return ENCODED + term.encode("utf-8").hex()


def prefix_patterns(prefix: str) -> list[str]:
    """`prefix*` in engine terms: a prefix in the charset may also begin encoded terms
    (`l*` must find `l'homme`), so it is looked for both ways."""
    encoded = ENCODED + prefix.encode("utf-8").hex() + "*"
    plain = encode_term(prefix)
    return [encoded] if plain.startswith(ENCODED) else [plain + "*", encoded]


def decode_term(term: str) -> str:
    if term.startswith(ENCODED):
        return bytes.fromhex(term[1:]).decode("utf-8", "replace")
    return term


def field_text(terms: list[str]) -> str:
    """Analysed terms as the text of one engine field (positions kept: phrases work)."""
    return " ".join(encode_term(t) for t in terms)


def doc_key(doc_id: str) -> int:
    """A document's 63-bit key: the same on every machine and Python (no `hash()`)."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def shard_of(doc_id: str, shards: int) -> int:
    """0-based shard of a document: all its entries live together."""
    return doc_key(doc_id) % shards


def entry_key(entry_id: str) -> int:
    """The engine row id of one entry (63-bit, unique across shards)."""
    return doc_key(entry_id) or 1


# -- engine address ---------------------------------------------------------------------------
@dataclass(frozen=True)
class EngineURL:
    """`sphinxql://HOST:PORT/INDEX`: where searches go (a front or a single node)."""

    host: str
    port: int
    index: str

    @classmethod
    def parse(cls, url: str) -> EngineURL:
        parts = urlsplit(url)
        index = parts.path.strip("/")
        try:
            port = parts.port or 9306
        except ValueError:
            port = -1
        if (parts.scheme != "sphinxql" or not parts.hostname or not re.fullmatch(r"\w+", index)
                or not 0 < port < 65536):
            raise EngineError(f"{url!r} is not an engine URL; write sphinxql://HOST:PORT/INDEX, "
                              "e.g. sphinxql://127.0.0.1:9306/migdocs")
        return cls(parts.hostname, port, index)

    def __str__(self) -> str:
        return f"sphinxql://{self.host}:{self.port}/{self.index}"


def connect(host: str, port: int, *, read_timeout: float = READ_TIMEOUT) -> pymysql.Connection:
    """A SphinxQL connection that fails fast; an engine that does not answer is one line."""
    import pymysql

    try:
        return pymysql.connect(host=host, port=port, user="", autocommit=True, charset="utf8",
                               connect_timeout=CONNECT_TIMEOUT, read_timeout=read_timeout,
                               write_timeout=read_timeout)
    except pymysql.err.OperationalError as exc:
        raise EngineError(f"the search engine at {host}:{port} does not answer ({exc.args[-1]}); "
                          "start searchd (see docs/scale-out.md) or point the home elsewhere "
                          "with `migdocs engine set`") from None


def node_addresses(front: pymysql.Connection, url: EngineURL) -> list[tuple[str, int]]:
    """The SphinxQL addresses of the shards behind `url`, in the front's agent order (the
    shard numbers). A real-time index at `url` is its own single shard. An agent's SphinxQL
    port is its agent port minus one (the layout `sphinx_config` writes)."""
    tables = dict(fetch_all(front, "SHOW TABLES")[0])
    kind = tables.get(url.index)
    if kind is None:
        raise EngineError(f"the engine at {url.host}:{url.port} has no index {url.index!r}; "
                          "write its configuration with `migdocs engine sphinx-config` and "
                          "restart searchd, or fix the index name in `migdocs engine set`")
    if kind == "rt":
        return [(url.host, url.port)]
    if kind != "distributed":
        raise EngineError(f"index {url.index!r} at {url.host}:{url.port} is a {kind} index; "
                          "migdocs needs a real-time or a distributed index (see docs/scale-out.md)")
    status = fetch_all(front, "SHOW AGENT STATUS")[0]
    hosts = [value for key, value in status if re.fullmatch(r"ag_\d+_hostname", key)]
    out = []
    for address in hosts:
        host, _, port = address.rpartition(":")
        out.append((host, int(port) - 1))
    return out


def fetch_all(conn: pymysql.Connection, sql: str, args: Any = None) -> list[list[tuple]]:
    """Every result set of one statement (FACET adds one per facet)."""
    with conn.cursor() as cur:
        cur.execute(sql, args)
        sets = [list(cur.fetchall())]
        while cur.nextset():
            sets.append(list(cur.fetchall()))
    return sets
