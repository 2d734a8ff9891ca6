"""GET /dashboard: the ops dashboard's page; GET /dashboard/{asset}: its script and style sheet, nothing else.

The page is plain HTML, CSS and JavaScript kept in dashboard_page/ beside this module. These three answer
without a token (a browser opening an address cannot send one); the page signs in with the ops token and
sends it, with the API key on AWS, on every call it makes. A Content-Security-Policy keeps the page to
its own origin: no third-party script, style or font loads, and none can be injected; images may come
from elsewhere, for the report charts' links to the bucket.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

from chalice import Blueprint, Response

from otklik.domain.errors import NotFound
from otklik.entrypoints.http import answers_errors
from otklik.entrypoints.ops import OpsContext

# The only files served, with their types; any other name is a 404, so no path reaches the file system.
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
PAGE = "index.html"
# The page says which version of its files it wants (?v=), so they may be kept a year; the page itself is
# revalidated on every visit, so a deployment shows at once.
VERSION_MARK = "{{version}}"
PAGE_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=31536000, immutable"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https: http:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The report charts' links are signed URLs: a page they are shown on is nobody else's business.
    "Referrer-Policy": "no-referrer",
}


@functools.cache
def _file(name: str) -> str:
    """A file of dashboard_page/, read once per container."""
    return resources.files("otklik.entrypoints.ops").joinpath("dashboard_page", name).read_text("utf-8")


@functools.cache
def _version() -> str:
    """What the page asks for its files by: their content's hash, which changes with any of them."""
    digest = hashlib.sha256()
    for name in sorted(ASSETS):
        digest.update(_file(name).encode("utf-8"))
    return digest.hexdigest()[:16]


def _answer(body: str, content_type: str, cache: str) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": content_type, "Cache-Control": cache}
    headers.update(SECURITY_HEADERS)
    return Response(body=body, status_code=200, headers=headers)


def routes(context: OpsContext) -> Blueprint:
    # context is unused: nothing here reads data; the page's own calls go through the token-checked routes.
    del context
    blueprint = Blueprint(__name__)

    @blueprint.route("/dashboard", methods=["GET"])
    @answers_errors
    def page() -> Response:
        html = _file(PAGE).replace(VERSION_MARK, _version())
        return _answer(html, "text/html; charset=utf-8", PAGE_CACHE)

    @blueprint.route("/dashboard/{asset}", methods=["GET"])
    @answers_errors
    def asset(asset: str) -> Response:
        content_type = ASSETS.get(asset)
        if content_type is None:
            raise NotFound(f"the dashboard has no file {asset[:80]!r}; it has {', '.join(sorted(ASSETS))}")
        return _answer(_file(asset), content_type, ASSET_CACHE)

    return blueprint
