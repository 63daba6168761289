"""The sphinxql backend: the one module that imports pymysql and speaks SphinxQL.

The engine is Sphinx 2.2.11 (Debian `sphinxsearch`, used in CI) or Manticore Search (what
docs/scale-out.md recommends in production): real-time shards written directly, searched
through a distributed index (`sphinx_config` has the layout and the ports). Queries become
`MATCH()` text in `sphinx_match`.

What the engine cannot answer, migdocs keeps itself: the vocabulary for wildcard and fuzzy
words (`SphinxVocabulary`, a SQLite file in the home: Sphinx 2.2.11's `CALL KEYWORDS`
neither expands wildcards nor works on a distributed index, and it has no `CALL SUGGEST`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from migdocs.errors import MigdocsError
from migdocs.search import query as q
from migdocs.search.backend import (
    DocumentMatches,
    IndexStatus,
    RankedDocument,
    ScoredEntry,
    rank_documents,
    together_from_top,
)
from migdocs.search.docsets import NumberedMatches
from migdocs.search.sphinx_config import (
    FIELDS,
    LANGUAGE_BITS,
    OTHER_LANGUAGE_BIT,
    SCHEMA_VERSION,
    described_schema,
    keyword_field,
    language_bits,
)
from migdocs.search.sphinx_match import encode_term, field_text, keyword_text, match_text
from migdocs.search.sphinx_rank import TOTALS, field_totals, ranker
from migdocs.search.sphinx_rank import score as _score
from migdocs.search.sphinx_vocabulary import DocumentNumbers, SphinxVocabulary

if TYPE_CHECKING:
    import pymysql

    from migdocs.indexer.entries import Entry

#: Seconds: a search or write that waits longer fails with a clear message (fail fast).
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 30.0
#: The most rows (or groups) one query may return: matching-document sets of 50,000 versions
#: fit (one group per document and language set).
MAX_MATCHES = 200_000
#: Rows asked for first by a query that wants them all; when that is full, the query is
#: asked again for exactly the `total_found` its `SHOW META` reported (max_matches costs
#: searchd time up front even for no match: +4 ms at 20,000, +28 ms at 100,000, measured).
FIRST_MATCHES = 1_000
#: The most values of one `doc_no IN (...)` filter: Sphinx 2.2.11's agents refuse longer
#: sets ("set length 4623 (should be in 0..4096 range)"); longer lists are sent in parts.
KEYS_PER_FILTER = 4096
#: Rows sent in one statement, and rows buffered per shard before they are sent.
BATCH_ROWS = 200
FLUSH_ROWS = 2_000
#: A document set: per language set of the matching entries, their documents' numbers.
DOCUMENT_GROUPS = "language_bits, COUNT(*) c, GROUP_CONCAT(doc_no) k"
BY_LANGUAGE_SET = "GROUP BY language_bits"
#: Groups of one document, each represented by its best entry, best first.
BEST_IN_GROUP = "GROUP BY doc_no WITHIN GROUP ORDER BY w DESC ORDER BY w DESC"
#: The rows of one kind of entry, as an integer test: a page's number is 1 or more, a
#: record's 0 (`Entry.page`; the marker row has no text, so no query matches it). Comparing
#: the `kind` string on every matching row cost 1-3 ms of each ranked statement at 50,000
#: versions (5.6 against 2.9 ms for a page statement of a five-word query).
KIND_ROWS = {"page": "page > 0", "meta": "page = 0"}
#: The row that says "this index was made by migdocs, schema N, for the home whose document
#: numbering is T" (on shard 0: kind MARKER_KIND, `entry` = "sphinxql-N T", no doc_id).
MARKER_KIND = "migdocs"


class EngineError(MigdocsError):
    """The search engine cannot be used: unreachable, index missing, schema mismatch."""


def doc_key(doc_id: str) -> int:
    """A document's 63-bit key: the same on every machine and Python (no `hash()`)."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def shard_of(doc_id: str, shards: int) -> int:
    """0-based shard of a document: all its entries live together."""
    return doc_key(doc_id) % shards


