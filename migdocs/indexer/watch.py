"""A watched folder: files are ingested as they arrive or change. The one module that talks
to watchdog (inotify on Linux, with a polling fallback elsewhere).

A file being copied fires many events; it is ingested once, when its size and modification
time have not changed for `settle` seconds (2 s by default: a 100 MB copy on a slow share
writes more often than that). Ingesting runs in the caller's thread, one file at a time;
watchdog's thread only notes paths.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from migdocs.indexer import extract
from migdocs.repo import catalogfile

DEFAULT_SETTLE_S = 2.0
TICK_S = 0.25
#: Names that editors, browsers and copy tools give files still being written.
_PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".tmp", ".download", "~")


def wanted(path: Path) -> bool:
    """Whether ingest would take this file: a catalog or a format it reads, not hidden, not
    a half-downloaded file."""
    name = path.name
    if name.startswith((".", "~$")) or name.endswith(_PARTIAL_SUFFIXES):
        return False
    return catalogfile.is_catalog_file(path) or path.suffix.lower() in extract.SUFFIX_FORMATS


@dataclass
class _Pending:
    signature: tuple[int, int] | None  # (size, mtime_ns) when last looked at
    since: float  # when it last changed


class Watcher:
    """Notes the files that change under `folders`; `settled()` yields each once it is still."""

    def __init__(self, folders: Iterable[Path], *, settle: float = DEFAULT_SETTLE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        self.folders = [Path(f) for f in folders]
        self.settle = settle
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[Path, _Pending] = {}
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.is_directory or event.event_type in ("deleted", "opened", "closed_no_write"):
                    return
                target = getattr(event, "dest_path", "") or event.src_path
                watcher.note(Path(os.fsdecode(target)))

        self._observer = Observer()
        for folder in self.folders:
            self._observer.schedule(Handler(), str(folder), recursive=True)

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)

    def note(self, path: Path) -> None:
        if wanted(path):
            with self._lock:
                self._pending[path] = _Pending(None, self._clock())

    def settled(self) -> Iterator[Path]:
        """The noted files whose size and mtime have not moved for `settle` seconds; each is
        yielded once and forgotten until it changes again. Files gone meanwhile are dropped."""
        now = self._clock()
        with self._lock:
            items = list(self._pending.items())
        ready = []
        for path, pending in items:
            try:
                stat = path.stat()
            except OSError:
                with self._lock:
                    self._pending.pop(path, None)
                continue
            signature = (stat.st_size, stat.st_mtime_ns)
            if signature != pending.signature:
                pending.signature, pending.since = signature, now
            elif now - pending.since >= self.settle:
                ready.append(path)
        with self._lock:
            for path in ready:
                if self._pending.get(path) is not None and self._pending[path].signature is not None:
                    self._pending.pop(path)
        yield from sorted(ready)


def run(watcher: Watcher, ingest: Callable[[Path], None], stop: threading.Event) -> None:
    """Ingest each file as it settles until `stop` is set (Ctrl-C or SIGTERM in the CLI)."""
    watcher.start()
    try:
        while not stop.wait(TICK_S):
            for path in watcher.settled():
                if stop.is_set():
                    break
                ingest(path)
    finally:
        watcher.stop()
