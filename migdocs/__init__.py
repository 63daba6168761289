"""migdocs: document repository and multilingual search for the UN Coordination Meeting on
International Migration."""

from typing import Any

from migdocs.errors import MigdocsError
from migdocs.repo.model import Document, DocumentDetail, Meeting, Programme, Suggestion
from migdocs.repository import Repository, open
from migdocs.search.results import Hit, SearchResult

__all__ = ["Document", "DocumentDetail", "Hit", "Meeting", "MigdocsError", "Programme",
           "Repository", "SearchResult", "Snippet", "Suggestion", "open"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`migdocs.Snippet` on first use: its module loads the analyzers, which `migdocs get`
    never needs."""
    if name == "Snippet":
        from migdocs.search.highlight import Snippet
        return Snippet
    raise AttributeError(f"module 'migdocs' has no attribute {name!r}")