def entry_key(entry_id: str) -> int:
    """The engine row id of one entry (63-bit, unique across shards; 0 is not an id)."""
    return doc_key(entry_id) or 1


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
    from pymysql.constants import CLIENT

    try:  # MULTI_STATEMENTS: a query and its `SHOW META` in one round trip
        return pymysql.connect(host=host, port=port, user="", autocommit=True, charset="utf8",
                               connect_timeout=CONNECT_TIMEOUT, read_timeout=read_timeout,
                               write_timeout=read_timeout, client_flag=CLIENT.MULTI_STATEMENTS)
    except pymysql.err.MySQLError as exc:
        raise EngineError(f"the search engine at {host}:{port} does not answer ({_reason(exc)}); "
                          "start its searchd (docs/scale-out.md)") from None


def _reason(exc: BaseException) -> str:
    """pymysql's message, without its MySQL wording: `Connection refused`, `timed out`."""
    text = str(exc.args[-1] if exc.args else exc).rstrip("\x00").strip()
    inner = re.search(r"\(\[Errno -?\d+\] ([^)]*)\)|\((timed out)\)", text)
    return (inner.group(1) or inner.group(2)) if inner else text


def fetch_all(conn: pymysql.Connection, sql: str, args: Any = None) -> list[list[tuple]]:
    """Every result set of one statement (FACET adds one per facet)."""
    with conn.cursor() as cur:
        cur.execute(sql, args)
        sets = [list(cur.fetchall())]
        while cur.nextset():
            sets.append(list(cur.fetchall()))
    return sets


def node_addresses(front: pymysql.Connection, url: EngineURL) -> list[tuple[str, int]]:
    """The SphinxQL addresses of the shards behind `url`, in the front's agent order (the
    shard numbers). A real-time index at `url` is its own single shard. An agent's SphinxQL
    port is its agent port minus one (the layout `sphinx_config` writes)."""
    tables = dict(fetch_all(front, "SHOW TABLES")[0])
    kind = tables.get(url.index)
    if kind is None:
        raise EngineError(f"the engine at {url.host}:{url.port} has no index {url.index!r}; write "
                          "its configuration with `migdocs engine sphinx-config` and restart "
                          "searchd, or fix the index name with `migdocs engine set`")
    if kind == "rt":
        return [(url.host, url.port)]
    if kind != "distributed":
        raise EngineError(f"index {url.index!r} at {url.host}:{url.port} is a {kind} index; "
                          "migdocs needs a real-time or a distributed index (see docs/scale-out.md)")
    status = fetch_all(front, "SHOW AGENT STATUS")[0]
    out = []
    for key, value in status:
        if re.fullmatch(r"ag_\d+_hostname", key):
            host, _, port = value.rpartition(":")
            out.append((host, int(port) - 1))
    return out


