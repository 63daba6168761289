"""Helpers for tests that run the real `migdocs` command in other processes, and small
generated documents to ingest (lines copied from the bundled corpus)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS

#: The console script installed next to this interpreter (the venv's `migdocs`).
MIGDOCS = str(Path(sys.executable).with_name("migdocs"))
_LINES: list[str] = []


def corpus_lines() -> list[str]:
    """Real English sentences from the bundled UN Parallel Corpus sample."""
    if not _LINES:
        for path in sorted((CORPUS / "unpc" / "text").glob("*-EN.txt"))[:40]:
            _LINES.extend(line for line in path.read_text(encoding="utf-8").splitlines()[1:]
                          if len(line) > 40)
    return _LINES


def make_docs(folder: Path, numbers: range, *, lines: int = 4) -> list[Path]:
    """One small English text file per number, named like a UN file (`A_99_7-EN.txt`, so its
    symbol is A/99/7) and holding the word `marker<N>` that only it contains."""
    folder.mkdir(parents=True, exist_ok=True)
    source = corpus_lines()
    out = []
    for n in numbers:
        body = [source[(n * lines + i) % len(source)] for i in range(lines)]
        path = folder / f"A_99_{n}-EN.txt"
        path.write_text("\n".join(body) + f"\nmarker{n}\n", encoding="utf-8")
        out.append(path)
    return out


def cli(home: Path, *args: str, timeout: float = 120, env: dict | None = None,
        ) -> subprocess.CompletedProcess:
    """`migdocs --home HOME ARGS...` in a new process; text output."""
    return subprocess.run([MIGDOCS, "--home", str(home), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def start(home: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([MIGDOCS, "--home", str(home), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def catalog_rows(home: Path, sql: str) -> list[tuple]:
    """Read the catalog as the truth of what is committed (read-only, like any reader)."""
    db = sqlite3.connect(f"file:{home / 'catalog.sqlite'}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()
