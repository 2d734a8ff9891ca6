"""API Gateway (REST API, Lambda proxy integration) on loopback: each Api event of the template a route."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra.local.faults import Faults, FaultSettings, FaultSettingsError
from infra.local.resources import LocalResources
from infra.local.runtime import FunctionError, LambdaRuntime, UnknownFunctionError
from infra.local.schedules import NoScheduleError, Scheduler
from infra.local.template import Template

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_MAX_DRAINED_BYTES = 128 * 1024 * 1024  # an oversized body up to this size is read and dropped before the 413
IMPLICIT_API = "ServerlessRestApi"
IMPLICIT_STAGE = "Prod"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}


# ---------------------------------------------------------------- routes


# Path parameters that are secrets (the token in a marketplace's push URL): never logged.
SECRET_PATH_PARAMETERS = frozenset({"token"})


@dataclass(frozen=True)
class Route:
    """One Api event: a template path (with {param} and {proxy+}) and a method, served by a function."""

    path: str
    method: str
    function_id: str
    event_name: str
    api_id: str
    stage: str
    stage_variables: dict[str, str] | None = None

    @property
    def segments(self) -> list[str]:
        return _segments(self.path)

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters when path matches this route's template path, else None."""
        wanted, given = self.segments, _segments(path)
        parameters: dict[str, str] = {}
        for index, segment in enumerate(wanted):
            if segment.startswith("{") and segment.endswith("+}"):
                if index >= len(given):
                    return None
                parameters[segment[1:-2]] = "/".join(given[index:])
                return parameters
            if index >= len(given):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                parameters[segment[1:-1]] = given[index]
            elif segment != given[index]:
                return None
        return parameters if len(given) == len(wanted) else None

    def secret_positions(self) -> tuple[int, ...]:
        """Which segments of this route's template path are secret parameters (a push URL's token)."""
        return tuple(
            index
            for index, segment in enumerate(self.segments)
            if segment.startswith("{") and segment.strip("{}+") in SECRET_PATH_PARAMETERS
        )

    def specificity(self) -> tuple[tuple[int, ...], bool]:
        """API Gateway prefers literal segments to {param} to {proxy+}, and a method to ANY."""
        ranks = tuple(
            0 if segment.endswith("+}") else 1 if segment.startswith("{") else 2 for segment in self.segments
        )
        return ranks, self.method != "ANY"


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def logged_path(routes: list[Route], path: str) -> str:
    """The path as logs write it: wherever it begins as a route with a secret parameter does (the
    literal segments before the secret as in the template), that segment is written as its {name},
    whatever route the request went to and whatever follows (a 404 under a greedy route included)."""
    given = _segments(path)
    for route in routes:
        wanted = route.segments
        for position in route.secret_positions():
            if position < len(given) and all(
                segment.startswith("{") or segment == given[index]
                for index, segment in enumerate(wanted[:position])
            ):
                given[position] = wanted[position]
    return "/" + "/".join(given) if given else path


