"""Compiled queries: a small engine-neutral tree over analysed terms.

The compiler (`migdocs.search.compile`) makes these from the query language; each backend
translates them into its engine's queries. Terms are already analysed: a backend looks them
up as given, never analyses them again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Terms at consecutive positions of one field."""

    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    """Keyword values starting with `text` (symbol patterns such as `A/RES/71/*`)."""

    field: str
    text: str


@dataclass(frozen=True)
class Wildcard:
    """Keyword values matching a glob with `*` and `?` (symbol patterns)."""

    field: str
    pattern: str


@dataclass(frozen=True)
class Or:
    children: tuple[Query, ...]


@dataclass(frozen=True)
class And:
    children: tuple[Query, ...]


@dataclass(frozen=True)
class AndMaybe:
    """`required`, scored higher when `optional` matches too."""

    required: Query
    optional: Query


@dataclass(frozen=True)
class AndNot:
    positive: Query
    negative: Query


Query = Term | Phrase | Prefix | Wildcard | Or | And | AndMaybe | AndNot


def any_of(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else Or(tuple(queries))


def all_of(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else And(tuple(queries))


def terms_query(fieldname: str, terms: list[str], boost: float = 1.0) -> Query:
    """One term, or a phrase of several."""
    if len(terms) == 1:
        return Term(fieldname, terms[0], boost)
    return Phrase(fieldname, tuple(terms), boost)
