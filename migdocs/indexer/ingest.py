"""Ingest: catalogs and files -> extracted, language-checked pages -> catalog + index.

Discovery and change detection run here; extraction and language detection run in worker
processes (both cores); the catalog and the index are written by this process only.
Every problem with one file is recorded and the rest goes on.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migdocs.errors import CatalogFileError, ExtractionError, FileChangedError
from migdocs.indexer import extract, language, limits, naming, ocr
from migdocs.indexer.analysis import spelling_words
from migdocs.indexer.entries import PageTerms, analyse_page, document_entries
from migdocs.indexer.extract import PdfEngine
from migdocs.indexer.options import OcrMode
from migdocs.repo import catalogfile, languages, symbols
from migdocs.repo.catalog import Catalog
from migdocs.repo.catalogfile import CatalogEntry
from migdocs.repo.model import (
    FLAG_LANGUAGE_MISMATCH,
    FLAG_MIXED_LANGUAGE,
    FLAG_NO_FILE,
    FLAG_NO_TEXT_LAYER,
    FLAG_OCR,
    Document,
    LanguageVersion,
    Page,
    StoredFile,
)
from migdocs.repo.names import printable

if TYPE_CHECKING:
    from migdocs.indexer.lexicon_update import UpdateReport
from migdocs.repo.store import FileStore, sha256_of
from migdocs.search.backend import Backend

UNDETERMINED = "und"
IN_FLIGHT_PER_WORKER = 8
WRITE_AFTER = 16  # units without touching a document before its entries are written
Progress = Callable[[int, int], None]


@dataclass
class Problem:
    path: str
    reason: str
    fix: str = ""


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # ids of documents added or changed
    #: The translation lexicon's update, when the ingest made the home's lexicon stale.
    lexicon: UpdateReport | None = None

    @property
    def failed(self) -> int:
        return len(self.failures)


@dataclass
class _File:
    path: Path
    sha256: str
    language: str | None  # declared (catalog or file name)
    declared_by: str = "the catalog"
    changed: bool = True


@dataclass
class _Unit:
    """One document's worth of work: a catalog entry, or one file without a record."""
    entry: CatalogEntry | None
    files: list[_File]
    catalog_path: Path | None = None


@dataclass
class _Extracted:
    format: str
    pages: list[str]
    page_languages: list[str | None]
    detection: language.Detection | None
    flags: list[str]
    declared_language: str | None
    title: str | None
    #: Each page's terms, analysed here in the worker (the main process only writes them).
    page_terms: list[PageTerms | None] = field(default_factory=list)
    words: set[str] = field(default_factory=set)  # the did-you-mean vocabulary of the text
    warnings: list[str] = field(default_factory=list)  # read, but the user should know how
    script: tuple[float, int] = (0.0, 0)  # share of Arabic letters, letters: counted here
    ocr_problem: str | None = None  # why pages without text were not read by OCR


@dataclass(frozen=True)
class _Job:
    path: Path
    engine: PdfEngine
    password: str | None
    declared: str | None = None  # the language the catalog or file name gives
    ocr: OcrMode = "auto"


def _extract_job(job: _Job) -> _Extracted | ExtractionError:
    declared = job.declared
    try:
        result = extract.pages(job.path, engine=job.engine, password=job.password)
    except ExtractionError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - an engine bug must not stop the batch: report it per file
        return ExtractionError(f"unexpected {type(exc).__name__} while reading it: {exc}",
                               "report this file to the migdocs maintainers")
    try:
        ocr_problem = ocr.apply(result, job.path, mode=job.ocr, declared=job.declared,
                                password=job.password)
    except ExtractionError as exc:  # OCR failed: the file is still catalogued, unread
        ocr_problem = exc.reason
    page_languages, detection = language.detect_pages(result.pages)
    fallback = (detection.language if detection else None) or declared or result.declared_language
    page_terms: list[PageTerms | None] = []
    words: set[str] = set()
    for text, page_language in zip(result.pages, page_languages, strict=True):
        analysed = page_language or fallback
        page_terms.append(analyse_page(text, analysed) if analysed and text.strip() else None)
        words |= spelling_words(text)
    return _Extracted(result.format, result.pages, page_languages, detection, result.flags,
                      result.declared_language, result.title, page_terms, words, result.warnings,
                      language.script_share("\n".join(result.pages)), ocr_problem)


