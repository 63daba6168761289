"""The Repository: one home folder with its catalog, stored files and index.

The CLI and (later) the web page talk to this class only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from migdocs.errors import NotFoundError, UsageError
from migdocs.indexer.extract import PdfEngine
from migdocs.indexer.index import INDEX_VERSION, Index
from migdocs.indexer.ocr import OcrMode
from migdocs.indexer.ingest import IngestReport, Ingester, Progress
from migdocs.repo import languages, lookup, symbols
from migdocs.repo.catalog import Catalog
from migdocs.repo.home import resolve_home
from migdocs.repo.lock import DEFAULT_WAIT, WriterLock, remove_leftovers, replace_folder
from migdocs.repo.model import Document, DocumentDetail, Programme
from migdocs.repo.store import FileStore, sha256_of
from migdocs.search.compile import Filters
from migdocs.search.engine import SearchEngine, SearchResult, SortOrder


@dataclass
class CheckProblem:
    what: str
    fix: str


class _NeedsWriter(Exception):
    """Opening the index must write (create or rebuild it): retry under the writer lock."""


class Repository:
    def __init__(self, home: Path, *, wait: float = DEFAULT_WAIT) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        #: One writer at a time (ingest, remove, reindex, rebuild); readers never take it.
        self.lock = WriterLock(home)
        #: Seconds a write waits for another process's write before giving up (BusyError).
        self.wait = wait
        self.catalog = Catalog(home / "catalog.sqlite")
        self.store = FileStore(home / "files")
        self.index_path = home / "index"
        #: Things the user should hear about that happened while opening (e.g. a rebuild).
        self.notices: list[str] = []
        self._engine: SearchEngine | None = None
        self.index = self._open_index()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        self.catalog.close()

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writer lock ---------------------------------------------------------------------------
    @contextmanager
    def writing(self, *, repair: bool = True) -> Iterator[None]:
        """Hold the writer lock for a write. On taking it, first repair what a writer that
        crashed left behind (an index behind the catalog is rebuilt), so no write builds on it."""
        outermost = not self.lock.held
        with self.lock.hold(wait=self.wait):
            if outermost:  # what a killed writer left: half-built folders, orphan files
                remove_leftovers(self.home)
                self.store.prune(keep=self.catalog.file_hashes())
            if outermost and repair:
                if self._engine is not None:
                    self._engine.close()
                    self._engine = None
                self.index = self._open_index()
            yield

    def _need_writer(self) -> None:
        if not self.lock.held:
            raise _NeedsWriter

    # -- index lifecycle ----------------------------------------------------------------------
    def _open_index(self) -> Index:
        """Open the index; create or rebuild it first if needed. Those are writes: they happen
        under the writer lock, deciding again once it is held (another process may have done
        it meanwhile), so two processes never create or rebuild it at once."""
        try:
            return self._open_or_repair_index()
        except _NeedsWriter:
            with self.lock.hold(wait=self.wait):
                return self._open_or_repair_index()

    def _open_or_repair_index(self) -> Index:
        recorded = self.catalog.get_meta("index_version")
        exists = (self.index_path / "MAIN_WRITELOCK").exists() or any(self.index_path.glob("_MAIN_*.toc"))
        if recorded is None and not self.catalog.document_ids():
            self._need_writer()
            index = Index.recreate(self.index_path) if not exists else Index(self.index_path)
            self.catalog.set_meta("index_version", INDEX_VERSION)
            return index
        reason = None
        if recorded != INDEX_VERSION:
            reason = f"the index format changed ({recorded} -> {INDEX_VERSION})"
        elif not exists:
            reason = "the index is missing"
        elif self.catalog.get_meta("index_dirty") == "1":
            reason = "the last ingest did not finish"
            if not self.lock.held and not self.lock.is_free():
                reason = None  # it is still running: readers answer from its last commit
        if reason is None:
            try:
                return Index(self.index_path)
            except Exception as exc:  # any damage to a derived index is repaired, not shown
                reason = f"the index could not be opened ({type(exc).__name__}: {exc})"
        self._need_writer()
        self.notices.append(f"Rebuilding the search index from the catalog: {reason}.")
        self.reindex()  # recreates the index folder itself
        return self.index

    def reindex(self) -> int:
        """Rebuild the index from the catalog alone (no file is read). Returns documents indexed."""
        with self.writing(repair=False):
            if self._engine is not None:
                self._engine.close()
                self._engine = None
            # Built aside and swapped in: readers see the old index or the new, never half of one.
            fresh = Index.recreate(self.home / "index.new")
            count = 0
            with fresh.writer() as writer:
                for doc_id in self.catalog.document_ids():
                    document = self.catalog.document(doc_id, with_pages=True)
                    if document is not None:
                        Index.add_or_update(writer, document)
                        count += 1
            replace_folder(self.home / "index.new", self.index_path)
            self.index = Index(self.index_path)
            self.catalog.set_meta("index_version", INDEX_VERSION)
            self.catalog.set_meta("index_dirty", "0")
            return count

    # -- ingest -------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[os.PathLike[str] | str], *, pdf_engine: PdfEngine = "auto",
               password: str | None = None, workers: int | None = None,
               progress: Progress | None = None, ocr: OcrMode = "auto") -> IngestReport:
        """`ocr`: auto reads pages without text by OCR (Tesseract, about 1.5-3 s a page on one
        core), always reads every PDF page, never none."""
        with self.writing():
            ingester = Ingester(self.catalog, self.store, self.index)
            return ingester.run([Path(p) for p in paths], engine=pdf_engine, password=password,
                                workers=workers, progress=progress, ocr_mode=ocr)

    # -- lookups ------------------------------------------------------------------------------
    def resolve(self, symbol_or_id: str) -> str | None:
        """The id of the document a symbol in any spelling people type (or an id, or a file
        name) names; None when there is none or several. Never a near neighbour. See
        `migdocs.repo.lookup`."""
        return lookup.resolve(self.catalog, symbol_or_id).doc_id

    def lookup(self, symbol_or_id: str) -> lookup.Resolution:
        """What `resolve` found and how: `.notice` is `A/CONF.222/6 (you typed a/conf222/6)`
        when the typed spelling was forgiven; `.candidates` when several documents fit."""
        return lookup.resolve(self.catalog, symbol_or_id)

    def get(self, symbol_or_id: str, *, language: str | None = None,
            with_pages: bool = False) -> Document:
        """One document; with `language`, only that version (NotFoundError if it has none).
        NotFoundError (AmbiguousSymbolError) too when the spelling fits several documents."""
        return self._get(symbol_or_id, language=language, with_pages=with_pages)[0]

    def _get(self, symbol_or_id: str, *, language: str | None,
             with_pages: bool) -> tuple[Document, lookup.Resolution]:
        found = lookup.require(self.catalog, symbol_or_id, where=str(self.home))
        document = self.catalog.document(found.doc_id, with_pages=with_pages) if found.doc_id else None
        if document is None:  # removed meanwhile
            raise NotFoundError(f"no document {symbol_or_id!r} in {self.home}")
        return document.in_language(languages.normalize(language) if language else None), found

    def detail(self, symbol_or_id: str, *, language: str | None = None,
               with_text: bool = False) -> DocumentDetail:
        """A document as `get` shows it: with related documents, and page texts if asked."""
        document, found = self._get(symbol_or_id, language=language, with_pages=with_text)
        return DocumentDetail(document, self.related(document), with_text=with_text,
                              resolved_from=found.typed if found.forgiven else None)

    def related(self, document: Document) -> list[tuple[Document, str]]:
        """The parent of a Rev./Add./Corr. and its other parts, or a document's own parts:
        (document, relation) in natural symbol order."""
        if not document.symbol:
            return []
        out: list[tuple[Document, str]] = []
        parent = symbols.parent(document.symbol)
        root = parent[0] if parent else document.symbol
        if parent:
            parent_id = self.catalog.resolve(root)
            parent_doc = self.catalog.document(parent_id) if parent_id else None
            if parent_doc is not None:
                out.append((parent_doc, "parent"))
        parts = []
        for found in self.catalog.documents(symbol=root + "/*"):
            part = symbols.parent(found.symbol or "")
            if found.id != document.id and part and symbols.key(part[0]) == symbols.key(root):
                parts.append((found, part[1]))
        return out + parts  # documents() returns natural symbol order

    def list(self, *, session: str | None = None, entity: str | None = None,
             language: str | None = None, type: str | None = None,
             meeting: str | None = None, symbol: str | None = None) -> list[Document]:
        """Documents matching every filter, in natural symbol order. `symbol` may be a
        pattern (`UN/POP/MIG-16CM/2018/*`) or any spelling of one symbol."""
        lang = languages.normalize(language) if language else None
        if symbol and not any(c in symbol for c in "*?"):
            doc_id = self.resolve(symbol)
            found = self.catalog.document(doc_id) if doc_id else None
            symbol = found.symbol if found and found.symbol else symbol
        return self.catalog.documents(session=session, entity=entity, language=lang, type=type,
                                      meeting=meeting, symbol=symbol)

    # -- search -------------------------------------------------------------------------------
    @property
    def engine(self) -> SearchEngine:
        if self._engine is None:
            self._engine = SearchEngine(self.index, self.catalog, self.resolve)
        return self._engine

    def search(self, q: str, *, lang: str | None = None, session: str | None = None,
               entity: str | None = None, type: str | None = None, year: str | int | None = None,
               meeting: str | None = None, symbol: str | None = None,
               sort: SortOrder = "relevance", limit: int = 10, page: int = 1) -> SearchResult:
        """Search every language at once; see `migdocs.search.syntax` for the query language.
        The filters mean the same as `lang:` `session:` ... inside the query."""
        filters = Filters(lang=languages.normalize(lang) if lang else None, session=session,
                          entity=entity, type=type, year=str(year) if year else None,
                          meeting=meeting, symbol=symbol)
        result = self.engine.search(q, filters=filters, sort=sort, limit=limit, page=page)
        result.notices += self._symbol_notices(q)
        return result

    def _symbol_notices(self, q: str) -> list[str]:
        """For a query that is one symbol typed loosely: which document it was taken to be
        (`A/CONF.222/6 (you typed a/conf222/6)`), or that it fits several."""
        if not symbols.forgiving_spellings(q):
            return []
        found = self.lookup(q)
        if found.notice:
            return [f"Symbol {found.notice}."]
        if found.candidates:
            return [f"{q.strip()!r} could be any of: {', '.join(found.candidates)}; "
                    "type one of them to put it first."]
        return []

    def similar(self, symbol_or_id: str, *, lang: str | None = None, limit: int = 10,
                page: int = 1) -> SearchResult:
        """Documents like this one (more-like-this), in any language unless `lang` is given."""
        document = self.get(symbol_or_id, with_pages=True)
        filters = Filters(lang=languages.normalize(lang) if lang else None)
        return self.engine.similar(document, filters=filters, limit=limit, page=page)

    def meeting(self, code: str | None = None) -> Programme:
        """A meeting's programme and its documents by session (the last meeting for None)."""
        codes = self.catalog.meeting_codes()
        if code is None:
            if not codes:
                raise NotFoundError(f"no meeting in {self.home}; ingest a catalog with a [meeting]")
            code = codes[-1]
        meeting = self.catalog.meeting(code)
        if meeting is None:
            known = ", ".join(codes) or "none"
            raise NotFoundError(f"no meeting {code!r} in {self.home} (known: {known})")
        by_session: dict[str | None, list[Document]] = {}
        for doc in self.catalog.documents(meeting=meeting.code):
            for session in doc.sessions or [None]:
                by_session.setdefault(session, []).append(doc)
        return Programme(meeting, by_session)

    def stats(self) -> dict:
        counts = self.catalog.counts()
        return {
            "home": str(self.home),
            **counts,
            "index_entries": self.index.doc_count(),
            "index_version": INDEX_VERSION,
            "by_language": self.catalog.count_by("language"),
            "by_type": self.catalog.count_by("type"),
            "by_format": self.catalog.count_by("format"),
        }

    def remove(self, symbol_or_id: str, *, language: str | None = None) -> list[str]:
        """Remove a document, or one language version of it. Returns what was removed."""
        with self.writing():
            return self._remove(symbol_or_id, language=language)

    def _remove(self, symbol_or_id: str, *, language: str | None) -> list[str]:
        document = self.get(symbol_or_id)
        lang = languages.normalize(language) if language else None
        if lang:
            document.require_version(lang)
        with self.index.writer() as writer, self.catalog.transaction():
            if lang:
                self.catalog.delete_version(document.id, lang)
                removed = [f"{document.symbol or document.id} [{lang}]"]
                remaining = self.catalog.document(document.id, with_pages=True)
                assert remaining is not None
                Index.add_or_update(writer, remaining)
            else:
                self.catalog.delete_document(document.id)
                Index.remove(writer, document.id)
                removed = [document.symbol or document.id]
        self.store.prune(keep=self.catalog.file_hashes())
        return removed

    def check(self) -> list[CheckProblem]:
        """Catalog, stored files and index agree; the problems found otherwise."""
        problems = [CheckProblem(f"catalog {self.catalog.path} is damaged: {finding}",
                                 "restore catalog.sqlite from a backup, or move it away and "
                                 "ingest your folders again")
                    for finding in self.catalog.integrity()]
        referenced = self.catalog.file_hashes()
        stored = self.store.hashes()
        for sha in sorted(referenced - stored):
            users = ", ".join(self.catalog.file_users(sha))
            problems.append(CheckProblem(
                f"stored file {self.store.path(sha)} of {users} is missing",
                "ingest that original file again (`migdocs ingest FILE` or its catalog)"))
        for sha in sorted(referenced & stored):
            if sha256_of(self.store.path(sha)) != sha:
                users = ", ".join(self.catalog.file_users(sha))
                problems.append(CheckProblem(
                    f"stored file {self.store.path(sha)} of {users} is corrupt (its SHA-256 "
                    "differs from the one it was stored under)",
                    "delete that stored file and ingest the original file again"))
        for sha in sorted(stored - referenced):
            problems.append(CheckProblem(
                f"stored file {self.store.path(sha)} belongs to no document (left by an "
                "interrupted ingest)", "harmless; the next `migdocs ingest` deletes it"))
        indexed = self.index.summary()
        for doc_id in sorted(self.catalog.document_ids()):
            document = self.catalog.document(doc_id, with_pages=True)
            assert document is not None
            expected = sum(1 for v in document.versions for p in v.pages if p.text.strip())
            found = indexed.pop(doc_id, {"meta": 0, "page": 0})
            if found["meta"] != 1 or found["page"] != expected:
                problems.append(CheckProblem(
                    f"{doc_id}: index has {found['page']} page(s) and {found['meta']} record(s), "
                    f"catalog has {expected} page(s)", "run `migdocs reindex`"))
        for doc_id in sorted(indexed):
            problems.append(CheckProblem(f"{doc_id}: in the index but not in the catalog",
                                         "run `migdocs reindex`"))
        if self.catalog.get_meta("index_version") != INDEX_VERSION:
            problems.append(CheckProblem("index format differs from this migdocs",
                                         "run `migdocs reindex`"))
        return problems


def open(home: str | os.PathLike[str] | None = None, *,  # noqa: A001
         wait: float = DEFAULT_WAIT) -> Repository:
    """Open (creating if needed) the repository at `home`, $MIGDOCS_HOME or the user folder.
    `wait`: seconds a write waits for another process's write (then BusyError)."""
    path = resolve_home(home)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} is a file, not a folder; give --home a folder")
    return Repository(path, wait=wait)
