"""sphinxql's own ways to a document set, on the live cluster: the per-word fallback (one row
per document and language set, taken when a `GROUP_CONCAT` list does not have the count
`COUNT(*)` gives) and the bounded doc_key -> id cache answer exactly as the usual path."""

from __future__ import annotations

from pathlib import Path

import pytest

from migdocs.indexer.analysis import analyze
from migdocs.search import query as q
from migdocs.search import sphinxql
from tests.test_backends import DOCS, document, en

QUERIES: list[q.Query | None] = [
    None, en("migrant"), en("forces"), q.Term("title_en", "migrant"),
    q.Or((en("refugees"), en("weapons"))), q.Term("type", "paper"),
    q.Term("text_other", analyze("Migranten", "other")[0]),  # a language outside the six bits
]


@pytest.fixture
def backend(sphinx_cluster, tmp_path: Path):
    b = sphinxql.open_backend(str(sphinx_cluster.url), tmp_path)
    b.create()
    with b.writer() as writer:
        for doc, entries in DOCS.items():
            writer.replace(doc, entries)
        writer.replace("X/1", document("X/1", "Report", [("de", 1, "Migranten und Arbeit"),
                                                         ("en", 1, "migrant work")]))
    yield b
    b.close()


def test_the_per_row_fallback_answers_as_the_grouped_lists(backend: sphinxql.SphinxBackend) -> None:
    reader = backend.reader()
    for query in QUERIES:
        grouped = reader.documents(query)
        assert grouped, query
        assert reader._documents_by_row(query, None) == grouped, query
    by_row = reader._documents_by_row(en("migrant"), q.Term("type", "paper"))
    assert by_row == reader.documents(en("migrant"), filter=q.Term("type", "paper")) == {
        "A/69/767": frozenset({"en"})}


def test_the_doc_id_cache_is_bounded_and_refilled_from_the_engine(
        backend: sphinxql.SphinxBackend, sphinx_cluster, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    expected = {query_text: backend.reader().documents(query)
                for query_text, query in (("all", None), ("migrant", en("migrant")))}
    monkeypatch.setattr(sphinxql, "MAX_CACHED_IDS", 2)
    fresh = sphinxql.open_backend(str(sphinx_cluster.url), tmp_path / "other")  # another process
    try:
        assert fresh._doc_ids == {}
        assert fresh.reader().documents(en("migrant")) == expected["migrant"]  # 3 documents
        assert fresh.reader().documents(None) == expected["all"]  # 4: emptied, refilled
        assert len(fresh._doc_ids) == 4
        fresh._remember("Y/1")  # past the bound: emptied first
        assert list(fresh._doc_ids.values()) == ["Y/1"]
    finally:
        fresh.close()
