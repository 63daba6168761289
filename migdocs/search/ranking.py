"""Best match over documents, from per-word document sets: pure functions, no engine.

A document's coverage is how many of the query's words it contains anywhere (any page, any
language, its record); documents missing fewer words rank first, then by score (best page
plus record). Required and excluded words are decided per document. Totals and facets are
exact: they come from the sets, never from scored top lists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from migdocs.repo import symbols
from migdocs.search.backend import DocumentMatches, ScoredEntry

FACETS = ("language", "session", "entity", "type", "year")
Occur = Literal["should", "must", "must_not"]
#: symbol, sessions, entity, type, year, date (Catalog.document_facts)
Facts = tuple["str | None", list[str], "str | None", str, "str | None", "str | None"]


@dataclass
class Candidate:
    doc_id: str
    languages: frozenset[str] = frozenset()
    matched: int = 0
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
        for matches, occur in zip(per_word, occurs):
            if occur == "must":
                for doc_id in [d for d in out if d not in matches and d != pinned]:
                    del out[doc_id]
    return out


def natural(facts: Facts | None, doc_id: str) -> tuple[str | int, ...]:
    return symbols.natural_key((facts[0] if facts else None) or "~" + doc_id)


def apply_scores(found: Iterable[Candidate], entries: Iterable[ScoredEntry]) -> None:
    """Each document's score: its best page plus its record; entries kept best first."""
    by_doc = {c.doc_id: c for c in found}
    for c in by_doc.values():
        c.entries = []
    for entry in entries:
        c = by_doc.get(entry.doc_id)
        if c is not None:
            c.entries.append(entry)
    for c in by_doc.values():
        c.entries.sort(key=lambda e: -e.score)
        best_page = max((e.score for e in c.entries if e.kind == "page"), default=0.0)
        best_record = max((e.score for e in c.entries if e.kind == "meta"), default=0.0)
        c.score = best_page + best_record


def tiers(found: Iterable[Candidate], pinned: str | None) -> list[list[Candidate]]:
    """The pinned document, then documents by coverage, most words first."""
    groups: dict[tuple[bool, int], list[Candidate]] = {}
    for c in found:
        groups.setdefault((c.doc_id != pinned, -c.matched), []).append(c)
    return [groups[k] for k in sorted(groups)]


def facets(found: Iterable[Candidate], facts: dict[str, Facts]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for c in found:
        counts["language"].update(c.languages)
        known = facts.get(c.doc_id)
        if known is None:
            continue
        _, sessions, entity, type_, year, _ = known
        counts["session"].update({s.upper() for s in sessions})
        for name, value in (("entity", entity), ("type", type_), ("year", year)):
            if value:
                counts[name][value] += 1
    return {name: dict(sorted(c.items(), key=lambda kv: (-kv[1], symbols.natural_key(kv[0]))))
            for name, c in counts.items()}
