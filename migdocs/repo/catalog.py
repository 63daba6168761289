"""The catalog: SQLite (WAL), the source of truth for documents, versions and page texts.

The Whoosh index is derived from it and can always be rebuilt from it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from migdocs.errors import BusyError, DamagedError, IncompatibleError, MigdocsError
from migdocs.repo import failures, symbols
from migdocs.repo.model import (
    Document,
    LanguageVersion,
    Meeting,
    Page,
    Person,
    Session,
    StoredFile,
    Talk,
)

CATALOG_FORMAT = 1
#: Seconds SQLite waits for a lock it needs before reporting the catalog busy.
BUSY_TIMEOUT = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meetings (code TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    symbol TEXT,
    symbol_key TEXT UNIQUE,
    title TEXT,
    type TEXT NOT NULL,
    entity TEXT,
    entity_name TEXT,
    meeting TEXT,
    date TEXT,
    url TEXT,
    notes TEXT,
    record_hash TEXT,
    source TEXT,
    title_source TEXT
);
CREATE TABLE IF NOT EXISTS document_sessions (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    session TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (doc_id, session)
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    title TEXT,
    sha256 TEXT,
    original_name TEXT,
    format TEXT,
    size INTEGER,
    detected_language TEXT,
    language_confidence REAL,
    flags TEXT NOT NULL DEFAULT '[]',
    page_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (doc_id, language)
);
CREATE INDEX IF NOT EXISTS versions_sha256 ON versions(sha256);
-- ids_with_file_stem: a one-word search asks whether the word is a file's stem; LIKE (any
-- case) scanned every version without it: 8.5 ms at 50,000 versions, 0.02 ms with it.
CREATE INDEX IF NOT EXISTS versions_name_nocase ON versions(original_name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS pages (
    version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    language TEXT,
    text TEXT NOT NULL,
    PRIMARY KEY (version_id, number)
);
-- Derived: every word written in some page or title (case-folded, letters only, 3+) with how
-- many texts (files, titles) hold it: the did-you-mean vocabulary. Rebuilt by reindex; a
-- removed document's words may linger (a suggestion is offered only when it finds documents).
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, texts INTEGER NOT NULL) WITHOUT ROWID;
"""


_FILTERS = {
    "session": "id IN (SELECT doc_id FROM document_sessions WHERE upper(session)=upper(?))",
    "entity": "upper(entity)=upper(?)",
    "language": "id IN (SELECT doc_id FROM versions WHERE language=?)",
    "type": "type=?",
    "meeting": "upper(meeting)=upper(?)",
    "symbol": "symbol_key GLOB ?",
}


# The columns a Document and a LanguageVersion are built from, in their fields' order.
_DOCUMENT_COLUMNS = ("id, symbol, title, type, entity, entity_name, meeting, date, url, notes, "
                     "title_source")
_VERSION_COLUMNS = ("language, title, sha256, original_name, format, size, detected_language, "
                    "language_confidence, flags, page_count")


def _document(row: tuple[Any, ...]) -> Document:
    """A document without sessions or versions from a row of `_DOCUMENT_COLUMNS`."""
    doc_id, symbol, title, type_, entity, entity_name, meeting, date, url, notes, source = row
    return Document(doc_id, symbol, title, type_, entity=entity, entity_name=entity_name,
                    meeting=meeting, date=date, url=url, notes=notes, title_source=source)


def _version(row: tuple[Any, ...]) -> LanguageVersion:
    """A version (without pages) from a row of `_VERSION_COLUMNS`."""
    lang, title, sha, name, fmt, size, detected, confidence, flags, count = row
    stored = StoredFile(sha, name, fmt, size) if sha else None
    listed = json.loads(flags) if flags != "[]" else []  # most versions have no flag
    return LanguageVersion(lang, title, stored, [], detected, confidence, listed, count)


