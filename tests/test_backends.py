"""One contract for every search backend: the same entries and queries give the same answers
from Whoosh (embedded) and sphinxql (a live two-shard Sphinx cluster). And a whole home
switched to sphinxql answers searches as the Whoosh home does."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from migdocs.indexer.analysis import analyze
from migdocs.indexer.entries import Entry
from migdocs.search import query as q
from migdocs.search.backend import Backend, open_backend
from tests.conftest import CORPUS, run

BACKENDS = ["whoosh", "sphinxql"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "whoosh":
        b = open_backend("whoosh", tmp_path)
    else:
        url = request.getfixturevalue("sphinx_cluster").url  # emptied before each test
        b = open_backend(str(url), tmp_path)
    b.create()
    yield b
    b.close()


def document(doc: str, title: str, pages: list[tuple[str, int, str]], **keywords: list[str]) -> list[Entry]:
    """A record entry and page entries, all with the document's keywords (as ingest makes)."""
    meta = Entry(f"{doc}#meta", doc, "meta", tuple(sorted({p[0] for p in pages})), keywords=keywords)
    meta.text["title_en"] = analyze(title, "en")
    out = [meta]
    for language, number, text in pages:
        name = language if language in ("ar", "en", "fr", "es") else "other"
        entry = Entry(f"{doc}#{language}#{number}", doc, "page", (language,), number, language, keywords)
        entry.text[f"text_{name}"] = analyze(text, name)
        out.append(entry)
    return out


DOCS = {
    "A/69/767": document("A/69/767", "Migrant workers and their families", [
        ("en", 1, "Remittances sent home by migrant workers"),
        ("en", 2, "The cost of remittances fell"),
        ("fr", 1, "Les travailleurs migrants et leurs familles")],
        symbol=["a/69/767"], type=["paper"], sessions=["v"], year=["2015"]),
    "A/RES/71/1": document("A/RES/71/1", "New York Declaration for Refugees and Migrants", [
        ("en", 1, "Refugees and migrants in large movements; armed forces"),
        ("ar", 1, "اللاجئين والمهاجرين")],
        symbol=["a/res/71/1"], type=["background"], year=["2016"]),
    "S/2015/1": document("S/2015/1", "Armed forces report", [
        ("en", 1, "Forces armed with weapons; migration of forces")],
        symbol=["s/2015/1"], type=["background"], year=["2015"]),
}


def load(backend: Backend) -> None:
    with backend.writer() as writer:
        for doc, entries in DOCS.items():
            writer.replace(doc, entries)


def en(word: str) -> q.Query:
    terms = analyze(word, "en")
    return q.terms_query("text_en", terms)


def test_documents_and_filters(backend: Backend) -> None:
    load(backend)
    reader = backend.reader()
    assert reader.entry_count() == 9
    assert reader.documents(en("migrant")) == {"A/69/767": frozenset({"en"}), "A/RES/71/1": frozenset({"en"})}
    assert reader.documents(q.Term("text_fr", analyze("migrants", "fr")[0])) == {"A/69/767": frozenset({"fr"})}
    assert set(reader.documents(None)) == set(DOCS)
    assert reader.documents(None, filter=q.Term("type", "paper")) == {"A/69/767": frozenset({"en", "fr"})}
    anywhere = q.Or((en("migrant"), q.Term("title_en", "migrant")))
    assert reader.documents(anywhere, filter=q.Term("kind", "meta")) == {
        "A/69/767": frozenset({"en", "fr"}), "A/RES/71/1": frozenset({"ar", "en"})}
    assert set(reader.documents(en("forces"), filter=q.Term("year", "2015"))) == {"S/2015/1"}
    assert set(reader.documents(q.Term("sessions", "v"))) == {"A/69/767"}
    assert set(reader.documents(q.Prefix("symbol", "a/"))) == {"A/69/767", "A/RES/71/1"}
    assert set(reader.documents(q.Wildcard("symbol", "a/*/1"))) == {"A/RES/71/1"}
    assert set(reader.documents(q.Wildcard("symbol", "s/201?/1"))) == {"S/2015/1"}
    assert set(reader.documents(q.Term("doc_id", "S/2015/1"))) == {"S/2015/1"}
    assert set(reader.documents(en('"armed forces"'))) == {"A/RES/71/1"}
    assert set(reader.documents(q.And((en("remittances"), en("cost"))))) == {"A/69/767"}
    assert set(reader.documents(q.Or((en("refugees"), en("weapons"))))) == {"A/RES/71/1", "S/2015/1"}
    assert set(reader.documents(q.AndNot(en("forces"), en("weapons")))) == {"A/RES/71/1"}
    assert set(reader.documents(q.AndMaybe(en("forces"), en("weapons")))) == {"A/RES/71/1", "S/2015/1"}
    assert set(reader.documents(q.Term("text_ar", analyze("المهاجرين", "ar")[0]))) == {"A/RES/71/1"}
    assert reader.summary() == {"A/69/767": {"meta": 1, "page": 3}, "A/RES/71/1": {"meta": 1, "page": 2},
                                "S/2015/1": {"meta": 1, "page": 1}}



