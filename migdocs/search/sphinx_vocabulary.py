"""The vocabulary of a sphinxql home: every indexed term per field with its entry count.

Wildcard and fuzzy words are expanded against the index's own terms (at most 64, the most
frequent first). Sphinx 2.2.11 cannot list them (`CALL KEYWORDS` does not expand wildcards
and does not run on a distributed index; there is no `CALL SUGGEST`), so the backend keeps
them here, in `HOME/sphinx-vocabulary.sqlite`, as it writes entries.

Counts are entries that had the term when written, never decremented on removal: a removed
document's rare term may still be offered as an expansion that then matches nothing, which
is harmless; `migdocs reindex` recounts from scratch. Only the ordering of expansions uses
the counts.

The same file numbers the documents (`DocumentNumbers`): the engine groups and restricts by
a short number instead of the 63-bit hash of the id. Sphinx spends most of a common word's
document set writing the keys out (`GROUP_CONCAT`): at 50,000 versions "women" took 47 ms
with 19-digit keys and 8.6 ms with numbers of up to 5 digits (and a quarter of the bytes).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from migdocs.search.docsets import Numbering

_SCHEMA = """CREATE TABLE IF NOT EXISTS vocabulary (
    field TEXT NOT NULL, term TEXT NOT NULL, entries INTEGER NOT NULL,
    PRIMARY KEY (field, term)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS documents (no INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS numbering (token TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS writes (generation INTEGER NOT NULL)"""


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
            self._db.executescript(_SCHEMA)
        return self._db

    def add(self, text: Mapping[str, list[str]]) -> None:
        """The terms of one entry (field -> analysed terms)."""
        for field, terms in text.items():
            for term in set(terms):
                self._pending[(field, term)] += 1

    def commit(self) -> None:
        """At the end of every write to the engine, removals only included: the file changes
        either way, so every process's `state` tells it that the index changed (what readers
        keep, such as the number of entries, is then asked again)."""
        with self.db:
            self.db.executemany(
                "INSERT INTO vocabulary (field, term, entries) VALUES (?, ?, ?) "
                "ON CONFLICT (field, term) DO UPDATE SET entries = entries + excluded.entries",
                ((f, t, n) for (f, t), n in self._pending.items()))
            if self.db.execute("UPDATE writes SET generation = generation + 1").rowcount == 0:
                self.db.execute("INSERT INTO writes (generation) VALUES (1)")
        self._pending.clear()
        self._by_letter.clear()
        self._commits += 1

    def touch(self) -> None:
        """Another table of the file changed: what is derived from the file is outdated."""
        self._commits += 1

    def rollback(self) -> None:
        self._pending.clear()

    def clear(self) -> None:
        """Empties the vocabulary and the document numbers: the engine's index is emptied
        with them (a new `token`, so an engine index numbered otherwise is never read)."""
        with self.db:
            self.db.execute("DELETE FROM vocabulary")
            self.db.execute("DELETE FROM documents")
            self.db.execute("DELETE FROM numbering")
            self.db.execute("INSERT INTO numbering (token) VALUES (?)", (secrets.token_hex(8),))
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



class DocumentNumbers:
    """Document id <-> number (1, 2, ...; 0 is no document), kept in the vocabulary's file.

    A number, once written to the engine, is never given to another document: numbers a
    writer assigns are stored (`store`) before the rows carrying them are sent, and a
    cancelled writer forgets only those it never stored. A removed document keeps its number.
    Readers load the table once per change of the file (the vocabulary's `state`)."""

    def __init__(self, vocabulary: SphinxVocabulary) -> None:
        self.vocabulary = vocabulary
        self._state: object = None
        self._ids: dict[str, str] = {}       # number (decimal, as the engine writes it) -> id
        self._numbers: dict[str, int] = {}   # id -> number
        self._pending: dict[str, int] = {}   # assigned by this writer, not stored yet
        self._top = 0                        # the highest number known
        self._arrays: Numbering | None = None  # `ids` as arrays, made when first asked

    def _load(self) -> None:
        state = self.vocabulary.state()
        if state == self._state:
            return
        rows = self.vocabulary.db.execute("SELECT no, doc_id FROM documents").fetchall()
        self._numbers = {doc_id: no for no, doc_id in rows}
        self._numbers.update(self._pending)
        self._ids = {str(no): doc_id for doc_id, no in self._numbers.items()}
        self._top = max(self._numbers.values(), default=0)
        self._arrays = None
        self._state = state

    def token(self) -> str | None:
        """The numbering's identity, also written in the engine's marker row."""
        row = self.vocabulary.db.execute("SELECT token FROM numbering").fetchone()
        return row[0] if row else None

    def ids(self) -> dict[str, str]:
        """number (decimal) -> document id: the table itself, not a copy."""
        self._load()
        return self._ids

    def numbering(self) -> Numbering:
        """`ids` as arrays, for document sets counted over numbers (made once per change)."""
        self._load()
        if self._arrays is None:
            self._arrays = Numbering(self._ids)
        return self._arrays

    def numbers(self) -> dict[str, int]:
        """document id -> number: the table itself, not a copy."""
        self._load()
        return self._numbers

    def assign(self, doc_id: str) -> int:
        """The document's number, a new one if it has none (stored by `store`)."""
        found = self.numbers().get(doc_id)
        if found is not None:
            return found
        number = self._top = self._top + 1  # the table was read at the file's last change
        self._pending[doc_id] = self._numbers[doc_id] = number
        self._ids[str(number)] = doc_id
        self._arrays = None
        return number

    def store(self) -> None:
        if not self._pending:
            return
        with self.vocabulary.db as db:
            db.executemany("INSERT INTO documents (no, doc_id) VALUES (?, ?)",
                           ((no, doc_id) for doc_id, no in self._pending.items()))
        self._pending.clear()
        self.vocabulary.touch()

    def reload(self) -> None:
        """Read the table again at the next use (numbers not stored yet are kept)."""
        self._state = None

    def forget(self) -> None:
        """A cancelled writer: drop the numbers never stored (never sent to the engine)."""
        self._pending.clear()
        self.reload()
