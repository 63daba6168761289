"""The web app: routes, error pages and security headers. Read-only: no route writes.

Endpoints are plain (sync) functions, so Starlette runs each in a worker thread, where
`RepositoryPool` gives it that thread's own Repository (see pool.py for why).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from migdocs.errors import BusyError, MigdocsError, NotFoundError, UsageError
from migdocs.web import api, pages
from migdocs.web.pool import WORKER_THREADS, RepositoryPool
from migdocs.web.views import STATIC, environment

log = logging.getLogger("migdocs.web")

#: Sent with every HTML page: only this site's own styles and script, no framing, no
#: referrer leaving the room's network.
HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
}
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                  "X-Frame-Options": "DENY"}
REASONS = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 500: "Server error",
           503: "Busy"}


class Web:
    """What every endpoint needs: the thread's repository and the templates."""

    def __init__(self, home: Path) -> None:
        self.pool = RepositoryPool(home)
        self.env = environment()

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(**context)
        return HTMLResponse(html, status_code=status)


def create_app(home: Path) -> Starlette:
    """The app over the repository at `home` (which must already exist: `serve` opens it
    once first, so any index rebuild happens before the first request)."""
    web = Web(home)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        try:
            yield
        finally:
            web.pool.close()

    routes = [
        *pages.routes(web),
        *api.routes(web),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        HTTPException: lambda r, e: error_response(web, r, e.status_code, e.detail),
        UsageError: lambda r, e: error_response(web, r, 400, str(e)),
        NotFoundError: lambda r, e: error_response(web, r, 404, str(e)),
        BusyError: lambda r, e: error_response(web, r, 503, "The repository is busy with a "
                                               "long write; try again in a minute."),
        MigdocsError: lambda r, e: internal_error(web, r, e),
        Exception: lambda r, e: internal_error(web, r, e),
    })
    app.state.web = web
    app.add_middleware(SecurityHeaders)
    return app


def error_response(web: Web, request: Request, status: int, message: str | None) -> Response:
    """The error as JSON under /api/, else as a page; the message is the reason, never a
    traceback."""
    reason = REASONS.get(status, "Error")
    message = message if message and message.lower() != reason.lower() else _default_message(status)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
    return web.render("error.html", status=status, status_code=status, reason=reason, message=message)


def internal_error(web: Web, request: Request, exc: Exception) -> Response:
    log.error("internal error on %s", request.url.path, exc_info=exc)
    return error_response(web, request, 500, "Something went wrong on the server; the server's "
                          "log has the details.")


def _default_message(status: int) -> str:
    fixed = {404: "There is no page at this address.",
             405: "This site is read-only: pages can be read, not changed."}
    return fixed.get(status, REASONS.get(status, "Error"))


class SecurityHeaders:
    """Adds COMMON_HEADERS to every response and HTML_HEADERS to HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                extra = dict(COMMON_HEADERS)
                if headers.get("content-type", "").startswith("text/html"):
                    extra.update(HTML_HEADERS)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def serve(home: Path, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(home), host=host, port=port, log_level="info", access_log=False,
                server_header=False)
