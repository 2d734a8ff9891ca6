"""The HTTP edge of the Chalice apps: every answer is JSON, every error {"error": {code, message, details}}.

One table maps the domain's errors to statuses and codes. Whatever else goes wrong is logged with the
request id and the error's class (never its message, which may quote customer text) and answered
500 internal_error. Chalice's own refusals (no such route, wrong method, unsupported media type) are
answered in the same shape, so a client never has to parse two kinds of error.
"""

from __future__ import annotations

import contextlib
import functools
import json
import traceback
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.exceptions import OrphanedChildLoggerError
from chalice import Chalice, ChaliceUnhandledError, ChaliceViewError, Response
from chalice.app import Request

from otklik.domain.errors import (
    Conflict,
    InvalidRequest,
    NotAuthenticated,
    NotFound,
    Refused,
    TooLarge,
    TryAgain,
)

P = ParamSpec("P")
logger = Logger(child=True)

# The domain's refusals as HTTP answers: (status, code). A refusal answers with its class's entry or its
# nearest base class's; Refused itself has one, so every refusal has an answer and none is guessed.
ERROR_TABLE: Mapping[type[Refused], tuple[int, str]] = {
    Refused: (400, "bad_request"),
    InvalidRequest: (400, "bad_request"),
    NotAuthenticated: (401, "unauthorized"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    TooLarge: (413, "payload_too_large"),
    TryAgain: (503, "service_unavailable"),
}
INTERNAL_ERROR = (500, "internal_error")

# Chalice answers these itself, before any view runs: (status, code) for each of its error codes.
_CHALICE_ERRORS: Mapping[str, tuple[int, str]] = {
    "MethodNotAllowedError": (405, "method_not_allowed"),
    "UnsupportedMediaType": (415, "unsupported_media_type"),
    "NotFoundError": (404, "not_found"),
    "BadRequest": (400, "bad_request"),
    "BadRequestError": (400, "bad_request"),
    "InternalServerError": INTERNAL_ERROR,
}


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    """JSON as UTF-8, not \\u-escaped: most of what ops teams read here is Russian."""
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return json_response(status, {"error": error}, headers)


def status_of(error: Refused) -> tuple[int, str]:
    """The (status, code) of a domain refusal: its class's entry, or its nearest base class's."""
    return next(ERROR_TABLE[cls] for cls in type(error).__mro__ if cls in ERROR_TABLE)


def _request_id(request: Request | None) -> str | None:
    context = getattr(request, "context", None) or {}
    value = context.get("requestId")
    return str(value) if value else None


def _path_of(request: Request | None) -> str:
    """The path asked for. Chalice's request.path is the resource (/tickets/{id}, /{proxy+}); its
    parameters fill it back in."""
    path = str(getattr(request, "path", "") or "")
    for name, value in (getattr(request, "uri_params", None) or {}).items():
        path = path.replace(f"{{{name}+}}", str(value)).replace(f"{{{name}}}", str(value))
    return path


def _correlate(request_id: str | None) -> None:
    """Every log line of this request carries its id, once the function's service logger exists."""
    # Without a service Logger() above this one (an app built without one) there is nowhere to keep the
    # key: the lines still name the request where it matters, in internal_error, and an answer must not
    # fail for want of a log key.
    with contextlib.suppress(OrphanedChildLoggerError):
        logger.set_correlation_id(request_id)


# AWS error codes that mean "not now": throttling, contention, the service's own trouble. A request
# that fails on one after botocore's own retries changed nothing worth keeping, and may be sent again.
_TRANSIENT_AWS_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "RequestThrottled",
        "TooManyRequestsException",
        "TransactionConflictException",
        "SlowDown",
        "InternalServerError",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)
RETRY_AFTER_SECONDS = 1


