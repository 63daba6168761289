"""One exception root for everything migdocs raises on purpose.

Library code raises these; the CLI turns them into messages with the fix.
Each message says what went wrong, with which file, and what to do.
"""

from __future__ import annotations


class MigdocsError(Exception):
    """Root of all migdocs errors."""


class UsageError(MigdocsError):
    """A caller asked for something that cannot be done as asked."""


class NotFoundError(MigdocsError):
    """A symbol, id or language version is not in the catalog."""


class CatalogFileError(MigdocsError):
    """A hand-written catalog file (TOML) is invalid."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class ExtractionError(MigdocsError):
    """A file's text could not be read. `reason` is short, `fix` says what to do."""

    def __init__(self, reason: str, fix: str) -> None:
        self.reason = reason
        self.fix = fix
        super().__init__(f"{reason}; {fix}")


class UnsafePathError(MigdocsError):
    """A path leaves the folder it must stay in (traversal or symlink)."""


class IndexBusyError(MigdocsError):
    """Another process holds the index writer lock."""


class RepositoryError(MigdocsError):
    """The home folder is unusable (unreadable catalog, newer format, ...)."""
