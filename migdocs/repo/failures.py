"""What a low-level failure means for the user: busy, damaged, incompatible or disk full.

The advice must be right: a busy catalog ("database is locked") is not a damaged one, and
telling someone to restore a backup for it would throw away good work. One place decides.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from migdocs.errors import (
    BusyError,
    DamagedError,
    DiskFullError,
    MigdocsError,
    RepositoryError,
)

#: errno values that mean "no room to write": a full disk, a quota, a file size limit.
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_BUSY_WORDS = ("database is locked", "database table is locked", "busy")
_DAMAGED_WORDS = ("file is not a database", "malformed", "disk image", "file is encrypted",
                  "no such table", "no such column")


def catalog_error(path: Path, exc: sqlite3.Error) -> MigdocsError:
    """A SQLite error on the catalog at `path`, as the error the user must see."""
    text = str(exc).lower()
    if any(w in text for w in _BUSY_WORDS):
        return BusyError(
            f"{path}: the catalog is busy (another program holds it: {exc}); nothing is damaged. "
            "Wait for the other migdocs command to finish and run this one again")
    if "database or disk is full" in text:
        return disk_full(path)
    if "disk i/o error" in text:
        return DiskFullError(
            f"{path}: the catalog could not be written ({exc}): the disk is full, a file size "
            "limit was reached or the disk failed. What was committed before is intact; free "
            "space and run the command again")
    if isinstance(exc, sqlite3.DatabaseError) and any(w in text for w in _DAMAGED_WORDS):
        return DamagedError(
            f"{path}: the catalog is damaged ({exc}). Restore catalog.sqlite from a backup, or "
            f"move it away and run `migdocs ingest` on your folders again (stored files in "
            f"{path.parent / 'files'} are kept)")
    return RepositoryError(f"{path}: cannot open the catalog ({exc}); check that it is a file "
                           "you may read and write in a folder you may write to")


def disk_full(where: Path | str | None) -> DiskFullError:
    place = f"{where}: " if where else ""
    return DiskFullError(
        f"{place}no space left on the disk (or a file size limit was reached). Everything "
        "committed before is intact and nothing half-written was recorded; free some space and "
        "run the command again")


def index_damaged(home: Path | None, exc: BaseException) -> DamagedError:
    where = f"{home / 'index'}: " if home else ""
    return DamagedError(
        f"{where}the search index is damaged ({type(exc).__name__}: {exc}); run `migdocs "
        "reindex` to rebuild it from the catalog (nothing stored is lost: the index is derived)")


def translate(exc: BaseException, home: Path | None = None) -> MigdocsError | None:
    """The MigdocsError an unexpected exception means, or None when it means nothing known."""
    if isinstance(exc, MigdocsError):
        return exc
    if isinstance(exc, OSError) and exc.errno in _NO_SPACE:
        return disk_full(exc.filename or home)
    if isinstance(exc, sqlite3.Error):
        return catalog_error((home / "catalog.sqlite") if home else Path("catalog.sqlite"), exc)
    if home is not None and isinstance(exc, OSError) and exc.filename and _inside(
            Path(exc.filename), home / "index"):
        return index_damaged(home, exc)
    if _raised_in(exc, "whoosh"):
        # The search engine failed reading its files: the index is damaged (or the engine has
        # a bug); either way rebuilding it from the catalog is the right and harmless fix.
        return index_damaged(home, exc)
    return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def _raised_in(exc: BaseException, package: str) -> bool:
    """True when the innermost frame of the traceback is code of `package`."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    return module == package or module.startswith(package + ".")