def transient_aws_failure(error: BaseException) -> bool:
    """Whether error is AWS saying "try again" (or not answering), rather than a bug or a refusal."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return code in _TRANSIENT_AWS_CODES or status >= 500
    return isinstance(error, ConnectionError | HTTPClientError)


def internal_error(error: BaseException, request_id: str | None) -> Response:
    """Log what failed and where (class and frame, no message); answer 503 with Retry-After when AWS
    was only busy (the client should send it again), the documented 500 otherwise."""
    frames = traceback.extract_tb(error.__traceback__)
    where = (
        f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].name}:{frames[-1].lineno}" if frames else ""
    )
    extra = {"request_id": request_id, "error": type(error).__name__, "raised_at": where}
    if transient_aws_failure(error):
        logger.warning("request deferred: AWS is busy", extra=extra)
        return error_response(
            503,
            "service_unavailable",
            "a service we depend on is busy; send the request again (one sent twice counts once)",
            [{"request_id": request_id}] if request_id else None,
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    logger.error("request failed", extra=extra)
    return _internal_answer(request_id)


def _internal_answer(request_id: str | None) -> Response:
    status, code = INTERNAL_ERROR
    message = "something went wrong on our side; the request id says where to look"
    return error_response(status, code, message, [{"request_id": request_id}] if request_id else None)


class ViewCrashed(ChaliceUnhandledError):
    """A view raised what is not a refusal. Chalice lets this one through to edge_app's middleware,
    which answers it (instead of Chalice logging the error's message with its traceback)."""


def answers_errors(view: Callable[P, Any]) -> Callable[P, Response]:
    """Wrap a Chalice view: a domain refusal becomes its status, anything else the documented 500.

    Chalice's own view errors pass through to Chalice, which answers them with their status (the edge
    reshapes the answer): request.json_body raises BadRequestError for a body that is not JSON.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            result = view(*args, **kwargs)
            # Encoded here, inside the try: a result that is not JSON is this view's crash, answered 500.
            return result if isinstance(result, Response) else json_response(200, result)
        except Refused as refusal:
            status, code = status_of(refusal)
            logger.info("request refused", extra={"status": status, "code": code})
            return error_response(status, code, refusal.message, refusal.details)
        except ChaliceViewError:
            raise
        except Exception as error:
            raise ViewCrashed(type(error).__name__) from error

    return wrapper


def _chalice_error(response: Response, request: Request | None) -> Response | None:
    """Chalice's own {"Code", "Message"} answer in our shape, or None when the answer is not one."""
    body = response.body
    if not isinstance(body, dict) or set(body) != {"Code", "Message"}:
        return None
    status, code = _CHALICE_ERRORS.get(str(body["Code"]), (response.status_code, "error"))
    method = getattr(request, "method", "")
    path = _path_of(request)
    headers = {k: str(v) for k, v in response.headers.items() if k.lower() == "allow"}
    if status == 405 and not headers.get("Allow"):
        # No method at all is served here: the path is not one of ours (the catch-all route).
        return error_response(404, "not_found", f"no route {method} {path}")
    if status == 405:
        return error_response(
            405,
            "method_not_allowed",
            f"{method} is not allowed on {path}; use {headers['Allow']}",
            None,
            headers,
        )
    if status == 415:
        return error_response(
            415,
            "unsupported_media_type",
            f"{body['Message']}; send Content-Type: application/json",
        )
    if status == 500:
        logger.error("request failed inside Chalice", extra={"request_id": _request_id(request)})
        return _internal_answer(_request_id(request))
    return error_response(status, code, str(body["Message"]))


class EdgeApp(Chalice):
    """Chalice, answering in our shape what fails outside its middleware too: reading an event it cannot
    make a Request of (before), turning the answer into a proxy result (after)."""

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        try:
            return super().__call__(event, context)
        except Exception as error:  # noqa: BLE001 -- the edge answers every failure in our shape
            request_context = event.get("requestContext") if isinstance(event, dict) else None
            given = request_context.get("requestId") if isinstance(request_context, dict) else None
            request_id = str(given) if given else None
            _correlate(request_id)  # the middleware, which sets it, may not have run
            answer: dict[str, Any] = internal_error(error, request_id).to_dict()
            return answer


def edge_app(name: str) -> Chalice:
    """A Chalice app whose every answer, its own refusals and crashes included, has our error shape."""
    app = EdgeApp(app_name=name)

    @app.middleware("http")
    def _edge(request: Request, get_response: Callable[[Request], Response]) -> Response:
        request_id = _request_id(request)
        try:
            _correlate(request_id)
            response = get_response(request)
        except ViewCrashed as crash:
            return internal_error(crash.__cause__ or crash, request_id)
        except Exception as error:  # noqa: BLE001 -- the edge answers every failure in our shape
            return internal_error(error, request_id)
        return _chalice_error(response, request) or response

    return app


def current_request(app: Chalice) -> Request:
    """The request a Chalice view is answering (always set while a view runs)."""
    request = app.current_request
    if request is None:
        raise RuntimeError("no current request: called outside a Chalice view")
    return request


def raw_body(request: Request) -> bytes:
    """The request's body as bytes. A text body holding a lone surrogate (an event can carry "\\ud800")
    becomes bytes that are not UTF-8, which the JSON reader then refuses, instead of an encoding crash."""
    body = request.raw_body
    return body if isinstance(body, bytes) else str(body).encode("utf-8", "surrogatepass")
