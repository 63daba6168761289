"""The Whoosh backend: the one module that imports Whoosh. Embedded, in `HOME/index`.

Entries arrive analysed (`migdocs.indexer.entries`); text fields take the term lists as they
are (Whoosh's own analysis is bypassed), so indexing costs Whoosh only its postings.

For speed at 20,000+ versions a reader keeps, per opened index generation, the doc id,
kind and languages of every Whoosh document in plain lists (built once from columns), so
that matching-document sets are computed without scoring and without reading stored fields.
Phrases and BM25F are computed here from Whoosh's postings (`_phrase_scores`,
`_term_scores`): the same entries and scores as Whoosh's matchers, several times faster.

Longer than the house's ~450 lines on purpose: everything that knows Whoosh (its schema,
writer, readers, storage and scoring internals) stays in this one module, so that another
engine can take over behind `migdocs.search.backend` and a Whoosh upgrade touches one file.
"""

from __future__ import annotations

import bisect
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.index import LockError
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from migdocs.errors import IndexBusyError
from migdocs.indexer.entries import KEYWORD_FIELDS, Entry, field_boost, text_fields
from migdocs.search import query as q
from migdocs.search.backend import (
    DocumentMatches,
    IndexStatus,
    RankedDocument,
    ScoredEntry,
    words_together,
)

SCHEMA_VERSION = 4
WRITER_MEMORY_MB = 256
_FILTER_CACHE = 8  # matching-entry sets of recent filters, per reader (a filter repeats within a search)
T = TypeVar("T")
SWAP_RETRIES, SWAP_RETRY_SECONDS = 50, 0.01


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