class _Connection(sqlite3.Connection):
    """A SQLite connection whose failures are the MigdocsError they mean (busy, damaged, disk
    full: `failures.catalog_error`), for every caller of the library, not only the CLI."""

    catalog_path: Path = Path("catalog.sqlite")

    def execute(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.Error as exc:
            raise failures.catalog_error(self.catalog_path, exc) from exc

    def executemany(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.Error as exc:
            raise failures.catalog_error(self.catalog_path, exc) from exc

    def executescript(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        try:
            return super().executescript(*args, **kwargs)
        except sqlite3.Error as exc:
            raise failures.catalog_error(self.catalog_path, exc) from exc


class Catalog:
    """Documents, language versions and page texts in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                self._open(path)
                return
            except BusyError:
                # Setting up a new catalog (WAL mode, tables) while other processes do the
                # same can report busy at once, without SQLite's own wait: try again.
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def _open(self, path: Path) -> None:
        try:
            # Writers take turns under the writer lock; the timeout only covers the moments
            # SQLite itself needs (WAL checkpoints, a new file being set up by another process).
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                      timeout=BUSY_TIMEOUT, factory=_Connection)
            self.db.catalog_path = path
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            found = self.get_meta("catalog_format") if self._has_meta() else None
            if found is not None and _format_number(found) > CATALOG_FORMAT:
                raise IncompatibleError(
                    f"{path}: the catalog was written by a newer migdocs (catalog format {found}, "
                    f"this migdocs reads up to {CATALOG_FORMAT}); upgrade migdocs "
                    "(`pip install -U migdocs`). Nothing is damaged")
            self.db.executescript(_SCHEMA)
            self._migrate()
            if found is None:
                self.set_meta("catalog_format", str(CATALOG_FORMAT))
        except sqlite3.Error as exc:
            if getattr(self, "db", None) is not None:
                self.db.close()
            raise failures.catalog_error(path, exc) from exc
        except MigdocsError:  # newer format, or a SQLite failure already said in words
            self.db.close()
            raise

    def _has_meta(self) -> bool:
        return self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone() is not None

    def _migrate(self) -> None:
        """Bring a home written by an earlier migdocs up to this schema, in place: columns are
        only ever added, so an earlier migdocs still reads it."""
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(documents)")}
        if "title_source" not in columns:
            try:
                self.db.execute("ALTER TABLE documents ADD COLUMN title_source TEXT")
            except sqlite3.OperationalError as exc:  # another process added it just now
                if "duplicate column" not in str(exc):
                    raise
                return
            # before titles were derived, a title came from a catalog record or file metadata
            self.db.execute("""UPDATE documents SET title_source = CASE
                WHEN record_hash IS NOT NULL THEN 'catalog' ELSE 'metadata' END
                WHERE title IS NOT NULL""")

    def close(self) -> None:
        self.db.close()

    def integrity(self) -> list[str]:
        """SQLite's own quick check of the catalog file: [] when sound, else its findings.
        (About 0.1 s per 50 MB; `check` runs it, opening does not.)"""
        try:
            rows = [r[0] for r in self.db.execute("PRAGMA quick_check(20)")]
        except (sqlite3.DatabaseError, DamagedError) as exc:
            return [str(exc.__cause__ or exc)]
        return [] if rows == ["ok"] else rows

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:  # SQLite may have rolled back already (disk full)
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def generation(self) -> tuple[int, int]:
        """Changes when the catalog changes, by this connection or another: for caches."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        return version, self.db.total_changes

    # -- did-you-mean vocabulary ------------------------------------------------------------
    def add_words(self, counts: Mapping[str, int]) -> None:
        self.db.executemany(
            "INSERT INTO words(word, texts) VALUES (?, ?) "
            "ON CONFLICT(word) DO UPDATE SET texts = texts + excluded.texts", counts.items())

    def clear_words(self) -> None:
        self.db.execute("DELETE FROM words")

    def has_word(self, word: str) -> bool:
        return self.db.execute("SELECT 1 FROM words WHERE word=?", (word,)).fetchone() is not None

    def words_starting(self, first: str) -> dict[str, int]:
        """Known words starting with the letter `first`, with how many texts hold them."""
        return dict(self.db.execute(
            "SELECT word, texts FROM words WHERE word >= ? AND word < ?",
            (first, chr(ord(first) + 1))))

    def document_facts(self) -> dict[str, tuple[str | None, list[str], str | None, str, str | None,
                                                str | None]]:
        """id -> (symbol, sessions, entity, type, year, date) of every document: what
        ranking and facets need, in one read."""
        sessions: dict[str, list[str]] = {}
        for doc_id, session in self.db.execute(
                "SELECT doc_id, session FROM document_sessions ORDER BY doc_id, ordinal"):
            sessions.setdefault(doc_id, []).append(session)
        return {doc_id: (symbol, sessions.get(doc_id, []), entity, type_,
                         date[:4] if date else None, date)
                for doc_id, symbol, entity, type_, date in self.db.execute(
                    "SELECT id, symbol, entity, type, date FROM documents")}

    # -- meetings ---------------------------------------------------------------------------
    def put_meeting(self, meeting: Meeting) -> bool:
        """Store a meeting; True when it was new or changed."""
        record = json.dumps(asdict(meeting), sort_keys=True, ensure_ascii=False)
        row = self.db.execute("SELECT record FROM meetings WHERE code=?", (meeting.code,)).fetchone()
        if row and row[0] == record:
            return False
        self.db.execute("INSERT OR REPLACE INTO meetings(code, record) VALUES (?, ?)",
                        (meeting.code, record))
        return True

    def meeting(self, code: str) -> Meeting | None:
        row = self.db.execute(
            "SELECT record FROM meetings WHERE upper(code)=upper(?)", (code,)
        ).fetchone()
        return _meeting_from_json(json.loads(row[0])) if row else None

    def meeting_codes(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT code FROM meetings ORDER BY code")]

    # -- documents --------------------------------------------------------------------------
    def record_hash(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT record_hash FROM documents WHERE id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def put_document(self, doc: Document, *, record_hash: str | None, source: str | None) -> None:
        """Insert or update a document's metadata (not its versions)."""
        values = (doc.symbol, symbols.key(doc.symbol) if doc.symbol else None, doc.title,
                  doc.type, doc.entity, doc.entity_name, doc.meeting, doc.date, doc.url,
                  doc.notes, record_hash, source, doc.title_source if doc.title else None)
        self.db.execute(
            """INSERT INTO documents(id, symbol, symbol_key, title, type, entity, entity_name,
                   meeting, date, url, notes, record_hash, source, title_source)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(id) DO UPDATE SET symbol=excluded.symbol,
                   symbol_key=excluded.symbol_key, title=excluded.title, type=excluded.type,
                   entity=excluded.entity, entity_name=excluded.entity_name,
                   meeting=excluded.meeting, date=excluded.date, url=excluded.url,
                   notes=excluded.notes, record_hash=excluded.record_hash,
                   source=excluded.source, title_source=excluded.title_source""",
            (doc.id, *values),
        )
        self.db.execute("DELETE FROM document_sessions WHERE doc_id=?", (doc.id,))
        self.db.executemany(
            "INSERT INTO document_sessions(doc_id, session, ordinal) VALUES (?,?,?)",
            [(doc.id, s, i) for i, s in enumerate(doc.sessions)],
        )

    def resolve(self, symbol_or_id: str) -> str | None:
        """The document id for a symbol (any spelling) or an id, or None."""
        row = self.db.execute(
            "SELECT id FROM documents WHERE symbol_key=? OR id=?",
            (symbols.key(symbol_or_id), symbol_or_id.strip()),
        ).fetchone()
        return row[0] if row else None

    def ids_with_year(self, symbol: str) -> list[str]:
        """Ids of documents whose symbol is `symbol` followed by a `(year)`: `S/RES/2198`
        -> `S/RES/2198 (2015)`."""
        pattern = symbols.key(symbol).replace("[", "[[]") + "([0-9][0-9][0-9][0-9])"
        return [r[0] for r in self.db.execute(
            "SELECT id FROM documents WHERE symbol_key GLOB ?", (pattern,))]

    def ids_with_file_stem(self, stem: str) -> list[str]:
        """Ids of documents with a version stored from a file named `stem` (any case, with
        any extension and language suffix): `many-pages` -> the document of many-pages.pdf."""
        escaped = stem.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.db.execute(
            "SELECT DISTINCT doc_id, original_name FROM versions WHERE original_name LIKE ? "
            "ESCAPE '\\'", (escaped + "%",)).fetchall()
        found = [d for d, name in rows
                 if symbols.split_filename(name)[0].casefold() == stem.casefold()]
        return list(dict.fromkeys(found))

    def document(self, doc_id: str, *, with_pages: bool = False) -> Document | None:
        row = self.db.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE id=?",
                              (doc_id,)).fetchone()
        if row is None:
            return None
        doc = _document(row)
        doc.sessions = self._sessions(doc_id)
        doc.versions = self.versions(doc_id, with_pages=with_pages)
        return doc

    def _sessions(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT session FROM document_sessions WHERE doc_id=? ORDER BY ordinal", (doc_id,))]

    def page(self, doc_id: str, language: str, number: int) -> Page | None:
        row = self.db.execute(
            """SELECT p.number, p.text, p.language FROM pages p JOIN versions v ON v.id=p.version_id
               WHERE v.doc_id=? AND v.language=? AND p.number=?""",
            (doc_id, language, number)).fetchone()
        return Page(*row) if row else None

    def has_documents(self) -> bool:
        return self.db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is not None

    def indexable_pages(self) -> dict[str, int]:
        """doc id -> how many of its pages have text (each is an index entry)."""
        return dict(self.db.execute(
            """SELECT v.doc_id, count(*) FROM pages p JOIN versions v ON v.id=p.version_id
               WHERE length(trim(p.text, ' '||char(9,10,11,12,13))) > 0 GROUP BY v.doc_id"""))

    def document_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents")]

    def documents(
        self,
        *,
        session: str | None = None,
        entity: str | None = None,
        language: str | None = None,
        type: str | None = None,
        meeting: str | None = None,
        symbol: str | None = None,
    ) -> list[Document]:
        """Documents matching every given filter (case-insensitive), versions without pages.
        `symbol` is a key or a glob such as `A/RES/71/*`."""
        given = {"session": session, "entity": entity, "language": language, "type": type,
                 "meeting": meeting,
                 "symbol": symbols.key(symbol).replace("[", "[[]") if symbol else None}
        where = [_FILTERS[name] for name, value in given.items() if value]
        args = [value for value in given.values() if value]
        chosen = " WHERE " + " AND ".join(where) if where else ""
        # Three queries in all, not three per document: listing 1,111 documents took 3,340
        # queries and 110 ms of a 156 ms `migdocs list` before.
        docs: dict[str, Document] = {}
        order: dict[str, tuple[str | int, ...]] = {}
        for row in self.db.execute(
                f"SELECT {_DOCUMENT_COLUMNS}, symbol_key FROM documents{chosen}", args):
            docs[row[0]] = _document(row[:-1])
            order[row[0]] = symbols.natural_key_of_key(row[-1] or symbols.key(row[0]))
        ids = f"SELECT id FROM documents{chosen}"
        for doc_id, session in self.db.execute(
                f"SELECT doc_id, session FROM document_sessions WHERE doc_id IN ({ids}) "
                "ORDER BY doc_id, ordinal", args):
            docs[doc_id].sessions.append(session)
        for row in self.db.execute(
                f"SELECT doc_id, {_VERSION_COLUMNS} FROM versions WHERE doc_id IN ({ids}) "
                "ORDER BY doc_id, language", args):
            docs[row[0]].versions.append(_version(row[1:]))
        return sorted(docs.values(), key=lambda d: order[d.id])

    def suggest(self, text: str, *, limit: int = 10) -> list[tuple[str, str]]:
        """Completions of what someone is typing: (kind, value) for symbols starting with it,
        entities (acronym or name) starting with it, and titles containing it; at most
        `limit` of each kind, symbols first. For autocomplete, so plain LIKE on a few hundred
        rows (well under a millisecond here), not the search index."""
        text = " ".join(text.split())
        if not text:
            return []
        like, key = _escape_like(text), _escape_like(symbols.key(text))
        queries = [
            ("symbol", "SELECT symbol FROM documents WHERE symbol_key LIKE ? ESCAPE '\\' "
                       "ORDER BY length(symbol), symbol LIMIT ?", (key + "%",)),
            ("entity", "SELECT DISTINCT entity FROM documents WHERE entity LIKE ? ESCAPE '\\' "
                       "OR entity_name LIKE ? ESCAPE '\\' ORDER BY entity LIMIT ?",
             (like + "%", like + "%")),
            ("title", "SELECT DISTINCT title FROM (SELECT title FROM documents UNION ALL "
                      "SELECT title FROM versions) WHERE title LIKE ? ESCAPE '\\' "
                      "ORDER BY title NOT LIKE ? ESCAPE '\\', title NOT LIKE ? ESCAPE '\\', "
                      "length(title) LIMIT ?",  # starting with it, then a word starting with it
             ("%" + like + "%", like + "%", "% " + like + "%")),
        ]
        out: list[tuple[str, str]] = []
        for kind, sql, args in queries:
            out += [(kind, row[0]) for row in self.db.execute(sql, (*args, limit)) if row[0]]
        return out

    def delete_document(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM documents WHERE id=?", (doc_id,))

    # -- versions ---------------------------------------------------------------------------
    def versions(self, doc_id: str, *, with_pages: bool = False) -> list[LanguageVersion]:
        rows = self.db.execute(
            f"SELECT id, {_VERSION_COLUMNS} FROM versions WHERE doc_id=? ORDER BY language",
            (doc_id,)).fetchall()
        out = []
        for row in rows:
            vid, version = row[0], _version(row[1:])
            if with_pages:
                version.pages = [Page(n, t, pl) for n, pl, t in self.db.execute(
                    "SELECT number, language, text FROM pages WHERE version_id=? ORDER BY number",
                    (vid,))]
            out.append(version)
        return out

    def put_version(self, doc_id: str, version: LanguageVersion, *, keep_pages: bool = False) -> None:
        """Insert or replace one language version; its pages too unless `keep_pages`."""
        f = version.file
        vid = self.db.execute(
            """INSERT INTO versions(doc_id, language, title, sha256, original_name, format, size,
                   detected_language, language_confidence, flags, page_count)
               VALUES (?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(doc_id, language) DO UPDATE SET title=excluded.title,
                   sha256=excluded.sha256, original_name=excluded.original_name,
                   format=excluded.format, size=excluded.size,
                   detected_language=excluded.detected_language,
                   language_confidence=excluded.language_confidence, flags=excluded.flags,
                   page_count=excluded.page_count
               RETURNING id""",
            (doc_id, version.language, version.title, f and f.sha256, f and f.original_name,
             f and f.format, f and f.size, version.detected_language,
             version.language_confidence, json.dumps(version.flags), version.page_count),
        ).fetchone()[0]
        if not keep_pages:
            self.db.execute("DELETE FROM pages WHERE version_id=?", (vid,))
            self.db.executemany(
                "INSERT INTO pages(version_id, number, language, text) VALUES (?,?,?,?)",
                [(vid, p.number, p.language, p.text) for p in version.pages],
            )

    def version_hash(self, doc_id: str, language: str) -> str | None:
        row = self.db.execute("SELECT sha256 FROM versions WHERE doc_id=? AND language=?",
                              (doc_id, language)).fetchone()
        return row[0] if row else None

    def document_with_file_name(self, original_name: str) -> str | None:
        """Id of the document whose version was stored last from a file of this name."""
        row = self.db.execute(
            "SELECT doc_id FROM versions WHERE original_name=? ORDER BY id DESC LIMIT 1",
            (original_name,)).fetchone()
        return row[0] if row else None

    def uncatalogued_files_like(self, prefix: str) -> list[tuple[str, str, str]]:
        """(doc_id, language, original name) of the versions of documents without a catalog
        record whose file name starts with `prefix` (case-insensitive)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return self.db.execute(
            """SELECT v.doc_id, v.language, v.original_name FROM versions v
               JOIN documents d ON d.id = v.doc_id
               WHERE d.record_hash IS NULL AND v.original_name LIKE ? ESCAPE '\\'""",
            (escaped + "%",)).fetchall()

    def uncatalogued_versions_of(self, sha256: str, original_name: str) -> list[tuple[str, str]]:
        """(doc_id, language) of versions stored from this very file in documents that no
        catalog record describes."""
        return self.db.execute(
            """SELECT v.doc_id, v.language FROM versions v JOIN documents d ON d.id = v.doc_id
               WHERE d.record_hash IS NULL AND v.sha256=? AND v.original_name=?""",
            (sha256, original_name)).fetchall()

    def version_with_file(self, sha256: str, original_name: str) -> tuple[str, str] | None:
        """(doc_id, language) of a version stored from this very file, if any."""
        row = self.db.execute(
            "SELECT doc_id, language FROM versions WHERE sha256=? AND original_name=?",
            (sha256, original_name)).fetchone()
        return (row[0], row[1]) if row else None

    def delete_version(self, doc_id: str, language: str) -> bool:
        cur = self.db.execute("DELETE FROM versions WHERE doc_id=? AND language=?",
                              (doc_id, language))
        return cur.rowcount > 0

    def version_files(self) -> list[tuple[str, str, str | None]]:
        """(doc_id, language, sha256 or None) of every version: what derived data
        (the lexicon) fingerprints to know it is stale."""
        return self.db.execute(
            "SELECT doc_id, language, sha256 FROM versions ORDER BY doc_id, language").fetchall()

    def file_users(self, sha256: str) -> list[str]:
        """Who uses a stored file, for messages: `A/69/767 [fr] (A_69_767-FR.pdf)`."""
        rows = self.db.execute(
            """SELECT coalesce(d.symbol, d.id), v.language, v.original_name FROM versions v
               JOIN documents d ON d.id=v.doc_id WHERE v.sha256=? ORDER BY 1, 2""", (sha256,))
        return [f"{name} [{lang}] ({original})" for name, lang, original in rows]

    def file_hashes(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT sha256 FROM versions WHERE sha256 IS NOT NULL")}

    def counts(self) -> dict[str, int]:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT count(*) FROM documents"),
            "versions": one("SELECT count(*) FROM versions"),
            "files": one("SELECT count(DISTINCT sha256) FROM versions WHERE sha256 IS NOT NULL"),
            "pages": one("SELECT count(*) FROM pages"),
            "metadata_only": one(
                "SELECT count(*) FROM documents WHERE id NOT IN "
                "(SELECT doc_id FROM versions WHERE sha256 IS NOT NULL)"),
        }

    def count_by(self, column: str) -> dict[str, int]:
        queries = {
            "language": "SELECT language, count(*) FROM versions GROUP BY 1",
            "type": "SELECT type, count(*) FROM documents GROUP BY 1",
            "format": "SELECT coalesce(format, 'no file'), count(*) FROM versions GROUP BY 1",
        }
        return dict(self.db.execute(queries[column]).fetchall())


def _escape_like(text: str) -> str:
    """`text` matched literally by LIKE ... ESCAPE '\\' (no wildcards from the user)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _format_number(found: str) -> int:
    """A recorded catalog format; one this migdocs cannot parse is from a newer one."""
    try:
        return int(found)
    except ValueError:
        return CATALOG_FORMAT + 1


def _meeting_from_json(data: dict) -> Meeting:
    def person(p: dict | None) -> Person | None:
        return Person(**p) if p else None

    sessions = [
        Session(**{**s, "moderator": person(s["moderator"]),
                   "talks": [Talk(Person(**t["speaker"]), t["title"]) for t in s["talks"]]})
        for s in data.pop("sessions")
    ]
    return Meeting(**data, sessions=sessions)
