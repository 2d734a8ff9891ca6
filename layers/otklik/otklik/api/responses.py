"""The one place errors become HTTP answers: every API error is JSON {"error": {code, message, details}}."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, ParamSpec

from aws_lambda_powertools import Logger
from chalice import Chalice, Response
from chalice.app import Request

from otklik.errors import OtklikError

P = ParamSpec("P")
logger = Logger(child=True)


def json_response(status: int, body: Any) -> Response:
    """JSON as UTF-8, not \\u-escaped: most of what ops teams read here is Russian."""
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


def answers_errors(view: Callable[P, Any]) -> Callable[P, Response]:
    """Wrap a Chalice view so OtklikErrors become their status and JSON body."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            result = view(*args, **kwargs)
        except OtklikError as error:
            logger.info("request refused", extra={"status": error.status, "reason": error.message})
            return json_response(error.status, error.to_body())
        return result if isinstance(result, Response) else json_response(200, result)

    return wrapper


def current_request(app: Chalice) -> Request:
    """The request a Chalice view is answering (always set while a view runs)."""
    request = app.current_request
    if request is None:
        raise RuntimeError("no current request: called outside a Chalice view")
    return request


def raw_body(request: Request) -> bytes:
    body = request.raw_body
    return body if isinstance(body, bytes) else str(body).encode("utf-8")
