"""The sphinxql ranking expression (`sphinx_rank`) on a live Sphinx node: it is Whoosh's
BM25F on the engine's own numbers (Sphinx 2.2.11's `bm25f()` divides by a wrong average
length on real-time indexes: docs/scale-out.md)."""

from __future__ import annotations

import math

import pytest

from migdocs.search.sphinx_match import field_text
from migdocs.search.sphinx_rank import K1, TOTALS, B, field_totals, ranker, score
from migdocs.search.sphinxql import fetch_all
from tests.sphinx_cluster import Cluster, own_cluster
from tests.test_sphinx_cluster import insert

FILLER = [f"w{i}" for i in range(60)]
ROWS = [
    {"doc": "short", "entry": "short", "text_en": field_text(["migrant", "x"])},
    {"doc": "long", "entry": "long", "text_en": field_text(["migrant", *FILLER[:40]])},
    {"doc": "twice", "entry": "twice", "text_en": field_text(["migrant", "migrant", *FILLER[:39]])},
    {"doc": "title", "entry": "title", "title_en": field_text(["migrant", *FILLER[:40]])},
    *({"doc": f"other-{i}", "entry": f"other-{i}", "text_en": field_text(FILLER[i:])} for i in range(20)),
]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory):
    with own_cluster(tmp_path_factory.mktemp("rank-node"), nodes=1) as cluster:
        yield cluster


def _weights(node: Cluster, options: str) -> dict[str, int]:
    with node.front() as conn:
        return dict(fetch_all(conn, f"SELECT doc_id, WEIGHT() w FROM migdocs WHERE MATCH('migrant') "
                                    f"ORDER BY w DESC OPTION {options}")[0])


def test_the_expression_is_whooshs_bm25f(node: Cluster) -> None:
    node.truncate()
    insert(node, ROWS)
    with node.front() as conn:
        averages, rows = field_totals(fetch_all(conn, f"SELECT {TOTALS} FROM migdocs")[0][0])
    assert rows == len(ROWS)
    got = {doc: score(w) for doc, w in _weights(node, ranker(averages, shard_rows=rows)).items()}
    idf = math.log(len(ROWS) / 4) + 1  # 4 rows of 24 hold "migrant"

    def bm25(tf: float, length: int, average: float) -> float:
        return idf * tf * (K1 + 1) / (tf + K1 * ((1 - B) + B * length / average))

    expected = {"short": bm25(1, 2, averages["text_en"]), "long": bm25(1, 41, averages["text_en"]),
                "twice": bm25(2, 41, averages["text_en"]),
                "title": bm25(2, 41, averages["title_en"])}  # titles count twice, as in Whoosh
    assert got.keys() == expected.keys()
    for doc, value in expected.items():
        assert got[doc] == pytest.approx(value, rel=1e-3), (doc, got, expected)
    assert got["short"] > got["twice"] > got["long"]
    # The same once the rows are in a disk chunk (where Sphinx 2.2.11's bm25f() returns a
    # constant 0.5): lengths are attributes, hits come from the postings.
    with node.node(0) as conn:
        fetch_all(conn, "FLUSH RAMCHUNK migdocs")
        status = dict(fetch_all(conn, "SHOW INDEX migdocs STATUS")[0])
    assert int(status["disk_chunks"]) >= 1, status
    on_disk = {doc: score(w) for doc, w in _weights(node, ranker(averages, shard_rows=rows)).items()}
    assert on_disk == got
