"""What `migdocs engine show` reports: which engine a home uses and whether it answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from migdocs.indexer.analysis import ANALYSIS_VERSION
from migdocs.search.backend import IndexState, open_backend

if TYPE_CHECKING:
    from migdocs.repository import Repository


@dataclass(frozen=True)
class EngineInfo:
    engine: str            # `whoosh` or a sphinxql:// URL
    state: IndexState
    detail: str            # why it is not ready, with the fix
    version: str           # the index format this migdocs writes
    recorded: str | None   # the index format recorded in the catalog (None: never built)
    entries: int | None    # index entries, when the engine answers

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [f"engine: {self.engine}",
               f"status: {self.state}" + (f" ({self.detail})" if self.detail else "")]
        current = "current" if self.recorded == self.version else "rebuilt on next use"
        out.append(f"index format: {self.version} (recorded: {self.recorded or 'none'}; {current})")
        if self.entries is not None:
            out.append(f"entries: {self.entries:,}")
        return out


def engine_info(repo: Repository) -> EngineInfo:
    """Opens the home's backend on its own (not through the repository, which would refuse an
    unreachable engine or rebuild an outdated index) and asks it."""
    backend = open_backend(repo.engine_setting, repo.home)
    try:
        status = backend.status()
        entries = backend.reader().entry_count() if status.state == "ready" else None
        version = f"{backend.version}/analysis-{ANALYSIS_VERSION}"
    finally:
        backend.close()
    return EngineInfo(repo.engine_setting, status.state, status.detail, version,
                      repo.catalog.get_meta("index_version") or None, entries)
