"""Best match over documents, from per-word document sets: pure functions, no engine.

A document's coverage is how many of the query's words it contains anywhere (any page, any
language, its record; a document ranked through translations: on one page with its
record, see `tiers`); documents missing fewer words rank first, then by score (best page
plus record). Required and excluded words are decided per document. Totals and facets are
exact: they come from the sets, never from scored top lists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Literal

from migdocs.repo import symbols
from migdocs.search.backend import DocumentMatches, RankedDocument, ScoredEntry

FACETS = ("language", "session", "entity", "type", "year")
Occur = Literal["should", "must", "must_not"]
#: symbol, sessions, entity, type, year, date (Catalog.document_facts)
Facts = tuple["str | None", list[str], "str | None", str, "str | None", "str | None"]


@dataclass
class Candidate:
    doc_id: str
    languages: frozenset[str] = frozenset()
    matched: int = 0
    #: For a document ranked through translations: the most query words one of its pages
    #: has (with its record); its tier instead of `matched` (see `tiers`).
    together: int | None = None
    score: float = 0.0
    entries: list[ScoredEntry] = field(default_factory=list)  # best first, once scored


def candidates(per_word: Sequence[DocumentMatches], occurs: Sequence[Occur], *,
               pinned: str | None, count_words: bool = True) -> dict[str, Candidate]:
    """Documents matching any word, with their coverage; those missing a required word
    dropped (a pinned document always stays)."""
    out: dict[str, Candidate] = {}
    for matches in per_word:
        for doc_id, langs in matches.items():
            found = out.get(doc_id)
            if found is None:
                out[doc_id] = found = Candidate(doc_id, langs)
            elif not langs <= found.languages:
                found.languages = found.languages | langs
            if count_words:
                found.matched += 1
    if count_words:
        if pinned in out:
            out[pinned].matched = len(per_word)
        for matches, occur in zip(per_word, occurs, strict=True):
            if occur == "must":
                for doc_id in [d for d in out if d not in matches and d != pinned]:
                    del out[doc_id]
    return out


def natural(facts: Facts | None, doc_id: str) -> tuple[str | int, ...]:
    return symbols.natural_key((facts[0] if facts else None) or "~" + doc_id)


def apply_scores(found: Iterable[Candidate], ranked: Iterable[RankedDocument]) -> None:
    """Scores and best entries from the backend onto the candidates."""
    by_doc = {c.doc_id: c for c in found}
    for document in ranked:
        c = by_doc.get(document.doc_id)
        if c is not None:
            c.score, c.entries = document.score, document.entries


def tiers(found: Iterable[Candidate], pinned: str | None) -> list[list[Candidate]]:
    """The pinned document, then documents by coverage, most words first: the words of a
    document found through translations count when one page has them together (a
    translation matches any of a word's senses, and a 180,000-character paper has them
    all somewhere: on the whole corpus, English-only papers reached a French query's four
    words through translation anywhere and outranked the French document with three)."""
    groups: dict[tuple[bool, int], list[Candidate]] = {}
    for c in found:
        level = c.matched if c.together is None else c.together
        groups.setdefault((c.doc_id != pinned, -level), []).append(c)
    return [groups[k] for k in sorted(groups)]


def facets(found: Iterable[Candidate], facts: dict[str, Facts]) -> dict[str, dict[str, int]]:
    found = list(found)
    known = [f for f in (facts.get(c.doc_id) for c in found) if f is not None]
    counts: dict[str, Counter[str]] = {
        "language": Counter(chain.from_iterable(c.languages for c in found)),
        "session": Counter(chain.from_iterable({s.upper() for s in f[1]} for f in known)),
        "entity": Counter(f[2] for f in known if f[2]),
        "type": Counter(f[3] for f in known if f[3]),
        "year": Counter(f[4] for f in known if f[4]),
    }
    return {name: dict(sorted(counts[name].items(), key=lambda kv: (-kv[1], symbols.natural_key(kv[0]))))
            for name in FACETS}