class _MappedFile:
    """The read side of a file object over a memoryview of Whoosh's mmap, copying nothing."""

    def __init__(self, buf: memoryview) -> None:
        self._buf, self._pos = buf, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else self._pos + size
        out = bytes(self._buf[self._pos:end])
        self._pos += len(out)
        return out

    def readline(self) -> bytes:
        start = end = self._pos
        while end < len(self._buf):  # a block at a time, not the rest of the file
            block = bytes(self._buf[end:end + 4096])
            newline = block.find(b"\n")
            if newline != -1:
                end += newline + 1
                break
            end += len(block)
        self._pos = end
        return bytes(self._buf[start:end])

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = offset if whence == 0 else (self._pos + offset if whence == 1
                                                 else len(self._buf) + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")


class _MappedBufferFile(BufferFile):
    """Whoosh's `BufferFile` without its copy: Whoosh opens each part of a compound segment
    as `BufferFile(memoryview(mmap))`, whose `BytesIO(buf)` copies the whole mapped part, so a
    search process held the entire postings file in memory (222 of its 490 MB at 20,000
    versions, found with tracemalloc) and grew with the library (191 -> 531 MB from 5,000 to
    20,000 versions). Reading through the map instead leaves the postings in the OS page
    cache. (Opening the index without mmap also avoids the copy, but the query mix ran 6-9 %
    slower: each field length read became a seek and a read.)"""

    def __init__(self, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf, self.file = buf, _MappedFile(buf)


compound.BufferFile = _MappedBufferFile  # Whoosh copies the map otherwise: see the class


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


def _cached(cache: dict[q.Query, T], query: q.Query, make: Callable[[], T]) -> T:
    """A small per-reader cache, emptied when full (queries repeat within one search)."""
    found = cache.get(query)
    if found is None:
        if len(cache) >= _FILTER_CACHE:
            cache.clear()
        found = cache[query] = make()
    return found


def _phrase_scores(phrase: q.Phrase, searcher: Searcher, context: Any) -> Iterator[tuple[int, float]]:
    """(docnum, score) of the entries of one segment whose field holds the phrase's terms at
    consecutive positions, scored as Whoosh scores a phrase (the sum of its terms' scores,
    times the phrase's boost).

    Whoosh's own phrase matcher builds a `Span` object per position and bisects lists of
    them for every entry holding all the terms: `"مجلس الأمن"` (18,154 such entries at 20,000
    versions) took 544 ms and the symbol `A/98/1` (a phrase `a 98 1`, 29,914 entries holding
    the three terms, one with them in order) 391 ms. Here the rarest term leads, the others
    skip to it, and the positions are checked with one set intersection."""
    reader = searcher.reader()
    matchers: list[tuple[int, int, Any]] = []
    for term in phrase.terms:
        matcher = wq.Term(phrase.field, term).matcher(searcher, context)
        if not matcher.is_active():
            return
        matchers.append((reader.doc_frequency(phrase.field, term), len(matchers), matcher))
    lead, *others = [m for _, _, m in sorted(matchers, key=lambda t: t[:2])]
    by_position = [m for _, _, m in matchers]
    while lead.is_active():
        n, target = lead.id(), None
        for other in others:
            if other.id() < n:
                other.skip_to(n)
                if not other.is_active():
                    return
            if other.id() != n:
                target = other.id()
                break
        if target is not None:
            lead.skip_to(target)
            continue
        starts = set(by_position[0].value_as("positions"))
        for k, matcher in enumerate(by_position[1:], 1):
            starts.intersection_update(p - k for p in matcher.value_as("positions"))
            if not starts:
                break
        if starts:
            yield n, phrase.boost * sum(m.score() for m in by_position)
        lead.next()


def _length_bytes(searcher: Searcher, field: str) -> bytes:
    """Every entry's length byte for `field` in one segment (0: none), as Whoosh's w3 codec
    stores them: one byte an entry in the `LENGTHS_COLUMN` column."""
    reader = searcher.reader()
    count = reader.doc_count_all()
    column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None:
        return bytes(count)
    raw = column._dbfile.get(column._basepos, column._count) if column._count else b""
    return bytes(raw) + bytes(count - len(raw))


def _term_scores(term: q.Term, searcher: Searcher, lengths: bytes) -> Iterator[tuple[int, float]]:
    """(docnum, score) of every entry of one segment holding the term, deleted ones too:
    Whoosh's BM25F, the same expression on the same numbers, a block of postings at a time.

    Whoosh scores a posting through four calls (the matcher, the scorer, the reader, the
    length column): 6.5 us a posting, and a 20,000-version query mix scored 800,000 postings
    of one-word, two-word and known-item queries. Here the block's ids and weights are read
    as Whoosh decodes them, and lengths come from `_length_bytes`."""
    reader = searcher.reader()
    try:
        matcher = reader.postings(term.field, term.text)
    except TermNotFound:
        return
    while not hasattr(matcher, "_read_weights") and hasattr(matcher, "child"):
        matcher = matcher.child  # past the deletion filter: the caller drops deleted entries
    parent = searcher.get_parent()
    weighting = searcher.weighting
    idf = parent.idf(term.field, term.text)
    avgfl = parent.avg_field_length(term.field) or 1
    b = weighting._field_B.get(term.field, weighting.B)
    k1 = weighting.K1
    boost = term.boost
    to_length = byte_to_length
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        start = matcher._i
        for n, tf in zip(islice(matcher._ids, start, None), islice(matcher._weights, start, None),
                         strict=True):
            fl = to_length(lengths[n]) if lengths[n] else 1
            score = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))
            yield n, score * boost if boost != 1.0 else score
        matcher._next_block()


