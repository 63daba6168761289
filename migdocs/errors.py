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
        super().__init__(path, line, message)  # args as given: picklable across processes
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ExtractionError(MigdocsError):
    """A file's text could not be read. `reason` is short, `fix` says what to do."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason, fix)  # args as given: picklable across worker processes
        self.reason = reason
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.reason}; {self.fix}"


class UnsafePathError(MigdocsError):
    """A path leaves the folder it must stay in (traversal or symlink)."""


class IndexBusyError(MigdocsError):
    """Another process holds the index writer lock."""


class RepositoryError(MigdocsError):
    """The home folder is unusable (unreadable catalog, newer format, ...)."""
