"""GET /openapi.json: a valid OpenAPI 3.1 document of exactly the routes the apps serve and template.yaml
declares, whose request bodies are the models the routes validate with and whose answers are what the
code answers."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from chalice import Response
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from pydantic import BaseModel

from otklik.domain.alerts import SpikeAlert
from otklik.domain.config import DEFAULT_CONFIG, parse_config
from otklik.domain.errors import Conflict, InvalidRequest, NotAuthenticated, NotFound, TooLarge, TryAgain
from otklik.domain.ids import ticket_id
from otklik.domain.marketplaces import ozon, yandex_market
from otklik.domain.marketplaces.models import Connection
from otklik.domain.models import (
    ChannelResult,
    FeedbackItem,
    Notification,
    OwnChannelFeedback,
    ReplyDraft,
    Ticket,
    Tonality,
)
from otklik.domain.reports import Report
from otklik.domain.signature import SIGNATURE_HEADER
from otklik.entrypoints.http import answers_errors
from otklik.entrypoints.openapi_document import openapi_document
from otklik.ports import Page, TicketFilters
from otklik.usecases import ops
from otklik.usecases.dry_run import DryRunRequest, dry_run
from otklik.usecases.explain import explain_feedback
from otklik.usecases.reply import ReplyRequest, ticket_draft
from otklik.usecases.tickets import AssignRequest, StatusRequest
from tests.support.api_events import body_of, ops_event, request_event
from tests.unit.samples import NOW, feedback_item, stored_ticket
from tests.unit.test_reports import _complaint, _counters, _praise, _report
from tests.unit.test_rules_dry_run import CANDIDATE, StoredDay, late_courier, routed
from tests.unit.test_template import CATCH_ALL, _events, _module

DOCUMENT = openapi_document()
HTTP_FUNCTIONS = ("IngestWebhookFunction", "OpsApiFunction")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# What a browser or a load balancer opens by address: no token, no API key.
PUBLIC_OPS_PATHS = {"/health", "/openapi.json", "/dashboard", "/dashboard/{asset}"}
INTAKE_PATHS = {
    "/webhooks/{source}",
    "/push/ozon/{connection}/{token}",
    "/push/yandex-market/{connection}/{token}/notification",
}


@functools.cache
def _app(logical_id: str) -> Any:
    return _module(logical_id).app


def _operations(document: Mapping[str, Any] = DOCUMENT) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _resolved(schema: Any, root: Mapping[str, Any]) -> Any:
    """schema with every local $ref replaced by what it points at (pydantic's $defs or the document's)."""
    if isinstance(schema, list):
        return [_resolved(part, root) for part in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _resolved(target, root)
    return {key: _resolved(value, root) for key, value in schema.items() if key != "$defs"}


def _answer_schema(path: str, method: str, status: str, content: str = "application/json") -> Any:
    answer = DOCUMENT["paths"][path][method]["responses"][status]
    if "$ref" in answer:
        answer = _resolved(answer, DOCUMENT)
    return answer["content"][content]["schema"]


def _problems(instance: Any, schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with instance under schema, whose $refs point into the document."""
    validator = Draft202012Validator(
        {**schema, "components": DOCUMENT["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:300]}"
        for error in validator.iter_errors(instance)
    ]


# ---------------------------------------------------------------- the document against the routes


def test_the_document_is_valid_openapi_3_1() -> None:
    # Given the document the route answers
    # When the OpenAPI 3.1 validator reads it
    validate(DOCUMENT, cls=OpenAPIV31SpecValidator)
    # Then it is a 3.1 document, and every operation has an id of its own
    assert DOCUMENT["openapi"].startswith("3.1.")
    ids = [operation["operationId"] for _, _, operation in _operations()]
    assert len(ids) == len(set(ids))


def test_its_paths_and_methods_are_exactly_the_chalice_apps_routes() -> None:
    # Given the routes both Chalice apps serve
    served = {
        (path, method.lower())
        for logical_id in HTTP_FUNCTIONS
        for path, methods in _app(logical_id).routes.items()
        for method in methods
    }
    # When the document's operations are listed
    documented = {(path, method) for path, method, _ in _operations()}
    # Then each is the other
    assert documented == served


def test_its_paths_are_exactly_the_templates_api_events() -> None:
    declared = {event["Path"] for logical_id in HTTP_FUNCTIONS for event in _events(logical_id, "Api")}
    assert set(DOCUMENT["paths"]) == declared - CATCH_ALL


def test_it_asks_for_the_api_key_exactly_where_api_gateway_requires_one() -> None:
    # Given the Api events template.yaml makes API Gateway ask an API key on
    keyed = {
        event["Path"]
        for logical_id in HTTP_FUNCTIONS
        for event in _events(logical_id, "Api")
        if event.get("Auth", {}).get("ApiKeyRequired")
    }
    # Then the document asks for it on those paths' operations and on no other
    asking = {
        path
        for path, _, operation in _operations()
        if any("apiKey" in requirement for requirement in operation["security"])
    }
    assert asking == keyed


def test_every_ops_route_but_the_public_ones_asks_for_the_bearer_token_and_may_answer_401() -> None:
    ops_paths = set(DOCUMENT["paths"]) - INTAKE_PATHS
    for path, method, operation in _operations():
        if path not in ops_paths:
            continue
        if path in PUBLIC_OPS_PATHS:
            assert (operation["security"], "401" in operation["responses"]) == ([], False), path
        else:
            assert operation["security"] == [{"bearer": [], "apiKey": []}], (path, method)
            assert "401" in operation["responses"], (path, method)


def test_the_webhook_asks_for_its_signature_header_and_the_pushes_for_their_url_token() -> None:
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert (schemes["signature"]["in"], schemes["signature"]["name"]) == ("header", SIGNATURE_HEADER)
    assert DOCUMENT["paths"]["/webhooks/{source}"]["post"]["security"] == [{"signature": []}]
    for path in INTAKE_PATHS - {"/webhooks/{source}"}:
        operation = DOCUMENT["paths"][path]["post"]
        assert operation["security"] == []
        assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == {"connection", "token"}


def test_every_path_parameter_is_in_its_path() -> None:
    for path, method, operation in _operations():
        named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        in_path = {part.strip("{}") for part in path.split("/") if part.startswith("{")}
        assert named == in_path, (path, method)


def test_each_body_route_takes_the_content_types_chalice_lets_through() -> None:
    for logical_id in HTTP_FUNCTIONS:
        for path, methods in _app(logical_id).routes.items():
            for method, entry in methods.items():
                operation = DOCUMENT["paths"][path][method.lower()]
                if "requestBody" in operation:
                    assert set(operation["requestBody"]["content"]) == set(entry.content_types), path


# The models each route reads its body with: otklik.usecases.ingest (the webhook), entrypoints.ops.tickets
# and .rules.
BODY_MODELS: list[tuple[str, type[BaseModel]]] = [
    ("/webhooks/{source}", OwnChannelFeedback),
    ("/tickets/{id}/status", StatusRequest),
    ("/tickets/{id}/assign", AssignRequest),
    ("/tickets/{id}/reply", ReplyRequest),
    ("/rules/dry-run", DryRunRequest),
]


@pytest.mark.parametrize(("path", "model"), BODY_MODELS, ids=[path for path, _ in BODY_MODELS])
def test_a_request_body_is_the_schema_of_the_model_the_route_validates_with(
    path: str, model: type[BaseModel]
) -> None:
    # Given the model's own JSON Schema, as pydantic validates with it
    own = model.model_json_schema(mode="validation")
    # When the document's body of the route is read, its references followed
    body = DOCUMENT["paths"][path]["post"]["requestBody"]
    # Then every content type it takes has that schema
    for content in body["content"].values():
        assert _resolved(content["schema"], DOCUMENT) == _resolved(own, own)


def test_every_operation_with_a_body_is_one_whose_model_is_checked_above() -> None:
    with_body = {path for path, _, operation in _operations() if "requestBody" in operation}
    pushes = {path for path in INTAKE_PATHS if path.startswith("/push/")}
    assert with_body - pushes == {path for path, _ in BODY_MODELS}


def test_a_reply_body_may_be_left_out_and_the_other_bodies_may_not() -> None:
    required = {path: DOCUMENT["paths"][path]["post"]["requestBody"]["required"] for path, _ in BODY_MODELS}
    assert required == {path: path != "/tickets/{id}/reply" for path, _ in BODY_MODELS}


# ---------------------------------------------------------------- the document against the answers


ERROR_NAMES = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "404": "NotFound",
    "405": "MethodNotAllowed",
    "409": "Conflict",
    "413": "PayloadTooLarge",
    "415": "UnsupportedMediaType",
    "503": "ServiceUnavailable",
}


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (InvalidRequest("bad", [{"field": "day", "error": "missing"}]), "400"),
        (NotAuthenticated("no token"), "401"),
        (NotFound("no ticket"), "404"),
        (Conflict("moved"), "409"),
        (TooLarge("big"), "413"),
        (TryAgain("busy"), "503"),
    ],
)
def test_each_refusal_answers_the_documented_error_of_its_status(refusal: Exception, status: str) -> None:
    # Given a view that refuses
    @answers_errors
    def view() -> None:
        raise refusal

    # When it is answered
    answer = view()
    assert isinstance(answer, Response)
    # Then its status is documented, and its body is that status's error
    assert str(answer.status_code) == status
    schema = _resolved(DOCUMENT["components"]["responses"][ERROR_NAMES[status]], DOCUMENT)
    assert _problems(json.loads(answer.body), schema["content"]["application/json"]["schema"]) == []


