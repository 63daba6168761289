"""The vocabulary of a sphinxql home: every indexed term per field with its entry count.

Wildcard and fuzzy words are expanded against the index's own terms (at most 64, the most
frequent first). Sphinx 2.2.11 cannot list them (`CALL KEYWORDS` does not expand wildcards
and does not run on a distributed index; there is no `CALL SUGGEST`), so the backend keeps
them here, in `HOME/sphinx-vocabulary.sqlite`, as it writes entries.

Counts are entries that had the term when written, never decremented on removal: a removed
document's rare term may still be offered as an expansion that then matches nothing, which
is harmless; `migdocs reindex` recounts from scratch. Only the ordering of expansions uses
the counts.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

_SCHEMA = """CREATE TABLE IF NOT EXISTS vocabulary (
    field TEXT NOT NULL, term TEXT NOT NULL, entries INTEGER NOT NULL,
    PRIMARY KEY (field, term)) WITHOUT ROWID"""


class SphinxVocabulary:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pending: Counter[tuple[str, str]] = Counter()
        self._by_letter: dict[tuple[str, str], list[str]] = {}
        self._commits = 0  # this process's changes; other processes' show in the file's stat

    def state(self) -> tuple[int, int, int]:
        """Changes whenever any process changes the vocabulary (the SQLite file is rewritten
        on each commit), so what is derived from it can be kept until then."""
        try:
            found = self.path.stat() if self.path else None
        except OSError:
            found = None
        return (self._commits, found.st_mtime_ns, found.st_size) if found else (self._commits, 0, 0)

    def forget(self) -> None:
        """Drop what was derived from the vocabulary (another process changed it)."""
        self._by_letter.clear()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(str(self.path) if self.path else ":memory:")
            self._db.execute(_SCHEMA)
        return self._db

    def add(self, text: Mapping[str, list[str]]) -> None:
        """The terms of one entry (field -> analysed terms)."""
        for field, terms in text.items():
            for term in set(terms):
                self._pending[(field, term)] += 1

    def commit(self) -> None:
        if not self._pending:
            return
        with self.db:
            self.db.executemany(
                "INSERT INTO vocabulary (field, term, entries) VALUES (?, ?, ?) "
                "ON CONFLICT (field, term) DO UPDATE SET entries = entries + excluded.entries",
                ((f, t, n) for (f, t), n in self._pending.items()))
        self._pending.clear()
        self._by_letter.clear()
        self._commits += 1

    def rollback(self) -> None:
        self._pending.clear()

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM vocabulary")
        self._pending.clear()
        self._by_letter.clear()
        self._commits += 1

    def prefix(self, field: str, prefix: str) -> list[tuple[str, int]]:
        rows = self.db.execute(
            "SELECT term, entries FROM vocabulary WHERE field = ? AND term >= ? AND term < ?",
            (field, prefix, prefix + "\U0010ffff")).fetchall()
        return [(t, n) for t, n in rows]

    def fuzzy(self, field: str, term: str, distance: int) -> list[tuple[str, int]]:
        """Terms within `distance` edits with the same first letter (as the Whoosh backend),
        by rapidfuzz over the terms of that letter (held in memory until the next write)."""
        if not term:
            return []
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extract

        key = (field, term[0])
        terms = self._by_letter.get(key)
        if terms is None:
            terms = self._by_letter[key] = [t for t, _ in self.prefix(field, term[0])]
        found = [t for t, _, _ in extract(term, terms, scorer=Levenshtein.distance,
                                          score_cutoff=distance, limit=None) if t != term]
        if not found:
            return []
        counts = dict(self.db.execute(
            f"SELECT term, entries FROM vocabulary WHERE field = ? AND term IN "
            f"({','.join('?' * len(found))})", (field, *found)).fetchall())
        return [(t, counts.get(t, 0)) for t in found]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

