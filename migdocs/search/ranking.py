"""Best match over documents, from per-word document sets: pure functions, no engine.

A document's coverage is how many of the query's words it contains anywhere (any page, any
language, its record; a document ranked through translations: on one page with its
record, see `tiers`); documents missing fewer words rank first, then by score (best page
plus record). Required and excluded words are decided per document. Totals and facets are
exact: they come from the sets, never from scored top lists.

Speed: a common word matches 10,000 of the 12,500 documents at 50,000 language versions,
so nothing here makes an object or runs a Python statement per matching document: coverage
is counted by `Counter` over the sets, facets over precomputed per-document keys
(`FacetIndex`), tiers are cut lazily, and a `Candidate` is made only for the documents a
search scores or shows. When the backend hands out sets of document numbers (sphinxql,
`docsets`), coverage, facets and tiers are counted over the numbers instead (numpy), and
only the union is named. Building one `Candidate` per document, then facets from them, took
8 of the 101 ms of a search at 50,000 versions (cProfile of the benchmark mix).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress
from typing import Literal, cast

from migdocs.repo import symbols
from migdocs.search import docsets
from migdocs.search.backend import DocumentMatches, RankedDocument, ScoredEntry

FACETS = ("language", "session", "entity", "type", "year")
Occur = Literal["should", "must", "must_not"]
#: symbol, sessions, entity, type, year, date (Catalog.document_facts)
Facts = tuple["str | None", list[str], "str | None", str, "str | None", "str | None"]


@dataclass
class Candidate:
    """A document being scored or shown."""

    doc_id: str
    matched: int = 0
    score: float = 0.0
    entries: list[ScoredEntry] = field(default_factory=list)  # best first, once scored


@dataclass
class Found:
    """The documents a search matches: `matched`, doc id -> how many query words it contains
    (in the order first matched: ties keep it); their languages come from the per-word
    sets (`languages`)."""

    per_word: Sequence[DocumentMatches]
    matched: dict[str, int]
    #: Documents matching the words, before required words dropped any.
    universe: int = 0
    #: Documents matched by id, not through a word: their languages.
    added: dict[str, frozenset[str]] = field(default_factory=dict)
    #: For documents ranked through translations: the most query words one of their pages
    #: has (with its record); their tier instead of `matched` (see `tiers`).
    together: dict[str, int] = field(default_factory=dict)
    #: `matched` as arrays, when it was counted over numbers (see `level_arrays`)
    numbered_levels: docsets.Levels | None = field(default=None, repr=False)
    _made: dict[str, Candidate] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.matched)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.matched

    def add(self, doc_id: str, languages: frozenset[str], matched: int) -> None:
        self.matched[doc_id] = matched
        self.added[doc_id] = languages

    def discard(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            self.matched.pop(doc_id, None)

    def keep_only(self, doc_ids: Iterable[str]) -> None:
        kept = set(doc_ids)
        self.matched = {d: n for d, n in self.matched.items() if d in kept}

    def candidate(self, doc_id: str) -> Candidate:
        """The one `Candidate` of a document (its scores stay with it once set)."""
        made = self._made.get(doc_id)
        if made is None:
            made = self._made[doc_id] = Candidate(doc_id, self.matched[doc_id])
        return made

    def scored_already(self, doc_ids: Iterable[str]) -> list[Candidate] | None:
        """The `Candidate`s of `doc_ids` when every one was scored already, else None
        (looking no further than the first that was not)."""
        out = []
        for doc_id in doc_ids:
            made = self._made.get(doc_id)
            if made is None or not made.entries:
                return None
            out.append(made)
        return out

    def levels(self) -> dict[str, int]:
        """doc id -> its tier's number of words (see `tiers`), in the order first matched."""
        if not self.together:
            return self.matched
        return {d: self.together.get(d, n) for d, n in self.matched.items()}

    def unchanged(self) -> bool:
        """Whether `matched` still holds every document of the per-word sets and no other:
        no required or excluded word dropped one, none added by id."""
        return not self.added and len(self.matched) == self.universe

    def level_arrays(self) -> docsets.Levels | None:
        """`levels()` as arrays, in the order of `matched`, while they still say the same
        (`unchanged`, none ranked through translations; a pinned document's count may
        differ: `tiers` takes it out of every tier anyway)."""
        if self.numbered_levels is None or self.together or not self.unchanged():
            return None
        return self.numbered_levels

    def numbered(self) -> list[docsets.NumberedMatches] | None:
        """The per-word sets, when they are numbers (`docsets`) and every document they hold
        is matched (no required or excluded word dropped one, none added by id): then what
        is counted over the matched documents can be counted over the numbers."""
        if not self.unchanged() or not docsets.numbered(self.per_word):
            return None
        return cast(list[docsets.NumberedMatches], list(self.per_word))

    def languages(self) -> Counter[str]:
        """How many documents have each language among the versions matching their words:
        per language, the union of the documents each word matches in it. A set per
        distinct language set of each word (mostly one: a word is in one language), picked
        in C; counting the combinations of per-word language sets document by document
        took 7 of the 59 ms of a known-item search at 50,000 versions."""
        sources = [*self.per_word, self.added] if self.added else list(self.per_word)
        docs = self.matched
        if len(sources) == 1 and len(docs) == len(sources[0]):  # one word, nothing dropped
            return _expand(Counter(sources[0].values()))
        numbered = self.numbered()
        if numbered is not None:
            return docsets.languages(numbered)
        whole = self.unchanged()  # (then the union of the words' documents needs no check)
        holding: dict[str, list[Collection[str]]] = {}
        everywhere: Counter[str] = Counter()  # language -> sources where every document has it
        for source in sources:
            values = set(source.values())
            everywhere.update(frozenset.intersection(*values) if values else ())
            for value in values:
                having = (source.keys() if len(values) == 1
                          else list(compress(source, map(value.__eq__, source.values()))))
                for language in value:
                    holding.setdefault(language, []).append(having)
        counts: Counter[str] = Counter()
        for language, parts in holding.items():
            if everywhere[language] == len(sources):  # (the usual: words of one language)
                counts[language] = len(docs)
                continue
            union = set().union(*parts) if len(parts) > 1 else parts[0]
            counts[language] = len(union) if whole else len(docs.keys() & union)
        return +counts