@dataclass
class LambdaContextStub:
    function_name: str = "OpsApiFunction"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _ops_answer(event: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = _app("OpsApiFunction")(event, LambdaContextStub())
    return answer


def test_get_openapi_json_answers_the_document_without_a_token() -> None:
    # When the ops API is asked for /openapi.json with no Authorization header
    answer = _ops_answer(ops_event("/openapi.json", "/openapi.json", token=None))
    # Then it answers 200 with this document, as JSON
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"].startswith("application/json")
    assert body_of(answer) == DOCUMENT


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [("DELETE", {}, "405"), ("GET", {"Content-Type": "text/plain"}, "415")],
)
def test_chalices_own_refusals_answer_the_documented_errors(
    method: str, headers: dict[str, str], status: str
) -> None:
    event = request_event(method, "/openapi.json", "/openapi.json", None, headers=headers)
    event["headers"] = headers  # the sample's Content-Type: application/json left out, or replaced
    event["multiValueHeaders"] = {key: [value] for key, value in headers.items()}
    answer = _ops_answer(event)
    assert str(answer["statusCode"]) == status
    schema = _resolved(DOCUMENT["components"]["responses"][ERROR_NAMES[status]], DOCUMENT)
    assert _problems(body_of(answer), schema["content"]["application/json"]["schema"]) == []


