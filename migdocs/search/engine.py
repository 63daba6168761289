"""Search: run a parsed query through the backend, group entries by document, rank, facet,
paginate, and build page-numbered snippets from the catalog's page texts.

Ranking (best match): a document's score is its best page's score plus its record's (title,
entity, symbol) score; measured on known-item queries, adding its other pages' scores
favours long documents and ranks worse. Documents that contain every word of the query
(anywhere in the document) rank above those that miss one, and the fewer words a document
misses the higher it ranks. Required (`+`, `AND`) and excluded (`-`, `NOT`) words are
decided per document too, not per page. A query that is a symbol puts that document first.

Speed: which documents match each word comes from the backend as sets, unscored (totals,
coverage and facets are exact); only the documents that can reach the requested page are
scored. A common word over 20,000 pages scores its best 80 entries, not all of them.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from migdocs.errors import UsageError
from migdocs.indexer.analysis import analyze
from migdocs.indexer.entries import text_field
from migdocs.repo import languages as langs
from migdocs.repo import symbols
from migdocs.repo.catalog import Catalog
from migdocs.repo.model import Document
from migdocs.search import query as q
from migdocs.search import ranking, syntax
from migdocs.search.backend import Backend, DocumentMatches, RankedDocument, Reader
from migdocs.search.compile import Compiled, Filters, QueryCompiler
from migdocs.search.highlight import Window, window
from migdocs.search.ranking import FACETS, Candidate, FacetIndex, Facts, Found
from migdocs.search.results import MAX_LIMIT, SORT_ORDERS, Hit, SearchResult, SortOrder
from migdocs.search.suggest import Speller, correct_query

if TYPE_CHECKING:
    from migdocs.search.translate import Lexicon, QueryTranslator

MAX_CLAUSES = 32  # top-level words and groups of one query
SNIPPETS_PER_HIT = 2
SNIPPET_CANDIDATES = 6  # best entries of a document considered for its snippets
#: A hit's pages are read for its snippets, best scored first, until this many characters
#: (two pages at least): six pages of a UN Parallel Corpus text are ~6,000 characters; six
#: of a long paper 20,000-60,000, which made snippets a third of a translated search's
#: time on the whole corpus.
SNIPPET_CHARS_READ = 6_000
SIMILAR_TERMS = 12  # per language version
SIMILAR_TEXT_CHARS = 50_000
#: Documents asked of the backend beyond those wanted, so ties at the cut are broken by
#: symbol here, the same way whatever order the backend returns equal scores in.
TIE_MARGIN = 10
CITATION_ENTRIES = 50  # pages of a document read to find where it cites a symbol

@dataclass
class Scoring:
    """What documents are scored by: `own` (the query's words as typed) and, for the
    `foreign` documents only (no version in the query's language), `translated` (the words
    with their translations)."""

    own: q.Query
    translated: q.Query | None = None
    foreign: Callable[[str], bool] | None = None

    def best(self, reader: Reader, *, filter: q.Query | None, documents: list[str] | None,
             entries: int, limit: int | None = None) -> list[RankedDocument]:
        if self.translated is None or self.foreign is None:
            return reader.best_documents(self.own, filter=filter, documents=documents,
                                         limit=limit, entries=entries)
        if documents is None:
            documents = list(reader.documents(self.translated, filter=filter))
        foreign = [d for d in documents if self.foreign(d)]
        mine = [d for d in documents if not self.foreign(d)]
        ranked = [r for query, docs in ((self.own, mine), (self.translated, foreign)) if docs
                  for r in reader.best_documents(query, filter=filter, documents=docs,
                                                 limit=limit, entries=entries)]
        ranked.sort(key=lambda r: -r.score)
        return ranked[:limit] if limit is not None else ranked


__all__ = ["Hit", "SearchResult", "SearchEngine", "SortOrder", "SORT_ORDERS", "MAX_LIMIT"]


class SearchEngine:
    """Searches one backend; document metadata (for facets and sorting) comes from the
    catalog, read once per catalog change."""

    def __init__(self, backend: Backend, catalog: Catalog, resolve: Callable[[str], str | None],
                 lexicon: Callable[[], Lexicon] | None = None) -> None:
        self.backend = backend
        self.catalog = catalog
        self._resolve_doc = resolve
        self._lexicon = lexicon  # the current translation lexicon (cross-lingual search)
        self._facts: dict[str, Facts] = {}
        self._facet_index = ranking.facet_index({})
        self._natural: dict[str, tuple[str | int, ...]] = {}  # doc id -> ranking.natural
        self._facts_generation: object = None
        self._held: dict[str, frozenset[str]] = {}
        self._held_generation: object = None
        self._foreign: dict[tuple[str, ...], frozenset[str]] = {}
        self.speller = Speller(catalog)

    def close(self) -> None:
        self.backend.close()

    def facts(self) -> dict[str, Facts]:
        generation = self.catalog.generation()
        if generation != self._facts_generation:
            self._facts = self.catalog.document_facts()
            self._facet_index = ranking.facet_index(self._facts)
            self._natural = {}
            self._facts_generation = generation
        return self._facts

    def facet_index(self) -> FacetIndex:
        self.facts()  # (rebuilt with the facts when the catalog changed)
        return self._facet_index

    def held_languages(self) -> dict[str, frozenset[str]]:
        """doc id -> the languages it holds a version in (read once per catalog change)."""
        generation = self.catalog.generation()
        if generation != self._held_generation:
            held: dict[str, set[str]] = {}
            for doc_id, language, _ in self.catalog.version_files():
                held.setdefault(doc_id, set()).add(language)
            self._held = {d: frozenset(langs) for d, langs in held.items()}
            self._foreign = {}
            self._held_generation = generation
        return self._held

    def _scoring(self, words: list[Compiled]) -> Scoring | None:
        """How documents are scored: with translations only for documents that hold no
        version in the query's languages."""
        own = q.any_of([c.original or c.query for c in words])
        if own is None:
            return None
        translated = [c.translation for c in words if c.translation is not None]
        if not translated:
            return Scoring(own)
        held, mine = self.held_languages(), frozenset(translated[0].query_languages)
        # Flat (each word, each word's translations): the backend scores each part once
        # per search and reuses it (the per-word document sets have computed them).
        parts = [p for c in words for p in (c.original or c.query,
                                            *([c.translation.query()] if c.translation else []))]
        return Scoring(own, q.any_of(parts),
                       lambda doc_id: not (held.get(doc_id, frozenset()) & mine))

    def resolve_symbol_key(self, text: str) -> str | None:
        """The index key of the document a messy symbol spelling means, if it exists."""
        doc_id = self._resolve_doc(text)
        if doc_id is None:
            return None
        symbol = self.facts().get(doc_id, (None,))[0]
        return symbols.key(symbol) if symbol else None

    # -- search -------------------------------------------------------------------------------
    def search(self, text: str, *, filters: Filters, sort: SortOrder = "relevance",
               limit: int = 10, page: int = 1, suggest: bool = True,
               translate: bool = True) -> SearchResult:
        _check_paging(sort, limit, page)
        result, parsed = self._run(text, filters=filters, sort=sort, limit=limit, page=page,
                                   translate=translate)
        if suggest:
            result.suggestion = self._suggestion(text, parsed, filters, translate=translate)
        return result

    def _run(self, text: str, *, filters: Filters, sort: SortOrder = "relevance",
             limit: int = 10, page: int = 1, translate: bool = True,
             count_only: bool = False) -> tuple[SearchResult, syntax.ParsedQuery]:
        """The search, and the query as parsed; `count_only`: only its total (no ranking,
        facets or hits), as did-you-mean needs to know the correction finds something."""
        parsed = syntax.parse(text)
        if symbols.spellings(text):  # `S/RES/2208 (2015)`, `S/RES/2208(2015)`: one symbol
            parsed = syntax.ParsedQuery(text, syntax.Group([syntax.Clause(syntax.Word(text.strip()))]))
        notices = parsed.notices
        reader = self.backend.reader()
        compiler = QueryCompiler(reader, resolve_symbol=self.resolve_symbol_key, notices=notices,
                                 translator=self._translator(parsed, reader) if translate else None)
        filter_parts = [compiler.filter_query(filters)]
        words: list[Compiled] = []
        excluded: list[q.Query] = []
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
        filter_q = q.all_of([p for p in filter_parts if p is not None])
        single = _single_word(parsed, words)
        pinned = self._resolve_doc(single) if single else None  # a symbol or id names a document
        cited = _citation_pattern(single)
        keep = None
        if cited:  # a symbol: its document, then documents that cite exactly that symbol
            keep = lambda c: c.doc_id == pinned or self._cites(c, cited)  # noqa: E731
        result = self._execute(reader, text, words, filter_q, excluded, pinned=pinned, sort=sort,
                               limit=limit, page=page, notices=notices, keep=keep,
                               count_only=count_only)
        return result, parsed

    def _translator(self, parsed: syntax.ParsedQuery, reader: Reader) -> QueryTranslator | None:
        """Translates the query's words when the home has a lexicon."""
        lexicon = self._lexicon() if self._lexicon is not None else None
        if lexicon is None or not lexicon.exists:
            return None
        from migdocs.search.translate import QueryTranslator

        return QueryTranslator(lexicon, [w.text for w in syntax.words(parsed.root)
                                         if isinstance(w, syntax.Word)], self.foreign_languages,
                                reader)

    def foreign_languages(self, own: tuple[str, ...]) -> frozenset[str]:
        """The languages of the documents holding no version in any of `own`."""
        held = self.held_languages()  # (empties the cache below when the catalog changed)
        found = self._foreign.get(own)
        if found is None:
            mine = frozenset(own)
            found = self._foreign[own] = frozenset().union(
                *(langs for langs in held.values() if not langs & mine))
        return found

    def similar(self, document: Document, *, filters: Filters, limit: int = 10,
                page: int = 1) -> SearchResult:
        """More like this: the key terms of each language version, weighted by how much
        they distinguish the document in the index, as one query; the document excluded."""
        _check_paging("relevance", limit, page)
        reader = self.backend.reader()
        compiler = QueryCompiler(reader, resolve_symbol=self.resolve_symbol_key, notices=[])
        subqueries: list[q.Query] = []
        terms: dict[str, set[str]] = {}
        for version in document.versions:
            body = "\n".join(p.text for p in version.pages)[:SIMILAR_TEXT_CHARS]
            language = langs.field_language(version.detected_language or version.language)
            if not body.strip():
                continue
            fieldname = text_field(language)
            for term, weight in reader.key_terms(fieldname, analyze(body, language), SIMILAR_TERMS):
                subqueries.append(q.Term(fieldname, term, boost=weight))
                terms.setdefault(language, set()).add(term)
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
        compiled = Compiled(syntax.Clause(syntax.Word(query_text)), q.Or(tuple(subqueries)), terms)
        return self._execute(reader, query_text, [compiled], compiler.filter_query(filters),
                             [q.Term("doc_id", document.id)], pinned=None, sort="relevance",
                             limit=limit, page=page, notices=[], coverage=False)

    # -- execution ----------------------------------------------------------------------------
    def _execute(self, reader: Reader, text: str, words: list[Compiled], filter_q: q.Query | None,
                 excluded: list[q.Query], *, pinned: str | None, sort: SortOrder, limit: int,
                 page: int, notices: list[str], coverage: bool = True,
                 keep: Callable[[Candidate], bool] | None = None,
                 count_only: bool = False) -> SearchResult:
        count_words = len(words) if coverage else 0
        if reader.entry_count() == 0:
            return SearchResult(text, 0, page, limit, sort, [], {name: {} for name in FACETS},
                                notices=notices, words=count_words)
        scoring = self._scoring(words)
        direct: list[DocumentMatches | None] = [None] * len(words)  # translated words only
        if words:
            per_word = []
            foreign = scoring.foreign if scoring is not None else None
            asked = [c.query for c in words if c.translation is None or foreign is None]
            plain = iter(reader.documents_each(asked, filter=filter_q))
            for i, c in enumerate(words):
                if c.translation is not None and foreign is not None:
                    from migdocs.search.translate import word_documents

                    matched, direct[i] = word_documents(reader, c, filter_q, foreign)
                    per_word.append(matched)
                else:
                    per_word.append(next(plain))
        else:
            per_word = [reader.documents(None, filter=filter_q)]
        found = ranking.candidates(per_word, [c.clause.occur for c in words], pinned=pinned,
                                   count_words=coverage and bool(words))
        if pinned and pinned not in found:  # an id (no symbol) typed as the query
            for doc_id, languages in reader.documents(q.Term("doc_id", pinned), filter=filter_q).items():
                found.add(doc_id, languages, count_words)
        for excluded_q in excluded:
            found.discard(reader.documents(excluded_q))
        if keep is not None and scoring is not None:
            every = [found.candidate(d) for d in found.matched]
            ranking.apply_scores(every, scoring.best(
                reader, filter=filter_q, documents=list(found.matched), entries=CITATION_ENTRIES))
            found.keep_only(c.doc_id for c in every if keep(c))
        if count_only:
            return SearchResult(text, len(found), page, limit, sort, [], {}, notices=notices,
                                words=count_words)
        if scoring is not None and scoring.foreign is not None and coverage and sort != "symbol":
            from migdocs.search.translate import rank_together

            rank_together(reader, words, found, scoring.foreign, filter_q)
        facts = self.facts()
        start = (page - 1) * limit
        ordered = self._order(reader, found, facts, scoring, filter_q, sort=sort,
                              wanted=start + limit, pinned=pinned)
        shown = [found.candidate(d) for d in ordered[start:start + limit]]
        if scoring is not None:
            unscored = [c for c in shown if not c.entries]
            if unscored:
                ranking.apply_scores(unscored, scoring.best(
                    reader, filter=filter_q, documents=[c.doc_id for c in unscored],
                    entries=SNIPPET_CANDIDATES))
        highlight_terms = _merge_terms(words)
        hits = [self._hit(c, highlight_terms) for c in shown]
        if any(c.translation for c in words):
            from migdocs.search.translate import explain

            explain(words, per_word, direct, hits)
        shown_sort = sort if words or sort != "relevance" else "symbol"  # nothing to score
        return SearchResult(text, len(found), page, limit, shown_sort, hits,
                            ranking.facets(found, self.facet_index()), notices=notices,
                            words=count_words)

    def _order(self, reader: Reader, found: Found, facts: dict[str, Facts],
               scoring: Scoring | None, filter_q: q.Query | None, *, sort: SortOrder,
               wanted: int, pinned: str | None) -> list[str]:
        """The first `wanted` documents in result order (those scored on the way have their
        scores on `found.candidate`). Documents past them are never put in order."""
        docs = list(found.matched)
        if scoring is None or sort == "symbol":
            natural = self._natural_key(facts)
            return heapq.nsmallest(wanted, docs, key=lambda d: (d != pinned, natural(d)))
        if sort == "date":  # newest first, relevance within a date
            by_date: dict[str, list[str]] = {}
            for d in docs:
                by_date.setdefault((facts.get(d) or ("",) * 6)[5] or "", []).append(d)
            groups = [by_date[d] for d in sorted(by_date, reverse=True)]
        else:
            groups = [docs]
        levels = found.levels()
        arrays = found.level_arrays() if len(groups) == 1 else None  # (groups[0] is docs)
        out: list[str] = []
        for group in groups:
            for tier in ranking.tiers(group, levels, pinned, arrays=arrays):
                if len(out) >= wanted:
                    return out
                best = self._best(reader, found, tier, scoring, filter_q, wanted - len(out), facts,
                                  whole=len(tier) == found.universe)
                out += (c.doc_id for c in best)
                if len(out) < wanted:  # the tier's unscored rest, in the order first matched
                    chosen = {c.doc_id for c in best}
                    out += islice((d for d in tier if d not in chosen), wanted - len(out))
        return out

    def _natural_key(self, facts: dict[str, Facts]) -> Callable[[str], tuple[str | int, ...]]:
        """A document's place in symbol order, remembered until the catalog changes: sorting
        by symbol parsed every matching document's symbol each search (34 of the 60 ms of
        `women --sort symbol` at 20,000 versions)."""
        known = self._natural

        def natural(doc_id: str) -> tuple[str | int, ...]:
            key = known.get(doc_id)
            if key is None:
                key = known[doc_id] = ranking.natural(facts.get(doc_id), doc_id)
            return key
        return natural

    @staticmethod
    def _best(reader: Reader, found: Found, tier: list[str], scoring: Scoring,
              filter_q: q.Query | None, wanted: int, facts: dict[str, Facts], *,
              whole: bool) -> list[Candidate]:
        """The `wanted` best-scored candidates of one tier, in order. `whole`: the tier is
        every document the query matches (no need to name them to the backend). A tier
        scored already by the same scoring (a symbol's citations are) is not asked again:
        two statements of 4-8 ms at 50,000 versions on sphinxql."""
        best = found.scored_already(tier)
        if best is None:
            asked = wanted + TIE_MARGIN
            best = _best_unnamed(reader, found, tier, scoring, filter_q, asked, whole=whole)
            if best is None:
                ranked = scoring.best(reader, filter=filter_q, documents=tier, limit=asked,
                                      entries=SNIPPET_CANDIDATES)
                in_tier = set(tier)
                best = [found.candidate(r.doc_id) for r in ranked if r.doc_id in in_tier]
                ranking.apply_scores(best, ranked)
        best.sort(key=lambda c: (-c.score, ranking.natural(facts.get(c.doc_id), c.doc_id)))
        return best[:wanted]

    def _hit(self, match: Candidate, terms: dict[str, set[str]]) -> Hit:
        document = self.catalog.document(match.doc_id)
        assert document is not None, f"index entry for {match.doc_id} without catalog record"
        candidates: list[tuple[int, int, str, Window]] = []
        read = 0
        for rank, entry in enumerate(match.entries[:SNIPPET_CANDIDATES]):
            if entry.kind != "page" or not terms:
                continue
            if read >= SNIPPET_CHARS_READ and len(candidates) >= SNIPPETS_PER_HIT:
                break
            language = entry.language[0]
            page = self.catalog.page(match.doc_id, language, entry.page)
            if page is None:
                continue
            read += len(page.text)
            found = window(page.text, language=entry.page_language or language,
                           page=page.number, terms=terms)
            candidates.append((-len(found.words()), rank, language, found))
        # The pages showing the most query words, then the best scored; only those two are
        # cut out.
        snippets = []
        for _, _, language, best in sorted(candidates, key=lambda c: c[:2])[:SNIPPETS_PER_HIT]:
            shown = best.snippet()
            shown.language = language  # the version's (its page may be in another)
            snippets.append(shown)
        return Hit(symbol=document.symbol, id=document.id, title=_title(document),
                   entity=document.entity, type=document.type, sessions=document.sessions,
                   languages=[v.language for v in document.versions if v.file is not None]
                   or [v.language for v in document.versions],
                   date=document.date, score=round(match.score, 4), matched=match.matched,
                   snippets=snippets)

    def _cites(self, match: Candidate, pattern: re.Pattern[str]) -> bool:
        for entry in match.entries:
            if entry.kind != "page":
                continue
            page = self.catalog.page(match.doc_id, entry.language[0], entry.page)
            if page is not None and pattern.search(page.text):
                return True
        return False

    # -- did you mean -------------------------------------------------------------------------
    def _suggestion(self, text: str, parsed: syntax.ParsedQuery, filters: Filters, *,
                    translate: bool = True) -> str | None:
        """A corrected query when some word is in no document and the correction finds
        something: as typed first (a correction is a word of some document, so it nearly
        always is), then with translations when the home has a lexicon."""
        corrected = correct_query(self.speller, text, parsed)
        if corrected is None:
            return None
        translated = translate and self._lexicon is not None and self._lexicon().exists
        for with_translations in (False, True) if translated else (False,):
            found, _ = self._run(corrected, filters=filters, limit=1,
                                 translate=with_translations, count_only=True)
            if found.total:
                return corrected
        return None


def _best_unnamed(reader: Reader, found: Found, tier: list[str], scoring: Scoring,
                  filter_q: q.Query | None, asked: int, *, whole: bool) -> list[Candidate] | None:
    """A tier's best `asked` documents from the best of everything the query matches, when
    the tier is most of that (the top tier of `human rights` is 11,000 of the 12,000
    documents it matches at 50,000 versions): naming 11,000 documents to the backend cost
    sphinxql six statements (19 ms) where an unfiltered ranking costs two (13 ms). The
    documents of higher coverage mostly score higher too, so twice `asked` nearly always
    hold `asked` of the tier; when they do not, None (the caller names the tier)."""
    if scoring.translated is not None or not (whole or 2 * len(tier) >= found.universe):
        return None
    ranked = scoring.best(reader, filter=filter_q, documents=None,
                          limit=asked if whole else 2 * asked, entries=SNIPPET_CANDIDATES)
    in_tier = set(tier)
    best = [found.candidate(r.doc_id) for r in ranked if r.doc_id in in_tier]
    if not whole and len(best) < min(asked, len(tier)):
        return None
    ranking.apply_scores(best, ranked)
    return best


def _single_word(parsed: syntax.ParsedQuery, words: Sequence[Compiled]) -> str | None:
    """The text of a query made of one plain word (no wildcard, no fuzziness)."""
    if len(words) != 1 or len(parsed.root.clauses) != 1:
        return None
    node = words[0].clause.node
    if isinstance(node, syntax.Word) and not node.wildcard and not node.fuzzy:
        return node.text
    return None


def _citation_pattern(word: str | None) -> re.Pattern[str] | None:
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


def _title(document: Document) -> str | None:
    return document.title or next((v.title for v in document.versions if v.title), None)


def _merge_terms(words: list[Compiled]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for compiled in words:
        for lang, terms in compiled.terms.items():
            merged.setdefault(lang, set()).update(terms)
    return merged


def _check_paging(sort: str, limit: int, page: int) -> None:
    if sort not in SORT_ORDERS:
        raise UsageError(f"unknown sort {sort!r}; use one of {', '.join(SORT_ORDERS)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT} (got {limit})")
    if page < 1:
        raise UsageError(f"page must be 1 or more (got {page})")