def test_documents_each_answers_as_documents_one_by_one(backend: Backend) -> None:
    load(backend)
    reader = backend.reader()
    queries = [en("migrant"), en("forces"), q.Term("title_en", "migrant"), en("nowhere"),
               q.Or((en("refugees"), en("weapons")))]
    for filter in (None, q.Term("year", "2015")):
        each = reader.documents_each(queries, filter=filter)
        assert each == [reader.documents(query, filter=filter) for query in queries]
        assert each[3] == {} and each[0]
    assert reader.documents_each([]) == []
    assert reader.documents_each([en("forces")]) == [reader.documents(en("forces"))]


def test_documents_keep_every_language_code(backend: Backend) -> None:
    """Languages beyond ar/en/es/fr/ru/zh come back as written (sphinxql aggregates the six
    as bits and asks again for the others)."""
    with backend.writer() as writer:
        writer.replace("X/1", document("X/1", "Report", [("de", 1, "Migranten und Arbeit"),
                                                         ("en", 1, "migrant work"), ("ru", 1, "работа")]))
        writer.replace("X/2", document("X/2", "Note", [("zh", 1, "工作"), ("en", 1, "migrant note")]))
    reader = backend.reader()
    assert reader.documents(None) == {"X/1": frozenset({"de", "en", "ru"}), "X/2": frozenset({"en", "zh"})}
    assert reader.documents(en("migrant")) == {"X/1": frozenset({"en"}), "X/2": frozenset({"en"})}
    german = q.Term("text_other", analyze("Migranten", "other")[0])
    assert reader.documents(q.any_of([german, en("note")])) == {"X/1": frozenset({"de"}),
                                                                 "X/2": frozenset({"en"})}

def test_replace_and_remove(backend: Backend) -> None:
    load(backend)
    with backend.writer() as writer:
        writer.replace("A/69/767", DOCS["A/69/767"][:2])
        writer.remove("S/2015/1")
    reader = backend.reader()
    assert reader.summary() == {"A/69/767": {"meta": 1, "page": 1}, "A/RES/71/1": {"meta": 1, "page": 2}}
    assert set(reader.documents(en("cost"))) == set()
    with pytest.raises(RuntimeError), backend.writer() as writer:
        writer.remove("A/RES/71/1")
        raise RuntimeError("cancelled")
    assert set(backend.reader().documents(None)) == {"A/69/767", "A/RES/71/1"}
    with backend.rebuilding() as writer:
        writer.replace("S/2015/1", DOCS["S/2015/1"])
    assert set(backend.reader().documents(None)) == {"S/2015/1"}


def test_top_entries(backend: Backend) -> None:
    load(backend)
    reader = backend.reader()
    top = reader.top(en("remittances"))
    assert [(e.doc_id, e.kind, e.page, e.page_language) for e in top] == [
        ("A/69/767", "page", 1, "en"), ("A/69/767", "page", 2, "en")] or \
        [(e.doc_id, e.page) for e in top] == [("A/69/767", 2), ("A/69/767", 1)]
    assert all(e.score > 0 for e in top) and top[0].score >= top[1].score
    forces = reader.top(q.Or((en("forces"), q.Term("title_en", "forc"))))
    assert forces[0].doc_id == "S/2015/1"  # twice on a short page
    assert {e.kind for e in forces} == {"page", "meta"}
    assert [e.doc_id for e in reader.top(en("forces"), documents=["A/RES/71/1"])] == ["A/RES/71/1"]
    assert reader.top(en("forces"), documents=[]) == []
    assert len(reader.top(en("forces"), limit=1)) == 1
    assert [e.doc_id for e in reader.top(en("forces"), filter=q.Term("year", "2016"))] == ["A/RES/71/1"]
    assert [e.language for e in reader.top(q.Term("title_en", "famili"))] == [("en", "fr")]


