"""The read-only web page and JSON API (`migdocs serve`): Starlette, Jinja2, uvicorn.

Imported only by `migdocs serve` (and tests), so other commands never load the framework.
"""

from migdocs.web.app import create_app, serve

__all__ = ["create_app", "serve"]
