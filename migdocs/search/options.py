"""Choices a user makes about a search, importable without the search machinery (the CLI
offers them on every start; `migdocs.search.results` and its dataclasses cost 2 ms more)."""

from __future__ import annotations

from typing import Literal, get_args

SortOrder = Literal["relevance", "date", "symbol"]
SORT_ORDERS: tuple[str, ...] = get_args(SortOrder)
MAX_LIMIT = 1000  # documents per result page