class SphinxBackend:
    """A migdocs index on a SphinxQL engine at `url`; the vocabulary in `home`."""

    version = f"sphinxql-{SCHEMA_VERSION}"

    def __init__(self, url: EngineURL, home: Path | None) -> None:
        self.url = url
        self.vocabulary = SphinxVocabulary(home / "sphinx-vocabulary.sqlite" if home else None)
        self.numbers = DocumentNumbers(self.vocabulary)
        self._conns: dict[tuple[str, int], Any] = {}
        self._nodes: list[tuple[str, int]] | None = None
        self._reader: SphinxReader | None = None
        self._reader_state: tuple[int, int, int] | None = None

    # -- connections --------------------------------------------------------------------------
    def _conn(self, address: tuple[str, int]) -> Any:
        conn = self._conns.get(address)
        if conn is None:
            conn = self._conns[address] = connect(*address)
        return conn

    def run(self, address: tuple[str, int] | None, sql: str, args: Any = None) -> list[list[tuple]]:
        """One statement on the front (None) or a node; a dropped connection is retried once."""
        import pymysql

        address = address or (self.url.host, self.url.port)
        for attempt in (1, 2):
            conn = self._conn(address)
            try:
                return fetch_all(conn, sql, args)
            except pymysql.err.OperationalError as exc:
                self._drop(address)
                if attempt == 2 or exc.args[0] not in (2006, 2013):  # gone away / lost
                    raise EngineError(f"the search engine at {address[0]}:{address[1]} failed "
                                      f"({_reason(exc)}); check searchd and its log") from None
            except pymysql.err.MySQLError as exc:
                raise EngineError(f"the search engine at {address[0]}:{address[1]} refused a "
                                  f"query ({_reason(exc)})") from None
        raise AssertionError("unreachable")

    def _drop(self, address: tuple[str, int]) -> None:
        conn = self._conns.pop(address, None)
        if conn is not None:
            with suppress(Exception):  # a broken connection may fail to close: it is gone anyway
                conn.close()

    @property
    def nodes(self) -> list[tuple[str, int]]:
        if self._nodes is None:
            self._nodes = node_addresses(self._conn((self.url.host, self.url.port)), self.url)
        return self._nodes

    # -- lifecycle ----------------------------------------------------------------------------
    def status(self) -> IndexStatus:
        """`unreachable` covers what migdocs cannot repair (no searchd, no such index, another
        schema: the detail says what to do); `missing` an empty engine index (rebuilt)."""
        try:
            for node in self.nodes:
                described = set(self.run(node, f"DESCRIBE {self.url.index}")[0])
                if described != described_schema():
                    return IndexStatus("unreachable", (
                        f"index {self.url.index!r} at {node[0]}:{node[1]} has another schema than "
                        f"migdocs {self.version}; write the configuration again with `migdocs "
                        "engine sphinx-config`, restart searchd and run `migdocs reindex`"))
            marker = self.run(self.nodes[0], f"SELECT entry FROM {self.url.index} "
                                             f"WHERE kind = %s LIMIT 1", (MARKER_KIND,))[0]
        except EngineError as exc:
            return IndexStatus("unreachable", str(exc))
        if not marker:
            return IndexStatus("missing", f"no migdocs index at {self.url}")
        version, _, numbering = marker[0][0].partition(" ")
        if version != self.version:
            return IndexStatus("damaged", f"the engine holds {version}, not {self.version}")
        if numbering != self.numbers.token():
            return IndexStatus("damaged", f"the engine's index at {self.url} was built with "
                                          "another document numbering than this home's")
        return IndexStatus("ready")

    def create(self) -> None:
        for node in self.nodes:
            self.run(node, f"TRUNCATE RTINDEX {self.url.index}")
        self.vocabulary.clear()
        self.numbers.forget()
        self.run(self.nodes[0], f"INSERT INTO {self.url.index} (id, kind, entry) VALUES (1, %s, %s)",
                 (MARKER_KIND, f"{self.version} {self.numbers.token()}"))

    @contextmanager
    def writer(self) -> Iterator[SphinxWriter]:
        writer = SphinxWriter(self)
        try:
            yield writer
            writer.flush()
        except BaseException:
            writer.cancel()
            with suppress(Exception):  # rows may have been sent: readers must ask again
                self.vocabulary.commit()
            raise
        self.vocabulary.commit()

    @contextmanager
    def rebuilding(self) -> Iterator[SphinxWriter]:
        """Empties the engine's index, then writes. Unlike Whoosh's, the rebuild is not built
        aside: a distributed index names its shards' one RT index, so searches see a partial
        index while it runs, and a failed rebuild leaves it partial; the home is marked dirty
        (the catalog is the truth) and the next write rebuilds again."""
        self.create()
        with self.writer() as writer:
            yield writer

    def reader(self) -> SphinxReader:
        """One reader while the vocabulary stays the same: the reader asks the engine for
        its current state anyway, and what the search layer derives per reader (the Latin
        words by consonant skeleton for Arabic names, 0.1 s for 6,000 words) is then built
        once, not at every search."""
        state = self.vocabulary.state()
        if self._reader is None or state != self._reader_state:
            if self._reader is not None:
                self.vocabulary.forget()
            self._reader, self._reader_state = SphinxReader(self), state
        return self._reader

    def close(self) -> None:
        for address in list(self._conns):
            self._drop(address)
        self.vocabulary.close()


