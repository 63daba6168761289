"""migdocs: document repository and multilingual search for the UN Coordination Meeting on
International Migration."""

from migdocs.errors import MigdocsError
from migdocs.repository import Repository, open

__all__ = ["MigdocsError", "Repository", "open"]
__version__ = "0.1.0"
