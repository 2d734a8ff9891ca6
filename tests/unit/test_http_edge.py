"""The HTTP edge: domain refusals answer by the error table, crashes answer 500 without their message,
and Chalice's own refusals (405, 404, 415) answer in the same {"error": {code, message}} shape."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from botocore.exceptions import ClientError, EndpointConnectionError
from chalice import Chalice, Response

from otklik.domain import errors
from otklik.domain.errors import Conflict, InvalidRequest, NotAuthenticated, NotFound, Refused, TooLarge
from otklik.entrypoints import http
from otklik.entrypoints.http import ERROR_TABLE, answers_errors, edge_app, status_of
from tests.support.api_events import request_event

SECRET = "secret customer text: Иван Петров, +7 900 123-45-67"
JSON_UTF8 = "application/json; charset=utf-8"

REFUSALS: dict[str, type[Refused]] = {
    "invalid": InvalidRequest,
    "unauthenticated": NotAuthenticated,
    "missing": NotFound,
    "conflict": Conflict,
    "large": TooLarge,
}


class ReplyAlreadyApproved(Conflict):
    """A refusal the table does not name: it answers as its base class does."""


# ---------------------------------------------------------------- the error table


@pytest.mark.parametrize(
    ("error_class", "status", "code"),
    [
        (InvalidRequest, 400, "bad_request"),
        (NotAuthenticated, 401, "unauthorized"),
        (NotFound, 404, "not_found"),
        (Conflict, 409, "conflict"),
        (TooLarge, 413, "payload_too_large"),
        (Refused, 400, "bad_request"),
    ],
)
def test_each_domain_refusal_has_its_status_and_code(
    error_class: type[Refused], status: int, code: str
) -> None:
    assert status_of(error_class("refused")) == (status, code)


def test_a_refusal_the_table_does_not_name_answers_as_its_nearest_base() -> None:
    class StaleDraft(ReplyAlreadyApproved):
        pass

    assert status_of(ReplyAlreadyApproved("another reply is approved")) == (409, "conflict")
    assert status_of(StaleDraft("the draft changed")) == (409, "conflict")


def test_every_refusal_the_domain_declares_is_in_the_table() -> None:
    # A new domain error must be given its own answer on purpose, not fall to Refused's by accident
    declared = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, Refused) and value.__module__ == errors.__name__
    }
    assert declared == set(ERROR_TABLE)


# ---------------------------------------------------------------- an app on the edge


def build_app() -> Chalice:
    app = edge_app(f"edge-test-{uuid.uuid4().hex[:8]}")

    @app.route("/refusals/{kind}", methods=["GET"])
    @answers_errors
    def refuse(kind: str) -> dict[str, Any]:
        if kind == "subclass":
            raise ReplyAlreadyApproved("another reply is approved", [{"reply_id": "rp_1"}])
        raise REFUSALS[kind](f"refused: {kind}", [{"field": "text", "error": "too long"}])

    @app.route("/crash", methods=["GET"])
    @answers_errors
    def crash() -> dict[str, Any]:
        raise RuntimeError(SECRET)

    @app.route("/aws/{code}", methods=["GET"])
    @answers_errors
    def aws_failure(code: str) -> dict[str, Any]:
        if code == "unreachable":
            raise EndpointConnectionError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")
        raise ClientError({"Error": {"Code": code, "Message": SECRET}}, "PutItem")

    @app.route("/things/{id}", methods=["GET", "PUT"])
    @answers_errors
    def get_thing(id: str) -> dict[str, Any]:
        return {"id": id, "text": "Отличный товар"}

    @app.route("/things", methods=["POST"])
    @answers_errors
    def post_thing() -> Response:
        body = http.current_request(app).json_body
        return http.json_response(201, {"got": body})

    @app.route("/not-json", methods=["GET"])
    @answers_errors
    def not_json() -> dict[str, Any]:
        return {"when": object()}

    @app.route("/bad-response", methods=["GET"])
    @answers_errors
    def bad_response() -> Response:
        # A Response Chalice can only encode after the middleware has answered
        return Response(body={"when": object()}, status_code=200)

    return app


@pytest.fixture
def app(caplog: pytest.LogCaptureFixture) -> Iterator[Chalice]:
    built = build_app()
    # Chalice's own logger does not propagate; listen to it too, so a leak there would be seen
    built.log.addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    yield built
    built.log.removeHandler(caplog.handler)


def event(
    method: str,
    resource: str,
    path: str,
    *,
    params: dict[str, str] | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    built = request_event(method, resource, path, body, params, headers)
    built["requestContext"]["requestId"] = f"req-{uuid.uuid4()}"
    return built


def call(app: Chalice, proxy_event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    answer: dict[str, Any] = app(proxy_event, None)
    return answer["statusCode"], answer["headers"], json.loads(answer["body"])


def rendered(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured line as text and as the JSON Powertools would write to CloudWatch."""
    formatter = LambdaPowertoolsFormatter()
    return caplog.text + "\n".join(formatter.format(record) for record in caplog.records)