def _stored(item: FeedbackItem) -> dict[str, Any]:
    """A feedback item as FeedbackTable keeps it (otklik.adapters.dynamo.model_to_document: no nulls)."""
    document: dict[str, Any] = json.loads(item.model_dump_json(exclude_none=True))
    return document


class Stores:
    """Feedback, tickets and counters as the ops use cases read them."""

    def __init__(self, item: FeedbackItem, ticket: Ticket) -> None:
        self.item, self.ticket = item, ticket

    def get(self, key: str) -> dict[str, Any] | None:
        if key == self.item.id:
            return _stored(self.item)
        return self.ticket.model_dump(mode="json", exclude_none=True) if key == self.ticket.id else None

    def get_item(self, feedback_id: str) -> FeedbackItem | None:
        return self.item if feedback_id == self.item.id else None

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        return self.ticket if ticket_id == self.ticket.id else None

    def list_day(self, day: str, limit: int, cursor: str | None) -> Page:
        return Page(items=[_stored(self.item)], next_cursor="next")

    def list_by_status(self, status: str, limit: int, cursor: str | None) -> Page:
        return Page(items=[self.ticket.model_dump(mode="json", exclude_none=True)], next_cursor=None)

    def list_filtered(self, status: str, filters: TicketFilters, limit: int, cursor: str | None) -> Page:
        return self.list_by_status(status, limit, cursor)

    def list_notifications(self, ticket_id: str) -> list[dict[str, Any]]:
        """As otklik.adapters.ticket_store lists them: the entry, each channel's try, then the outbox's."""
        notification = Notification(
            id="nt_1",
            ticket_id=ticket_id,
            event="ticket_opened",
            created_at=NOW,
            title="Новый тикет",
            text="…",
        )
        tried = ChannelResult(channel="telegram", status="retrying", error="503", attempts=2, at=NOW)
        entry: dict[str, Any] = json.loads(notification.model_dump_json(exclude_none=True))
        entry.update(opened_at="2026-11-22T07:00:00+00:00", updated_at="2026-11-22T07:01:00+00:00")
        entry["results"] = [
            tried.model_dump(mode="json", exclude_none=True),
            {"channel": "outbox", "status": "stored"},
        ]
        return [entry]

    def period(self, period: str) -> dict[str, dict[str, int]]:
        """What AggregatesTable holds after counting a few items, by the real aggregate maths."""
        items = [_complaint(n, day="2026-11-22") for n in range(3)] + [_praise(1, day="2026-11-22")]
        return _counters(items, period)

    def put(self, alert: SpikeAlert) -> bool:
        raise AssertionError("the ops API only reads alerts")

    def last_alerted(self, since: date) -> dict[str, date]:
        raise AssertionError("the ops API only reads alerts")

    def since(self, day: date, limit: int = 200) -> list[SpikeAlert]:
        alert = SpikeAlert(
            id="al_1",
            key="topic#quality",
            day=day,
            topic="quality",
            count=9,
            baseline=1.5,
            p_value=0.001,
            raised_at=NOW,
            examples=("Порвалось",),
        )
        return [alert]


