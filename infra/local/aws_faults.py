"""The functions' AWS endpoint: the same moto, served on a port of its own, failing calls as AWS does.

Every function's AWS_ENDPOINT_URL is this endpoint; the emulator itself (queue pollers, stream
readers, seeding, `LocalStack.client`) talks to moto's own port. So injected faults reach the
functions' calls only: a throttled PutItem is the application's problem, never the emulator's
ReceiveMessage. Both ports serve one moto (moto keeps its data in process-wide backends), so the
two see the same tables and queues. Faults are answered on the wire as AWS answers them, so botocore
parses, retries and finally raises them as it would on AWS.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import run_wsgi_app

from infra.local.faults import Faults

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]

DYNAMODB_TARGET_PREFIX = "DynamoDB_20120810."  # not DynamoDBStreams_20120810: functions do not read streams
DYNAMODB_CONDITIONAL_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"})
SQS_SENDS = frozenset({"SendMessage", "SendMessageBatch"})
DYNAMODB_TYPE_PREFIX = "com.amazonaws.dynamodb.v20120810"
SQS_TYPE_PREFIX = "com.amazonaws.sqs"

# (status line, error code, message) as DynamoDB and SQS answer them.
_DYNAMODB_THROTTLES = (
    (
        "400 Bad Request",
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API.",
    ),
    (
        "400 Bad Request",
        "ThrottlingException",
        "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
        "scaling your table or index so please try again shortly.",
    ),
)
_DYNAMODB_LOST_REPLY = ("500 Internal Server Error", "InternalServerError", "Internal server error")
_SQS_SEND_ERRORS = (
    ("500 Internal Server Error", "InternalError", "We encountered an internal error. Please try again."),
    (
        "503 Service Unavailable",
        "ServiceUnavailable",
        "The request has failed due to a temporary failure of the server.",
    ),
)


def _service(environ: dict[str, Any]) -> str:
    """The signing service of a SigV4 request: Credential=<key>/<date>/<region>/<service>/aws4_request."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    scope = authorization.partition("Credential=")[2].split(",", 1)[0].split("/")
    return scope[3].lower() if len(scope) == 5 else ""


def _body(environ: dict[str, Any]) -> bytes:
    """The request body, read once and put back for moto to read."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)


def _is_conditional(operation: str, body: bytes) -> bool:
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return False
    if not isinstance(request, dict):
        return False
    if operation != "TransactWriteItems":
        return "ConditionExpression" in request or "Expected" in request
    entries = request.get("TransactItems") or []
    return any(
        isinstance(entry, dict)
        and any(
            name == "ConditionCheck" or (isinstance(op, dict) and "ConditionExpression" in op)
            for name, op in entry.items()
        )
        for entry in entries
    )


def _error(
    start_response: StartResponse,
    answer: tuple[str, str, str],
    *,
    type_prefix: str,
    query_error: bool = False,
    kind: str,
) -> Iterable[bytes]:
    status, code, message = answer
    body = json.dumps({"__type": f"{type_prefix}#{code}", "message": message}).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.0"),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", str(uuid.uuid4())),
        ("x-otklik-local-fault", kind),
    ]
    if query_error:
        # SQS speaks JSON but keeps its query-protocol codes (awsQueryCompatible): botocore reads this header.
        headers.append(("x-amzn-query-error", f"{code};{'Receiver' if status[0] == '5' else 'Sender'}"))
    start_response(status, headers)
    return [body]


class FaultInjectingAws:
    """WSGI: moto's application, with the configured share of DynamoDB and SQS calls failing."""

    def __init__(
        self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]], faults: Faults
    ) -> None:
        self.app = app
        self.faults = faults

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.faults.active:
            service, target = _service(environ), str(environ.get("HTTP_X_AMZ_TARGET", ""))
            operation = target.rpartition(".")[2]
            if service == "dynamodb" and target.startswith(DYNAMODB_TARGET_PREFIX):
                failed = self._dynamodb(environ, start_response, operation)
                if failed is not None:
                    return failed
            elif service == "sqs" and operation in SQS_SENDS:
                answer = self.faults.draw("sqs_send_error", _SQS_SEND_ERRORS)
                if answer is not None:
                    return self._refuse(start_response, "sqs_send_error", answer, operation)
        return self.app(environ, start_response)

    def _dynamodb(
        self, environ: dict[str, Any], start_response: StartResponse, operation: str
    ) -> Iterable[bytes] | None:
        answer = self.faults.draw("dynamodb_throttle", _DYNAMODB_THROTTLES)
        if answer is not None:
            return self._refuse(start_response, "dynamodb_throttle", answer, operation)
        if operation not in DYNAMODB_CONDITIONAL_WRITES or not _is_conditional(operation, _body(environ)):
            return None
        if self.faults.draw("dynamodb_condition_race", (_DYNAMODB_LOST_REPLY,)) is None:
            return None
        # Apply the write, then lose its answer: the SDK retries, and the retry meets the write.
        app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        applied = str(status).startswith("200")
        if not applied:
            # The write itself failed (its condition did not hold): nothing was lost; pass its answer on.
            start_response(status, list(headers.items()))
            return app_iter
        return self._refuse(start_response, "dynamodb_condition_race", _DYNAMODB_LOST_REPLY, operation)

    def _refuse(
        self, start_response: StartResponse, kind: str, answer: tuple[str, str, str], operation: str
    ) -> Iterable[bytes]:
        status, code, _ = answer
        self.faults.injected(kind, f"{status.split()[0]} {code}")
        logger.debug("injected %s: %s answered %s %s", kind, operation, status, code)
        if kind == "sqs_send_error":
            return _error(start_response, answer, type_prefix=SQS_TYPE_PREFIX, query_error=True, kind=kind)
        return _error(start_response, answer, type_prefix=DYNAMODB_TYPE_PREFIX, kind=kind)


class FunctionAwsEndpoint:
    """The endpoint functions call AWS on: this process's moto behind FaultInjectingAws, on its own port."""

    def __init__(self, faults: Faults, host: str = "127.0.0.1", port: int = 0) -> None:
        application = FaultInjectingAws(DomainDispatcherApplication(create_backend_app), faults)
        try:
            self._server: BaseWSGIServer = make_server(
                host, port, application, threaded=True, request_handler=MotoRequestHandler
            )
        except OSError as error:
            raise OSError(
                error.errno, f"{host}:{port} is not free for the functions' AWS endpoint: {error.strerror}"
            ) from error
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-functions-aws", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()