def _row(entry: Entry, number: int) -> dict[str, Any]:
    languages = ",".join(sorted(entry.languages))
    row: dict[str, Any] = {
        "id": entry_key(entry.key), "doc_key": doc_key(entry.doc_id), "doc_no": number,
        "group_key": doc_key(f"{entry.doc_id}#{languages}"), "doc_id": entry.doc_id,
        "entry": entry.key, "kind": entry.kind, "page": entry.page,
        "page_language": entry.page_language or "", "languages": languages,
        "language_bits": language_bits(entry.languages),
    }
    for name in FIELDS:
        row[name] = ""
    for name, terms in entry.text.items():
        row[name] = field_text(terms)
    for name, values in entry.as_fields().items():
        fieldname = keyword_field(name)
        if fieldname:
            row[fieldname] = keyword_text(values)
    return row


class SphinxWriter:
    """Buffers replacements per shard and sends them in transactions of up to FLUSH_ROWS."""

    def __init__(self, backend: SphinxBackend) -> None:
        self.backend = backend
        self.shards = len(backend.nodes)
        self.deletes: dict[int, list[int]] = {}
        self.rows: dict[int, list[dict[str, Any]]] = {}

    def replace(self, doc_id: str, entries: Sequence[Entry]) -> None:
        shard = shard_of(doc_id, self.shards)
        self.deletes.setdefault(shard, []).append(doc_key(doc_id))
        number = self.backend.numbers.assign(doc_id)
        rows = self.rows.setdefault(shard, [])
        for entry in entries:
            rows.append(_row(entry, number))
            self.backend.vocabulary.add(entry.text)
        if len(rows) >= FLUSH_ROWS:
            self._flush(shard)

    def remove(self, doc_id: str) -> None:
        self.deletes.setdefault(shard_of(doc_id, self.shards), []).append(doc_key(doc_id))

    def flush(self) -> None:
        for shard in sorted(set(self.deletes) | set(self.rows)):
            self._flush(shard)

    def cancel(self) -> None:
        self.deletes.clear()
        self.rows.clear()
        self.backend.vocabulary.rollback()
        self.backend.numbers.forget()

    def _flush(self, shard: int) -> None:
        try:
            self._send(shard)
        except EngineError as exc:
            raise EngineError(f"{exc}; the catalog keeps everything, and the index is rebuilt "
                              "from it when the engine answers again (or run `migdocs reindex`)") from None

    def _send(self, shard: int) -> None:
        node, index = self.backend.nodes[shard], self.backend.url.index
        deletes, rows = self.deletes.pop(shard, []), self.rows.pop(shard, [])
        self.backend.numbers.store()  # before any row carrying a new number is sent
        run = self.backend.run
        run(node, "BEGIN")
        for start in range(0, len(deletes), 500):
            keys = ",".join(map(str, deletes[start:start + 500]))
            run(node, f"DELETE FROM {index} WHERE doc_key IN ({keys})")
        for start in range(0, len(rows), BATCH_ROWS):
            batch = rows[start:start + BATCH_ROWS]
            names = list(batch[0])
            marks = "(" + ", ".join(["%s"] * len(names)) + ")"
            args = [row[n] for row in batch for n in names]
            run(node, f"REPLACE INTO {index} ({', '.join(names)}) VALUES "
                      + ", ".join([marks] * len(batch)), args)
        run(node, "COMMIT")