def _expand(by_set: Counter[frozenset[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for languages, n in by_set.items():
        for language in languages:
            counts[language] += n
    return counts


def candidates(per_word: Sequence[DocumentMatches], occurs: Sequence[Occur], *,
               pinned: str | None, count_words: bool = True) -> Found:
    """Documents matching any word, with their coverage; those missing a required word
    dropped (a pinned document always stays)."""
    levels: docsets.Levels | None = None
    if len(per_word) == 1:
        matched = dict.fromkeys(per_word[0], 1 if count_words else 0)
    elif count_words and docsets.numbered(per_word):  # counted over numbers, named once
        matched, levels = docsets.coverage(cast(Sequence[docsets.NumberedMatches], per_word))
    else:
        counts = Counter(chain.from_iterable(per_word))  # keeps the order first matched
        matched = dict(counts) if count_words else dict.fromkeys(counts, 0)
    universe = len(matched)
    if count_words:
        if pinned in matched:
            matched[pinned] = len(per_word)
        for matches, occur in zip(per_word, occurs, strict=True):
            if occur == "must":
                matched = {d: n for d, n in matched.items() if d in matches or d == pinned}
    return Found(per_word, matched, universe, numbered_levels=levels)


def natural(facts: Facts | None, doc_id: str) -> tuple[str | int, ...]:
    return symbols.natural_key((facts[0] if facts else None) or "~" + doc_id)


def apply_scores(found: Iterable[Candidate], ranked: Iterable[RankedDocument]) -> None:
    """Scores and best entries from the backend onto the candidates."""
    by_doc = {c.doc_id: c for c in found}
    for document in ranked:
        c = by_doc.get(document.doc_id)
        if c is not None:
            c.score, c.entries = document.score, document.entries


def tiers(doc_ids: Sequence[str], levels: dict[str, int], pinned: str | None, *,
          arrays: docsets.Levels | None = None) -> Iterator[list[str]]:
    """The pinned document, then documents by coverage (`levels`), most words first, each
    tier in the order of `doc_ids`; made as asked (a search stops at the tier that fills
    its page). The words of a document found through translations count when one page
    has them together (a translation matches any of a word's senses, and a 180,000-character
    paper has them all somewhere: on the whole corpus, English-only papers reached a French
    query's four words through translation anywhere and outranked the French document
    with three)."""
    if pinned is not None and pinned in levels and pinned in doc_ids:
        yield [pinned]
    else:
        pinned = None
    if arrays is not None:  # `levels` as arrays, `doc_ids` in their order (Found.level_arrays)
        distinct = arrays.distinct()
        if len(distinct) == 1 and pinned is None:
            yield list(doc_ids)
            return
        for level in distinct:
            tier = arrays.tier(level)
            if pinned is not None and pinned in tier:
                tier.remove(pinned)
            if tier:
                yield tier
        return
    # Each document's level, in the order of `doc_ids`: the dict's own values when those are
    # its keys in order (a search by relevance: every matched document), else looked up once.
    # Per document, all in C: a lookup per document per level was 1.5 of the 3 ms of this
    # function over 12,000 documents.
    of: Collection[int] = (levels.values() if len(doc_ids) == len(levels) and list(levels) == doc_ids
                           else list(map(levels.__getitem__, doc_ids)))
    distinct = sorted(set(of), reverse=True)
    if len(distinct) == 1 and pinned is None:
        yield list(doc_ids)
        return
    for level in distinct:
        tier = list(compress(doc_ids, map(level.__eq__, of)))
        if pinned is not None and pinned in tier:
            tier.remove(pinned)
        if tier:
            yield tier


@dataclass(frozen=True)
class FacetIndex:
    """Each document's facet values as a number: documents sharing sessions, entity, type
    and year share one (a few hundred on the 50,000-version corpus), so a search counts
    numbers in C and expands each distinct one once. Built once per catalog change."""

    of: dict[str, int]
    #: (upper-cased distinct sessions, entity, type, year) of each number
    values: list[tuple[frozenset[str], str | None, str | None, str | None]]


def facet_index(facts: dict[str, Facts]) -> FacetIndex:
    numbers: dict[tuple[frozenset[str], str | None, str | None, str | None], int] = {}
    of = {}
    for doc_id, f in facts.items():
        key = (frozenset(s.upper() for s in f[1]), f[2] or None, f[3] or None, f[4] or None)
        of[doc_id] = numbers.setdefault(key, len(numbers))
    return FacetIndex(of, list(numbers))


def facets(found: Found, index: FacetIndex) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {"language": found.languages(), "session": Counter(),
                                       "entity": Counter(), "type": Counter(),
                                       "year": Counter()}
    numbered = found.numbered()
    by_value = (docsets.count_values(numbered, index.of) if numbered is not None
                else Counter(map(index.of.get, found.matched)))
    for number, n in by_value.items():
        if number is None:  # no catalog record
            continue
        sessions, entity, type_, year = index.values[number]
        for session in sessions:
            counts["session"][session] += n
        for name, value in (("entity", entity), ("type", type_), ("year", year)):
            if value:
                counts[name][value] += n
    return {name: dict(sorted(counts[name].items(), key=lambda kv: (-kv[1], symbols.natural_key(kv[0]))))
            for name in FACETS}
