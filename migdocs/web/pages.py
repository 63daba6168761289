"""The HTML pages: search, document, parallel view, citation download, stored file, meeting."""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from migdocs.errors import NotFoundError, UsageError
from migdocs.repo.cite import CITE_FORMATS, cite
from migdocs.repo.model import Document
from migdocs.repository import Repository
from migdocs.web import params as p
from migdocs.web.views import document_url, meeting_url

if TYPE_CHECKING:
    from migdocs.web.app import Web

PAGES_PER_VIEW = 10  # rows of the parallel view per screen (each row: one page in 2-4 languages)
PAGE_LINKS = 7  # numbered links in the pager
#: Stored formats and how they are sent. Only PDF opens in the browser (at #page=N); the
#: others are downloads, so a stored HTML file can never run in this site's origin.
MEDIA_TYPES = {"pdf": "application/pdf", "text": "text/plain; charset=utf-8", "html": "text/html",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
CITE_MEDIA = {"un": ("text/plain", "txt"), "bibtex": ("application/x-bibtex", "bib"),
              "ris": ("application/x-research-info-systems", "ris")}


def routes(web: Web) -> list[Route]:
    pages = Pages(web)
    return [
        Route("/", pages.search), Route("/search", pages.search),
        Route("/documents/{symbol:path}/parallel", pages.parallel),
        Route("/documents/{symbol:path}/files/{lang}", pages.file),
        Route("/documents/{symbol:path}/cite", pages.citation),
        Route("/documents/{symbol:path}", pages.document),
        Route("/meetings", pages.latest_meeting), Route("/meetings/{code}", pages.meeting),
    ]


def find_document(repo: Repository, symbol: str, *, with_pages: bool = False) -> Document:
    """The document a path names (any spelling), or a 404 that does not show the home."""
    doc_id = repo.resolve(symbol) if symbol.strip() else None
    document = repo.catalog.document(doc_id, with_pages=with_pages) if doc_id else None
    if document is None:
        raise HTTPException(404, f"There is no document {symbol[:200]!r} in this repository.")
    return document


def canonical(request: Request, document: Document, suffix: str = "") -> Response | None:
    """A redirect to the document's own address when it was reached by another spelling."""
    own = document.symbol or document.id
    if request.path_params["symbol"] == own:
        return None
    target = document_url(own, suffix)
    return RedirectResponse(target + (f"?{request.url.query}" if request.url.query else ""), 301)


class Pages:
    def __init__(self, web: Web) -> None:
        self.web = web

    def search(self, request: Request) -> Response:
        params = p.search_params(request.query_params)
        repo = self.web.pool.get()
        if params.empty:  # the landing page: browse everything by its facets
            result = repo.search("", limit=1)
            result.hits = []
        else:
            result = repo.search(**params.search_kwargs())
        last = max(1, -(-result.total // params.limit))
        low = max(1, min(params.page - PAGE_LINKS // 2, last - PAGE_LINKS + 1))
        window = range(low, min(last, low + PAGE_LINKS - 1) + 1)
        return self.web.render("search.html", params=params, result=result, last_page=last,
                               page_window=window, facet_param={v: k for k, v in p.FACET_OF.items()},
                               sort_orders=p.SORT_ORDERS, first=(params.page - 1) * params.limit + 1)

    def document(self, request: Request) -> Response:
        repo = self.web.pool.get()
        document = find_document(repo, request.path_params["symbol"])
        if (moved := canonical(request, document)) is not None:
            return moved
        meeting = repo.catalog.meeting(document.meeting) if document.meeting else None
        citations = {fmt: cite(document, meeting=meeting, format=fmt) for fmt in CITE_FORMATS}  # type: ignore[arg-type]
        return self.web.render("document.html", doc=document, related=repo.related(document),
                               meeting=meeting, citations=citations)

    def parallel(self, request: Request) -> Response:
        repo = self.web.pool.get()
        document = find_document(repo, request.path_params["symbol"], with_pages=True)
        if (moved := canonical(request, document, "/parallel")) is not None:
            return moved
        versions = [v for v in document.versions if v.pages]
        last = max((v.pages[-1].number for v in versions), default=0)
        start = p.number(request.query_params, "from", 1, max(last, 1))
        numbers = range(start, min(last, start + PAGES_PER_VIEW - 1) + 1)
        rows = [(n, [next((pg for pg in v.pages if pg.number == n), None) for v in versions])
                for n in numbers]
        return self.web.render("parallel.html", doc=document, versions=versions, rows=rows,
                               start=start, last=last, per_view=PAGES_PER_VIEW)

    def file(self, request: Request) -> Response:
        """The stored copy of one language version: found by document and language, never
        by a path taken from the request."""
        repo = self.web.pool.get()
        document = find_document(repo, request.path_params["symbol"])
        language = p.language({"lang": request.path_params["lang"]})
        assert language is not None
        stored = document.require_version(language).file
        if stored is None or not repo.store.has(stored.sha256):
            raise NotFoundError(f"{document.symbol or document.id} [{language}] has no stored file.")
        media = MEDIA_TYPES.get(stored.format) or mimetypes.guess_type(stored.original_name)[0]
        inline = stored.format in ("pdf", "text")  # never HTML or DOCX: no stored markup runs here
        return FileResponse(repo.store.path(stored.sha256), media_type=media or "application/octet-stream",
                            filename=stored.original_name,
                            content_disposition_type="inline" if inline else "attachment")

    def citation(self, request: Request) -> Response:
        repo = self.web.pool.get()
        document = find_document(repo, request.path_params["symbol"])
        fmt = request.query_params.get("format", "un")
        if fmt not in CITE_FORMATS:
            raise UsageError(f"unknown citation format {fmt[:20]!r}; use one of {', '.join(CITE_FORMATS)}")
        meeting = repo.catalog.meeting(document.meeting) if document.meeting else None
        media, ext = CITE_MEDIA[fmt]
        name = "".join(c if c.isalnum() else "_" for c in document.symbol or document.id)
        return PlainTextResponse(cite(document, meeting=meeting, format=fmt) + "\n",  # type: ignore[arg-type]
                                 media_type=media,
                                 headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'})

    def latest_meeting(self, request: Request) -> Response:
        codes = self.web.pool.get().catalog.meeting_codes()
        if not codes:
            raise HTTPException(404, "No meeting programme is in this repository yet.")
        return RedirectResponse(meeting_url(codes[-1]), 302)

    def meeting(self, request: Request) -> Response:
        repo = self.web.pool.get()
        code = request.path_params["code"]
        if repo.catalog.meeting(code) is None:
            raise HTTPException(404, f"There is no meeting {code[:50]!r} in this repository.")
        programme = repo.meeting(code)
        papers = [d for d in repo.list(meeting=programme.meeting.code) if d.type == "paper"]
        days: dict[str, list] = {}
        for s in programme.meeting.sessions:
            days.setdefault(s.day, []).append(s)
        return self.web.render("meeting.html", programme=programme, m=programme.meeting,
                               days=days, papers=papers)