class SphinxReader:
    """Queries through the front; always the engine's current state."""

    def __init__(self, backend: SphinxBackend) -> None:
        self.backend = backend
        self.index = backend.url.index
        self._ranker: str | None = None
        self._entries: int | None = None

    def ranker(self) -> str:
        """The ranking OPTIONs (`sphinx_rank`), with the index's average field lengths, asked
        once per reader (a reader lasts while nothing is written: 1-2 ms at 50,000 versions)."""
        if self._ranker is None:
            averages, rows = field_totals(self._select(TOTALS, None, None, "")[0])
            self._ranker = ranker(averages, shard_rows=rows / len(self.backend.nodes))
        return self._ranker

    def _statement(self, what: str, query: q.Query | None, filter: q.Query | None, tail: str,
                   extra: str = "", args: Sequence[Any] = ()) -> tuple[str, list[Any]]:
        where, params = [], list(args)
        parts = [p for p in (query, filter) if p is not None]
        if parts:
            where.append("MATCH(%s)")
            params.insert(0, " ".join(match_text(p) for p in parts))
        if extra:
            where.append(extra)
        sql = f"SELECT {what} FROM {self.index}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return f"{sql} {tail}", params

    def _select(self, what: str, query: q.Query | None, filter: q.Query | None, tail: str,
                extra: str = "", args: Sequence[Any] = ()) -> list[tuple]:
        return self.backend.run(None, *self._statement(what, query, filter, tail, extra, args))[0]

    def entry_count(self) -> int:
        """Every row but the marker (the one row without a document: doc_key 0). Asked at
        every search, and a full scan in searchd (2.8 ms at 50,000 versions): kept by the
        reader, which lasts while no process writes (the vocabulary file changes at every
        write, removals included)."""
        if self._entries is None:
            rows = self.backend.run(None, f"SELECT COUNT(*) FROM {self.index} WHERE doc_key != 0")[0]
            self._entries = int(rows[0][0]) if rows else 0
        return self._entries

    def _all(self, what: str, query: q.Query | None, filter: q.Query | None, tail: str,
             extra: str = "", args: Sequence[Any] = (), options: str = "") -> list[tuple]:
        """Every row of a query: FIRST_MATCHES rows with the query's `SHOW META` in one round
        trip, and when that is full, once more for exactly the `total_found` it reported."""
        wanted = FIRST_MATCHES
        while True:
            sql, params = self._statement(what, query, filter,
                                          f"{tail} LIMIT {wanted} OPTION max_matches={wanted}{options}",
                                          extra, args)
            sets = self.backend.run(None, f"{sql}; SHOW META", params)
            rows = sets[0]
            if len(rows) < wanted:
                return rows
            if wanted >= MAX_MATCHES:
                raise EngineError(f"a query matched more than {MAX_MATCHES} entries or documents; "
                                  "narrow it down with a filter")
            found = int(dict(sets[-1]).get("total_found", 0))
            wanted = min(max(found + 1, wanted * 2), MAX_MATCHES)

    def documents(self, query: q.Query | None, *, filter: q.Query | None = None) -> DocumentMatches:
        """A few rows, whatever the number of documents: per `language_bits` value, the
        numbers of the matching entries' documents (`GROUP_CONCAT(doc_no)`), OR-ed per
        document here and named from the home's `DocumentNumbers`. One row per document
        (4,820 rows for a common word at 20,000 versions) cost pymysql most of a search. A document with a
        language outside LANGUAGE_BITS is asked again for its exact codes."""
        return self._documents_from(self._all(DOCUMENT_GROUPS, query, filter, BY_LANGUAGE_SET),
                                    query, filter)

    def documents_each(self, queries: Sequence[q.Query], *,
                       filter: q.Query | None = None) -> list[DocumentMatches]:
        """All in one round trip (Sphinx runs a batch of SELECTs in one request); one whose
        first FIRST_MATCHES groups are full (never, in practice: a group is a language set)
        is asked again the usual way."""
        if len(queries) < 2:
            return [self.documents(query, filter=filter) for query in queries]
        statements = [self._statement(DOCUMENT_GROUPS, query, filter, f"{BY_LANGUAGE_SET} LIMIT "
                                      f"{FIRST_MATCHES} OPTION max_matches={FIRST_MATCHES}")
                      for query in queries]
        sets = self.backend.run(None, "; ".join(sql for sql, _ in statements),
                                [arg for _, args in statements for arg in args])
        return [self._documents_from(rows, query, filter) if len(rows) < FIRST_MATCHES
                else self.documents(query, filter=filter)
                for query, rows in zip(queries, sets, strict=True)]

    def _documents_from(self, rows: list[tuple], query: q.Query | None,
                        filter: q.Query | None) -> DocumentMatches:
        """The groups' numbers stay numbers (`docsets.NumberedMatches`, named only if asked:
        a search counts them over numbers). A document's number is in the group of each
        language set its matching entries have; one in a group with a language outside
        LANGUAGE_BITS has its exact codes asked (and the set named)."""
        import numpy as np

        groups: list[tuple[int, np.ndarray]] = []
        for bits, count, concat in rows:
            numbers = np.fromstring(concat or "", dtype=np.int64, sep=",")
            if len(numbers) != count:  # never seen; the safe way if an engine cuts the list
                return self._documents_by_row(query, filter)
            groups.append((bits, numbers))
        if not groups:
            return {}
        groups.sort(key=lambda g: -len(g[1]))  # the largest is named whole, in C
        numbering = self.backend.numbers.numbering()
        if any(numbering.missing(numbers) for _, numbers in groups):
            self.backend.numbers.reload()  # numbered by another process since loaded
            numbering = self.backend.numbers.numbering()
        matches = NumberedMatches(numbering, [
            (_bit_languages(bits & ~OTHER_LANGUAGE_BIT), bits, numbering.only_known(numbers))
            for bits, numbers in groups], LANGUAGE_BITS)
        others = [d for _, bits, numbers in matches.groups if bits & OTHER_LANGUAGE_BIT
                  for d in numbering.names[numbers].tolist()]
        if not others:
            return matches
        out = dict(matches.named())
        exact: dict[str, frozenset[str]] = {}
        for keys_filter in self._key_filters(set(others)):
            for doc_id, langs in self._all("doc_id, languages", query, filter, "GROUP BY group_key",
                                           keys_filter):
                exact[doc_id] = exact.get(doc_id, frozenset()) | frozenset(_languages(langs))
        out.update(exact)
        return out

    def _documents_by_row(self, query: q.Query | None, filter: q.Query | None) -> DocumentMatches:
        out: dict[str, frozenset[str]] = {}
        for doc_id, languages in self._all("doc_id, languages", query, filter, "GROUP BY group_key"):
            if doc_id:
                out[doc_id] = out.get(doc_id, frozenset()) | frozenset(_languages(languages))
        return out

    def top(self, query: q.Query, *, filter: q.Query | None = None,
            documents: Collection[str] | None = None, limit: int | None = None) -> list[ScoredEntry]:
        if documents is not None and not documents:
            return []
        what = "doc_id, kind, languages, page, page_language, WEIGHT() w"
        rows: list[tuple] = []
        for extra in self._key_filters(documents):
            if limit is None:
                rows += self._all(what, query, filter, "ORDER BY w DESC, id ASC", extra,
                                  options=f", {self.ranker()}")
            else:
                rows += self._select(what, query, filter, f"ORDER BY w DESC, id ASC LIMIT {limit} OPTION "
                                     f"{self.ranker()}, max_matches={max(limit, FIRST_MATCHES)}", extra)
        if documents is not None and len(documents) > KEYS_PER_FILTER:  # parts: merge
            rows.sort(key=lambda row: -row[-1])
        rows = rows if limit is None else rows[:limit]
        return [ScoredEntry(doc_id, kind, tuple(_languages(languages)), page, page_language or None,
                            _score(w)) for doc_id, kind, languages, page, page_language, w in rows]

    def together(self, queries: Sequence[q.Query], *, documents: Collection[str],
                 filter: q.Query | None = None) -> dict[str, int]:
        return together_from_top(self, queries, documents=documents, filter=filter)

    def best_documents(self, query: q.Query, *, filter: q.Query | None = None,
                       documents: Collection[str] | None = None, limit: int | None = None,
                       entries: int = 6) -> list[RankedDocument]:
        """RankedDocument's rule (best page + record) computed by the engine: grouped queries
        give each document's best page and its record, then only the chosen documents'
        entries are fetched, so a common word does not ship every matching page. With a
        `limit`, only the best `k` groups of each kind are fetched (threshold algorithm: a
        document in neither list scores at most the k-th page plus the k-th record, so the
        answer is final once `limit` known documents reach that; else k grows 4 times).
        Without a limit, every matching entry is wanted anyway: one statement (`top`), each
        document's best page and record taken from it (a symbol's citations were three)."""
        if documents is not None and not documents:
            return []
        if limit is None:  # every matching entry is shipped anyway: one statement
            return rank_documents(self.top(query, filter=filter, documents=documents), limit=None,
                                  per_document=entries)
        ranked = self._threshold(query, filter, documents, limit)
        if not ranked:
            return []
        chosen = self.top(query, filter=filter, documents=[d for d, _ in ranked])
        best = {r.doc_id: r.entries
                for r in rank_documents(chosen, limit=None, per_document=entries)}
        return [RankedDocument(d, total, best.get(d, [])) for d, total in ranked]

    def _kind_scores(self, query: q.Query, filter: q.Query | None, kind: str,
                     documents: Collection[str] | None) -> dict[str, float]:
        """doc id -> its best entry's score among entries of `kind`, for every matching
        document (of `documents` only, when given)."""
        out: dict[str, float] = {}
        for keys in self._key_filters(documents):
            for doc_id, w in self._all("doc_id, WEIGHT() w", query, filter, BEST_IN_GROUP,
                                       KIND_ROWS[kind] + (f" AND {keys}" if keys else ""),
                                       options=f", {self.ranker()}"):
                out[doc_id] = _score(w)
        return out

    def _best_k(self, query: q.Query, filter: q.Query | None, documents: Collection[str] | None,
                k: int) -> list[tuple[dict[str, float], bool]]:
        """For pages, then records: the best k documents by their best entry of that kind,
        and whether that is all of them; every statement in one round trip. `max_matches=k`:
        searchd keeps k groups, not 1,000 (12 against 15 ms for a common word at 50,000
        versions, the same documents): a group dropped from the queue scored below the k-th
        at that point, so its best entry can never be among the final k."""
        parts = self._key_filters(documents)
        if not parts:
            return [({}, True), ({}, True)]
        statements = [self._statement("doc_id, WEIGHT() w", query, filter,
                                      f"{BEST_IN_GROUP} LIMIT {k} OPTION {self.ranker()}, "
                                      f"max_matches={k}",
                                      KIND_ROWS[kind] + (f" AND {keys}" if keys else ""))
                      for kind in ("page", "meta") for keys in parts]
        sets = self.backend.run(None, "; ".join(sql for sql, _ in statements),
                                [arg for _, args in statements for arg in args])
        out = []
        for start in (0, len(parts)):
            kind_sets = sets[start:start + len(parts)]
            rows = sorted((row for rows in kind_sets for row in rows), key=lambda row: -row[1])
            complete = all(len(rows_) < k for rows_ in kind_sets) and len(rows) < k
            out.append(({doc_id: _score(w) for doc_id, w in rows[:k]}, complete))
        return out

    def _threshold(self, query: q.Query, filter: q.Query | None, documents: Collection[str] | None,
                   limit: int) -> list[tuple[str, float]]:
        k = limit
        while True:
            (pages, all_pages), (metas, all_metas) = self._best_k(query, filter, documents, k)
            known = set(pages) | set(metas)
            ceiling = ((0.0 if all_pages else min(pages.values()))  # the most an unseen one scores
                       + (0.0 if all_metas else min(metas.values())))
            for scores, complete, kind in ((pages, all_pages, "page"), (metas, all_metas, "meta")):
                missing = [d for d in known if d not in scores]
                if missing and not complete:  # below the k-th, or no match of that kind
                    scores.update(self._kind_scores(query, filter, kind, missing))
            totals = {d: pages.get(d, 0.0) + metas.get(d, 0.0) for d in known}
            ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
            if (all_pages and all_metas) or (len(ranked) >= limit and ranked[limit - 1][1] >= ceiling):
                return ranked[:limit]
            k *= 4

    def _key_filters(self, documents: Collection[str] | None) -> list[str]:
        """`doc_no IN (...)` filters for `documents`, KEYS_PER_FILTER numbers each (none for
        documents the engine was never given); one empty filter (everything) for None."""
        if documents is None:
            return [""]
        numbers = self.backend.numbers.numbers()
        keys = [str(numbers[d]) for d in documents if d in numbers]
        return [f"doc_no IN ({','.join(keys[i:i + KEYS_PER_FILTER])})"
                for i in range(0, len(keys), KEYS_PER_FILTER)]

    # -- vocabulary ---------------------------------------------------------------------------
    def doc_frequency(self, field: str, term: str) -> int:
        node = q.Term(field, term)
        rows = self._select("COUNT(*)", node, None, "")
        return int(rows[0][0]) if rows else 0

    def expand_prefix(self, field: str, prefix: str) -> list[tuple[str, int]]:
        return self.backend.vocabulary.prefix(field, prefix)

    def expand_fuzzy(self, field: str, term: str, distance: int) -> list[tuple[str, int]]:
        return self.backend.vocabulary.fuzzy(field, term, distance)

    def key_terms(self, field: str, terms: Sequence[str], limit: int) -> list[tuple[str, float]]:
        """Bo1 (as Whoosh's key_terms): tf in the text against the engine's collection
        frequency of each term (`CALL KEYWORDS` on every shard, all fields together)."""
        counts = Counter(terms)
        if not counts:
            return []
        words = list(counts)
        text = " ".join(encode_term(t) for t in words)
        hits: Counter[str] = Counter()
        for node in self.backend.nodes:
            for row in self.backend.run(node, "CALL KEYWORDS(%s, %s, 1)", (text, self.index))[0]:
                hits[row[1]] += int(row[4])
        total = max(1, self.entry_count())
        scored = []
        for term in words:
            f = hits.get(encode_term(term), 0) / total
            if f <= 0:
                continue
            scored.append((term, counts[term] * math.log2((1 + f) / f) + math.log2(1 + f)))
        scored.sort(key=lambda x: -x[1])
        return scored[:limit]

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for kind in ("meta", "page"):
            for doc_id, n in self._all("doc_id, COUNT(*)", None, None, "GROUP BY doc_no", "kind = %s",
                                       (kind,)):
                out.setdefault(doc_id, {"meta": 0, "page": 0})[kind] = int(n)
        return out


@cache
def _bit_languages(bits: int) -> frozenset[str]:
    return frozenset(code for i, code in enumerate(LANGUAGE_BITS) if bits & (1 << i))


def _languages(languages: str) -> list[str]:
    return sorted(x for x in languages.split(",") if x)


def open_backend(url: str, home: Path | None = None) -> SphinxBackend:
    return SphinxBackend(EngineURL.parse(url), home)