class Reports:
    """The report archive as the ops API reads it: one built report, and a link to each of its files."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def save(self, report: Report, files: Mapping[str, bytes]) -> None:
        raise AssertionError("the ops API only reads reports")

    def index(self, report: Report) -> None:
        raise AssertionError("the ops API only reads reports")

    def get(self, report_id: str) -> Report | None:
        return self.report if report_id == self.report.id else None

    def latest(self, kind: str | None, limit: int) -> list[Report]:
        return [self.report]

    def links(self, report: Report, seconds: int) -> dict[str, str]:
        return {
            name: f"https://reports.example/{report.id}/{name}?expires={seconds}" for name in report.files
        }


REPORT, _ = _report([_complaint(n) for n in range(4)], [_complaint(0), _praise(1)])
REPORTS = Reports(REPORT)

# Scored as score_feedback scores today (the text's own compound kept beside the one with the stars).
ITEM = feedback_item(text="Порвалось через день", rating=1, label="negative", compound=-0.6).model_copy(
    update={
        "tonality": Tonality(label="negative", compound=-0.7, text_compound=-0.6, lang="ru", engine="test")
    }
)
TICKET_ID = ticket_id(ITEM.id)
# A ticket of a policy without a first-response target: its answers leave first_response_due_at out.
TICKET = stored_ticket(TICKET_ID, feedback_id=ITEM.id, first_response_due_at=None)
STORES = Stores(ITEM, TICKET)
UNTICKETED = Stores(ITEM, stored_ticket("tk_other"))
DRAFT = ReplyDraft(text="Здравствуйте!", template="apology", variant="a", lang="ru", drafted_at=NOW)
DRAFTED = Stores(ITEM, TICKET.model_copy(update={"draft": DRAFT}))


def _explained(stores: Stores) -> dict[str, Any]:
    config = DEFAULT_CONFIG
    return explain_feedback(ITEM.id, stores, stores, config.tonality.parsed(), config.routing, config.rules)


# What the use case behind each GET route answers, by the route it answers.
GET_ANSWERS: dict[str, tuple[str, Callable[[], Any]]] = {
    "feedback item": ("/feedback/{id}", lambda: ops.get_feedback(STORES, ITEM.id)),
    "feedback of a day": ("/feedback", lambda: ops.list_feedback(STORES, {"day": "2026-11-22"})),
    "explained, ticketed": ("/feedback/{id}/explain", lambda: _explained(STORES)),
    "explained, no ticket": ("/feedback/{id}/explain", lambda: _explained(UNTICKETED)),
    "ticket": ("/tickets/{id}", lambda: ops.get_ticket(STORES, TICKET_ID)),
    "tickets": ("/tickets", lambda: ops.list_tickets(STORES, {"status": "open"})),
    "tickets filtered": (
        "/tickets",
        lambda: ops.list_tickets(STORES, {"team": "support", "breached": "false"}),
    ),
    "no draft": ("/tickets/{id}/draft", lambda: ticket_draft(TICKET_ID, STORES, STORES)),
    "a draft": ("/tickets/{id}/draft", lambda: ticket_draft(TICKET_ID, DRAFTED, DRAFTED)),
    "notifications": ("/notifications", lambda: ops.list_notifications(STORES, {"ticket_id": TICKET_ID})),
    "a day's counters": ("/aggregates", lambda: ops.get_aggregates(STORES, {"day": "2026-11-22"})),
    "a week's": ("/aggregates", lambda: ops.get_aggregates(STORES, {"period": "week", "key": "2026-W48"})),
    "a range's": (
        "/aggregates",
        lambda: ops.get_aggregates(STORES, {"from": "2026-11-21", "to": "2026-11-22", "dimension": "topic"}),
    ),
    "alerts": ("/alerts", lambda: ops.list_alerts(STORES, {})),
    "reports": ("/reports", lambda: ops.list_reports(REPORTS, {})),
    "report": ("/reports/{id}", lambda: ops.get_report(REPORTS, REPORT.id)),
}


@pytest.mark.parametrize("case", list(GET_ANSWERS))
def test_an_ops_answer_matches_its_documented_schema(case: str) -> None:
    # Given what the use case behind the route answers
    path, answer = GET_ANSWERS[case]
    # When it is checked against the route's 200 schema
    problems = _problems(answer(), _answer_schema(path, "get", "200"))
    # Then nothing is wrong with it
    assert problems == []


def test_a_dry_run_answer_matches_its_documented_schema() -> None:
    # Given a day with a ticketed item and one the candidate would ticket differently
    late, other = late_courier("late"), late_courier("other")
    day = StoredDay([late, other], [routed(late)])
    # When the candidate runs over it, capped to one item
    capped = dry_run(parse_config(CANDIDATE), "2026-11-22", day, day, max_items=1)
    whole = dry_run(parse_config(CANDIDATE), "2026-11-22", day, day)
    # Then both answers match the route's schema
    schema = _answer_schema("/rules/dry-run", "post", "200")
    assert capped["capped"] is True
    assert (_problems(capped, schema), _problems(whole, schema)) == ([], [])


PUSH_CONNECTION = Connection(name="ozon-main", marketplace="ozon", push_token_parameter="/p")


@pytest.mark.parametrize(
    ("path", "result"),
    [
        (
            "/push/ozon/{connection}/{token}",
            lambda: ozon.parse_push(b'{"message_type": "TYPE_PING"}', PUSH_CONNECTION, NOW),
        ),
        (
            "/push/ozon/{connection}/{token}",
            lambda: ozon.parse_push(b'{"message_type": "TYPE_NEW_MESSAGE"}', PUSH_CONNECTION, NOW),
        ),
        (
            "/push/ozon/{connection}/{token}",
            lambda: ozon.parse_push(b'{"message_type": "TYPE_CHAT_CLOSED"}', PUSH_CONNECTION, NOW),
        ),
        (
            "/push/yandex-market/{connection}/{token}/notification",
            lambda: yandex_market.parse_notification(b'{"notificationType": "PING"}', PUSH_CONNECTION, NOW),
        ),
        (
            "/push/yandex-market/{connection}/{token}/notification",
            lambda: yandex_market.parse_notification(b"[]", PUSH_CONNECTION, NOW),
        ),
    ],
)
def test_a_push_answer_matches_its_documented_schema_of_its_status(path: str, result: Any) -> None:
    # Given how the platform's parser answers a push: taken, or refused in the platform's own shape
    answer = result()
    # Then the document has that status for the route, and the answer matches it
    assert _problems(answer.body, _answer_schema(path, "post", str(answer.status))) == []
