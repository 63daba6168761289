"""Rebuild the search index (and the did-you-mean vocabulary) from the catalog alone.

Analysis runs on every core: documents go to worker processes in chunks, their entries come
back and are written by this process, at most IN_FLIGHT chunks at a time (flat memory).
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from migdocs.indexer.analysis import spelling_words
from migdocs.indexer.entries import Entry, document_entries
from migdocs.repo.catalog import Catalog
from migdocs.repo.model import Document
from migdocs.search.backend import Backend

CHUNK = 32  # documents per task
IN_FLIGHT = 4  # tasks per worker

_Analysed = list[tuple[str, list[Entry], Counter[str]]]


def _analyse(documents: list[Document]) -> _Analysed:
    """Entries, and the did-you-mean words of each text (version, titles) as at ingest."""
    out = []
    for document in documents:
        words: Counter[str] = Counter()
        for version in document.versions:
            words.update(spelling_words("\n".join(p.text for p in version.pages)))
        titles = [document.title] + [v.title for v in document.versions]
        words.update(spelling_words("\n".join(filter(None, titles))))
        out.append((document.id, document_entries(document), words))
    return out


def _chunks(catalog: Catalog) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for doc_id in catalog.document_ids():
        document = catalog.document(doc_id, with_pages=True)
        if document is not None:
            chunk.append(document)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _analysed(catalog: Catalog, workers: int) -> Iterator[_Analysed]:
    chunks = _chunks(catalog)
    if workers <= 1:
        yield from map(_analyse, chunks)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        in_flight: deque[Future[_Analysed]] = deque()
        for chunk in chunks:
            in_flight.append(pool.submit(_analyse, chunk))
            if len(in_flight) >= workers * IN_FLIGHT:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def rebuild(catalog: Catalog, backend: Backend, *, workers: int | None = None) -> int:
    """Build a new index from the catalog and swap it in; the number of documents indexed."""
    count = 0
    words: Counter[str] = Counter()
    with backend.rebuilding() as writer:
        for analysed in _analysed(catalog, workers or os.cpu_count() or 1):
            for doc_id, entries, found in analysed:
                writer.replace(doc_id, entries)
                words.update(found)
                count += 1
    with catalog.transaction():
        catalog.clear_words()
        catalog.add_words(words)
    return count