def test_words_together_on_one_page(backend: Backend) -> None:
    load(backend)
    reader = backend.reader()
    title = q.Term("title_en", "famili")
    # A/69/767: `remittances` on pages 1 and 2, `cost` on page 2, `families` in its title.
    found = reader.together([en("remittances"), en("cost"), title],
                            documents=["A/69/767", "S/2015/1"])
    assert found == {"A/69/767": 3}
    # `sent` on page 1 only, `cost` on page 2 only: never together.
    assert reader.together([en("sent"), en("cost")], documents=["A/69/767"]) == {"A/69/767": 1}
    assert reader.together([en("forces"), en("armed")], documents=["A/RES/71/1", "S/2015/1"],
                           filter=q.Term("year", "2015")) == {"S/2015/1": 2}


def test_best_documents(backend: Backend) -> None:
    """A document scores its best page plus its record; each comes with its best entries."""
    from migdocs.search.backend import rank_documents

    load(backend)
    reader = backend.reader()
    forces = q.Or((en("forces"), q.Term("title_en", "forc"), en("migrants")))
    ranked = reader.best_documents(forces, entries=1)
    expected = rank_documents(reader.top(forces), limit=None, per_document=1)
    assert [(r.doc_id, round(r.score, 6), [e.page for e in r.entries]) for r in ranked] == \
        [(r.doc_id, round(r.score, 6), [e.page for e in r.entries]) for r in expected]
    assert [r.doc_id for r in reader.best_documents(forces, limit=1)] == [ranked[0].doc_id]
    assert [r.doc_id for r in reader.best_documents(forces, documents=["A/69/767"])] == ["A/69/767"]
    assert reader.best_documents(forces, documents=[]) == []
    assert [r.doc_id for r in reader.best_documents(forces, filter=q.Term("year", "2016"))] == ["A/RES/71/1"]
    # More documents than one engine filter takes (Sphinx 2.2.11: 4,096 keys): sent in parts.
    many = [f"X/{i}" for i in range(9000)] + list(DOCS)
    assert [(r.doc_id, round(r.score, 6)) for r in reader.best_documents(forces, documents=many, limit=2)] == \
        [(r.doc_id, round(r.score, 6)) for r in ranked[:2]]
    assert [(r.doc_id, round(r.score, 6)) for r in reader.best_documents(forces, documents=many)] == \
        [(r.doc_id, round(r.score, 6)) for r in ranked]
    assert sorted(e.doc_id for e in reader.top(forces, documents=many)) == sorted(e.doc_id for e in reader.top(forces))


def test_vocabulary(backend: Backend) -> None:
    load(backend)
    reader = backend.reader()
    assert sorted(t for t, _ in reader.expand_prefix("text_en", "migr")) == ["migrant", "migrat"]
    assert dict(reader.expand_prefix("text_en", "migr"))["migrant"] == 2
    assert reader.expand_fuzzy("text_en", "remit", 1) == [("remitt", 2)]
    assert reader.expand_fuzzy("text_en", "remitt", 1) == []  # the word itself is not a neighbour
    assert reader.doc_frequency("text_en", "forc") == 2
    assert reader.doc_frequency("text_en", "nothing") == 0
    key = [t for t, _ in reader.key_terms("text_en", analyze("weapons weapons forces the", "en"), 2)]
    assert key and set(key) <= {"weapon", "forc"}


def test_status(backend: Backend, tmp_path: Path) -> None:
    assert backend.status().state == "ready"
    if "sphinxql" in type(backend).__module__:
        down = open_backend("sphinxql://127.0.0.1:1/migdocs", tmp_path)
        status = down.status()
        assert status.state == "unreachable" and "127.0.0.1:1 does not answer" in status.detail
        assert "\n" not in status.detail


