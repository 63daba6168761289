"""Which document a file without a catalog record belongs to, and what it is called.

A UN symbol (from the file name or the first line, `symbols.un_symbol`) names it; otherwise
an earlier file of the same name, or the same file name in another language
(`paper_EN.pdf` beside `paper_FR.pdf`); otherwise a new document with an id from its title
(`migdocs.indexer.titles`), never a made-up symbol.
"""

from __future__ import annotations

from migdocs.indexer import titles
from migdocs.repo import catalogfile, symbols
from migdocs.repo.catalog import Catalog
from migdocs.repo.model import Document

ID_CHARS = 60


def document_for_file(catalog: Catalog, file_name: str, sha256: str, *, language: str | None,
                      symbol: str | None, metadata_title: str | None, first_page: str,
                      source: str) -> Document:
    """The document to put this file's version in, created (and stored) when new."""
    doc_id = catalog.resolve(symbol) if symbol else _sibling(catalog, file_name, language)
    if doc_id is not None:
        found = catalog.document(doc_id)
        if found is not None:
            return found
    title, title_source = titles.derive(metadata=metadata_title, first_page=first_page,
                                        file_name=file_name)
    if symbol and title_source == "file-name":
        title = title_source = None  # `A 69 720` says nothing the symbol does not
    document = Document(id=symbol or _new_id(catalog, title, file_name, sha256), symbol=symbol,
                        title=title, type="background", title_source=title_source)
    catalog.put_document(document, record_hash=None, source=source)
    return document


def _new_id(catalog: Catalog, title: str | None, file_name: str, sha256: str) -> str:
    """`international-covenant-on-civil-and-political-rights`; `-2`, `-3` ... when taken. An
    Arabic title has no ASCII letters: then the file name's."""
    stem = symbols.split_filename(file_name)[0]
    base = (catalogfile.slug(title or "", limit=ID_CHARS) or catalogfile.slug(stem, limit=ID_CHARS)
            or sha256[:12])
    doc_id, n = base, 1
    while catalog.resolve(doc_id) is not None:
        n += 1
        doc_id = f"{base}-{n}"
    return doc_id


def _sibling(catalog: Catalog, file_name: str, language: str | None) -> str | None:
    """The document of an earlier file of this name, or of the same name in another language
    (without a version in this file's language yet)."""
    same = catalog.document_with_file_name(file_name)
    if same is not None:
        return same
    stem, named_language = symbols.split_filename(file_name)
    if named_language is None:
        return None
    for doc_id, lang, name in catalog.uncatalogued_files_like(stem):
        if symbols.split_filename(name)[0] == stem and lang != language:
            return doc_id
    return None