def _parts(query: q.Query) -> list[q.Query]:
    """The parts of a (nested) Or, whose scores add up; any other query is one part."""
    if isinstance(query, q.Or):
        return [p for child in query.children for p in _parts(child)]
    return [query]


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
        self._scored: dict[q.Query, dict[int, float]] = {}
        self._vocabulary: dict[str, list[str]] = {}
        self._length_bytes: dict[tuple[int, str], bytes] = {}

    def new_search(self) -> None:
        self._scored.clear()

    # -- sets -----------------------------------------------------------------------------
    def entry_count(self) -> int:
        return self.searcher.doc_count()

    def _matching(self, query: q.Query) -> frozenset[int]:
        return _cached(self._filters, query, lambda: frozenset(self._docnums_of(query)))

    def _docnums_of(self, query: q.Query) -> Iterable[int]:
        """Matching Whoosh documents. An Or is the union of its parts' sets: reading each
        posting list once is 3-10x cheaper than Whoosh's tree of union matchers (a word is
        looked up in up to 12 fields; `remitances~` is an Or of ~100 terms)."""
        if isinstance(query, q.Or):
            out: set[int] = set()
            for child in query.children:
                out.update(self._docnums_of(child))
            return out
        return self.searcher.docs_for_query(_whoosh(query))

    def _part_scores(self, part: q.Query) -> dict[int, float]:
        """Scores of one part of a query (a term or phrase in one field), kept for the rest of
        the search (forgotten at the next `WhooshBackend.reader()` call). Kept per part, not
        per query: the search asks for each word's documents, then ranks an Or of all the
        words' parts, and keyed by whole queries a phrase was checked twice (`"مجلس الأمن"`:
        285 ms for its documents, 280 ms again to rank them)."""
        found = self._scored.get(part)
        if found is None:
            found = self._scored[part] = self._scores(part, None)
        return found

    def _scores_of(self, query: q.Query, allow: Collection[int] | None) -> dict[int, float]:
        """Scores of a query as the sum of its parts' (kept) scores, summed in part order."""
        parts = _parts(query)
        if len(parts) == 1:
            scores = self._part_scores(parts[0])
            return scores if allow is None else {n: s for n, s in scores.items() if n in allow}
        total: defaultdict[int, float] = defaultdict(float)
        for part in parts:
            for n, score in self._part_scores(part).items():
                if allow is None or n in allow:
                    total[n] += score
        return total

    def _scores(self, query: q.Query, allow: Collection[int] | None) -> dict[int, float]:
        """BM25F score of every matching entry (among `allow`), term at a time: the parts
        of an Or are scored one posting list after another and summed per entry, as
        Whoosh's union matcher sums them, without its per-posting tree walk."""
        scores: defaultdict[int, float] = defaultdict(float)
        context = self.searcher.context()
        for part in _parts(query):
            for sub, offset in self.searcher.leaf_searchers():
                deleted = sub.reader().has_deletions()
                is_deleted = sub.reader().is_deleted
                if isinstance(part, q.Phrase):
                    for n, score in _phrase_scores(part, sub, context):
                        if (allow is None or n + offset in allow) and not (deleted and is_deleted(n)):
                            scores[n + offset] += score
                    continue
                if isinstance(part, q.Term) and self._fast_bm25(part.field):
                    lengths = self._lengths(sub, offset, part.field)
                    for n, score in _term_scores(part, sub, lengths):
                        if (allow is None or n + offset in allow) and not (deleted and is_deleted(n)):
                            scores[n + offset] += score
                    continue
                matcher = _whoosh(part).matcher(sub, context)
                while matcher.is_active():
                    n = matcher.id()
                    if (allow is None or n + offset in allow) and not (deleted and is_deleted(n)):
                        scores[n + offset] += matcher.score()
                    matcher.next()
        return scores

    def _fast_bm25(self, field: str) -> bool:
        """Whether `_term_scores` computes this field's scores (Whoosh's BM25F on a scored
        field); keyword fields keep Whoosh's own scorer."""
        return type(self.searcher.weighting) is BM25F and self.searcher.schema[field].scorable

    def _lengths(self, sub: Searcher, offset: int, field: str) -> bytes:
        """The quantised length byte of `field` in every entry of one segment, read once per
        reader (Whoosh reads one byte from the column for every posting it scores)."""
        found = self._length_bytes.get((offset, field))
        if found is None:
            found = self._length_bytes[(offset, field)] = _length_bytes(sub, field)
        return found

    def documents_each(self, queries: Sequence[q.Query], *,
                       filter: q.Query | None = None) -> list[DocumentMatches]:
        return [self.documents(query, filter=filter) for query in queries]

    def documents(self, query: q.Query | None, *, filter: q.Query | None = None) -> DocumentMatches:
        allowed = self._matching(filter) if filter is not None else None
        if query is None:
            reader = self._reader
            docnums: Any = (allowed if allowed is not None else
                            (n for n in range(len(self.doc_of)) if not reader.is_deleted(n)))
        else:
            docnums = self._scores_of(query, None).keys()
            if allowed is not None:
                docnums = (n for n in docnums if n in allowed)
        out: dict[str, frozenset[str]] = {}
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

    def _allow(self, filter: q.Query | None, documents: Collection[str] | None) -> Collection[int] | None:
        allow: set[int] | frozenset[int] | None = None
        if documents is not None:
            allow = self._entries_of(documents)
        if filter is not None:
            matching = self._matching(filter)
            allow = matching if allow is None else allow & matching
        return allow

    def _entry(self, n: int, score: float) -> ScoredEntry:
        kind = self.kind_of[n]
        page, page_language = 0, None
        if kind == "page":
            stored = self.searcher.stored_fields(n)
            page, page_language = stored.get("page", 0), stored.get("page_language") or None
        return ScoredEntry(self.doc_of[n], kind, tuple(sorted(self.langs_of[n])),  # type: ignore[arg-type]
                           page, page_language, score)

    def top(self, query: q.Query, *, filter: q.Query | None = None,
            documents: Collection[str] | None = None, limit: int | None = None) -> list[ScoredEntry]:
        allow = self._allow(filter, documents)
        if allow is not None and not allow:
            return []
        ranked = sorted(self._scores_of(query, allow).items(), key=lambda item: (-item[1], item[0]))
        return [self._entry(n, score) for n, score in (ranked[:limit] if limit is not None else ranked)]

    def best_documents(self, query: q.Query, *, filter: q.Query | None = None,
                       documents: Collection[str] | None = None, limit: int | None = None,
                       entries: int = 6) -> list[RankedDocument]:
        allow = self._allow(filter, documents)
        if allow is not None and not allow:
            return []
        scores = self._scores_of(query, allow)
        best_page: dict[str, float] = {}
        best_record: dict[str, float] = {}
        doc_of, kind_of = self.doc_of, self.kind_of
        for n, score in scores.items():
            best = best_record if kind_of[n] == "meta" else best_page
            doc = doc_of[n]
            if score > best.get(doc, -1.0):
                best[doc] = score
        totals = {d: best_page.get(d, 0.0) + best_record.get(d, 0.0)
                  for d in best_page.keys() | best_record.keys()}
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        if limit is not None:
            ranked = ranked[:limit]
        chosen = dict(ranked)
        found: defaultdict[str, list[tuple[float, int]]] = defaultdict(list)
        for n, score in scores.items():
            if doc_of[n] in chosen:
                found[doc_of[n]].append((-score, n))
        return [RankedDocument(doc, total, [self._entry(n, -neg) for neg, n in sorted(found[doc])[:entries]])
                for doc, total in ranked]

    def together(self, queries: Sequence[q.Query], *, documents: Collection[str],
                 filter: q.Query | None = None) -> dict[str, int]:
        """From entry numbers (no stored fields read: `top` read one per entry, 3 ms a
        translated query on the whole corpus)."""
        allow = self._allow(filter, documents)
        doc_of, kind_of = self.doc_of, self.kind_of
        return words_together([[(doc_of[n], kind_of[n] == "meta", n)
                                for n in self._scores_of(query, allow)] for query in queries])

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
        self._opened_folder: tuple[int, int] | None = None
        self._reader: WhooshReader | None = None

    def status(self) -> IndexStatus:
        if not self.path.is_dir() or not any(self.path.glob("_MAIN_*.toc")):
            return IndexStatus("missing", f"no search index in {self.path}")
        try:
            self._open()
        except Exception as exc:  # noqa: BLE001 - any damage to a derived index: the caller rebuilds it
            return IndexStatus("damaged", f"{type(exc).__name__}: {exc}")
        return IndexStatus("ready")

    def _open(self) -> Any:
        if self._ix is not None and self._folder() != self._opened_folder:
            self.close()  # rebuilt aside and swapped in by another process: a new index
        if self._ix is None:
            for _ in range(SWAP_RETRIES):  # between the two renames of a swap, it is missing
                if self._folder() is not None:
                    break
                time.sleep(SWAP_RETRY_SECONDS)
            self._opened_folder = self._folder()
            self._ix = whoosh_index.open_dir(self.path)
        return self._ix

    def _folder(self) -> tuple[int, int] | None:
        """The index folder's identity: a rebuild swaps in another folder, whose generation
        numbers start again (so Whoosh alone could take an old reader for current)."""
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def create(self) -> None:
        self.close()
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        self._ix = whoosh_index.create_in(self.path, schema())
        self._opened_folder = self._folder()

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
        self._open()  # (reopens everything when the folder was swapped)
        current = self._reader
        if current is not None:
            searcher = current.searcher
            if searcher.doc_count_all() == 0:
                # Whoosh cannot refresh a searcher opened on an empty index (its reader has
                # no segments to reuse); opening a new one is as cheap.
                searcher.close()
                current = self._reader = None
            elif searcher.up_to_date():
                current.new_search()
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
