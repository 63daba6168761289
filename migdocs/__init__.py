"""migdocs: document repository and multilingual search for the UN Coordination Meeting on
International Migration."""

from migdocs.errors import MigdocsError
from migdocs.repo.model import Document, DocumentDetail, Meeting, Programme
from migdocs.repository import Repository, open
from migdocs.search.engine import Hit, SearchResult
from migdocs.search.highlight import Snippet

__all__ = ["Document", "DocumentDetail", "Hit", "Meeting", "MigdocsError", "Programme",
           "Repository", "SearchResult", "Snippet", "open"]
__version__ = "0.1.0"