QUERIES = ["migrant workers", "travailleurs migrants", "العمال المهاجرين", "migra*", "remitances~",
           '"armed forces"', "women session:V", "remittances -cost", "security council lang:fr",
           "type:paper", "refugees OR asylum", "A/69/767"]


def test_home_on_sphinxql_answers_like_whoosh(tmp_path: Path, sphinx_cluster) -> None:
    """The same documents ingested into a Whoosh home and a sphinxql home: every query finds
    the same documents with the same facets (ranking differs a little: see docs/scale-out.md)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "16cm", corpus / "16cm")
    (corpus / "text").mkdir()
    for path in sorted((CORPUS / "unpc" / "text").glob("*.txt"))[:120]:
        shutil.copy(path, corpus / "text" / path.name)
    homes = {"whoosh": tmp_path / "w", "sphinxql": tmp_path / "s"}
    assert run(homes["sphinxql"], "engine", "set", str(sphinx_cluster.url)).exit_code == 0
    for home in homes.values():
        result = run(home, "ingest", str(corpus))
        assert result.exit_code == 0, result.output
    shown = run(homes["sphinxql"], "engine", "show")
    assert "status: ready" in shown.output and "entries: " in shown.output
    for query in QUERIES:
        answers = {}
        for name, home in homes.items():
            result = run(home, "search", query, "--limit", "100", "--facets", "--json")
            answers[name] = json.loads(result.stdout) if result.stdout.strip() else {"total": 0}
        w, s = answers["whoosh"], answers["sphinxql"]
        assert s["total"] == w["total"], query
        if w["total"]:
            assert {h["id"] for h in s["hits"]} == {h["id"] for h in w["hits"]}, query
            assert s["facets"] == w["facets"], query
            assert s["hits"][0]["id"] == w["hits"][0]["id"] or len(w["hits"]) > 1, query
    assert run(homes["sphinxql"], "check").exit_code == 0
    assert run(homes["sphinxql"], "engine", "set", "whoosh").exit_code == 0
    back = run(homes["sphinxql"], "search", "migrant workers", "--json")
    assert json.loads(back.stdout)["total"] == json.loads(run(homes["whoosh"], "search", "migrant workers", "--json").stdout)["total"]


def test_engine_failing_during_ingest_loses_nothing(tmp_path: Path) -> None:
    """searchd stops while an ingest runs: one clear error, the catalog keeps every document,
    the home stays marked dirty, and once searchd is back the next use rebuilds the index."""
    import migdocs
    from migdocs.errors import MigdocsError
    from tests.sphinx_cluster import start_cluster

    started = start_cluster(tmp_path / "cluster", nodes=1)
    folder = tmp_path / "texts"
    folder.mkdir()
    for path in sorted((CORPUS / "unpc" / "text").glob("*-EN.txt"))[:12]:
        shutil.copy(path, folder / path.name)
    repo = migdocs.open(tmp_path / "home")
    try:
        repo.set_engine(started.url)

        def stop_engine(done: int, total: int) -> None:
            if done == 1:
                started.stop()

        with pytest.raises(MigdocsError) as failed:
            repo.ingest([folder], progress=stop_engine)
        message = str(failed.value)
        assert "does not answer" in message or "failed" in message
        assert "catalog keeps everything" in message and "\n" not in message
        assert len(repo.catalog.document_ids()) == 12
        assert repo.catalog.get_meta("index_dirty") == "1"
    finally:
        repo.close()
    port = int(started.url.rsplit(":", 1)[1].split("/")[0])
    restarted = start_cluster(tmp_path / "cluster", nodes=1, port=port)  # the same engine again
    notices: list[str] = []
    try:
        with migdocs.open(tmp_path / "home", notify=notices.append) as repo:
            assert len(repo.backend.reader().summary()) == 12
        assert notices == ["Rebuilding the search index from the catalog: the last ingest did not finish."]
    finally:
        restarted.stop()


def phrase(text: str, field: str = "text_en") -> q.Phrase:
    return q.Phrase(field, tuple(analyze(text, "en")))


def test_phrases_match_terms_in_order_and_next_to_each_other(backend: Backend) -> None:
    load(backend)
    reader = backend.reader()
    assert set(reader.documents(phrase("armed forces"))) == {"A/RES/71/1"}  # not "Forces armed"
    assert set(reader.documents(phrase("forces armed"))) == {"S/2015/1"}
    assert set(reader.documents(phrase("sent home by migrant workers"))) == {"A/69/767"}
    assert set(reader.documents(phrase("remittances workers"))) == set()  # both, not adjacent
    assert set(reader.documents(phrase("forces weapons"))) == set()
    assert set(reader.documents(phrase("armed unknownword"))) == set()
    top = reader.top(q.Or((phrase("armed forces"), phrase("forces armed"))))
    assert {e.doc_id for e in top} == {"A/RES/71/1", "S/2015/1"}


def test_whoosh_phrase_scores_are_whoosh_own(tmp_path: Path) -> None:
    """The Whoosh backend checks phrase positions itself (Whoosh's span matcher was the
    slowest part of a phrase search): the entries and scores must be exactly Whoosh's."""
    from whoosh import query as wq

    from migdocs.search import whoosh_backend

    backend = open_backend("whoosh", tmp_path)
    backend.create()
    with backend.writer() as writer:
        for doc, entries in DOCS.items():
            writer.replace(doc, entries)
        writer.replace("X/1", document("X/1", "Forces", [
            ("en", 1, "armed forces armed forces and armed armed forces"),
            ("en", 2, "forces forces armed"), ("en", 3, "migrant workers sent home by migrant workers")]))
    searcher = backend._open().searcher()  # type: ignore[attr-defined]
    try:
        for text in ("armed forces", "forces armed", "forces forces", "migrant workers",
                     "sent home by migrant workers", "armed weapons", "armed nothere"):
            part = phrase(text)
            for sub, _ in searcher.leaf_searchers():
                ours = list(whoosh_backend._phrase_scores(part, sub, searcher.context()))
                matcher = wq.Phrase(part.field, list(part.terms)).matcher(sub, searcher.context())
                theirs = []
                while matcher.is_active():
                    theirs.append((matcher.id(), matcher.score()))
                    matcher.next()
                assert [n for n, _ in ours] == [n for n, _ in theirs], text
                assert [s for _, s in ours] == pytest.approx([s for _, s in theirs]), text
    finally:
        searcher.close()
        backend.close()


