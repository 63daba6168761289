"""The Whoosh index: the one module that owns Whoosh. Derived from the catalog, rebuildable.

Granularity: one Whoosh document per page of every language version (so hits carry page
numbers) plus one `meta` document per catalog document (symbol, titles, entity: what makes
metadata-only records findable). `add_or_update(document)` replaces all of a document's
entries in one go.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.index import LockError
from whoosh.writing import IndexWriter

from migdocs.errors import IndexBusyError
from migdocs.indexer.analysis import (
    ANALYSIS_VERSION,
    ANALYZERS,
    arabic_analyzer,
    english_analyzer,
    spelling_analyzer,
)
from migdocs.repo import symbols
from migdocs.repo.languages import ANALYZED, field_language
from migdocs.repo.model import Document

SCHEMA_VERSION = 3
#: Recorded in the catalog; a different value makes the repository rebuild the index.
INDEX_VERSION = f"schema-{SCHEMA_VERSION}/analysis-{ANALYSIS_VERSION}"
FIELD_LANGUAGES: tuple[str, ...] = (*ANALYZED, "other")


def text_field(language: str) -> str:
    return f"text_{field_language(language)}"


def title_field(language: str) -> str:
    return f"title_{field_language(language)}"


def schema() -> Schema:
    """Every field of the index, in one place."""
    fields = {
        "id": ID(unique=True, stored=True),
        "doc_id": ID(stored=True, sortable=True),  # a column: docnum -> document, fast
        "kind": ID(stored=True),  # "meta" | "page"
        "symbol": ID(stored=True),  # lookup key (symbols.key)
        "language": KEYWORD(stored=True, commas=True, scorable=False),
        "page_language": ID(stored=True),  # the language the page text was analysed in
        "page": NUMERIC(stored=True),
        "sessions": KEYWORD(stored=True, commas=True, lowercase=True),
        "entity": KEYWORD(stored=True, commas=True, lowercase=True),
        "type": ID(stored=True),
        "meeting": KEYWORD(stored=True, lowercase=True, scorable=False),
        "year": ID(stored=True),
        "date": ID(stored=True, sortable=True),
        "entity_name": TEXT(analyzer=english_analyzer()),
        "text_ar_exact": TEXT(analyzer=arabic_analyzer(stem=False)),
        "title_ar_exact": TEXT(analyzer=arabic_analyzer(stem=False)),
        # Words as written (case-folded, not stemmed): the vocabulary for did-you-mean.
        "spell": TEXT(analyzer=spelling_analyzer(), phrase=False),
    }
    for language in FIELD_LANGUAGES:
        fields[f"text_{language}"] = TEXT(analyzer=ANALYZERS[language]())
        fields[f"title_{language}"] = TEXT(analyzer=ANALYZERS[language](), field_boost=2.0)
    return Schema(**fields)


def _keywords(document: Document) -> dict:
    return {
        "doc_id": document.id,
        "symbol": symbols.key(document.symbol) if document.symbol else "",
        "sessions": ",".join(document.sessions),
        "entity": document.entity or "",
        "type": document.type,
        "meeting": document.meeting or "",
        "year": document.year or "",
        "date": document.date or "",
    }


def entries(document: Document) -> Iterator[dict]:
    """The Whoosh documents for one catalog document with its versions and pages."""
    keywords = _keywords(document)
    meta = {**keywords, "id": f"{document.id}#meta", "kind": "meta", "page": 0,
            "language": ",".join(v.language for v in document.versions),
            "entity_name": " ".join(filter(None, [document.entity, document.entity_name]))}
    titles: dict[str, list[str]] = {}
    if document.title:
        titles.setdefault(_title_language(document), []).append(document.title)
    for version in document.versions:
        if version.title:
            titles.setdefault(version.language, []).append(version.title)
    meta["spell"] = "\n".join(t for texts in titles.values() for t in texts)
    for language, texts in titles.items():
        meta[title_field(language)] = "\n".join(texts)
        if field_language(language) == "ar":
            meta["title_ar_exact"] = "\n".join(texts)
    yield meta
    for version in document.versions:
        for page in version.pages:
            if not page.text.strip():
                continue
            language = page.language or version.detected_language or version.language
            entry = {**keywords, "id": f"{document.id}#{version.language}#{page.number}",
                     "kind": "page", "language": version.language, "page_language": language,
                     "page": page.number, text_field(language): page.text, "spell": page.text}
            if field_language(language) == "ar":
                entry["text_ar_exact"] = page.text
            yield entry


def _title_language(document: Document) -> str:
    """Catalog titles are written in English unless the only version says otherwise."""
    if len(document.versions) == 1:
        return document.versions[0].language
    return "en"


class Index:
    """A Whoosh index in `path`, created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not whoosh_index.exists_in(path):
            path.mkdir(parents=True, exist_ok=True)
            whoosh_index.create_in(path, schema())
        self.ix = whoosh_index.open_dir(path)

    @classmethod
    def recreate(cls, path: Path) -> Index:
        if path.exists():
            shutil.rmtree(path)
        return cls(path)

    @contextmanager
    def writer(self) -> Iterator[IndexWriter]:
        """Commit on success; cancel on error and re-raise. One writer at a time."""
        try:
            writer = self.ix.writer(limitmb=256)
        except LockError as exc:
            raise IndexBusyError(
                f"{self.path}: another migdocs process is writing to this index; "
                "wait for it to finish and run the command again"
            ) from exc
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    @staticmethod
    def add_or_update(writer: IndexWriter, document: Document) -> None:
        writer.delete_by_term("doc_id", document.id)
        for entry in entries(document):
            writer.add_document(**entry)

    @staticmethod
    def remove(writer: IndexWriter, doc_id: str) -> None:
        writer.delete_by_term("doc_id", doc_id)

    def summary(self) -> dict[str, dict[str, int]]:
        """doc_id -> {"meta": n, "page": n} as stored, for `check`."""
        out: dict[str, dict[str, int]] = {}
        with self.ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                counts = out.setdefault(fields["doc_id"], {"meta": 0, "page": 0})
                counts[fields["kind"]] += 1
        return out

    def doc_count(self) -> int:
        return self.ix.doc_count()
