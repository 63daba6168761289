"""`migdocs watch`: a real process on a temporary folder, files copied into it slowly."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from migdocs.indexer import watch
from tests.conftest import CORPUS, HARD

WAIT_S = 120  # the machine may be busy: generous, but a hang still fails


class Process:
    """`migdocs watch` in a subprocess, its output read line by line."""

    def __init__(self, home: Path, folder: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from migdocs.cli import main; main()", "--home", str(home),
             "watch", "--settle", "1", str(folder)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self) -> str:
        return self.lines.get(timeout=WAIT_S)

    def quiet_for(self, seconds: float) -> list[str]:
        time.sleep(seconds)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return out


def copy_slowly(source: Path, target: Path, *, pieces: int = 4, pause: float = 0.4) -> None:
    """A copy that takes a while, as from a slow share: the watcher sees it grow."""
    data = source.read_bytes()
    step = len(data) // pieces + 1
    with open(target, "wb") as fh:
        for start in range(0, len(data), step):
            fh.write(data[start:start + step])
            fh.flush()
            os.fsync(fh.fileno())
            time.sleep(pause)


@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM])
def test_watch_ingests_each_arriving_file_once_and_stops_cleanly(tmp_path: Path, stop_with) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(CORPUS / "un-pdf" / "eng.pdf", folder / "udhr.pdf")  # already there at start
    process = Process(tmp_path / "home", folder)
    try:
        assert process.next_line() == "Caught up: 1 added, 0 updated, 0 unchanged, 0 failed."
        assert process.next_line().startswith(f"Watching {folder}")
        copy_slowly(CORPUS / "un-pdf" / "ccpr.pdf", folder / "report_2017.pdf")
        assert process.next_line() == (
            "added      report_2017.pdf -> international-covenant-on-civil-and-political-rights")
        (folder / "notes.xyz").write_text("not a document")
        (folder / "draft.pdf.part").write_bytes(b"%PDF-1.4 half")
        shutil.copy(HARD / "A_69_745-FR.html", folder / "A_69_745-FR.html")
        assert process.next_line() == "added      A_69_745-FR.html -> A/69/745"
        assert process.quiet_for(2.5) == []  # one line per file, none for the others
        process.proc.send_signal(stop_with)
        assert process.next_line() == "Stopped watching."
        assert process.proc.wait(timeout=WAIT_S) == 0
    finally:
        if process.proc.poll() is None:
            process.proc.kill()


def test_a_file_still_growing_is_not_ready(tmp_path: Path) -> None:
    now = [0.0]
    watcher = watch.Watcher([tmp_path], settle=1.0, clock=lambda: now[0])
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-1.4 part")
    watcher.note(path)
    watcher.note(tmp_path / ".hidden.pdf")
    assert list(watcher.settled()) == []  # first look
    now[0] = 0.6
    with open(path, "ab") as fh:
        fh.write(b" more of it")
    assert list(watcher.settled()) == []  # it grew
    now[0] = 1.2
    assert list(watcher.settled()) == []  # still for 0.6 s only
    now[0] = 1.7
    assert list(watcher.settled()) == [path]
    assert list(watcher.settled()) == []  # once
