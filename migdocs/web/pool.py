"""Thread model of the web app: one Repository per worker thread.

Starlette runs the (sync) endpoints in a pool of worker threads. A Repository holds a SQLite
connection and a cached Whoosh searcher, neither of which should be used by two threads at
once; rather than a lock (which would serialise every search), each worker thread opens its
own Repository on first use and keeps it. The pool is bounded (WORKER_THREADS), so at most
that many are open; each costs one SQLite connection and one searcher with its caches: about
30 MB on the bundled corpus (measured: 79 MB resident with one in use, 304 MB with all 8).
"""

from __future__ import annotations

import threading
from pathlib import Path

from migdocs import repository

#: Worker threads serving requests. Searches are CPU-bound Python (the GIL), so more threads
#: mostly add memory; 8 keeps slow searches from holding up the quick pages behind them, and
#: in bench/load.py (20 clients, 2 cores, a busy machine) gave 2.6x the one-client throughput
#: where 4 gave 1.8x.
WORKER_THREADS = 8


class RepositoryPool:
    """Hands each thread its own Repository on `home`, opened on first use."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[repository.Repository] = []

    def get(self) -> repository.Repository:
        repo = getattr(self._local, "repo", None)
        if repo is None:
            repo = repository.open(self.home)
            self._local.repo = repo
            with self._lock:
                self._opened.append(repo)
        return repo

    @property
    def opened(self) -> int:
        """How many repositories are open (one per thread that served a request)."""
        with self._lock:
            return len(self._opened)

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for repo in opened:
            repo.close()
