"""Where a repository lives: --home, else $MIGDOCS_HOME, else the per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from migdocs.errors import UnsafePathError

#: What migdocs writes inside a home; none of them may be a link to somewhere else.
OWN_ENTRIES = ("catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm", "files", "index",
               "index.new", "writer.lock")


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    if home:
        return Path(home).expanduser()
    if os.environ.get("MIGDOCS_HOME"):
        return Path(os.environ["MIGDOCS_HOME"]).expanduser()
    import platformdirs  # only when no folder is given: 10 % of `migdocs get`'s start-up

    return Path(platformdirs.user_data_dir("migdocs", appauthor=False))


def confine(home: Path) -> Path:
    """The real folder of a home (a home given as a symlink is followed once, here), after
    checking that nothing migdocs writes inside it is a link leading out of it: every write
    then stays inside the home."""
    real = home.resolve()
    for name in OWN_ENTRIES:
        entry = real / name
        if entry.is_symlink() and not entry.resolve().is_relative_to(real):
            raise UnsafePathError(
                f"{entry} is a link to {entry.resolve()}, outside the repository; migdocs writes "
                "only inside its home. Replace the link with the real file or folder, or point "
                "--home at the folder it leads to")
    return real
