"""migdocs: document repository and multilingual search for the UN Coordination Meeting on
International Migration."""

from migdocs.errors import MigdocsError
from migdocs.repo.model import Document, DocumentDetail, Meeting, Programme, Suggestion
from migdocs.repository import Repository, open
from migdocs.search.results import Hit, SearchResult, Snippet

__all__ = ["Document", "DocumentDetail", "Hit", "Meeting", "MigdocsError", "Programme",
           "Repository", "SearchResult", "Snippet", "Suggestion", "open"]
__version__ = "0.1.0"
