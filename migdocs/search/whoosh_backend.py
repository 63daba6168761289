"""The Whoosh backend: the one module that imports Whoosh. Embedded, in `HOME/index`.

Entries arrive analysed (`migdocs.indexer.entries`); text fields take the term lists as they
are (Whoosh's own analysis is bypassed), so indexing costs Whoosh only its postings.

For speed at 20,000+ versions a reader keeps, per opened index generation, the doc id,
kind and languages of every Whoosh document in plain lists (built once from columns), so
that matching-document sets are computed without scoring and without reading stored fields.
"""

from __future__ import annotations

import bisect
import shutil
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.index import LockError
from whoosh.searching import Searcher

from migdocs.errors import IndexBusyError
from migdocs.indexer.entries import KEYWORD_FIELDS, Entry, field_boost, text_fields
from migdocs.search import query as q
from migdocs.search.backend import DocumentMatches, IndexStatus, ScoredEntry

SCHEMA_VERSION = 4
WRITER_MEMORY_MB = 256
_FILTER_CACHE = 32  # matching-entry sets of recent filters, per reader


class TermsField(TEXT):
    """A TEXT field fed with a list of terms (already analysed): positions are list indexes.
    Skips Whoosh's per-token objects: 4x faster postings for the same index."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        terms = value.split() if isinstance(value, str) else value
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for i, term in enumerate(terms):
            positions[term].append(i)
        boost = self.format.field_boost
        encode = self.format.encode
        for term, where in positions.items():
            yield term.encode("utf-8"), len(where), len(where) * boost, encode(where)


def schema() -> Schema:
    """Every field of the index, in one place (names from `migdocs.indexer.entries`)."""
    fields: dict[str, Any] = {
        "key": ID(unique=True, stored=True),
        "doc_id": ID(stored=True, sortable=True),  # a column: docnum -> document, fast
        "kind": ID(stored=True, sortable=True),
        "language": KEYWORD(stored=True, commas=True, scorable=False),
        "languages_column": ID(sortable=True),  # the same, as one value per entry: a column
        "page_language": ID(stored=True),
        "page": NUMERIC(stored=True),
    }
    for name in KEYWORD_FIELDS:
        fields.setdefault(name, KEYWORD(commas=True, scorable=False))
    for name in text_fields():
        fields[name] = TermsField(analyzer=SpaceSeparatedTokenizer(), field_boost=field_boost(name))
    return Schema(**fields)


def _whoosh(query: q.Query) -> wq.Query:
    """A compiled query as a Whoosh query."""
    if isinstance(query, q.Term):
        return wq.Term(query.field, query.text, boost=query.boost)
    if isinstance(query, q.Phrase):
        return wq.Phrase(query.field, list(query.terms), boost=query.boost)
    if isinstance(query, q.Prefix):
        return wq.Prefix(query.field, query.text)
    if isinstance(query, q.Wildcard):
        return wq.Wildcard(query.field, query.pattern)
    if isinstance(query, q.Or):
        return wq.Or([_whoosh(c) for c in query.children])
    if isinstance(query, q.And):
        return wq.And([_whoosh(c) for c in query.children])
    if isinstance(query, q.AndMaybe):
        return wq.AndMaybe(_whoosh(query.required), _whoosh(query.optional))
    if isinstance(query, q.AndNot):
        return wq.AndNot(_whoosh(query.positive), _whoosh(query.negative))
    raise TypeError(f"not a compiled query: {query!r}")


def _fields(entry: Entry) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "key": entry.key, "doc_id": entry.doc_id, "kind": entry.kind,
        "language": ",".join(entry.languages), "languages_column": ",".join(entry.languages),
        "page": entry.page,
        "page_language": entry.page_language or "",
    }
    for name, values in entry.keywords.items():
        fields[name] = ",".join(v.replace(",", " ") for v in values)
    for name, terms in entry.text.items():
        if terms:
            fields[name] = terms
    return fields


class WhooshWriter:
    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def replace(self, doc_id: str, entries: Sequence[Entry]) -> None:
        self._writer.delete_by_term("doc_id", doc_id)
        for entry in entries:
            self._writer.add_document(**_fields(entry))

    def remove(self, doc_id: str) -> None:
        self._writer.delete_by_term("doc_id", doc_id)


class WhooshReader:
    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self._reader = reader
        count = reader.doc_count_all()
        interned: dict[str, frozenset[str]] = {}
        self.doc_of: list[str] = []
        self.kind_of: list[str] = []
        self.langs_of: list[frozenset[str]] = []
        if count:  # (an empty index has no columns)
            doc_ids = reader.column_reader("doc_id")
            kinds = reader.column_reader("kind")
            langs = reader.column_reader("languages_column")
            self.doc_of = [doc_ids[n] for n in range(count)]
            self.kind_of = [kinds[n] for n in range(count)]
            self.langs_of = [interned.setdefault(v, frozenset(filter(None, v.split(","))))
                             for v in (langs[n] for n in range(count))]
        self._docnums: dict[str, list[int]] | None = None
        self._filters: dict[q.Query, frozenset[int]] = {}
        self._vocabulary: dict[str, list[str]] = {}

    # -- sets -----------------------------------------------------------------------------
    def entry_count(self) -> int:
        return self.searcher.doc_count()

    def _matching(self, query: q.Query) -> frozenset[int]:
        found = self._filters.get(query)
        if found is None:
            found = frozenset(self.searcher.docs_for_query(_whoosh(query)))
            if len(self._filters) >= _FILTER_CACHE:
                self._filters.clear()
            self._filters[query] = found
        return found

    def documents(self, query: q.Query | None, *, filter: q.Query | None = None) -> DocumentMatches:
        allowed = self._matching(filter) if filter is not None else None
        if query is None:
            reader = self._reader
            docnums: Any = (allowed if allowed is not None else
                            (n for n in range(len(self.doc_of)) if not reader.is_deleted(n)))
        else:
            docnums = self.searcher.docs_for_query(_whoosh(query))
            if allowed is not None:
                docnums = (n for n in docnums if n in allowed)
        out: DocumentMatches = {}
        doc_of, langs_of = self.doc_of, self.langs_of
        for n in docnums:
            doc = doc_of[n]
            seen = out.get(doc)
            langs = langs_of[n]
            if seen is None:
                out[doc] = langs
            elif not langs <= seen:
                out[doc] = seen | langs
        return out

    def _entries_of(self, documents: Collection[str]) -> set[int]:
        if self._docnums is None:
            index: dict[str, list[int]] = defaultdict(list)
            reader = self._reader
            for n, doc in enumerate(self.doc_of):
                if not reader.is_deleted(n):
                    index[doc].append(n)
            self._docnums = dict(index)
        found = self._docnums
        return set(chain.from_iterable(found.get(d, ()) for d in documents))

    def top(self, query: q.Query, *, filter: q.Query | None = None,
            documents: Collection[str] | None = None, limit: int | None = None) -> list[ScoredEntry]:
        allow: set[int] | frozenset[int] | None = None
        if documents is not None:
            allow = self._entries_of(documents)
        if filter is not None:
            matching = self._matching(filter)
            allow = matching if allow is None else allow & matching
        if allow is not None and not allow:
            return []
        results = self.searcher.search(_whoosh(query), filter=allow, limit=limit)
        out = []
        for hit in results:
            n = hit.docnum
            kind = self.kind_of[n]
            if kind == "page":
                stored = self.searcher.stored_fields(n)
                page, page_language = stored.get("page", 0), stored.get("page_language") or None
            else:
                page, page_language = 0, None
            out.append(ScoredEntry(self.doc_of[n], kind, tuple(sorted(self.langs_of[n])),  # type: ignore[arg-type]
                                   page, page_language, hit.score))
        return out

    # -- vocabulary -----------------------------------------------------------------------
    def doc_frequency(self, field: str, term: str) -> int:
        return self._reader.doc_frequency(field, term)

    def expand_prefix(self, field: str, prefix: str) -> list[tuple[str, int]]:
        reader = self._reader
        return [(t.decode("utf-8"), reader.doc_frequency(field, t.decode("utf-8")))
                for t in reader.expand_prefix(field, prefix)]

    def expand_fuzzy(self, field: str, term: str, distance: int) -> list[tuple[str, int]]:
        """rapidfuzz (C) over this field's terms with the same first letter, held in memory
        per reader: 1-2 ms a word, against 60 ms for Whoosh's automaton on 20,000 pages."""
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extract

        vocabulary = self._vocabulary.get(field)
        if vocabulary is None:
            vocabulary = self._vocabulary[field] = [
                t.decode("utf-8") if isinstance(t, bytes) else t for t in self._reader.lexicon(field)]
        if not term:
            return []
        first = term[0]
        lo = bisect.bisect_left(vocabulary, first)
        hi = bisect.bisect_left(vocabulary, chr(ord(first) + 1))
        found = extract(term, vocabulary[lo:hi], scorer=Levenshtein.distance,
                        score_cutoff=distance, limit=None)
        reader = self._reader
        return [(t, reader.doc_frequency(field, t)) for t, _, _ in found if t != term]

    def key_terms(self, field: str, terms: Sequence[str], limit: int) -> list[tuple[str, float]]:
        if not terms:
            return []
        return list(self.searcher.key_terms_from_text(field, " ".join(terms), numterms=limit))

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        reader = self._reader
        for n, doc in enumerate(self.doc_of):
            if not reader.is_deleted(n):
                counts = out.setdefault(doc, {"meta": 0, "page": 0})
                counts[self.kind_of[n]] += 1
        return out