def match_route(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The most specific route for method and path, with its path parameters."""
    matches = [
        (route, parameters)
        for route in routes
        if route.method in (method.upper(), "ANY") and (parameters := route.match(path)) is not None
    ]
    if not matches:
        return None
    return max(matches, key=lambda match: match[0].specificity())


def collect_routes(template: Template, resources: LocalResources) -> list[Route]:
    """Every `Type: Api` event of every function."""
    routes: list[Route] = []
    for spec in template.functions():
        for event in spec.events_of_type("Api"):
            props = template.resolve(event.properties, resources) or {}
            api_ref = event.properties.get("RestApiId")
            api_logical_id = api_ref.get("Ref") if isinstance(api_ref, dict) else None
            if api_logical_id in template.resources:
                api_props = template.resolve(template.properties(api_logical_id), resources) or {}
                stage = str(api_props.get("StageName", IMPLICIT_STAGE))
                variables = api_props.get("Variables") or None
            else:
                stage, variables = IMPLICIT_STAGE, None
            api_id = str(props.get("RestApiId") or resources.physical_id(IMPLICIT_API))
            routes.append(
                Route(
                    path=str(props["Path"]),
                    method=str(props["Method"]).upper().replace("X-AMAZON-APIGATEWAY-ANY-METHOD", "ANY"),
                    function_id=spec.logical_id,
                    event_name=event.name,
                    api_id=api_id,
                    stage=stage,
                    stage_variables={k: str(v) for k, v in variables.items()} if variables else None,
                )
            )
    for spec in template.functions():
        for event in spec.events_of_type("HttpApi"):
            logger.warning("%s.%s: HttpApi events are not served locally", spec.logical_id, event.name)
    return routes


# ---------------------------------------------------------------- events and responses


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str


def proxy_event(
    route: Route,
    path_parameters: dict[str, str],
    request: HttpRequest,
    *,
    account_id: str,
    request_id: str,
    now: datetime,
) -> dict[str, Any]:
    """The API Gateway REST proxy event (payload 1.0) Lambda gets for this request."""
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers:
        headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.query, keep_blank_values=True):
        query[name] = value
        multi_query.setdefault(name, []).append(value)
    header = {name.lower(): value for name, value in headers.items()}
    body: str | None = None
    is_base64 = False
    if request.body:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            body, is_base64 = base64.b64encode(request.body).decode(), True
    request_time = f"{now:%d}/{_MONTHS[now.month - 1]}/{now:%Y:%H:%M:%S} +0000"
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": route.stage_variables,
        "requestContext": {
            "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, route.path).hex[:6],
            "resourcePath": route.path,
            "httpMethod": request.method,
            "extendedRequestId": request_id,
            "requestTime": request_time,
            "path": f"/{route.stage}{request.path}",
            "accountId": account_id,
            "protocol": "HTTP/1.1",
            "stage": route.stage,
            "domainPrefix": route.api_id,
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "apiKey": header.get("x-api-key"),
                "sourceIp": request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": header.get("user-agent"),
                "user": None,
            },
            "domainName": header.get("host", "127.0.0.1"),
            "apiId": route.api_id,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


class MalformedProxyResponseError(ValueError):
    """The function's result is not a Lambda proxy response (API Gateway answers 502)."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def proxy_response(result: Any) -> HttpResponse:
    """The HTTP response API Gateway makes of a Lambda proxy result."""
    if not isinstance(result, dict) or "statusCode" not in result:
        raise MalformedProxyResponseError(f"no statusCode in {str(result)[:200]!r}")
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        raise MalformedProxyResponseError(f"statusCode {result['statusCode']!r} is not a number") from None
    headers: list[tuple[str, str]] = []
    multi = result.get("multiValueHeaders") or {}
    for name, values in multi.items():
        headers.extend((str(name), str(value)) for value in values)
    given = {name.lower() for name in multi}
    headers.extend(
        (str(name), str(value))
        for name, value in (result.get("headers") or {}).items()
        if name.lower() not in given
    )
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedProxyResponseError("body must be a string")
    content = b""
    if body:
        content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    return HttpResponse(status, headers, content)


def json_response(status: int, document: Any) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(document).encode())


# ---------------------------------------------------------------- the server