def assert_internal_error(status: int, headers: dict[str, str], body: Any, request_id: str) -> None:
    assert status == 500
    assert headers["Content-Type"] == JSON_UTF8
    assert body == {
        "error": {
            "code": "internal_error",
            "message": "something went wrong on our side; the request id says where to look",
            "details": [{"request_id": request_id}],
        }
    }


def test_a_dict_is_answered_200_as_utf8_json(app: Chalice) -> None:
    answer: dict[str, Any] = app(event("GET", "/things/{id}", "/things/42", params={"id": "42"}), None)
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == JSON_UTF8
    assert "Отличный товар" in answer["body"]  # not \\u-escaped
    assert json.loads(answer["body"]) == {"id": "42", "text": "Отличный товар"}


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_a_domain_refusal_answers_its_status_code_message_and_details(app: Chalice, kind: str) -> None:
    status, headers, body = call(
        app, event("GET", "/refusals/{kind}", f"/refusals/{kind}", params={"kind": kind})
    )
    assert (status, body["error"]["code"]) == status_of(REFUSALS[kind]("x"))
    assert headers["Content-Type"] == JSON_UTF8
    assert body == {
        "error": {
            "code": body["error"]["code"],
            "message": f"refused: {kind}",
            "details": [{"field": "text", "error": "too long"}],
        }
    }


def test_a_refusal_subclass_answers_with_its_base_classes_entry(app: Chalice) -> None:
    status, _, body = call(
        app, event("GET", "/refusals/{kind}", "/refusals/subclass", params={"kind": "subclass"})
    )
    assert (status, body["error"]["code"]) == (409, "conflict")