class WhooshBackend:
    """A Whoosh index in `path`."""

    version = f"whoosh-{SCHEMA_VERSION}"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ix: Any = None
        self._reader: WhooshReader | None = None

    def status(self) -> IndexStatus:
        if not self.path.is_dir() or not any(self.path.glob("_MAIN_*.toc")):
            return IndexStatus("missing", f"no search index in {self.path}")
        try:
            self._open()
        except Exception as exc:  # any damage to a derived index: the caller rebuilds it
            return IndexStatus("damaged", f"{type(exc).__name__}: {exc}")
        return IndexStatus("ready")

    def _open(self) -> Any:
        if self._ix is None:
            self._ix = whoosh_index.open_dir(self.path)
        return self._ix

    def create(self) -> None:
        self.close()
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        self._ix = whoosh_index.create_in(self.path, schema())

    @contextmanager
    def writer(self) -> Iterator[WhooshWriter]:
        try:
            writer = self._open().writer(limitmb=WRITER_MEMORY_MB)
        except LockError as exc:
            raise IndexBusyError(
                f"{self.path}: another migdocs process is writing to this index; "
                "wait for it to finish and run the command again"
            ) from exc
        try:
            yield WhooshWriter(writer)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    @contextmanager
    def rebuilding(self) -> Iterator[WhooshWriter]:
        """A writer into a new, empty index built aside (`index.new`) that replaces this one
        when it commits: readers see the old index or the new, never half of one."""
        from migdocs.repo.lock import replace_folder

        aside = self.path.with_name(self.path.name + ".new")
        if aside.exists():
            shutil.rmtree(aside)
        aside.mkdir(parents=True)
        ix = whoosh_index.create_in(aside, schema())
        writer = ix.writer(limitmb=WRITER_MEMORY_MB)
        try:
            yield WhooshWriter(writer)
        except BaseException:
            writer.cancel()
            ix.close()
            shutil.rmtree(aside, ignore_errors=True)
            raise
        writer.commit()
        ix.close()
        self.close()
        replace_folder(aside, self.path)

    def reader(self) -> WhooshReader:
        current = self._reader
        if current is not None:
            searcher = current.searcher
            if searcher.doc_count_all() == 0:
                # Whoosh cannot refresh a searcher opened on an empty index (its reader has
                # no segments to reuse); opening a new one is as cheap.
                searcher.close()
                current = self._reader = None
            elif searcher.up_to_date():
                return current
        if current is not None:
            fresh = current.searcher.refresh()
        else:
            fresh = self._open().searcher()
        self._reader = WhooshReader(fresh)
        return self._reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.searcher.close()
            self._reader = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None