def test_whoosh_reader_does_not_copy_the_index_into_memory(tmp_path: Path) -> None:
    """Whoosh copies each mmapped segment part into a BytesIO unless the backend stops it: a
    search process then held the whole postings file (222 MB at 20,000 versions)."""
    import random
    import tracemalloc

    backend = open_backend("whoosh", tmp_path)
    backend.create()
    rng = random.Random(7)
    vocabulary = [f"w{i}x" for i in range(20000)]
    with backend.writer() as writer:
        for d in range(60):
            pages = [("en", n, " ".join(rng.choices(vocabulary, k=800))) for n in range(1, 4)]
            writer.replace(f"D/{d}", document(f"D/{d}", "Title", pages))
    size = sum(f.stat().st_size for f in (tmp_path / "index").glob("*.seg"))
    assert size > 1_000_000
    tracemalloc.start()
    try:
        reader = backend.reader()
        assert reader.documents(en("w1x"))
        held = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        backend.close()
    assert held < size / 4, (held, size)


def test_whoosh_term_scores_are_whoosh_own(tmp_path: Path) -> None:
    """The Whoosh backend computes BM25F a block of postings at a time (Whoosh's scorer was
    most of a common word's search): the entries and scores must be exactly Whoosh's, with
    a boost, a term in two segments and a deleted entry."""
    from whoosh import query as wq

    from migdocs.search import whoosh_backend

    backend = open_backend("whoosh", tmp_path)
    backend.create()
    with backend.writer() as writer:
        for doc, entries in DOCS.items():
            writer.replace(doc, entries)
    with backend.writer() as writer:  # a second segment, and a deletion in the first
        writer.replace("X/1", document("X/1", "Forces", [
            ("en", 1, "armed forces " * 40), ("en", 2, "forces"), ("en", 3, "migrant " * 300)]))
        writer.remove("S/2015/1")
    reader = backend.reader()
    searcher = reader.searcher  # type: ignore[attr-defined]
    assert len(searcher.leaf_searchers()) >= 1
    for field, text, boost in (("text_en", "forc", 1.0), ("text_en", "migrant", 2.5),
                               ("title_en", "forc", 1.0), ("text_en", "nothere", 1.0)):
        for sub, _ in searcher.leaf_searchers():
            lengths = whoosh_backend._length_bytes(sub, field)
            ours = [(n, score) for n, score in
                    whoosh_backend._term_scores(q.Term(field, text, boost), sub, lengths)
                    if not sub.reader().is_deleted(n)]
            matcher = wq.Term(field, text, boost=boost).matcher(sub, searcher.context())
            theirs = []
            while matcher.is_active():
                theirs.append((matcher.id(), matcher.score()))
                matcher.next()
            assert ours == theirs, (field, text)  # exactly: the same expression on the same numbers
    assert reader.top(q.Term("text_en", "forc"))[0].doc_id == "X/1"
    backend.close()