class ApiServer:
    """A threading HTTP server that turns requests into proxy events and function results into responses.

    Also serves POST /_local/schedules/{FunctionLogicalId} (fire that function's schedule now),
    GET /_local/status, and GET and POST /_local/faults (the faults injected into the functions' calls).
    """

    def __init__(
        self,
        runtime: LambdaRuntime,
        routes: list[Route],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        scheduler: Scheduler | None = None,
        status: Callable[[], dict[str, Any]] | None = None,
        faults: Faults | None = None,
    ) -> None:
        self.runtime = runtime
        self.routes = routes
        self.scheduler = scheduler
        self.status = status
        self.faults = faults
        self.account_id = runtime.template.account_id
        try:
            self._server = _Server((host, port), _RequestHandler)
        except OSError as error:
            raise OSError(error.errno, f"{host}:{port} is not free for the API: {error.strerror}") from error
        self._server.api = self
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="local-api", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request (what the HTTP handler calls)."""
        if request.path == "/_local" or request.path.startswith("/_local/"):
            return self._handle_local(request)
        matched = match_route(self.routes, request.method, request.path)
        if matched is None:
            return json_response(404, {"message": f"No route for {request.method} {request.path}"})
        route, parameters = matched
        request_id = str(uuid.uuid4())
        event = proxy_event(
            route,
            parameters,
            request,
            account_id=self.account_id,
            request_id=request_id,
            now=datetime.now(UTC),
        )
        logged = logged_path(self.routes, request.path)
        started = time.monotonic()
        try:
            result = self.runtime.invoke(route.function_id, event)
            response = proxy_response(result)
        except FunctionError as error:
            error.log(logger, "%s %s: %s failed", request.method, logged, route.function_id)
            response = json_response(502, {"message": "Internal server error"})
        except MalformedProxyResponseError as error:
            logger.error("%s %s: %s returned a malformed response: %s", request.method, logged, route, error)
            response = json_response(502, {"message": "Internal server error"})
        logger.info(
            "%s %s -> %s %d in %.0f ms",
            request.method,
            logged,
            route.function_id,
            response.status,
            (time.monotonic() - started) * 1000,
        )
        headers = [(n, v) for n, v in response.headers if n.lower() not in _HOP_BY_HOP]
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", "application/json"))
        headers.extend([("x-amzn-RequestId", request_id), ("x-amz-apigw-id", request_id[:16])])
        return HttpResponse(response.status, headers, response.body)

    def _handle_local(self, request: HttpRequest) -> HttpResponse:
        segments = _segments(request.path)
        if request.method == "GET" and segments == ["_local", "status"] and self.status is not None:
            return json_response(200, self.status())
        if request.method == "POST" and len(segments) == 3 and segments[1] == "schedules":
            return self._fire_schedule(segments[2], dict(parse_qsl(request.query)).get("event"), request.body)
        if segments == ["_local", "faults"] and self.faults is not None:
            if request.method == "GET":
                return json_response(200, self.faults.describe())
            if request.method == "POST":
                return self._set_faults(request.body)
        return json_response(404, {"message": f"No local route {request.method} {request.path}"})

    def _set_faults(self, body: bytes) -> HttpResponse:
        """Replace the fault settings (and start their counts again); `{}` turns every fault off."""
        assert self.faults is not None
        try:
            settings = FaultSettings.from_document(json.loads(body or b"{}"))
        except FaultSettingsError as error:
            return json_response(400, {"message": str(error)})
        except ValueError as error:
            return json_response(400, {"message": f"the body is not JSON: {error}"})
        self.faults.configure(settings)
        logger.info("faults set: %s", json.dumps(settings.to_document()))
        return json_response(200, self.faults.describe())

    def _fire_schedule(self, function_id: str, schedule_name: str | None, body: bytes) -> HttpResponse:
        """Fire now; a JSON object in the body becomes the scheduled event's detail (e.g. {"force": true})."""
        if self.scheduler is None:
            return json_response(404, {"message": "schedules are not running"})
        detail: dict[str, Any] | None = None
        if body.strip():
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                return json_response(
                    400, {"message": "the body, when given, must be a JSON object: the event's detail"}
                )
            detail = parsed
        try:
            self.runtime.function(function_id)
            result = self.scheduler.fire(function_id, schedule_name, detail)
        except (UnknownFunctionError, NoScheduleError) as error:
            return json_response(404, {"message": str(error.args[0])})
        except FunctionError as error:
            error.log(logger, "schedule of %s fired on demand: the function failed", function_id)
            return json_response(502, {"message": "Internal server error", **error.payload()})
        return json_response(200, result)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: ApiServer


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    server_version = "otklik-local-api"

    def do_GET(self) -> None:
        self._answer()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def _answer(self) -> None:
        body = self._read_body()
        if body is None:
            self._send(json_response(413, {"message": "Request body exceeds API Gateway's 10 MB limit"}))
            return
        split = urlsplit(self.path)
        request = HttpRequest(
            method=self.command,
            path=split.path or "/",
            query=split.query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            response = self.server.api.handle(request)
        except Exception:
            # A fault of the emulator itself, not of a function: answer rather than drop the connection.
            logger.exception(
                "%s %s: the local API failed",
                request.method,
                logged_path(self.server.api.routes, request.path),
            )
            response = json_response(500, {"message": "Local API error; see the stack's log"})
        self._send(response)

    def _read_body(self) -> bytes | None:
        """The request body, or None when it is over the limit (then it is not read)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            # Read what the client is sending, so it gets the 413 rather than a reset connection.
            remaining = length if length <= _MAX_DRAINED_BYTES else 0
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                self.close_connection = True
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, response: HttpResponse) -> None:
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        self.send_response(response.status, reason)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)