def _run(jobs: list[_Job], workers: int, *,
         work: Callable[[_Job], _Extracted | ExtractionError] = _extract_job,
         ) -> Generator[_Extracted | ExtractionError, None, None]:
    """Results in job order. When an engine crashes a worker (PDFium is C code), the pool is
    restarted and the job it died on is retried alone: if it crashes again, only that file
    fails."""
    if workers <= 1 or len(jobs) <= 1:
        yield from map(work, jobs)
        return
    start = 0  # the next result to hand out
    while start < len(jobs):
        with ProcessPoolExecutor(max_workers=workers) as pool:
            in_flight: deque[Future] = deque()
            submitted = start
            try:
                while start < len(jobs):
                    # a bounded window: memory stays flat however large the batch
                    while submitted < len(jobs) and len(in_flight) < workers * IN_FLIGHT_PER_WORKER:
                        in_flight.append(pool.submit(work, jobs[submitted]))
                        submitted += 1
                    result = in_flight.popleft().result()
                    start += 1
                    yield result
            except BrokenProcessPool:
                pass
        if start < len(jobs):
            yield _isolated(jobs[start], work)
            start += 1


def _isolated(job: _Job,
              work: Callable[[_Job], _Extracted | ExtractionError]) -> _Extracted | ExtractionError:
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(work, job).result()
        except BrokenProcessPool:
            return ExtractionError("the text extractor crashed on this file",
                                   "try `--pdf-engine pypdf`, or re-save the file and ingest it again")


