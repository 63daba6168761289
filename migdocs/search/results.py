"""What a search returns: one hit per document, with snippets; totals, facets, notices."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from migdocs.search.options import MAX_LIMIT, SORT_ORDERS, SortOrder

__all__ = ["MAX_LIMIT", "SORT_ORDERS", "Hit", "MatchedVia", "SearchResult", "Snippet", "SortOrder"]


@dataclass
class Snippet:
    """A window of one page with the query's words: `highlights` are [start, end) offsets
    in code points of `text`."""

    language: str
    page: int
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class MatchedVia:
    """A query word the document has only through a translation: `widows` matched in
    French as `veuves`."""

    word: str
    language: str
    words: list[str]


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
    #: Query words this document matched only through their translations (cross-lingual).
    matched_via: list[MatchedVia] = field(default_factory=list)


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

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of a search (`search --json`, the web API); ranking internals
        (`matched`, `words`) stay out."""
        data = asdict(self)
        del data["words"]
        for hit in data["hits"]:
            del hit["matched"]
            for s in hit["snippets"]:
                s["highlights"] = [list(h) for h in s["highlights"]]
        return data
