"""The search engine boundary: what migdocs needs of an engine, and which engine a home uses.

An engine (a *backend*) holds entries (`migdocs.indexer.entries.Entry`: analysed terms per
field plus keywords) and answers compiled queries (`migdocs.search.query`). Everything else
stays in migdocs: analysis, the query language, grouping pages into documents, ranking by
how many query words a document has, facets, snippets, did-you-mean. So a backend is small:

- write: replace or remove all entries of one document;
- read: the documents matching a query (with the languages of the matching entries: best
  match, required and excluded words, totals and facets are computed from these sets), the
  best-scoring documents (and entries) of a query among given documents, the vocabulary for
  wildcard and fuzzy words, document frequencies, and the key terms of a text (for
  `similar`);
- lifecycle: whether the index exists, create it empty, rebuild it aside, close.

A home records its backend in the catalog (`engine`): `whoosh` (the default, embedded) or a
URL such as `sphinxql://127.0.0.1:9306/migdocs`.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from migdocs.errors import UsageError
from migdocs.indexer.entries import Entry, EntryKind
from migdocs.search.query import Query

DEFAULT_ENGINE = "whoosh"
IndexState = Literal["ready", "missing", "damaged", "unreachable"]


@dataclass(frozen=True)
class IndexStatus:
    state: IndexState
    detail: str = ""


@dataclass(frozen=True)
class ScoredEntry:
    doc_id: str
    kind: EntryKind
    language: tuple[str, ...]
    page: int
    page_language: str | None
    score: float


@dataclass(frozen=True)
class RankedDocument:
    """A document's score (its best page's plus its record's: adding its other pages
    favoured long documents and measured worse), with its best entries."""

    doc_id: str
    score: float
    entries: list[ScoredEntry]


#: doc id -> languages of its entries that matched (read-only: a backend may hand out a set
#: kept as numbers and named on first use, `docsets.NumberedMatches`).
DocumentMatches = Mapping[str, frozenset[str]]


class Writer(Protocol):
    def replace(self, doc_id: str, entries: Sequence[Entry]) -> None:
        """Replace every entry of `doc_id` by `entries` (call once per document and writer)."""

    def remove(self, doc_id: str) -> None:
        """Remove every entry of `doc_id`."""


class Reader(Protocol):
    """A consistent view of the index (the last commit when it was opened)."""

    def entry_count(self) -> int: ...

    def documents(self, query: Query | None, *, filter: Query | None = None) -> DocumentMatches:
        """Documents with an entry matching `query` (every entry when None) and `filter`."""

    def documents_each(self, queries: Sequence[Query], *,
                       filter: Query | None = None) -> list[DocumentMatches]:
        """`documents(query, filter=filter)` for each of `queries` (a search's words), in
        order: an engine behind a socket can answer them at once."""

    def top(self, query: Query, *, filter: Query | None = None,
            documents: Collection[str] | None = None, limit: int | None = None) -> list[ScoredEntry]:
        """The best-scoring entries matching `query` (BM25F), highest first; only entries of
        `documents` when given; all of them when `limit` is None."""

    def best_documents(self, query: Query, *, filter: Query | None = None,
                       documents: Collection[str] | None = None, limit: int | None = None,
                       entries: int = 6) -> list[RankedDocument]:
        """The best-scoring documents (see RankedDocument), highest first, each with its
        `entries` best entries; only `documents` when given; all of them when `limit` is
        None."""

    def together(self, queries: Sequence[Query], *, documents: Collection[str],
                 filter: Query | None = None) -> dict[str, int]:
        """doc id -> the most of `queries` that one page of the document matches, its record
        (title, symbol, entity) counting with every page; only `documents`."""

    def doc_frequency(self, field: str, term: str) -> int: ...

    def expand_prefix(self, field: str, prefix: str) -> list[tuple[str, int]]:
        """Terms of `field` starting with `prefix`, with their document frequencies."""

    def expand_fuzzy(self, field: str, term: str, distance: int) -> list[tuple[str, int]]:
        """Terms of `field` within `distance` edits of `term` (same first letter), with
        their document frequencies; `term` itself excluded."""

    def key_terms(self, field: str, terms: Sequence[str], limit: int) -> list[tuple[str, float]]:
        """The terms of a text (analysed) that best tell it apart in this index, weighted."""

    def summary(self) -> dict[str, dict[str, int]]:
        """doc id -> {"meta": n, "page": n}: what the index holds, for `check`."""


class Backend(Protocol):
    #: Recorded in the catalog with the analysis version: a change rebuilds the index.
    version: str

    def status(self) -> IndexStatus: ...

    def create(self) -> None:
        """Make the index exist and be empty (dropping what was there)."""

    def writer(self) -> AbstractContextManager[Writer]:
        """Commit on success; cancel on error and re-raise. One writer at a time."""

    def rebuilding(self) -> AbstractContextManager[Writer]:
        """A writer into a new, empty index that replaces the current one when it commits
        (readers keep answering from the old one until then); on error the old one stays."""

    def reader(self) -> Reader:
        """The current view, reopened only when the index changed since the last call."""

    def close(self) -> None: ...


def rank_documents(entries: Sequence[ScoredEntry], *, limit: int | None,
                   per_document: int) -> list[RankedDocument]:
    """Documents from their scored entries (every matching entry of each document): the
    rule of RankedDocument, for a backend that scores entries only."""
    best_page: dict[str, float] = {}
    best_record: dict[str, float] = {}
    by_doc: dict[str, list[ScoredEntry]] = {}
    for entry in entries:
        best = best_record if entry.kind == "meta" else best_page
        if entry.score > best.get(entry.doc_id, -1.0):
            best[entry.doc_id] = entry.score
        by_doc.setdefault(entry.doc_id, []).append(entry)
    totals = {d: best_page.get(d, 0.0) + best_record.get(d, 0.0) for d in by_doc}
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    if limit is not None:
        ranked = ranked[:limit]
    return [RankedDocument(d, total, sorted(by_doc[d], key=lambda e: -e.score)[:per_document])
            for d, total in ranked]


#: (doc id, whether the entry is the document's record, the entry's identity in the index)
EntryKey = tuple[str, bool, Hashable]


def words_together(entries_per_query: Sequence[Iterable[EntryKey]]) -> dict[str, int]:
    """The rule of Reader.together, from the entries each query matches."""
    pages: dict[Hashable, tuple[str, set[int]]] = {}
    records: dict[str, set[int]] = {}
    for i, entries in enumerate(entries_per_query):
        for doc_id, is_record, key in entries:
            if is_record:
                records.setdefault(doc_id, set()).add(i)
            else:
                pages.setdefault(key, (doc_id, set()))[1].add(i)
    best = {d: len(found) for d, found in records.items()}
    for doc_id, found in pages.values():
        level = len(found | records.get(doc_id, set()))
        if level > best.get(doc_id, 0):
            best[doc_id] = level
    return best


def together_from_top(reader: Reader, queries: Sequence[Query], *, documents: Collection[str],
                      filter: Query | None) -> dict[str, int]:
    """Reader.together for a backend whose entries are known only through `top`."""
    return words_together([
        [(e.doc_id, e.kind == "meta", (e.doc_id, e.language, e.page))
         for e in reader.top(query, filter=filter, documents=documents)]
        for query in queries])


def open_backend(engine: str | None, home: Path) -> Backend:
    """The backend a home's `engine` setting names."""
    engine = engine or DEFAULT_ENGINE
    if engine == "whoosh":
        from migdocs.search.whoosh_backend import WhooshBackend

        return WhooshBackend(home / "index")
    scheme = engine.split("://", 1)[0]
    if scheme == "sphinxql":
        from migdocs.search import sphinxql

        return sphinxql.open_backend(engine, home)
    raise UsageError(f"unknown search engine {engine!r}; use `whoosh` or "
                     "`sphinxql://HOST:PORT/INDEX`")
