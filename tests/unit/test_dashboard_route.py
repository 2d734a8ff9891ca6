"""GET /dashboard and its files on the ops API's edge: the page and its two files answer without a token,
as HTML, JavaScript and CSS under a Content-Security-Policy that lets nothing third-party in; any other
name under /dashboard/ is the API's JSON 404; and the page's code never writes the API's data as markup."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
from chalice import Chalice

from otklik.entrypoints import ops
from otklik.entrypoints.http import edge_app
from tests.support.api_events import request_event

PAGE_FILES = resources.files("otklik.entrypoints.ops").joinpath("dashboard_page")


def _no_service() -> Any:
    raise AssertionError("the dashboard's page must not need the ops service (nor its token)")


@pytest.fixture
def app() -> Chalice:
    # Every route of the ops API, as functions/ops_api/app.py registers them: none may shadow the page's.
    built = edge_app("dashboard-test")
    ops.register(built, ops.OpsContext(_no_service))
    return built


def _get(app: Chalice, resource: str, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    event = request_event("GET", resource, path, None, path_parameters=params, headers={})
    answer: dict[str, Any] = app(event, None)
    return answer


def _header(answer: dict[str, Any], name: str) -> str:
    return next(str(v) for k, v in answer["headers"].items() if k.lower() == name.lower())


def test_the_page_is_html_without_a_token_under_a_strict_content_security_policy(app: Chalice) -> None:
    answer = _get(app, "/dashboard", "/dashboard")
    assert answer["statusCode"] == 200
    assert _header(answer, "Content-Type") == "text/html; charset=utf-8"
    policy = _header(answer, "Content-Security-Policy")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "img-src 'self' data: https: http:" in policy
    assert "frame-ancestors 'none'" in policy
    assert _header(answer, "X-Content-Type-Options") == "nosniff"
    assert _header(answer, "Cache-Control") == "no-cache"
    body = answer["body"]
    assert body.startswith("<!doctype html>")
    assert 'lang="ru"' in body and "Вход" in body


def test_the_page_asks_for_its_files_by_their_current_version(app: Chalice) -> None:
    body = _get(app, "/dashboard", "/dashboard")["body"]
    versions = set(re.findall(r'"dashboard/app\.(?:js|css)\?v=([0-9a-f]{16})"', body))
    assert len(versions) == 1, body
    assert "{{" not in body


@pytest.mark.parametrize(
    ("asset", "content_type"),
    [("app.js", "text/javascript; charset=utf-8"), ("app.css", "text/css; charset=utf-8")],
)
def test_the_pages_files_are_served_with_their_types_kept_a_year(
    app: Chalice, asset: str, content_type: str
) -> None:
    answer = _get(app, "/dashboard/{asset}", f"/dashboard/{asset}", {"asset": asset})
    assert answer["statusCode"] == 200
    assert _header(answer, "Content-Type") == content_type
    assert _header(answer, "Cache-Control") == "public, max-age=31536000, immutable"
    assert _header(answer, "X-Content-Type-Options") == "nosniff"
    assert answer["body"] == PAGE_FILES.joinpath(asset).read_text("utf-8")


@pytest.mark.parametrize(
    "asset", ["..", "%2e%2e", "index.html", "app.py", "favicon.ico", "APP.JS", "app.js.map"]
)
def test_any_other_name_is_the_apis_json_404(app: Chalice, asset: str) -> None:
    answer = _get(app, "/dashboard/{asset}", f"/dashboard/{asset}", {"asset": asset})
    assert answer["statusCode"] == 404
    assert _header(answer, "Content-Type").startswith("application/json")
    assert json.loads(answer["body"])["error"]["code"] == "not_found"


def test_a_path_climbing_out_of_the_dashboard_reaches_no_file(app: Chalice) -> None:
    # /dashboard/../x is no route of the template: API Gateway sends it to the catch-all, a JSON 404
    answer = _get(app, "/{proxy+}", "/dashboard/../x", {"proxy": "dashboard/../x"})
    assert answer["statusCode"] == 404
    assert json.loads(answer["body"])["error"]["code"] == "not_found"


def test_only_get_is_served(app: Chalice) -> None:
    event = request_event("POST", "/dashboard", "/dashboard", b"{}", headers={})
    answer: dict[str, Any] = app(event, None)
    assert answer["statusCode"] == 405
    assert json.loads(answer["body"])["error"]["code"] == "method_not_allowed"


def test_the_page_loads_nothing_from_elsewhere_and_writes_no_data_as_markup() -> None:
    html = PAGE_FILES.joinpath("index.html").read_text("utf-8")
    css = PAGE_FILES.joinpath("app.css").read_text("utf-8")
    script = PAGE_FILES.joinpath("app.js").read_text("utf-8")
    # No CDN, no web font, no tracker: every address of the page and its style sheet is its own
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", css)
    assert "fetch(API_BASE + path" in script and not re.search(r"fetch\(\s*['\"`]https?:", script)
    # The API's data goes on the page as text only
    for markup in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert markup not in script, markup
