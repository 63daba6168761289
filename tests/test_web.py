"""The web app in-process (Starlette's TestClient): status codes, the same JSON as the CLI,
escaping, 404/400 pages, no path traversal, concurrent requests, read-only."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from migdocs.web import create_app
from tests.conftest import CORPUS, DATA, run
from tests.web_helpers import migdocs_serve

HOSTILE = DATA / "hostile"


@pytest.fixture(scope="module")
def client(corpus_home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_home), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Titles, entities, notes, programme and page texts full of markup."""
    home = tmp_path_factory.mktemp("hostile-home")
    assert run(home, "ingest", str(HOSTILE)).exit_code == 0
    return home


@pytest.fixture(scope="module")
def hostile(hostile_home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(hostile_home), raise_server_exceptions=False) as c:
        yield c


def test_every_page_and_api_answers(client: TestClient) -> None:
    for path in ["/", "/search?q=migrant+workers", "/search?q=migrant+workers&lang=fr&sort=date&page=2",
                 "/search?session=V", "/documents/A/69/767", "/documents/A/69/767/parallel",
                 "/documents/UN/POP/MIG-16CM/2018/5", "/meetings/16CM", "/meetings/16cm",
                 "/documents/A/69/767/cite?format=ris", "/documents/A/69/767/files/fr",
                 "/api/search?q=remittances", "/api/documents/A/69/767", "/api/meetings/16CM",
                 "/api/suggest?q=A/69", "/api/openapi.json", "/static/style.css", "/static/suggest.js"]:
        response = client.get(path)
        assert response.status_code == 200, path
    assert client.get("/meetings", follow_redirects=False).headers["location"] == "/meetings/16CM"


