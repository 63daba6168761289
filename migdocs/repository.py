"""The Repository: one home folder with its catalog, stored files and index.

The CLI and the web page talk to this class only.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from migdocs.errors import NotFoundError, RepositoryError, UsageError
from migdocs.repo import languages, lookup, symbols
from migdocs.repo.catalog import Catalog
from migdocs.repo.home import confine, resolve_home
from migdocs.repo.lock import DEFAULT_WAIT, WriterLock, remove_leftovers
from migdocs.repo.lookup import Resolution
from migdocs.repo.model import Document, DocumentDetail, Programme, Suggestion
from migdocs.repo.store import FileStore, sha256_of

if TYPE_CHECKING:  # the search and ingest machinery is imported when first used
    from migdocs.indexer.extract import PdfEngine
    from migdocs.indexer.ingest import IngestReport, Progress
    from migdocs.indexer.lexicon import BuildReport
    from migdocs.indexer.lexicon_update import UpdateReport
    from migdocs.indexer.options import OcrMode
    from migdocs.search.backend import Backend
    from migdocs.search.engine import SearchEngine, SearchResult, SortOrder
    from migdocs.search.translate import Lexicon, LexiconState, WordTranslations


@dataclass
class CheckProblem:
    what: str
    fix: str


class _NeedsWriter(Exception):
    """Opening the index must write (create or rebuild it): retry under the writer lock."""


class Repository:
    """A home: catalog (truth), stored files, and the search index (derived, opened and if
    need be rebuilt on first use: `get` and `list` never touch it)."""

    def __init__(self, home: Path, *, wait: float = DEFAULT_WAIT,
                 notify: Callable[[str], None] | None = None) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        #: One writer at a time (ingest, remove, reindex, rebuild); readers never take it.
        self.lock = WriterLock(home)
        #: Seconds a write waits for another process's write before giving up (BusyError).
        self.wait = wait
        self.catalog = Catalog(home / "catalog.sqlite")
        self.store = FileStore(home / "files")
        #: Things the user should hear about (e.g. a rebuild of the index).
        self.notices: list[str] = []
        self._notify = notify or self.notices.append
        self._backend: Backend | None = None
        self._engine: SearchEngine | None = None
        self.lexicon_path = home / "lexicon.sqlite"
        self._lexicon: Lexicon | None = None

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        if self._lexicon is not None:
            self._lexicon.close()
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
            if outermost:
                self._tidy()
            if outermost and repair:
                self._close_index()
                self.backend  # noqa: B018 - opens, and rebuilds if a crash left it behind
            try:
                yield
            except BaseException:
                if outermost:  # e.g. disk full: a file stored for a document never recorded
                    with suppress(Exception):
                        self._tidy()
                raise

    def _tidy(self) -> None:
        """Under the lock: delete what a killed or failed writer left (half-built index
        folders, half-copied or orphan stored files)."""
        remove_leftovers(self.home)
        self.store.prune(keep=self.catalog.file_hashes())

    def _need_writer(self) -> None:
        if not self.lock.held:
            raise _NeedsWriter

    def _close_index(self) -> None:
        if self._backend is not None:
            self._backend.close()
        self._backend = None
        self._engine = None

    # -- index lifecycle ----------------------------------------------------------------------
    @property
    def engine_setting(self) -> str:
        """The search engine this home uses: `whoosh`, or a `sphinxql://` URL."""
        from migdocs.search.backend import DEFAULT_ENGINE

        return self.catalog.get_meta("engine") or DEFAULT_ENGINE

    def set_engine(self, engine: str) -> None:
        """Switch this home to another search engine; the next use rebuilds its index."""
        from migdocs.search.backend import open_backend

        open_backend(engine, self.home).close()  # validates the setting
        with self.writing(repair=False):
            self._close_index()
            self.catalog.set_meta("engine", engine)
            self.catalog.set_meta("index_version", "")

    @property
    def index_version(self) -> str:
        from migdocs.indexer.analysis import ANALYSIS_VERSION

        return f"{self.backend.version}/analysis-{ANALYSIS_VERSION}"

    @property
    def backend(self) -> Backend:
        """The search index, rebuilt from the catalog first if it is missing, damaged, of
        another format, or an ingest into it did not finish."""
        if self._backend is None:
            from migdocs.search.backend import open_backend

            self._backend = open_backend(self.catalog.get_meta("engine"), self.home)
            try:
                self._prepare_index()
            except _NeedsWriter:
                with self.lock.hold(wait=self.wait):
                    self._tidy()
                    self._prepare_index()
        return self._backend

    def _prepare_index(self) -> None:
        """Create or rebuild the index when needed. Those are writes: they happen under the
        writer lock, deciding again once it is held (another process may have done it
        meanwhile), so two processes never create or rebuild it at once."""
        backend = self._backend
        assert backend is not None
        from migdocs.indexer.analysis import ANALYSIS_VERSION

        version = f"{backend.version}/analysis-{ANALYSIS_VERSION}"
        recorded = self.catalog.get_meta("index_version")
        status = backend.status()
        if status.state == "unreachable":
            raise RepositoryError(f"the search engine is unreachable ({status.detail}); start it, "
                                  "or switch this home back with `migdocs engine set whoosh`")
        if not recorded and not self.catalog.has_documents():
            if status.state != "ready":
                self._need_writer()
                backend.create()
            self.catalog.set_meta("index_version", version)
            return
        reason = None
        if recorded != version:
            reason = f"the index format changed ({recorded} -> {version})"
        elif status.state == "missing":
            reason = "the index is missing"
        elif status.state == "damaged":
            reason = f"the index could not be opened ({status.detail})"
        elif self.catalog.get_meta("index_dirty") == "1":
            reason = "the last ingest did not finish"
            if not self.lock.held and not self.lock.is_free():
                reason = None  # it is still running: readers answer from its last commit
        if reason is not None:
            self._need_writer()
            self._notify(f"Rebuilding the search index from the catalog: {reason}.")
            self._rebuild(backend)

    def reindex(self) -> int:
        """Rebuild the index from the catalog alone (no file is read). Returns documents
        indexed. Page text is analysed on every core; the new index is built aside and
        swapped in: readers see the old index or the new, never half of one."""
        with self.writing(repair=False):
            from migdocs.search.backend import open_backend

            self._close_index()
            backend = open_backend(self.catalog.get_meta("engine"), self.home)
            count = self._rebuild(backend)
            self._backend = backend
            return count

    def _rebuild(self, backend: Backend) -> int:
        from migdocs.indexer.analysis import ANALYSIS_VERSION
        from migdocs.indexer.reindex import rebuild

        self._engine = None
        count = rebuild(self.catalog, backend)
        self.catalog.set_meta("index_version", f"{backend.version}/analysis-{ANALYSIS_VERSION}")
        self.catalog.set_meta("index_dirty", "0")
        return count

    # -- ingest -------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[os.PathLike[str] | str], *, pdf_engine: PdfEngine = "auto",
               password: str | None = None, workers: int | None = None,
               progress: Progress | None = None, ocr: OcrMode = "auto") -> IngestReport:
        """`ocr`: auto reads pages without text by OCR (Tesseract, about 1.5-3 s a page on one
        core), always reads every PDF page, never none."""
        from migdocs.indexer.ingest import Ingester

        with self.writing():
            ingester = Ingester(self.catalog, self.store, self.backend)
            report = ingester.run([Path(p) for p in paths], engine=pdf_engine, password=password,
                                  workers=workers, progress=progress, ocr_mode=ocr)
        if report.added or report.updated:
            report.lexicon = self._lexicon_after_ingest()
        return report

    # -- lookups ------------------------------------------------------------------------------
    def resolve(self, symbol_or_id: str) -> str | None:
        """The id of the document a symbol in any spelling people type (or an id, or a file
        name) names; None when there is none or several. Never a near neighbour. See
        `migdocs.repo.lookup`."""
        return lookup.resolve(self.catalog, symbol_or_id).doc_id

    def lookup(self, symbol_or_id: str) -> Resolution:
        """What `resolve` found and how: `.notice` is `A/CONF.222/6 (you typed a/conf222/6)`
        when the typed spelling was forgiven; `.candidates` when several documents fit."""
        return lookup.resolve(self.catalog, symbol_or_id)

    def get(self, symbol_or_id: str, *, language: str | None = None,
            with_pages: bool = False) -> Document:
        """One document; with `language`, only that version (NotFoundError if it has none).
        NotFoundError (AmbiguousSymbolError) too when the spelling fits several documents."""
        return self._get(symbol_or_id, language=language, with_pages=with_pages)[0]

    def _get(self, symbol_or_id: str, *, language: str | None,
             with_pages: bool) -> tuple[Document, Resolution]:
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

    def suggest(self, text: str, *, limit: int = 8) -> builtins.list[Suggestion]:
        """Symbols, entities and titles completing `text` (autocomplete; the catalog, not the
        index, so it costs well under a millisecond)."""
        return [Suggestion(kind, value) for kind, value in self.catalog.suggest(text, limit=limit)]  # type: ignore[arg-type]

    # -- search -------------------------------------------------------------------------------
    @property
    def engine(self) -> SearchEngine:
        if self._engine is None:
            from migdocs.search.engine import SearchEngine

            self._engine = SearchEngine(self.backend, self.catalog, self.resolve,
                                        lexicon=lambda: self.lexicon)
        return self._engine

    def search(self, q: str, *, lang: str | None = None, session: str | None = None,
               entity: str | None = None, type: str | None = None, year: str | int | None = None,
               meeting: str | None = None, symbol: str | None = None,
               sort: SortOrder = "relevance", limit: int = 10, page: int = 1,
               translate: bool = True) -> SearchResult:
        """Search every language at once; see `migdocs.search.syntax` for the query language.
        The filters mean the same as `lang:` `session:` ... inside the query. `translate`:
        also look each word up through its translations (the lexicon), when there is one."""
        from migdocs.search.compile import Filters

        filters = Filters(lang=languages.normalize(lang) if lang else None, session=session,
                          entity=entity, type=type, year=str(year) if year else None,
                          meeting=meeting, symbol=symbol)
        result = self.engine.search(q, filters=filters, sort=sort, limit=limit, page=page,
                                    translate=translate)
        result.notices += self._symbol_notices(q)
        return result

    def _symbol_notices(self, q: str) -> builtins.list[str]:
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
        from migdocs.search.compile import Filters

        document = self.get(symbol_or_id, with_pages=True)
        filters = Filters(lang=languages.normalize(lang) if lang else None)
        return self.engine.similar(document, filters=filters, limit=limit, page=page)

    # -- lexicon (cross-lingual search) -------------------------------------------------------
    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            from migdocs.search.translate import Lexicon

            self._lexicon = Lexicon(self.lexicon_path)
        return self._lexicon

    def lexicon_state(self) -> LexiconState:
        """current, stale (a translated document changed since it was built) or missing."""
        from migdocs.indexer.lexicon import fingerprint

        return self.lexicon.state(fingerprint(self.catalog))

    def lexicon_build(self, *, dictionaries: bool = True,
                      dictionary_folder: Path | None = None) -> BuildReport:
        """Learn the translation lexicon from every document held in several languages
        (and the FreeDict dictionaries, when installed and `dictionaries`; from
        `dictionary_folder` instead of /usr/share/dictd when given)."""
        from migdocs.indexer.lexicon import build

        with self.writing(repair=False):  # one builder at a time
            self._lexicon_close()
            return build(self.catalog, self.lexicon_path, use_dictionaries=dictionaries,
                         dictionaries=dictionary_folder)

    def lexicon_update(self) -> UpdateReport | None:
        """Add the translated documents ingested since the lexicon was learned, aligning
        only theirs (see `migdocs.indexer.lexicon_update`); `rebuild` says why it must be
        built whole instead. None when there is no lexicon."""
        from migdocs.indexer.lexicon_update import update

        with self.writing(repair=False):
            if not self.lexicon.exists:
                return None
            self._lexicon_close()
            return update(self.catalog, self.lexicon_path)

    def _lexicon_close(self) -> None:
        if self._lexicon is not None:
            self._lexicon.close()
            self._lexicon = None

    def _lexicon_after_ingest(self) -> UpdateReport | None:
        """The lexicon's update after an ingest, when it has one that the ingest made stale.
        A failure says so in the report: the ingest itself succeeded, and the lexicon is
        derived data (still used as it was)."""
        if not self.lexicon_path.exists() or self.lexicon_state() != "stale":
            return None
        from migdocs.indexer.lexicon_update import UpdateReport

        try:
            return self.lexicon_update()
        except Exception as e:  # noqa: BLE001 (any failure of derived data must not fail a finished ingest)
            return UpdateReport(error=str(e) or type(e).__name__,
                                updated=self.lexicon_state() == "current")

    def translations(self, word: str, *, language: str | None = None) -> WordTranslations:
        """The lexicon's translations of a word, read in `language` or in each language."""
        lang = languages.normalize(language) if language else None
        if lang is not None and lang not in languages.ANALYZED:
            raise UsageError(f"the lexicon has no {lang!r}; use ar, en, fr or es")
        if not word.strip():
            raise UsageError("give a word to look up, e.g. `migdocs lexicon show migrants`")
        from migdocs.search.translate import WordTranslations, readings

        return WordTranslations(word, self.lexicon_state(), self.lexicon.dictionaries,
                                self.lexicon.dictionary_state, readings(self.lexicon, word, lang))

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
            for session in doc.sessions or (None,):
                by_session.setdefault(session, []).append(doc)
        return Programme(meeting, by_session)

    def stats(self) -> dict:
        counts = self.catalog.counts()
        return {
            "home": str(self.home),
            **counts,
            "index_entries": self.backend.reader().entry_count(),
            "index_version": self.index_version,
            "engine": self.engine_setting,
            "by_language": self.catalog.count_by("language"),
            "by_type": self.catalog.count_by("type"),
            "by_format": self.catalog.count_by("format"),
        }

    def remove(self, symbol_or_id: str, *, language: str | None = None) -> builtins.list[str]:
        """Remove a document, or one language version of it. Returns what was removed."""
        with self.writing():
            return self._remove(symbol_or_id, language=language)

    def _remove(self, symbol_or_id: str, *, language: str | None) -> builtins.list[str]:
        document = self.get(symbol_or_id)
        lang = languages.normalize(language) if language else None
        if lang:
            document.require_version(lang)
        from migdocs.indexer.entries import document_entries

        with self.backend.writer() as writer, self.catalog.transaction():
            if lang:
                self.catalog.delete_version(document.id, lang)
                removed = [f"{document.symbol or document.id} [{lang}]"]
                remaining = self.catalog.document(document.id, with_pages=True)
                assert remaining is not None
                writer.replace(document.id, document_entries(remaining))
            else:
                self.catalog.delete_document(document.id)
                writer.remove(document.id)
                removed = [document.symbol or document.id]
        self.store.prune(keep=self.catalog.file_hashes())
        return removed

    def check(self) -> builtins.list[CheckProblem]:
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
        indexed = self.backend.reader().summary()
        expected_pages = self.catalog.indexable_pages()
        for doc_id in sorted(self.catalog.document_ids()):
            expected = expected_pages.get(doc_id, 0)
            found = indexed.pop(doc_id, {"meta": 0, "page": 0})
            if found["meta"] != 1 or found["page"] != expected:
                problems.append(CheckProblem(
                    f"{doc_id}: index has {found['page']} page(s) and {found['meta']} record(s), "
                    f"catalog has {expected} page(s)", "run `migdocs reindex`"))
        for doc_id in sorted(indexed):
            problems.append(CheckProblem(f"{doc_id}: in the index but not in the catalog",
                                         "run `migdocs reindex`"))
        if self.catalog.get_meta("index_version") != self.index_version:
            problems.append(CheckProblem("index format differs from this migdocs",
                                         "run `migdocs reindex`"))
        return problems


def open(home: str | os.PathLike[str] | None = None, *,
         wait: float = DEFAULT_WAIT, notify: Callable[[str], None] | None = None) -> Repository:
    """Open (creating if needed) the repository at `home`, $MIGDOCS_HOME or the user folder.
    `wait`: seconds a write waits for another process's write (then BusyError). `notify`
    hears what the user should know (such as an index rebuild); without it they are kept in
    `Repository.notices`."""
    path = resolve_home(home)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} is a file, not a folder; give --home a folder")
    return Repository(confine(path) if path.exists() else path, wait=wait, notify=notify)
