"""The JSON API: the same shapes as the CLI's --json (each type's `as_dict()`), and its
OpenAPI description."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from migdocs.repo.model import DOCUMENT_TYPES
from migdocs.web import params as p
from migdocs.web.pages import find_document

if TYPE_CHECKING:
    from migdocs.web.app import Web

MAX_SUGGEST_CHARS = 100
SUGGESTIONS = 8  # of each kind


def routes(web: Web) -> list[Route]:
    api = Api(web)
    return [
        Route("/api", lambda r: RedirectResponse("/api/openapi.json", 302)),
        Route("/api/openapi.json", api.openapi),
        Route("/api/search", api.search),
        Route("/api/documents/{symbol:path}", api.document),
        Route("/api/meetings/{code}", api.meeting),
        Route("/api/suggest", api.suggest),
    ]


class Api:
    def __init__(self, web: Web) -> None:
        self.web = web

    def search(self, request: Request) -> Response:
        params = p.search_params(request.query_params)
        result = self.web.pool.get().search(**params.search_kwargs())
        return JSONResponse(result.as_dict())

    def document(self, request: Request) -> Response:
        repo = self.web.pool.get()
        document = find_document(repo, request.path_params["symbol"])
        detail = repo.detail(document.id, language=p.language(request.query_params),
                             with_text=p.flag(request.query_params, "text"))
        return JSONResponse(detail.as_dict())

    def meeting(self, request: Request) -> Response:
        repo = self.web.pool.get()
        code = request.path_params["code"]
        if repo.catalog.meeting(code) is None:
            raise HTTPException(404, f"There is no meeting {code[:50]!r} in this repository.")
        return JSONResponse(repo.meeting(code).as_dict())

    def suggest(self, request: Request) -> Response:
        text = request.query_params.get("q", "")[:MAX_SUGGEST_CHARS]
        found = self.web.pool.get().suggest(text, limit=SUGGESTIONS)
        return JSONResponse({"query": text, "suggestions": [s.as_dict() for s in found]})

    def openapi(self, request: Request) -> Response:
        return JSONResponse(OPENAPI)


def _param(name: str, description: str, schema: dict[str, Any] | None = None, *,
           where: str = "query", required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path",
            "description": description, "schema": schema or {"type": "string"}}


_SEARCH_PARAMS = [
    _param("q", "The query, in the query language of `migdocs search` (any of ar/en/fr/es).",
           {"type": "string", "maxLength": p.MAX_QUERY_CHARS}),
    _param("lang", "Language version: ar, en, fr or es (AR EN FR SP accepted)."),
    _param("session", "Session number, e.g. III."),
    _param("entity", "Author entity acronym, e.g. IOM."),
    _param("type", "Document type.", {"type": "string", "enum": list(DOCUMENT_TYPES)}),
    _param("year", "Year of the document.", {"type": "string", "pattern": "^[0-9]{4}$"}),
    _param("meeting", "Meeting code, e.g. 16CM."),
    _param("symbol", "A symbol or a pattern such as A/RES/71/*."),
    _param("sort", "Order of the results.", {"type": "string", "enum": list(p.SORT_ORDERS),
                                             "default": "relevance"}),
    _param("limit", "Documents per page.", {"type": "integer", "minimum": 1, "maximum": p.MAX_LIMIT,
                                            "default": p.DEFAULT_LIMIT}),
    _param("page", "Page of results.", {"type": "integer", "minimum": 1, "maximum": p.MAX_PAGE,
                                        "default": 1}),
]
_ERROR = {"description": "The reason, as {\"error\": {\"status\", \"message\"}}",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "migdocs", "version": "1",
             "description": "Read-only API over the documents of the UN Coordination Meeting on "
                            "International Migration. Every shape is the one `migdocs ... --json` "
                            "prints (see README.md)."},
    "paths": {
        "/api/search": {"get": {
            "summary": "Search all documents in all four languages (as `migdocs search --json`).",
            "parameters": _SEARCH_PARAMS,
            "responses": {"200": _ok("Results, facets, did-you-mean, notices.", "SearchResult"),
                          "400": _ERROR}}},
        "/api/documents/{symbol}": {"get": {
            "summary": "One document (as `migdocs get --json`). The symbol's slashes may be plain or %2F.",
            "parameters": [_param("symbol", "Symbol in any spelling, or id.", where="path"),
                           _param("lang", "Only this language version."),
                           _param("text", "1: include the text of every page.",
                                  {"type": "string", "enum": ["0", "1"]})],
            "responses": {"200": _ok("The document.", "Document"), "400": _ERROR, "404": _ERROR}}},
        "/api/meetings/{code}": {"get": {
            "summary": "A meeting's programme (as `migdocs meeting --json`).",
            "parameters": [_param("code", "Meeting code, e.g. 16CM.", where="path")],
            "responses": {"200": _ok("The programme.", "Meeting"), "404": _ERROR}}},
        "/api/suggest": {"get": {
            "summary": "Symbols, entities and titles completing what is typed (autocomplete).",
            "parameters": [_param("q", "What is typed so far.",
                                  {"type": "string", "maxLength": MAX_SUGGEST_CHARS})],
            "responses": {"200": _ok("Suggestions, symbols first.", "Suggestions")}}},
    },
    "components": {"schemas": {
        "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
            "status": {"type": "integer"}, "message": {"type": "string"}}}}},
        "SearchResult": {"type": "object", "required": ["query", "total", "page", "limit", "sort",
                                                        "hits", "facets", "suggestion", "notices"],
                         "properties": {
            "query": {"type": "string"}, "total": {"type": "integer"}, "page": {"type": "integer"},
            "limit": {"type": "integer"}, "sort": {"type": "string"},
            "hits": {"type": "array", "items": {"type": "object", "properties": {
                "symbol": {"type": ["string", "null"]}, "id": {"type": "string"},
                "title": {"type": ["string", "null"]}, "entity": {"type": ["string", "null"]},
                "type": {"type": "string"}, "sessions": {"type": "array", "items": {"type": "string"}},
                "languages": {"type": "array", "items": {"type": "string"}},
                "date": {"type": ["string", "null"]}, "score": {"type": "number"},
                "snippets": {"type": "array", "items": {"type": "object", "properties": {
                    "language": {"type": "string"}, "page": {"type": "integer"}, "text": {"type": "string"},
                    "highlights": {"type": "array", "description": "[start, end) in code points",
                                   "items": {"type": "array", "items": {"type": "integer"}}}}}}}}},
            "facets": {"type": "object", "description": "language, session, entity, type, year: "
                                                        "value -> documents"},
            "suggestion": {"type": ["string", "null"]},
            "notices": {"type": "array", "items": {"type": "string"}}}},
        "Document": {"type": "object", "description": "id, symbol, title, entity, entity_name, type, "
                     "meeting, sessions, date, notes, versions [{language, detected_language, "
                     "language_confidence, title, pages, file, format, flags, text?}], related "
                     "[{symbol, relation, title}]"},
        "Meeting": {"type": "object", "description": "code, name, start, end, place, sessions "
                    "[{number, title, day, part, time, moderator, speakers, documents}], "
                    "documents_without_session"},
        "Suggestions": {"type": "object", "properties": {
            "query": {"type": "string"},
            "suggestions": {"type": "array", "items": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["symbol", "entity", "title"]},
                "value": {"type": "string"}}}}}},
    }},
}