def test_symbol_paths_plain_encoded_and_other_spellings(client: TestClient) -> None:
    plain = client.get("/documents/A/69/767")
    assert client.get("/documents/A%2F69%2F767").text == plain.text
    moved = client.get("/documents/a69/767/parallel?from=1", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/documents/A/69/767/parallel?from=1"
    assert client.get("/api/documents/A%2F69%2F767").json()["symbol"] == "A/69/767"
    for path in ["/documents/S/RES/2196%20%282015%29", "/documents/A/CONF.224/PC(III)/1/parallel",
                 "/documents/A/81/6 (Sect. 9)/cite?format=ris"]:  # spaces and parentheses
        assert client.get(path, follow_redirects=False).status_code == 200, path


def test_api_json_is_the_cli_json(client: TestClient, corpus_home: Path) -> None:
    def cli(*args: str) -> object:
        return json.loads(run(corpus_home, *args).stdout)

    assert client.get("/api/search", params={"q": "remittances", "lang": "fr", "limit": "5"}).json() == \
        cli("search", "remittances", "--lang", "fr", "--limit", "5", "--json")
    assert client.get("/api/search", params={"q": "session:V", "sort": "symbol", "page": "2",
                                             "limit": "3"}).json() == \
        cli("search", "session:V", "--sort", "symbol", "--page", "2", "--limit", "3", "--json")
    assert client.get("/api/documents/A/69/767").json() == cli("get", "A/69/767", "--json")
    assert client.get("/api/documents/a_69_767-FR.pdf?lang=FR&text=1").json() == \
        cli("get", "A/69/767", "--lang", "fr", "--text", "--json")
    assert client.get("/api/meetings/16CM").json() == cli("meeting", "16CM", "--json")


def test_search_page_shows_results_filters_badges_snippets_and_pages(client: TestClient) -> None:
    html = client.get("/search", params={"q": "Tawergha satellite"}).text
    assert '<a class="symbol" href="/documents/S/2015/128">S/2015/128</a>' in html
    assert '<a class="badge" href="/documents/S/2015/128#version-fr"' in html
    assert re.search(r'href="/documents/S/2015/128/files/en#page=1"[^>]*>p\. 1', html)
    assert "<mark>Tawergha</mark>" in html
    assert 'data-filter="lang=fr"' in html  # facets as filters, with counts
    filtered = client.get("/search", params={"q": "Tawergha", "lang": "fr"}).text
    assert 'aria-label="Remove filter language fr"' in filtered
    assert '<input type="hidden" name="lang" value="fr">' in filtered


def test_arabic_snippets_and_query_are_right_to_left(client: TestClient) -> None:
    html = client.get("/search", params={"q": "العمال المهاجرين", "lang": "ar"}).text
    assert re.search(r'<span class="snippet" lang="ar" dir="rtl">[^<]*<mark>', html)
    assert '“<bdi lang="ar" dir="rtl">العمال المهاجرين</bdi>”' in html
    parallel = client.get("/documents/A/69/767/parallel").text
    assert '<td lang="ar" dir="rtl">' in parallel and '<td lang="fr" dir="ltr">' in parallel


def test_did_you_mean_empty_state_notices_and_pager(client: TestClient) -> None:
    html = client.get("/search", params={"q": "migrent wokers"}).text
    assert 'No documents match “<bdi dir="auto">migrent wokers</bdi>”' in html
    assert 'Did you mean <a href="/search?q=migrant+workers" dir="auto">migrant workers</a>' in html
    notice = client.get("/search", params={"q": "Tawergha OR"}).text
    assert '<p class="notice" role="status">Note: Ignored OR with nothing after it.</p>' in notice
    paged = client.get("/search", params={"session": "V", "limit": "2"}).text
    assert '<a rel="next" href="/search?session=V&amp;limit=2&amp;page=2">' in paged


def test_document_page_has_versions_files_related_and_citations(client: TestClient) -> None:
    html = client.get("/documents/UN/POP/MIG-16CM/2018/5").text
    assert 'href="/meetings/16CM"' in html and "Cite" in html
    assert "International Organization for Migration (IOM), UN/POP/MIG-16CM/2018/5 (2018). Paper " \
           "presented at the Sixteenth Coordination Meeting" in html
    assert "@techreport{UN_POP_MIG_16CM_2018_5," in html and "TY  - RPRT" in html
    doc = client.get("/documents/A/69/767").text
    for lang in ("ar", "en", "es", "fr"):
        assert f'id="version-{lang}"' in doc and f'href="/documents/A/69/767/files/{lang}"' in doc
    stored = client.get("/documents/A/69/767/files/fr")
    assert stored.headers["content-disposition"].startswith("inline")
    assert stored.content == next(CORPUS.rglob("A_69_767-FR.txt")).read_bytes()


def test_meeting_page_lists_sessions_speakers_documents_and_papers(client: TestClient) -> None:
    html = client.get("/meetings/16CM").text
    assert html.index('id="session-I"') < html.index('id="session-II"') < html.index('id="session-VI"')
    assert "Moderator:" in html and "Contributed papers" in html
    assert 'href="/documents/UN/POP/MIG-16CM/2018/5"' in html


def test_cite_command(corpus_home: Path) -> None:
    un = run(corpus_home, "cite", "UN/POP/MIG-16CM/2018/5")
    assert un.exit_code == 0 and un.output.startswith(
        "International Organization for Migration (IOM), UN/POP/MIG-16CM/2018/5 (2018). Paper presented at")
    bib = run(corpus_home, "cite", "a/69/767", "--format", "bibtex").output
    assert bib.startswith("@techreport{A_69_767,\n  author = {{United Nations}},") and bib.endswith("}\n")
    ris = run(corpus_home, "cite", "A/69/767", "--format", "ris").output.splitlines()
    assert ris[0] == "TY  - RPRT" and "SN  - A/69/767" in ris and ris[-1] == "ER  - "
    assert run(corpus_home, "cite", "A/1/1").exit_code == 1


def test_suggest_symbols_entities_titles(client: TestClient) -> None:
    found = client.get("/api/suggest", params={"q": "UN/POP/MIG-16CM/2018/1"}).json()["suggestions"]
    assert found[0] == {"kind": "symbol", "value": "UN/POP/MIG-16CM/2018/1"}
    kinds = {s["kind"] for s in client.get("/api/suggest", params={"q": "IOM"}).json()["suggestions"]}
    assert kinds == {"entity", "title"}
    assert client.get("/api/suggest", params={"q": "%_"}).json()["suggestions"] == []


HOSTILE_MARKUP = re.compile(r"<(script>alert|img src=x|svg|b>Moderator|u>Speaker|i>EVIL|/dd><script|/pre><script)")


@pytest.mark.parametrize("path", [
    "/", "/search?q=remittances", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
    "/search?q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E", "/search?entity=%3Ci%3EEVIL%3C/i%3E",
    "/documents/A/70/999", "/documents/A/70/999/parallel", "/meetings/XCM",
    "/documents/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/meetings/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/search?lang=%3Cscript%3Ealert(1)%3C/script%3E", "/search?q=%D8%AA%D8%AD%D9%88%D9%8A%D9%84%D8%A7%D8%AA",
])
def test_markup_from_documents_and_requests_shows_as_text(hostile: TestClient, path: str) -> None:
    response = hostile.get(path)
    assert response.status_code in (200, 400, 404)
    assert not HOSTILE_MARKUP.search(response.text), path


def test_hostile_texts_are_escaped_where_they_show(hostile: TestClient) -> None:
    html = hostile.get("/search", params={"q": "remittances"}).text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Remittances" in html
    assert "&lt;script&gt;alert(&#34;text&#34;)&lt;/script&gt;" in html
    doc = hostile.get("/documents/A/70/999").text
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#39;notes&#39;)&lt;/script&gt;" in doc
    assert "<script>" not in hostile.get("/api/documents/A/70/999").headers["content-type"]
    suggest = hostile.get("/api/suggest", params={"q": "<script>"}).json()
    assert suggest["suggestions"][0]["value"].startswith("<script>")  # JSON carries data, not HTML


def test_unknown_things_are_404_pages_without_tracebacks(client: TestClient) -> None:
    for path, text in [("/documents/A/1/1", "There is no document &#39;A/1/1&#39;"),
                       ("/documents/A/69/767/files/ru", "A/69/767 has no ru version"),
                       ("/meetings/99CM", "There is no meeting &#39;99CM&#39;"),
                       ("/nowhere", "There is no page at this address.")]:
        response = client.get(path)
        assert response.status_code == 404 and text in response.text, path
        assert "Traceback" not in response.text and str(Path.home()) not in response.text
    api = client.get("/api/documents/A/1/1")
    assert api.status_code == 404
    assert api.json() == {"error": {"status": 404, "message": "There is no document 'A/1/1' in this repository."}}


@pytest.mark.parametrize("query, reason", [
    ("limit=0", "limit must be a whole number from 1 to 100"),
    ("limit=101", "limit must be a whole number from 1 to 100"),
    ("page=-1", "page must be a whole number from 1 to 1000"),
    ("page=%EF%BC%92", "page must be a whole number"),  # a full-width digit
    ("sort=random", "unknown sort &#39;random&#39;"),
    ("type=memo", "unknown type &#39;memo&#39;"),
    ("year=18", "year must be four digits"),
    ("lang=klingon", "is not a language code"),
    ("q=" + "a" * 501, "the query is 501 characters long; at most 500"),
    ("entity=" + "x" * 101, "entity is too long"),
])
def test_bad_parameters_are_400_with_the_reason(client: TestClient, query: str, reason: str) -> None:
    page = client.get("/search?" + query)
    assert page.status_code == 400 and reason in page.text and "Traceback" not in page.text
    api = client.get("/api/search?" + query)
    assert api.status_code == 400 and reason.replace("&#39;", "'") in api.json()["error"]["message"]
    assert client.get("/documents/A/69/767/cite?format=mla").status_code == 400
    assert client.get("/api/documents/A/69/767?text=maybe").status_code == 400


TRAVERSALS = [
    "/documents/..%2F..%2F..%2Fetc%2Fpasswd", "/documents/../../../etc/passwd",
    "/documents/A/69/767/files/..%2F..%2Fcatalog.sqlite", "/documents/A/69/767/files/%2e%2e",
    "/documents/..%2Fcatalog.sqlite/files/en", "/documents/%2Fetc%2Fpasswd/files/en",
    "/documents/A/69/767/files/..%5C..%5Ccatalog.sqlite",
    "/static/..%2F..%2F..%2Fcatalog.sqlite", "/static/%2e%2e/app.py", "/static/../pool.py",
    "/static/..%2F__init__.py", "/meetings/..%2F..%2Fcatalog.sqlite",
    "/api/documents/..%2F..%2Fcatalog.sqlite", "/api/meetings/..%2Fcatalog.sqlite",
    "/api/documents/A/69/767?lang=..%2F..%2Fcatalog", "/documents/A/69/767/parallel?from=..",
    "/api/suggest?q=..%2F..%2Fetc%2Fpasswd", "/search?symbol=..%2F..%2F*",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_traversal_through_any_route(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 400, 404), path
    body = response.content
    assert b"SQLite format" not in body and b"root:" not in body and b"import " not in body
    if response.status_code == 200:
        assert response.headers["content-type"].startswith(("text/html", "application/json"))


def test_read_only(client: TestClient, corpus_home: Path) -> None:
    before = client.get("/api/search?q=remittances").json()
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in ("/", "/search", "/documents/A/69/767", "/api/documents/A/69/767", "/api/search"):
            response = client.request(method, path)
            assert response.status_code == 405, (method, path)
    assert client.get("/api/search?q=remittances").json() == before


def test_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in client.get("/api/search?q=a").headers


def test_concurrent_requests_from_threads_each_get_their_own_repository(corpus_home: Path) -> None:
    app = create_app(corpus_home)
    paths = ["/api/search?q=remittances", "/api/search?q=%D8%A7%D9%84%D9%85%D9%87%D8%A7%D8%AC%D8%B1%D9%8A%D9%86",
             "/api/documents/A/69/767", "/api/suggest?q=UN", "/search?q=migrant+workers&lang=fr",
             "/documents/A/69/767/parallel", "/api/meetings/16CM", "/api/search?q=travailleurs+migrants"]
    with TestClient(app) as c:
        expected = {p: c.get(p).content for p in paths}
        failures: list[str] = []

        def worker(offset: int) -> None:
            for i in range(24):
                path = paths[(offset + i) % len(paths)]
                response = c.get(path)
                if response.status_code != 200 or response.content != expected[path]:
                    failures.append(f"{path}: {response.status_code}")

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        assert app.state.web.pool.opened > 1  # not one shared repository


def test_serve_binds_loopback_by_default_and_serves_the_same_json(corpus_home: Path) -> None:
    assert "[default: 127.0.0.1]" in run(corpus_home, "serve", "--help").output
    with migdocs_serve(corpus_home) as base:
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(base + "/api/documents/A%2F69%2F767") as response:
            assert json.load(response) == json.loads(run(corpus_home, "get", "A/69/767", "--json").stdout)
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(base + "/documents/A/1/1")
        assert raised.value.code == 404 and b"Traceback" not in raised.value.read()


def test_other_commands_do_not_load_the_web_framework() -> None:
    code = "import sys, migdocs.cli; print(sorted(m for m in ('starlette', 'jinja2', 'uvicorn') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


def test_an_ingest_while_serving_is_searchable_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "ingest", str(HOSTILE)).exit_code == 0
    with TestClient(create_app(home)) as c:
        assert c.get("/api/search?q=zebrafish").json()["total"] == 0
        new = tmp_path / "A_70_1000-EN.txt"
        new.write_text("A report on zebrafish migration routes across the region.\n", encoding="utf-8")
        assert run(home, "ingest", str(new)).exit_code == 0
        found = c.get("/api/search?q=zebrafish").json()
        assert [h["symbol"] for h in found["hits"]] == ["A/70/1000"]
        assert c.get("/documents/A/70/1000").status_code == 200