def test_a_reader_lasts_until_the_index_changes(backend: Backend) -> None:
    """What the search layer derives per reader (Arabic names' skeletons) is built once per
    index state, not at every search; a write gives a new reader that sees it."""
    load(backend)
    first = backend.reader()
    assert backend.reader() is first
    with backend.writer() as writer:
        writer.replace("X/1", document("X/1", "Zanzibar", [("en", 1, "zanzibar")]))
    second = backend.reader()
    assert second is not first
    assert set(second.documents(en("zanzibar"))) == {"X/1"}


def test_whoosh_mapped_file_reads_like_a_file() -> None:
    import io

    from migdocs.search.whoosh_backend import _MappedFile

    data = b"ab\ncd\n" + b"x" * 10000 + b"\nlast"
    ours, theirs = _MappedFile(memoryview(data)), io.BytesIO(data)
    for _ in range(5):
        assert ours.readline() == theirs.readline()
    ours.seek(4), theirs.seek(4)
    for size in (1, 5, 0, -1, 3):
        assert ours.read(size) == theirs.read(size)
        assert ours.tell() == theirs.tell()
    assert ours.seek(-3, 2) == theirs.seek(-3, 2)


def test_a_tier_is_ranked_right_when_other_documents_outscore_it(backend: Backend) -> None:
    """The documents of the top tier (both words) are most of what `alpha beta` matches, so
    their best are taken from the best of everything; here the first 24 of everything
    (alpha only, short, with a title) hold none of them, and the tier is named instead."""
    from migdocs.search import ranking
    from migdocs.search.engine import TIE_MARGIN, Scoring, SearchEngine, _best_unnamed

    with backend.writer() as writer:
        for i in range(30):  # longer and longer: scores differ (no ties to break)
            filler = " ".join(f"filler{n}" for n in range(100 + 5 * i))
            writer.replace(f"T{i:02}", document(f"T{i:02}", "Report", [("en", 1, f"alpha beta {filler}")]))
        for i in range(25):
            writer.replace(f"A{i:02}", document(f"A{i:02}", "Alpha alpha", [("en", 1, "alpha alpha alpha")]))
    reader = backend.reader()
    words = [en("alpha"), en("beta")]
    found = ranking.candidates(reader.documents_each(words), ["should", "should"], pinned=None)
    levels = found.levels()
    tier = next(ranking.tiers(list(found.matched), levels, None))
    assert sorted(tier) == [f"T{i:02}" for i in range(30)] and found.universe == 55
    scoring = Scoring(q.Or(tuple(words)))
    overall = [r.doc_id for r in reader.best_documents(scoring.own, limit=2 * (1 + TIE_MARGIN))]
    assert not set(overall) & set(tier)  # the case under test: the tier's best are not there
    assert _best_unnamed(reader, found, tier, scoring, None, 1 + TIE_MARGIN, whole=False) is None
    best = SearchEngine._best(reader, found, tier, scoring, None, 3, {}, whole=False)
    named = reader.best_documents(scoring.own, documents=tier, limit=3)
    assert [c.doc_id for c in best] == [r.doc_id for r in named] == ["T00", "T01", "T02"]
    assert all(c.score > 0 and c.entries for c in best)