def test_an_unexpected_exception_is_a_500_that_never_repeats_its_message(
    app: Chalice, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a view that fails with customer text in its exception
    crash = event("GET", "/crash", "/crash")
    request_id = crash["requestContext"]["requestId"]

    # When it is called
    status, headers, body = call(app, crash)

    # Then the answer is the documented 500, naming the request id and nothing of the error
    assert_internal_error(status, headers, body, request_id)
    assert "secret" not in json.dumps(body, ensure_ascii=False)
    # And the log says which request failed with what class, never the message
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [(getattr(r, "request_id", None), getattr(r, "error", None)) for r in failures] == [
        (request_id, "RuntimeError")
    ]
    assert "test_http_edge.py:crash:" in getattr(failures[0], "raised_at", "")
    assert SECRET not in rendered(caplog)
    assert "secret customer text" not in rendered(caplog)


def test_the_service_log_carries_the_request_id_and_not_the_message(
    app: Chalice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the function's service logger, writing JSON as it does on Lambda, with the edge its child
    service = f"edge-{uuid.uuid4().hex[:8]}"
    written = io.StringIO()
    Logger(service=service, logger_handler=logging.StreamHandler(written))
    monkeypatch.setattr(http, "logger", Logger(service=service, child=True))
    crash = event("GET", "/crash", "/crash")
    request_id = crash["requestContext"]["requestId"]

    # When a view crashes
    status, headers, body = call(app, crash)

    # Then the line written names the request (as field and correlation id) and the class, not the text
    assert_internal_error(status, headers, body, request_id)
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    failure = next(line for line in lines if line["message"] == "request failed")
    assert (failure["request_id"], failure["correlation_id"], failure["error"]) == (
        request_id,
        request_id,
        "RuntimeError",
    )
    assert "secret" not in written.getvalue()


def test_an_edge_without_a_service_logger_still_answers(
    app: Chalice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an edge logger with no service Logger() above it (setting the correlation id would fail)
    monkeypatch.setattr(http, "logger", Logger(service=f"orphan-{uuid.uuid4().hex[:8]}", child=True))
    # When a request is answered, Then it is answered, not turned into a 500 by the log setup
    status, _, body = call(app, event("GET", "/things/{id}", "/things/1", params={"id": "1"}))
    assert (status, body["id"]) == (200, "1")


def test_a_result_that_is_not_json_is_the_documented_500(
    app: Chalice, caplog: pytest.LogCaptureFixture
) -> None:
    request = event("GET", "/not-json", "/not-json")
    status, headers, body = call(app, request)
    assert_internal_error(status, headers, body, request["requestContext"]["requestId"])
    assert [getattr(r, "error", None) for r in caplog.records if r.levelno >= logging.ERROR] == ["TypeError"]


def test_a_response_chalice_cannot_encode_is_the_documented_500(app: Chalice) -> None:
    request = event("GET", "/bad-response", "/bad-response")
    assert_internal_error(*call(app, request), request["requestContext"]["requestId"])


def test_a_wrong_method_is_405_with_the_allowed_ones(app: Chalice) -> None:
    status, headers, body = call(app, event("DELETE", "/things/{id}", "/things/42", params={"id": "42"}))
    assert status == 405
    assert headers["Content-Type"] == JSON_UTF8
    assert sorted(headers["Allow"].split(", ")) == ["GET", "PUT"]
    assert body["error"]["code"] == "method_not_allowed"
    assert body["error"]["message"].startswith("DELETE is not allowed on /things/42")


@pytest.mark.parametrize(
    ("resource", "path", "params"),
    [("/{proxy+}", "/no/such/route", {"proxy": "no/such/route"}), ("/", "/", None)],
)
def test_an_unknown_resource_is_404(
    app: Chalice, resource: str, path: str, params: dict[str, str] | None
) -> None:
    status, headers, body = call(app, event("GET", resource, path, params=params))
    assert status == 404
    assert headers["Content-Type"] == JSON_UTF8
    assert "Allow" not in headers
    assert body == {"error": {"code": "not_found", "message": f"no route GET {path}"}}


def test_a_content_type_the_route_does_not_take_is_415(app: Chalice) -> None:
    request = event("POST", "/things", "/things", body=b"hello", headers={"Content-Type": "text/plain"})
    status, headers, body = call(app, request)
    assert status == 415
    assert headers["Content-Type"] == JSON_UTF8
    assert body["error"]["code"] == "unsupported_media_type"
    assert "text/plain" in body["error"]["message"]


def test_a_body_that_is_not_json_is_400_not_500(app: Chalice) -> None:
    # Chalice's json_body raises its own BadRequestError: a refusal of the request, not a crash
    status, _, body = call(app, event("POST", "/things", "/things", body=b'{"text": '))
    assert (status, body["error"]["code"]) == (400, "bad_request")


def test_a_bad_event_inside_chalice_still_answers_our_500(app: Chalice) -> None:
    # Given an event whose path parameters are missing for a route that takes one (Chalice fails
    # before the view runs)
    request = event("GET", "/things/{id}", "/things/42", params=None)
    # Then the answer is ours
    assert_internal_error(*call(app, request), request["requestContext"]["requestId"])


def test_an_event_chalice_cannot_read_still_answers_our_500(app: Chalice) -> None:
    # Given an event without headers (Chalice fails making its Request, before any middleware)
    request = event("GET", "/things/{id}", "/things/42", params={"id": "42"})
    del request["headers"]
    # Then the answer is still ours
    assert_internal_error(*call(app, request), request["requestContext"]["requestId"])


def test_an_event_that_is_not_from_api_gateway_answers_500_without_details(app: Chalice) -> None:
    status, headers, body = call(app, {})
    assert (status, headers["Content-Type"]) == (500, JSON_UTF8)
    assert body["error"]["code"] == "internal_error"
    assert "details" not in body["error"]


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "unreachable"]
)
def test_aws_being_busy_is_503_with_retry_after_so_the_client_sends_again(
    app: Chalice, caplog: pytest.LogCaptureFixture, code: str
) -> None:
    request = event("GET", "/aws/{code}", f"/aws/{code}", params={"code": code})

    status, headers, body = call(app, request)

    assert status == 503
    assert headers["Retry-After"] == "1"
    assert body["error"]["code"] == "service_unavailable"
    assert SECRET not in rendered(caplog)


def test_an_aws_refusal_that_is_not_transient_stays_a_500(app: Chalice) -> None:
    request = event("GET", "/aws/{code}", "/aws/ValidationException", params={"code": "ValidationException"})

    status, headers, body = call(app, request)

    assert_internal_error(status, headers, body, request["requestContext"]["requestId"])
