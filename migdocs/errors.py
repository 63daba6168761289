"""One exception root for everything migdocs raises on purpose.

Library code raises these; the CLI turns them into messages with the fix.
Each message says what went wrong, with which file, and what to do.
"""

from __future__ import annotations


class MigdocsError(Exception):
    """Root of all migdocs errors. `exit_code` is what the CLI exits with (README: Exit codes)."""

    exit_code = 1


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


class FileChangedError(MigdocsError):
    """A file changed while it was being ingested (its copy does not have the hash read)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: the file changed while it was being read; nothing of it was stored"


class UnsafePathError(MigdocsError):
    """A path leaves the folder it must stay in (traversal or symlink)."""


class BusyError(MigdocsError):
    """Another process is writing to the repository and did not finish in time. Nothing is
    wrong with the repository: run the command again later (never restore a backup for it)."""

    exit_code = 4


class IndexBusyError(BusyError):
    """Another process holds the index writer lock."""


class RepositoryError(MigdocsError):
    """The home folder is unusable (unreadable catalog, newer format, ...)."""


class DamagedError(RepositoryError):
    """Part of the home is damaged (catalog not a database, malformed, truncated): the message
    says what to restore or re-ingest."""

    exit_code = 5


class IncompatibleError(RepositoryError):
    """The home was written by a newer migdocs: upgrade migdocs; nothing is damaged."""

    exit_code = 6


class DiskFullError(MigdocsError):
    """No space left (or a file size limit) while writing into the home. What was committed
    before stays; free space and run the command again."""

    exit_code = 7
