"""The repository's writer lock: one writer at a time per home, readers never wait.

`ingest`, `remove`, `reindex` and the automatic index rebuild take it. It is an `flock` on
`HOME/writer.lock`: the kernel releases it when the holder exits in any way (even SIGKILL or a
power cut of the process), so a crash never leaves a lock that blocks the next run. The file
also holds who holds it (pid, command, start time; emptied on release) for the "waiting for
..." message; that text is only information, the flock is the lock.

Within one process the lock is re-entrant (ingest may trigger a rebuild while holding it).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from migdocs.errors import BusyError

LOCK_NAME = "writer.lock"
#: How long a writer waits for another by default: a full corpus ingest takes ~15 s on two
#: cores, a large batch a few minutes; ten minutes covers those without hanging forever.
DEFAULT_WAIT = 600.0
#: How often a waiting writer retries: cheap, and a tenth of a second is not noticed.
POLL_SECONDS = 0.1

Notify = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def command_line() -> str:
    """What this process is, for the holder message: `migdocs ingest corpus`."""
    args = [os.path.basename(sys.argv[0]) if sys.argv else "python", *sys.argv[1:]]
    text = " ".join(args)
    return text if len(text) <= 200 else text[:199] + "…"


class WriterLock:
    """The writer lock of one home folder."""

    def __init__(self, home: Path) -> None:
        self.path = home / LOCK_NAME
        self._fd: int | None = None
        self._depth = 0
        self._guard = threading.RLock()  # threads of one process take turns too

    @property
    def held(self) -> bool:
        return self._depth > 0

    def holder(self) -> str:
        """Who holds (or last held) the lock, in words; '' when unknown."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return ""
        if not isinstance(info, dict) or "pid" not in info:
            return ""
        return (f"process {info.get('pid')} (`{info.get('command', '?')}`, "
                f"started {info.get('started', '?')})")

    def is_free(self) -> bool:
        """True when no process holds the lock right now (a hint: it may be taken next)."""
        if self.held:
            return False
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)  # closing releases a lock taken on this descriptor
        return True

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    @contextmanager
    def hold(self, *, wait: float = DEFAULT_WAIT, notify: Notify | None = _stderr) -> Iterator[None]:
        """Hold the lock for the block. Waits up to `wait` seconds (telling `notify` once who
        holds it), then raises BusyError."""
        with self._guard:
            if self._depth == 0:
                self._fd = self._acquire(wait, notify)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    os.ftruncate(self._fd, 0)  # no one holds it: name no one
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                    os.close(self._fd)
                    self._fd = None

    def _acquire(self, wait: float, notify: Notify | None) -> int:
        fd = self._open()
        started = time.monotonic()
        deadline = started + max(wait, 0.0)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            named = self.holder()
            who = named or "another migdocs process"
            if time.monotonic() >= deadline:
                os.close(fd)
                raise BusyError(
                    f"{self.path.parent}: busy: {who} is writing to this repository; "
                    f"gave up after {wait:g} s. Run the command again when it has finished, "
                    "or give --wait more seconds")
            # The holder writes who it is just after taking the lock: give it a moment, so
            # the message names it rather than "another migdocs process".
            if not told and notify is not None and (named or time.monotonic() > started + 1.0):
                notify(f"Waiting for {who} to finish writing to {self.path.parent} "
                       f"(up to {wait:g} s; --wait SECONDS changes that)...")
                told = True
            time.sleep(POLL_SECONDS)
        info = {"pid": os.getpid(), "command": command_line(),
                "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        return fd


def replace_folder(new: Path, target: Path) -> None:
    """Put the finished folder `new` where `target` is, for readers in one step: `target` is
    renamed aside and `new` renamed into place (both atomic renames on one filesystem); the
    old one is deleted after. A reader that opens `target` in the microseconds between sees
    it missing and waits for the writer lock, then opens the new one. Call under the lock."""
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    _remove_tree(old)


def remove_leftovers(home: Path) -> list[Path]:
    """Delete what a writer killed mid-way left (half-built index folders, half-copied stored
    files); nothing a reader or the catalog refers to. Call under the lock. Returns them."""
    found = [*home.glob("index.old-*"), *home.glob("index.new"),
             *home.glob("files/??/.incoming-*")]
    for path in found:
        _remove_tree(path)
    return found


def _remove_tree(path: Path) -> None:
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
