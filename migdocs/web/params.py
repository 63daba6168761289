"""Request parameters: checked and bounded here, so every route rejects the same things the
same way (400 with the reason) before the library sees them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from migdocs.errors import UsageError
from migdocs.repo import languages
from migdocs.repo.model import DOCUMENT_TYPES
from migdocs.search.compile import Filters
from migdocs.search.results import SORT_ORDERS

MAX_QUERY_CHARS = 500  # a long query is a paste accident or an attack; 500 is ~70 words
MAX_FILTER_CHARS = 100
MAX_LIMIT = 100  # documents per page over HTTP (the CLI allows more)
MAX_PAGE = 1000
DEFAULT_LIMIT = 10
#: The filters, by their name in a URL: the search's own (the CLI's options, `field:` words).
FILTERS = tuple(f.name for f in fields(Filters))
#: The facet a filter is counted in (the engine's facet names).
FACET_OF = {"lang": "language", "session": "session", "entity": "entity", "type": "type",
            "year": "year"}
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class SearchParams(Filters):
    """A search over HTTP: the query, the search's own filters (inherited, named once) and
    the page asked for."""

    q: str = ""
    sort: str = "relevance"
    limit: int = DEFAULT_LIMIT
    page: int = 1

    @property
    def filters(self) -> dict[str, str]:
        return {name: value for name in FILTERS if (value := getattr(self, name))}

    @property
    def empty(self) -> bool:
        """Nothing asked: the landing page rather than a result list."""
        return not self.q.strip() and not self.filters

    def search_kwargs(self) -> dict[str, Any]:
        data = asdict(self)
        return {"q": data.pop("q"), **data}

    def url_params(self, **changes: Any) -> dict[str, str]:
        """The non-default parameters, with `changes` (None removes one); page resets to 1
        unless given, as a new filter or sort changes what page 2 means."""
        data = {**asdict(self), "page": 1, **changes}
        defaults = asdict(SearchParams())
        order = ["q", *FILTERS, "sort", "limit", "page"]  # the query first in a URL
        return {k: str(data[k]) for k in order if data[k] not in (None, "") and data[k] != defaults[k]}


def search_params(query: Mapping[str, str]) -> SearchParams:
    """SearchParams from a query string; UsageError (400) saying what is wrong."""
    q = query.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise UsageError(f"the query is {len(q)} characters long; at most {MAX_QUERY_CHARS} are accepted")
    values: dict[str, Any] = {"q": q}
    for name in FILTERS:
        value = (query.get(name) or "").strip()
        if len(value) > MAX_FILTER_CHARS:
            raise UsageError(f"{name} is too long (at most {MAX_FILTER_CHARS} characters)")
        values[name] = value or None
    if values["lang"]:
        values["lang"] = languages.normalize(values["lang"])
    if values["type"] and values["type"] not in DOCUMENT_TYPES:
        raise UsageError(f"unknown type {values['type']!r}; use one of {', '.join(DOCUMENT_TYPES)}")
    if values["year"] and not _YEAR.match(values["year"]):
        raise UsageError(f"year must be four digits, e.g. 2018 (got {values['year']!r})")
    sort = query.get("sort") or "relevance"
    if sort not in SORT_ORDERS:
        raise UsageError(f"unknown sort {sort!r}; use one of {', '.join(SORT_ORDERS)}")
    values["sort"] = sort
    values["limit"] = number(query, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    values["page"] = number(query, "page", 1, MAX_PAGE)
    return SearchParams(**values)


def number(query: Mapping[str, str], name: str, default: int, most: int) -> int:
    """A whole number parameter between 1 and `most`."""
    text = query.get(name)
    if text in (None, ""):
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= most:
        raise UsageError(f"{name} must be a whole number from 1 to {most} (got {text[:20]!r})")
    return int(text)


def language(query: Mapping[str, str]) -> str | None:
    value = (query.get("lang") or "").strip()
    return languages.normalize(value) if value else None


def flag(query: Mapping[str, str], name: str) -> bool:
    value = (query.get(name) or "").lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise UsageError(f"{name} must be 1 or 0 (got {value[:20]!r})")
