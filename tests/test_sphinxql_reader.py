"""sphinxql's own ways to a document set, on the live cluster: the per-word fallback (one row
per document and language set, taken when a `GROUP_CONCAT` list does not have the count
`COUNT(*)` gives) answers exactly as the usual path; the home's document numbers (what the
engine groups by) are shared by processes and never given twice."""

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


def test_documents_numbered_by_another_process_are_named(
        backend: sphinxql.SphinxBackend, sphinx_cluster, tmp_path: Path) -> None:
    other = sphinxql.open_backend(str(sphinx_cluster.url), tmp_path)  # another process, same home
    try:
        assert other.reader().documents(en("migrant")) == backend.reader().documents(en("migrant"))
        with backend.writer() as writer:  # numbers Y/1 after `other` loaded the numbers
            writer.replace("Y/1", document("Y/1", "Note", [("en", 1, "migrant note")]))
        assert "Y/1" in other.reader().documents(en("migrant"))
        assert other.reader().top(en("note"), documents=["Y/1"])[0].doc_id == "Y/1"
    finally:
        other.close()


def test_a_cancelled_writer_never_gives_a_sent_number_twice(
        backend: sphinxql.SphinxBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sphinxql, "FLUSH_ROWS", 1)  # every document sent as it comes
    with pytest.raises(RuntimeError), backend.writer() as writer:
        writer.replace("Z/1", document("Z/1", "Sent", [("en", 1, "migrant sent")]))
        raise RuntimeError("cancelled after Z/1 reached the engine")
    with backend.writer() as writer:
        writer.replace("Z/2", document("Z/2", "Next", [("en", 1, "migrant next")]))
    numbers = backend.numbers.numbers()
    assert numbers["Z/1"] != numbers["Z/2"]
    found = backend.reader().documents(en("migrant"))
    assert {"Z/1", "Z/2"} <= found.keys()


def test_an_engine_index_numbered_by_another_home_is_rebuilt(
        backend: sphinxql.SphinxBackend, sphinx_cluster, tmp_path: Path) -> None:
    assert backend.status().state == "ready"
    (tmp_path / "stranger").mkdir()
    stranger = sphinxql.open_backend(str(sphinx_cluster.url), tmp_path / "stranger")
    try:
        status = stranger.status()
        assert status.state == "damaged" and "numbering" in (status.detail or "")
    finally:
        stranger.close()


def test_a_removal_by_another_process_is_counted(
        backend: sphinxql.SphinxBackend, sphinx_cluster, tmp_path: Path) -> None:
    """Readers keep the number of entries until any process writes (removals included)."""
    other = sphinxql.open_backend(str(sphinx_cluster.url), tmp_path)
    try:
        before = other.reader().entry_count()
        assert other.reader().entry_count() == before  # kept
        with backend.writer() as writer:
            writer.remove("X/1")  # its two pages and its record
        assert other.reader().entry_count() == before - 3
    finally:
        other.close()
