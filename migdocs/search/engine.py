"""Search: run a parsed query on the index, group page hits by document, rank, facet,
paginate, and build page-numbered snippets from the catalog's page texts.

Ranking (best match): a document's score is its best page's score plus its record's (title,
entity, symbol) score; measured on known-item queries, adding its other pages' scores
favours long documents and ranks worse. Documents that contain every word of the query (anywhere in the document)
rank above those that miss one, and the fewer words a document misses the higher it ranks.
Required (`+`, `AND`) and excluded (`-`, `NOT`) words are decided per document too, not per
page. A query that is a symbol puts that document first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Literal, get_args

from whoosh import query as wq
from whoosh.searching import Searcher

from migdocs.errors import UsageError
from migdocs.indexer.analysis import spelling_analyzer
from migdocs.indexer.index import Index, text_field
from migdocs.repo import symbols
from migdocs.repo.catalog import Catalog
from migdocs.repo.model import Document
from migdocs.search import syntax
from migdocs.search.compile import Compiled, Filters, QueryCompiler
from migdocs.search.highlight import Snippet, snippet

SortOrder = Literal["relevance", "date", "symbol"]
SORT_ORDERS: tuple[str, ...] = get_args(SortOrder)
FACETS = ("language", "session", "entity", "type", "year")
MAX_LIMIT = 1000
MAX_CLAUSES = 32  # top-level words and groups of one query
SNIPPETS_PER_HIT = 2
SNIPPET_CANDIDATES = 6  # best entries of a document considered for its snippets
SIMILAR_TERMS = 12  # per language version
SIMILAR_TEXT_CHARS = 50_000
_SPELLING = spelling_analyzer()
StoredFields = Callable[[int], dict]


@dataclass
class Hit:
    symbol: str | None
    id: str
    title: str | None
    entity: str | None
    type: str
    sessions: list[str]
    languages: list[str]
    date: str | None
    score: float
    matched: int  # how many of the query's words the document contains
    snippets: list[Snippet] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    limit: int
    sort: str
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    words: int = 0  # how many words the query's best match counts

    def as_dict(self) -> dict:
        """The JSON shape of a search (`search --json`, the web API); ranking internals
        (`matched`, `words`) stay out."""
        data = asdict(self)
        del data["words"]
        for hit in data["hits"]:
            del hit["matched"]
            for s in hit["snippets"]:
                s["highlights"] = [list(h) for h in s["highlights"]]
        return data


@dataclass
class _DocumentMatch:
    doc_id: str
    entries: list[tuple[float, int]] = field(default_factory=list)  # (score, docnum)
    languages: set[str] = field(default_factory=set)
    stored: dict = field(default_factory=dict)  # the fields of one entry: metadata
    matched: int = 0
    score: float = 0.0


class SearchEngine:
    """Owns one Whoosh searcher, reopened only when the index has changed."""

    def __init__(self, index: Index, catalog: Catalog, resolve: Callable[[str], str | None]) -> None:
        self.index = index
        self.catalog = catalog
        self._resolve_doc = resolve
        self._searcher: Searcher | None = None

    def searcher(self) -> Searcher:
        if self._searcher is not None and self._searcher.doc_count_all() == 0:
            # Whoosh cannot refresh a searcher opened on an empty index (its reader has no
            # segments to reuse); opening a new one is as cheap.
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self.index.ix.searcher()
        else:
            self._searcher = self._searcher.refresh()
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def resolve_symbol_key(self, text: str) -> str | None:
        """The index key of the document a messy symbol spelling means, if it exists."""
        doc_id = self._resolve_doc(text)
        if doc_id is None:
            return None
        document = self.catalog.document(doc_id)
        return symbols.key(document.symbol) if document and document.symbol else None

    # -- search -------------------------------------------------------------------------------
    def search(self, text: str, *, filters: Filters, sort: SortOrder = "relevance",
               limit: int = 10, page: int = 1, suggest: bool = True) -> SearchResult:
        _check_paging(sort, limit, page)
        parsed = syntax.parse(text)
        if symbols.spellings(text):  # `S/RES/2208 (2015)`, `S/RES/2208(2015)`: one symbol
            parsed = syntax.ParsedQuery(text, syntax.Group([syntax.Clause(syntax.Word(text.strip()))]))
        notices = parsed.notices
        searcher = self.searcher()
        compiler = QueryCompiler(searcher.reader(), resolve_symbol=self.resolve_symbol_key,
                                 notices=notices)
        filter_parts = [compiler.filter_query(filters)]
        words: list[Compiled] = []
        excluded: list[wq.Query] = []
        stop_words: list[syntax.Clause] = []
        clauses = parsed.root.clauses
        if len(clauses) > MAX_CLAUSES:
            notices.append(f"The query has {len(clauses)} words and groups; searched the first "
                           f"{MAX_CLAUSES}.")
            clauses = clauses[:MAX_CLAUSES]
        for clause in clauses:
            if isinstance(clause.node, syntax.Field):
                fq = compiler.field_query(clause.node)
                if fq is not None:
                    (excluded if clause.occur == "must_not" else filter_parts).append(fq)
                continue
            if (clause.occur == "should" and isinstance(clause.node, syntax.Word)
                    and compiler.is_stop_word(clause.node)):
                stop_words.append(clause)
                continue
            compiled = compiler.compile_clause(clause)
            if compiled is None:
                continue
            if clause.occur == "must_not":
                excluded.append(compiled.query)
            else:
                words.append(compiled)
        if not words and stop_words:  # a query of stop words only: search them after all
            words = [c for c in map(compiler.compile_clause, stop_words) if c is not None]
        filter_q = _and([p for p in filter_parts if p is not None])
        single = self._single_word(parsed, words)
        pinned = self._resolve_doc(single) if single else None  # a symbol or id names a document
        cited = self._citation_pattern(single)
        keep = None
        if cited:  # a symbol: its document, then documents that cite exactly that symbol
            keep = lambda m, stored: m.doc_id == pinned or self._cites(m, cited, stored)  # noqa: E731
        result = self._execute(text, words, filter_q, excluded, pinned=pinned, sort=sort,
                               limit=limit, page=page, notices=notices, keep=keep)
        if suggest:
            result.suggestion = self._suggestion(text, parsed, words, filters, result)
        return result

    def similar(self, document: Document, *, filters: Filters, limit: int = 10,
                page: int = 1) -> SearchResult:
        """More like this: the key terms of each language version, weighted by how much
        they distinguish the document in the index, as one query; the document excluded."""
        _check_paging("relevance", limit, page)
        searcher = self.searcher()
        compiler = QueryCompiler(searcher.reader(), resolve_symbol=self.resolve_symbol_key,
                                 notices=[])
        subqueries: list[wq.Query] = []
        terms: dict[str, set[str]] = {}
        for version in document.versions:
            body = "\n".join(p.text for p in version.pages)[:SIMILAR_TEXT_CHARS]
            language = version.detected_language or version.language
            fieldname = text_field(language)
            if not body.strip():
                continue
            for term, weight in searcher.key_terms_from_text(fieldname, body, numterms=SIMILAR_TERMS):
                subqueries.append(wq.Term(fieldname, term, boost=weight))
                terms.setdefault(fieldname.split("_", 1)[1], set()).add(term)
        title = " ".join(filter(None, [document.title] + [v.title for v in document.versions]))
        if title:
            title_query = compiler.text_query(title, terms)
            if title_query is not None:
                subqueries.append(title_query)
        query_text = f"similar:{document.symbol or document.id}"
        if not subqueries:
            return SearchResult(query_text, 0, page, limit, "relevance", [], {},
                                notices=[f"{document.symbol or document.id} has no text or "
                                         "title to compare with."])
        compiled = Compiled(syntax.Clause(syntax.Word(query_text)), wq.Or(subqueries), terms)
        return self._execute(query_text, [compiled], compiler.filter_query(filters),
                             [wq.Term("doc_id", document.id)], pinned=None, sort="relevance",
                             limit=limit, page=page, notices=[], coverage=False)

    # -- execution ----------------------------------------------------------------------------
    def _execute(self, text: str, words: list[Compiled], filter_q: wq.Query | None,
                 excluded: list[wq.Query], *, pinned: str | None, sort: SortOrder, limit: int,
                 page: int, notices: list[str], coverage: bool = True,
                 keep: Callable[[_DocumentMatch, StoredFields], bool] | None = None,
                 ) -> SearchResult:
        searcher = self.searcher()
        if searcher.doc_count() == 0:
            return SearchResult(text, 0, page, limit, sort, [], {name: {} for name in FACETS},
                                notices=notices, words=len(words) if coverage else 0)
        doc_ids = searcher.reader().column_reader("doc_id")
        stored: StoredFields = lru_cache(maxsize=None)(searcher.stored_fields)  # read each once
        allowed = set(searcher.docs_for_query(filter_q)) if filter_q is not None else None
        matches: dict[str, _DocumentMatch] = {}
        if words:
            scoring = _or([c.query for c in words])
            for hit in searcher.search(scoring, filter=filter_q, limit=None):
                doc_id = doc_ids[hit.docnum]
                matches.setdefault(doc_id, _DocumentMatch(doc_id)).entries.append(
                    (hit.score, hit.docnum))
        else:
            every = allowed if allowed is not None else range(searcher.doc_count_all())
            for docnum in every:
                if searcher.reader().is_deleted(docnum):
                    continue
                doc_id = doc_ids[docnum]
                matches.setdefault(doc_id, _DocumentMatch(doc_id)).entries.append((0.0, docnum))
        if keep is not None:
            matches = {d: m for d, m in matches.items() if keep(m, stored)}
        if pinned and pinned not in matches:  # an id (no symbol) typed as the query
            for n in searcher.docs_for_query(wq.Term("doc_id", pinned)):
                if allowed is None or n in allowed:
                    matches.setdefault(pinned, _DocumentMatch(pinned)).entries.append((0.0, n))
        # Per document: which words it contains, required and excluded words.
        for compiled in words if coverage else []:
            has = {doc_ids[n] for n in searcher.docs_for_query(compiled.query)
                   if allowed is None or n in allowed}
            for doc_id in list(matches):
                if doc_id in has or doc_id == pinned:
                    matches[doc_id].matched += 1
                elif compiled.clause.occur == "must":
                    del matches[doc_id]
        if excluded:
            for n in searcher.docs_for_query(_or(excluded)):
                matches.pop(doc_ids[n], None)
        for match in matches.values():
            match.entries.sort(key=lambda e: (-e[0], e[1]))
            best_page = best_record = 0.0
            for score, docnum in match.entries:
                fields = stored(docnum)
                match.languages.update(filter(None, fields.get("language", "").split(",")))
                if not match.stored:
                    match.stored = fields
                if fields["kind"] == "meta":
                    best_record = max(best_record, score)
                else:
                    best_page = max(best_page, score)
            match.score = best_page + best_record
        ranked = self._rank(list(matches.values()), sort=sort, scored=bool(words),
                            words=len(words) if coverage else 0, pinned=pinned)
        facets = _facets(ranked)
        start = (page - 1) * limit
        highlight_terms = _merge_terms(words)
        hits = [self._hit(m, highlight_terms, stored) for m in ranked[start:start + limit]]
        shown_sort = sort if words or sort != "relevance" else "symbol"  # nothing to score
        return SearchResult(text, len(ranked), page, limit, shown_sort, hits, facets,
                            notices=notices, words=len(words) if coverage else 0)

    @staticmethod
    def _rank(matches: list[_DocumentMatch], *, sort: SortOrder, scored: bool, words: int,
              pinned: str | None) -> list[_DocumentMatch]:
        def relevance(m: _DocumentMatch) -> tuple:
            # Fewer missing words first; then score. Symbol order breaks ties.
            return (m.doc_id != pinned, words - m.matched, -m.score,
                    symbols.natural_key(m.stored.get("symbol") or m.doc_id))

        def by_symbol(m: _DocumentMatch) -> tuple:
            return (m.doc_id != pinned, symbols.natural_key(m.stored.get("symbol") or "~" + m.doc_id))

        if sort == "symbol" or not scored:
            return sorted(matches, key=by_symbol)
        ranked = sorted(matches, key=relevance)
        if sort == "date":  # newest first, relevance within a date (stable sort)
            ranked.sort(key=lambda m: m.stored.get("date") or "", reverse=True)  # stable
        return ranked

    def _hit(self, match: _DocumentMatch, terms: dict[str, set[str]], stored: StoredFields) -> Hit:
        document = self.catalog.document(match.doc_id)
        assert document is not None, f"index entry for {match.doc_id} without catalog record"
        candidates: list[tuple[int, int, Snippet]] = []
        pages = [stored(n) for _, n in match.entries[:SNIPPET_CANDIDATES]]
        for rank, fields in enumerate(pages):
            if fields.get("kind") != "page" or not terms:
                continue
            page = self.catalog.page(match.doc_id, fields["language"], fields["page"])
            if page is None:
                continue
            found = snippet(page.text, language=fields.get("page_language") or fields["language"],
                            page=page.number, terms=terms)
            found.language = fields["language"]
            distinct = {found.text[s:e].casefold() for s, e in found.highlights}
            candidates.append((-len(distinct), rank, found))
        # The pages showing the most query words, then the best scored.
        snippets = [c[2] for c in sorted(candidates, key=lambda c: c[:2])[:SNIPPETS_PER_HIT]]
        return Hit(symbol=document.symbol, id=document.id, title=_title(document),
                   entity=document.entity, type=document.type, sessions=document.sessions,
                   languages=[v.language for v in document.versions if v.file is not None]
                   or [v.language for v in document.versions],
                   date=document.date, score=round(match.score, 4), matched=match.matched,
                   snippets=snippets)

    @staticmethod
    def _single_word(parsed: syntax.ParsedQuery, words: list[Compiled]) -> str | None:
        """The text of a query made of one plain word (no wildcard, no fuzziness)."""
        if len(words) != 1 or len(parsed.root.clauses) != 1:
            return None
        node = words[0].clause.node
        if isinstance(node, syntax.Word) and not node.wildcard and not node.fuzzy:
            return node.text
        return None

    @staticmethod
    def _citation_pattern(word: str | None) -> re.Pattern | None:
        """For a symbol-shaped word: a pattern matching that symbol (in any spelling it may
        mean) where a text cites it, and nothing longer (`E/2015/1` is not `E/2015/1/Add.1`
        nor `E/2015/12`)."""
        if word is None or not any(c in word for c in "/_"):
            return None
        spellings = symbols.spellings(word)
        if not spellings:
            return None
        alternatives = []
        for spelling in spellings:
            parts = [re.escape(p).replace(r"\ ", r"\s*") for p in spelling.split("/")]
            alternatives.append(r"\s*/\s*".join(parts))
        return re.compile(rf"(?<![\w/.\-])(?:{'|'.join(alternatives)})(?![\w\-]|/\w|\.\d)",
                          re.IGNORECASE)

    def _cites(self, match: _DocumentMatch, pattern: re.Pattern, stored: StoredFields) -> bool:
        for _, docnum in match.entries:
            fields = stored(docnum)
            if fields["kind"] != "page":
                continue
            page = self.catalog.page(match.doc_id, fields["language"], fields["page"])
            if page is not None and pattern.search(page.text):
                return True
        return False

    # -- did you mean -------------------------------------------------------------------------
    def _suggestion(self, text: str, parsed: syntax.ParsedQuery, words: list[Compiled],
                    filters: Filters, result: SearchResult) -> str | None:
        """A corrected query when some word is in no document and the correction finds more."""
        searcher = self.searcher()
        corrected = text
        changed = False
        for word in syntax.words(parsed.root):
            if not isinstance(word, syntax.Word) or word.wildcard or word.fuzzy:
                continue
            if symbols.parse(word.text) or _written_somewhere(searcher, word.text):
                continue
            replacement = _same_case(self._correct(searcher, word.text), word.text)
            if replacement:
                corrected = _replace_word(corrected, word.text, replacement)
                changed = True
        if not changed:
            return None
        found = self.search(corrected, filters=filters, limit=1, suggest=False)
        return corrected if found.total else None

    @staticmethod
    def _correct(searcher: Searcher, word: str) -> str | None:
        tokens = [t.text for t in _SPELLING(word)]
        if len(tokens) != 1:
            return None
        token = tokens[0]
        reader = searcher.reader()
        for distance in (1, 2):
            if distance == 2 and len(token) < 5:
                break
            found = [(reader.doc_frequency("spell", w), w)
                     for w in reader.terms_within("spell", token, distance, prefix=1) if w != token]
            if found:
                return max(found)[1]
        return None


def _written_somewhere(searcher: Searcher, word: str) -> bool:
    """The word, as typed (case and diacritics aside), occurs in some document or title."""
    tokens = [t.text for t in _SPELLING(word)]
    return not tokens or all(searcher.reader().doc_frequency("spell", t) for t in tokens)


def _same_case(word: str | None, like: str) -> str | None:
    """`karabakh` written like `Karabak` -> `Karabakh`; like `NATO` -> upper case."""
    if word is None:
        return None
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _replace_word(text: str, word: str, replacement: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, count=1)


def _title(document: Document) -> str | None:
    return document.title or next((v.title for v in document.versions if v.title), None)


def _facets(matches: Iterable[_DocumentMatch]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for m in matches:
        counts["language"].update(m.languages)
        counts["session"].update(s.upper() for s in filter(None, m.stored.get("sessions", "").split(",")))
        for name, key in (("entity", "entity"), ("type", "type"), ("year", "year")):
            if m.stored.get(key):
                counts[name][m.stored[key]] += 1
    return {name: dict(sorted(c.items(), key=lambda kv: (-kv[1], symbols.natural_key(kv[0]))))
            for name, c in counts.items()}


def _merge_terms(words: list[Compiled]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for compiled in words:
        for lang, terms in compiled.terms.items():
            merged.setdefault(lang, set()).update(terms)
    return merged


def _or(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _and(queries: list[wq.Query]) -> wq.Query | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _check_paging(sort: str, limit: int, page: int) -> None:
    if sort not in SORT_ORDERS:
        raise UsageError(f"unknown sort {sort!r}; use one of {', '.join(SORT_ORDERS)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT} (got {limit})")
    if page < 1:
        raise UsageError(f"page must be 1 or more (got {page})")
