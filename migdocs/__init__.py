"""migdocs: document repository and multilingual search for the UN Coordination Meeting on
International Migration.

The public names are loaded on first use (PEP 562): `import migdocs.cli` or
`import migdocs.errors` must not pay for the whole library. Importing them all eagerly cost
46 ms of a `migdocs get`'s 116 ms at start-up, measured on this machine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from migdocs.errors import MigdocsError
    from migdocs.repo.model import Document, DocumentDetail, Meeting, Programme, Suggestion
    from migdocs.repository import Repository, open
    from migdocs.search.results import Hit, SearchResult, Snippet

_HOMES = {
    "MigdocsError": "migdocs.errors",
    "Document": "migdocs.repo.model", "DocumentDetail": "migdocs.repo.model",
    "Meeting": "migdocs.repo.model", "Programme": "migdocs.repo.model",
    "Suggestion": "migdocs.repo.model",
    "Repository": "migdocs.repository", "open": "migdocs.repository",
    "Hit": "migdocs.search.results", "SearchResult": "migdocs.search.results",
    "Snippet": "migdocs.search.results",
}

__all__ = ["Document", "DocumentDetail", "Hit", "Meeting", "MigdocsError", "Programme",
           "Repository", "SearchResult", "Snippet", "Suggestion", "open"]  # = the keys of _HOMES
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'migdocs' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
