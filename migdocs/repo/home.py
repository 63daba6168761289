"""Where a repository lives: --home, else $MIGDOCS_HOME, else the per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    if home:
        return Path(home).expanduser()
    if os.environ.get("MIGDOCS_HOME"):
        return Path(os.environ["MIGDOCS_HOME"]).expanduser()
    import platformdirs  # only when no folder is given: 10 % of `migdocs get`'s start-up

    return Path(platformdirs.user_data_dir("migdocs", appauthor=False))