class Ingester:
    def __init__(self, catalog: Catalog, store: FileStore, backend: Backend) -> None:
        self.catalog = catalog
        self.store = store
        self.backend = backend
        self.report = IngestReport()
        self._superseded: list[str] = []  # uncatalogued documents a catalog record took over
        #: Page terms made by the workers, by document, until its entries are written.
        self._analysed: dict[str, dict[tuple[str, int], PageTerms]] = {}
        self._words: Counter[str] = Counter()  # did-you-mean vocabulary: texts per word

    # -- discovery ------------------------------------------------------------------------
    def _discover(self, paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
        catalogs: list[Path] = []
        files: list[Path] = []
        for path in paths:
            if not path.exists() and not path.is_symlink():
                self._fail(path, "no such file or folder", "check the path")
            elif path.is_dir():
                self._walk(path, catalogs, files)
            elif catalogfile.is_catalog_file(path):
                catalogs.append(path)
            else:
                files.append(path)
        return catalogs, files

    def _walk(self, root: Path, catalogs: list[Path], files: list[Path]) -> None:
        real_root = root.resolve()

        def leaves_root(path: Path) -> bool:
            if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                self._fail(path, f"symlink to {path.resolve()}, outside the ingested folder",
                           "copy the file into the folder, or ingest its real location")
                return True
            return False

        home = self.store.root.parent.resolve()
        for folder, dirs, names in os.walk(root):  # does not follow symlinked folders
            # never the repository itself (a home kept inside the folder being ingested)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                             and (Path(folder) / d).resolve() != home)
            for name in dirs:
                leaves_root(Path(folder) / name)
            for name in sorted(names):
                path = Path(folder) / name
                if name.startswith(".") or leaves_root(path):
                    continue
                if catalogfile.is_catalog_file(path):
                    catalogs.append(path)
                elif path.suffix.lower() in extract.SUFFIX_FORMATS:
                    files.append(path)
                else:
                    self.report.ignored.append(str(path))

    def _hash(self, path: Path, where: object) -> str | None:
        try:
            limits.check_size(path)  # before reading it at all
            return sha256_of(path)
        except ExtractionError as exc:
            self._fail(where, exc.reason, exc.fix)
            return None
        except OSError as exc:
            fix = ("it is a link to a file that is gone: restore the file or remove the link"
                   if isinstance(exc, FileNotFoundError) else "check its permissions")
            self._fail(where, f"cannot read {path.name} ({exc.strerror})", fix)
            return None

    def _units(self, paths: Iterable[Path]) -> list[_Unit]:
        catalogs, found = self._discover(paths)
        units: list[_Unit] = []
        claimed: set[Path] = set()
        refused_folders: list[Path] = []
        for catalog_path in catalogs:
            try:
                loaded = catalogfile.load(catalog_path)
            except CatalogFileError as exc:
                self._fail(catalog_path, exc.message, "")
                refused_folders.append(catalog_path.parent.resolve())
                continue
            if loaded.meeting:
                self.catalog.put_meeting(loaded.meeting)
            folder = catalog_path.parent.resolve()
            for entry in loaded.entries:
                unit = _Unit(entry, [], catalog_path)
                for lang, relative in entry.files.items():
                    where = f"{catalog_path}:{entry.line}"
                    target = (folder / relative).resolve()
                    if not target.is_relative_to(folder):
                        self._fail(where, f"file {relative} leaves the catalog's folder "
                                   "(path traversal); refused",
                                   "keep document files inside the catalog's folder")
                        continue
                    claimed.add(target)
                    if not target.is_file():
                        self._fail(where, f"file {relative} not found",
                                   "fix the path in the catalog or add the file")
                        continue
                    sha = self._hash(target, where)
                    if sha:
                        unit.files.append(_File(catalog_path.parent / relative, sha, lang))
                units.append(unit)
        for path in found:
            real = path.resolve()
            if real in claimed or any(real.is_relative_to(f) for f in refused_folders):
                continue
            sha = self._hash(path, path)
            if sha:
                _, named = symbols.from_filename(path.name)
                units.append(_Unit(None, [_File(path, sha, named, "the file name")]))
        return units

    # -- change detection -------------------------------------------------------------------
    def _mark_unchanged(self, unit: _Unit) -> None:
        for f in unit.files:
            if unit.entry is not None and f.language is not None:
                same = self.catalog.version_hash(unit.entry.document.id, f.language) == f.sha256
            else:
                same = self.catalog.version_with_file(f.sha256, printable(f.path.name)) is not None
            f.changed = not (same and self.store.has(f.sha256))

    # -- the run ----------------------------------------------------------------------------
    def run(self, paths: Iterable[Path], *, engine: PdfEngine = "auto", password: str | None = None,
            workers: int | None = None, progress: Progress | None = None,
            ocr_mode: OcrMode = "auto") -> IngestReport:
        units = self._units(paths)
        for unit in units:
            self._mark_unchanged(unit)
        jobs = [_Job(f.path, engine, password, f.language, ocr_mode)
                for u in units for f in u.files if f.changed]
        results = _run(jobs, workers or os.cpu_count() or 1)
        total, done = len(units), 0
        # Documents to (re)index, in the order last touched. A document's entries are
        # written once all its units are in (files of one document are neighbours), when it
        # has not been touched for WRITE_AFTER units: memory stays flat however large the
        # batch. A document touched again after that is rewritten after the commit (an
        # index writer cannot replace what it added itself).
        pending: dict[str, int] = {}
        touched_ids: dict[str, None] = {}  # for the report, in order
        written: set[str] = set()
        late: dict[str, None] = {}
        # closing: when a unit fails the run (disk full), the worker pool shuts down now, not
        # at interpreter exit (where it printed a traceback)
        with self.backend.writer() as writer, closing(results):
            self.catalog.set_meta("index_dirty", "1")
            for unit in units:
                extracted = {id(f): next(results) for f in unit.files if f.changed}
                document = self._apply_or_skip(unit, extracted)
                ids = [document.id] if document is not None else []
                ids += self._superseded
                self._superseded.clear()
                for doc_id in ids:
                    touched_ids[doc_id] = None
                    if doc_id in written:
                        late[doc_id] = None
                    pending.pop(doc_id, None)
                    pending[doc_id] = done
                done += 1
                for doc_id, touched in list(pending.items()):
                    if done - touched < WRITE_AFTER:
                        break
                    del pending[doc_id]
                    self._write(writer, doc_id)
                    written.add(doc_id)
                if progress:
                    progress(done, total)
            for doc_id in pending:
                self._write(writer, doc_id)
        if late:
            with self.backend.writer() as writer:
                for doc_id in late:
                    self._write(writer, doc_id)
        if self._words:
            with self.catalog.transaction():
                self.catalog.add_words(self._words)
        self.catalog.set_meta("index_dirty", "0")
        self.report.documents = [d for d in touched_ids if self.catalog.resolve(d) is not None]
        if self.report.updated:
            self.store.prune(keep=self.catalog.file_hashes())
        return self.report

    def _write(self, writer: Any, doc_id: str) -> None:
        stored = self.catalog.document(doc_id, with_pages=True)
        analysed = self._analysed.pop(doc_id, None)
        if stored is not None:
            writer.replace(doc_id, document_entries(stored, analysed))
            titles = [stored.title] + [v.title for v in stored.versions]
            self._learn_words([], spelling_words("\n".join(filter(None, titles))))
        else:  # a catalog record took its only file over
            writer.remove(doc_id)

    def _learn_words(self, results: Iterable[_Extracted | ExtractionError],
                     words: set[str] | None = None) -> None:
        """Count the words of these texts for the did-you-mean vocabulary (written to the
        catalog at the end of the run: one upsert per distinct word, not per text)."""
        if words:
            self._words.update(words)
        for result in results:
            if isinstance(result, _Extracted):
                self._words.update(result.words)

    def _apply_or_skip(self, unit: _Unit, extracted: dict) -> Document | None:
        """Write one unit in one transaction; a file that changed under us fails the unit
        alone (rolled back, counted as failed, not as stored) and the run goes on."""
        counts = (self.report.added, self.report.updated, self.report.unchanged,
                  len(self.report.warnings))
        try:
            with self.catalog.transaction():
                document = self._apply(unit, extracted)
                self._learn_words(extracted.values())
                return document
        except FileChangedError as exc:
            (self.report.added, self.report.updated, self.report.unchanged) = counts[:3]
            del self.report.warnings[counts[3]:]
            self._fail(exc.path, "the file changed while it was being read (still being saved "
                       "or copied?); nothing of it was stored", "run the ingest again when it is complete")
            return None

    def _apply(self, unit: _Unit, extracted: dict) -> Document | None:
        """Write one unit to the catalog; the document to reindex, or None when unchanged."""
        if unit.entry is not None:
            return self._apply_entry(unit, extracted)
        f = unit.files[0]
        if not f.changed:
            self.report.unchanged += 1
            return None
        result = extracted[id(f)]
        if isinstance(result, ExtractionError):
            self._fail(f.path, result.reason, result.fix)
            return None
        symbol = symbols.from_filename(f.path.name)[0] or symbols.find_in_text(
            result.pages[0] if result.pages else "")
        lang = f.language
        if lang is None and result.declared_language:
            lang, f.declared_by = languages.normalize(result.declared_language), "the file itself"
        if lang is None:
            lang = result.detection.language if result.detection else UNDETERMINED
        f.language = lang
        document = naming.document_for_file(
            self.catalog, printable(f.path.name), f.sha256, language=f.language, symbol=symbol,
            metadata_title=result.title, first_page=result.pages[0] if result.pages else "",
            source=printable(str(f.path)))
        self._put_file_version(document.id, f, result, title=None, where=str(f.path))
        return document

    def _apply_entry(self, unit: _Unit, extracted: dict) -> Document | None:
        entry = unit.entry
        assert entry is not None
        doc = entry.document
        where = f"{unit.catalog_path}:{entry.line}"
        recorded = self.catalog.record_hash(doc.id)
        metadata_changed = recorded != entry.record_hash
        is_new = recorded is None and self.catalog.resolve(doc.id) is None
        if metadata_changed:
            self.catalog.put_document(doc, record_hash=entry.record_hash,
                                      source=str(unit.catalog_path))
        changed = metadata_changed
        for f in unit.files:
            title = entry.titles.get(f.language) if f.language else None
            if not f.changed:
                if metadata_changed and not is_new:
                    self.report.updated += 1
                    self._retitle(doc.id, f.language, title)
                else:
                    self.report.unchanged += 1
                continue
            result = extracted[id(f)]
            if isinstance(result, ExtractionError):
                self._fail(f"{f.path} ({where})", result.reason, result.fix)
                continue
            self._put_file_version(doc.id, f, result, title=title,
                                   where=str(f.path))
            self._supersede(f, keep=doc.id)
            changed = True
        existing = {v.language for v in self.catalog.versions(doc.id)}
        for lang in entry.listed_languages:
            if lang not in existing:
                self.catalog.put_version(doc.id, LanguageVersion(
                    lang, title=entry.titles.get(lang), flags=[FLAG_NO_FILE]))
                changed = True
        if not unit.files:
            if is_new:
                self.report.added += 1
            elif changed:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        return doc if changed else None

    def _supersede(self, f: _File, *, keep: str) -> None:
        """A catalog record wins: a file ingested earlier without one (its title and id
        derived) now belongs to the record, and the derived document gives it up."""
        for doc_id, lang in self.catalog.uncatalogued_versions_of(f.sha256, f.path.name):
            if doc_id == keep:
                continue
            self.catalog.delete_version(doc_id, lang)
            if not self.catalog.versions(doc_id):
                self.catalog.delete_document(doc_id)
            self._superseded.append(doc_id)

    def _retitle(self, doc_id: str, lang: str | None, title: str | None) -> None:
        for version in self.catalog.versions(doc_id):
            if version.language == lang and version.title != title:
                version.title = title
                self.catalog.put_version(doc_id, version, keep_pages=True)

    def _put_file_version(self, doc_id: str, f: _File, result: _Extracted, *, title: str | None,
                          where: str) -> None:
        lang = f.language or UNDETERMINED
        old = self.catalog.version_hash(doc_id, lang)
        flags = list(result.flags)
        detection = result.detection
        for warning in result.warnings:
            self._warn(where, warning, "")
        if not result.script[1]:  # no letters on any page
            flags.append(FLAG_NO_TEXT_LAYER)
            fix = "OCR it to a PDF with text and ingest it again"
            if result.ocr_problem:
                fix = f"{result.ocr_problem}: {ocr.INSTALL}"
            elif FLAG_OCR in flags:
                fix = "OCR found no text either: check that the scan is legible"
            self._warn(where, f"no text layer ({len(result.pages)} page(s) without text, a scan?): "
                       "catalogued but not searchable", fix)
        contradiction = language.contradicts(lang, "\n".join(result.pages), detection,
                                             script=result.script)
        if lang != UNDETERMINED and contradiction:
            flags.append(FLAG_LANGUAGE_MISMATCH)
            self._warn(where, f"labelled {_name(lang)} by {f.declared_by} but the text is "
                       f"{contradiction}; kept as {_name(lang)} and flagged, its text analysed "
                       "in the language detected", "correct the label if it is wrong")
        distinct = {x for x in result.page_languages if x}
        if len(distinct) > 1:
            flags.append(FLAG_MIXED_LANGUAGE)
        self.store.put(f.path, f.sha256)
        pages = [Page(n, text, page_lang or (detection.language if detection else None))
                 for n, (text, page_lang)
                 in enumerate(zip(result.pages, result.page_languages, strict=True), 1)]
        analysed = self._analysed.setdefault(doc_id, {})
        for page, terms in zip(pages, result.page_terms, strict=True):
            if terms is not None:
                analysed[(lang, page.number)] = terms
        self.catalog.put_version(doc_id, LanguageVersion(
            language=lang, title=title,
            file=StoredFile(f.sha256, printable(f.path.name), result.format, f.path.stat().st_size),
            pages=pages, detected_language=detection.language if detection else None,
            language_confidence=detection.confidence if detection else None,
            flags=flags, page_count=len(pages)))
        if old is None:
            self.report.added += 1
        else:
            self.report.updated += 1
            if old != f.sha256:
                self._warn(where, f"{doc_id} [{lang}] already had another file; replaced it "
                           "with this one", "")

    def _fail(self, path: object, reason: str, fix: str) -> None:
        self.report.failures.append(Problem(str(path), reason, fix))

    def _warn(self, path: object, reason: str, fix: str) -> None:
        self.report.warnings.append(Problem(str(path), reason, fix))


def _name(code: str) -> str:
    return languages.NAMES.get(code, code)
