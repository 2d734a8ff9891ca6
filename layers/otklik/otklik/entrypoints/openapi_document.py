"""The OpenAPI 3.1 document of otklik's HTTP API (GET /openapi.json): webhooks, pushes and the ops API.

Request bodies are the JSON Schemas of the pydantic models the routes validate with, answers those of
the models they are dumped from, all under components/schemas (OpenAPI 3.1 is JSON Schema 2020-12, as
pydantic writes it). The answers the code builds as dicts are described by hand, beside those models.
tests/unit/test_openapi.py holds the document to the Chalice apps' routes, template.yaml's events, the
OpenAPI 3.1 schema and the answers the use cases give.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, get_args

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from otklik import __version__
from otklik.domain.aggregates import DIMENSIONS, PERIOD_KINDS
from otklik.domain.alerts import SpikeAlert
from otklik.domain.lifecycle import NAME
from otklik.domain.marketplaces import ozon, yandex_market
from otklik.domain.models import (
    ChannelResult,
    FeedbackItem,
    Moderation,
    Notification,
    OwnChannelFeedback,
    Priority,
    ReplyDraft,
    ReplyState,
    Ticket,
    TicketStatus,
    TonalityLabel,
    Topic,
)
from otklik.domain.replies.check import ReplyProblem
from otklik.domain.reports import Report
from otklik.domain.signature import SIGNATURE_HEADER
from otklik.entrypoints.http import ERROR_TABLE, INTERNAL_ERROR, RETRY_AFTER_SECONDS
from otklik.entrypoints.ops.dashboard import ASSETS
from otklik.usecases.dry_run import DryRunRequest
from otklik.usecases.ops import DEFAULT_LIMIT, MAX_ASSIGNEE_CHARS, MAX_CURSOR_CHARS, MAX_LIMIT
from otklik.usecases.reply import ReplyRequest
from otklik.usecases.tickets import AssignRequest, StatusRequest

OPENAPI_VERSION = "3.1.0"
SCHEMAS = "#/components/schemas/{model}"
JSON = "application/json"
# What the webhook and push routes take (functions/ingest_webhook/app.py): the body is read as JSON
# whatever its declared type, so a sender that labels it oddly gets a 400 for its content, not a 415.
LENIENT_CONTENT_TYPES = (JSON, "text/plain", "application/octet-stream", "application/x-www-form-urlencoded")


# ---------------------------------------------------------------- answers made of a model and more


class FeedbackWithAutoReply(FeedbackItem):
    """GET /feedback/{id}: the stored item, with the automatic reply to it when it has no ticket."""

    auto_reply: ReplyState | None = None


class ListedNotification(Notification):
    """An entry of GET /notifications: the notification, when the outbox took it, and each channel's
    latest try, then the outbox's own entry ({"channel": "outbox", "status": "stored"})."""

    opened_at: datetime | None = None
    updated_at: datetime | None = None
    results: tuple[ChannelResult, ...] = ()


class ReportWithLinks(Report):
    """GET /reports/{id}: the report, and a link to each of its files, valid for links_expire_in seconds."""

    links: dict[str, str]
    links_expire_in: int


# The models the routes read their bodies with (POST /webhooks/{source}: otklik.usecases.ingest; the ops
# API's POSTs: otklik.entrypoints.ops.tickets and .rules), and those their answers are dumped from.
REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    OwnChannelFeedback,
    StatusRequest,
    AssignRequest,
    ReplyRequest,
    DryRunRequest,
)
ANSWER_MODELS: tuple[type[BaseModel], ...] = (
    FeedbackItem,
    FeedbackWithAutoReply,
    Ticket,
    ReplyDraft,
    ReplyProblem,
    ListedNotification,
    SpikeAlert,
    ReportWithLinks,
    Topic,
    Moderation,
)


class _AnswersOmitNulls(GenerateJsonSchema):
    """Answers are dumped without their null fields (exclude_none), so in an answer's schema a field that
    may be null may also be missing. A request's schema is pydantic's own."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization" and field["schema"]["type"] == "nullable":
            return False
        return super().field_is_required(field, total)


def model_schemas() -> tuple[dict[str, Any], dict[type[BaseModel], dict[str, str]]]:
    """Every model's schema by its name in components/schemas, and the $ref of each model."""
    modes: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        *((model, "validation") for model in REQUEST_MODELS),
        *((model, "serialization") for model in ANSWER_MODELS),
    ]
    refs, top = models_json_schema(modes, ref_template=SCHEMAS, schema_generator=_AnswersOmitNulls)
    return dict(top["$defs"]), {model: dict(refs[model, mode]) for model, mode in modes}


# ---------------------------------------------------------------- errors


def _error_codes() -> dict[int, str]:
    codes = {status: code for status, code in (*ERROR_TABLE.values(), INTERNAL_ERROR)}
    # Chalice's own refusals, answered in the same shape by otklik.entrypoints.http's edge.
    return {**codes, 405: "method_not_allowed", 415: "unsupported_media_type"}


ERROR_CODES = _error_codes()
ERROR_ANSWERS: Mapping[int, tuple[str, str]] = {
    400: ("BadRequest", "The request is malformed: bad JSON, a body or parameter that breaks the schema"),
    401: ("Unauthorized", "Missing or wrong credentials: the bearer token, the signature, the push address"),
    404: ("NotFound", "What the request names does not exist (or is not revealed without its secret)"),
    405: ("MethodNotAllowed", "The path is served, not with this method; Allow names those it is"),
    409: ("Conflict", "The request contradicts the current state (a lifecycle move, another reply)"),
    413: ("PayloadTooLarge", "The body is over the route's limit"),
    415: ("UnsupportedMediaType", "The Content-Type is not one the route takes"),
    500: ("InternalError", "Something failed on our side; details name the request id to look for"),
    503: ("ServiceUnavailable", "A service we depend on is busy: send the same request again"),
}


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": 'Every error of otklik\'s own: {"error": {"code", "message", "details"}}.',
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": sorted(set(ERROR_CODES.values()))},
                    "message": {"type": "string"},
                    "details": {
                        "type": "array",
                        "description": "Present when there is more to say: each field error "
                        '({"field", "error"}, never the value sent), or the request id of a 500 or 503',
                        "items": {"type": "object"},
                    },
                },
            }
        },
    }


def _error_answer(status: int) -> dict[str, Any]:
    _, description = ERROR_ANSWERS[status]
    answer: dict[str, Any] = {
        "description": description,
        "content": {
            JSON: {
                "schema": {
                    "allOf": [
                        {"$ref": SCHEMAS.format(model="Error")},
                        {"properties": {"error": {"properties": {"code": {"const": ERROR_CODES[status]}}}}},
                    ]
                }
            }
        },
    }
    if status == 405:
        answer["headers"] = {"Allow": {"schema": {"type": "string"}, "description": "The methods served"}}
    if status == 503:
        answer["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer", "const": RETRY_AFTER_SECONDS},
                "description": "Seconds to wait; a request sent twice counts once",
            }
        }
    return answer


# ---------------------------------------------------------------- the parts of operations

BEARER: list[dict[str, list[str]]] = [{"bearer": [], "apiKey": []}]
SIGNED: list[dict[str, list[str]]] = [{"signature": []}]
OPEN: list[dict[str, list[str]]] = []  # no credentials (the push routes' secret is their URL's token)

PUBLIC_ERRORS = (415, 500)
OPS_ERRORS = (401, 415, 500, 503)
INTAKE_ERRORS = (401, 404, 413, 415, 500, 503)


def _string(**rules: Any) -> dict[str, Any]:
    return {"type": "string", **rules}


def _nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"anyOf": [dict(schema), {"type": "null"}]}


def _object(
    properties: Mapping[str, Any], required: Iterable[str] | None = None, **rules: Any
) -> dict[str, Any]:
    """An object with these properties, all of them always there unless `required` says otherwise."""
    names = list(properties) if required is None else list(required)
    return {"type": "object", "properties": dict(properties), "required": names, **rules}


def _array(items: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": dict(items)}


STRINGS = _array(_string())
COUNT = {"type": "integer", "minimum": 0}
NUMBER_OR_NULL = _nullable({"type": "number"})
DAY = _string(format="date", pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _path(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": _string(**schema),
    }


def _query(
    name: str, description: str, schema: Mapping[str, Any], *, required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": dict(schema),
    }


def _limit(default: int, maximum: int) -> dict[str, Any]:
    schema = {"type": "integer", "minimum": 1, "maximum": maximum, "default": default}
    return _query("limit", f"How many to list: 1 to {maximum}", schema)


CURSOR = _query("cursor", "The next_cursor of the page before", _string(maxLength=MAX_CURSOR_CHARS))
FEEDBACK_ID = _path("id", "A feedback id (fb_…); an id of another shape is a 404")
TICKET_ID = _path("id", "A ticket id (tk_…); an id of another shape is a 404")


def _json(description: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": dict(schema)}}}


def _body(
    schema: Mapping[str, Any], *, required: bool = True, content_types: Iterable[str] = (JSON,)
) -> dict[str, Any]:
    return {"required": required, "content": {kind: {"schema": dict(schema)} for kind in content_types}}


def _operation(
    operation_id: str,
    summary: str,
    tag: str,
    security: list[dict[str, list[str]]],
    answers: Mapping[str, Any],
    errors: Iterable[int],
    *,
    description: str = "",
    parameters: Iterable[Mapping[str, Any]] = (),
    body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One operation; each error status answers the shared response of components/responses."""
    responses = dict(answers)
    for status in sorted(set(errors)):
        responses.setdefault(str(status), {"$ref": f"#/components/responses/{ERROR_ANSWERS[status][0]}"})
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    if description:
        operation["description"] = description
    operation["security"] = security
    if parameters:
        operation["parameters"] = [dict(parameter) for parameter in parameters]
    if body is not None:
        operation["requestBody"] = dict(body)
    operation["responses"] = responses
    return operation


# ---------------------------------------------------------------- answers the code builds as dicts


def _counters_schema() -> dict[str, Any]:
    """otklik.domain.aggregates.summarize: one dimension value's counters, as the ops API shows them."""
    by_star = _object({str(stars): COUNT for stars in range(1, 6)})
    tickets = _object(
        {
            "opened": COUNT,
            "resolved": COUNT,
            "reopened": COUNT,
            "repeat_contacts": COUNT,
            "first_response": _object(
                {
                    "count": COUNT,
                    "average_hours": NUMBER_OR_NULL,
                    "p50_hours": NUMBER_OR_NULL,
                    "p90_hours": NUMBER_OR_NULL,
                }
            ),
            "sla": _object({"met": COUNT, "missed": COUNT, "breached": COUNT, "met_share": NUMBER_OR_NULL}),
            "replies": _object({"published": COUNT, "manual": COUNT, "auto": COUNT}),
        }
    )
    return _object(
        {
            "tickets": tickets,
            "total": COUNT,
            "arrived": {**COUNT, "description": "What reached us in the period, backfills included"},
            "labels": _object({label: COUNT for label in get_args(TonalityLabel)}),
            "kinds": {"type": "object", "additionalProperties": COUNT},
            "ratings": by_star,
            "rating_sum": COUNT,
            "rating_count": COUNT,
            "rating_average": NUMBER_OR_NULL,
            "nps": _object(
                {
                    "promoters": COUNT,
                    "passives": COUNT,
                    "detractors": COUNT,
                    "count": COUNT,
                    "score": NUMBER_OR_NULL,
                }
            ),
            "csat": _object({"scores": by_star, "count": COUNT, "satisfied_share": NUMBER_OR_NULL}),
        }
    )


def _aggregates_schema(counters: Mapping[str, Any]) -> dict[str, Any]:
    by_value = {"type": "object", "additionalProperties": dict(counters)}
    dimension = _string(enum=list(DIMENSIONS))
    kind = _string(enum=list(PERIOD_KINDS))
    return {
        "oneOf": [
            _object({"day": DAY, "all": dict(counters), "sources": by_value}),
            _object({"period": kind, "key": _string(), "dimension": dimension, "values": by_value}),
            _object(
                {
                    "period": kind,
                    "from": _string(),
                    "to": _string(),
                    "dimension": dimension,
                    "series": _array(_object({"key": _string(), "values": by_value})),
                }
            ),
        ]
    }


def _page(items: Mapping[str, Any], **fields: Any) -> dict[str, Any]:
    return _object({**fields, "items": _array(items), "next_cursor": _nullable(_string())})


def _explanation_schema(ref: Mapping[type[BaseModel], dict[str, str]]) -> dict[str, Any]:
    """otklik.usecases.explain.explain_feedback."""
    label = _string(enum=list(get_args(TonalityLabel)))
    rule = _object({"name": _string(), "why": STRINGS})
    tonality = _object(
        {
            "label": label,
            "compound": {"type": "number"},
            "text_compound": _nullable({"type": "number"}),
            "rating": _nullable({"type": "integer"}),
            "rating_text_conflict": {"type": "boolean"},
            "engine": _string(),
            "matches_stored": {"type": "boolean"},
            "lexicon_version": _nullable(_string()),
            "lexicon_compound": NUMBER_OR_NULL,
            "model_version": _nullable(_string()),
            "model_weight": NUMBER_OR_NULL,
            "learned": _nullable(
                _object(
                    {
                        "model_version": _string(),
                        "decides": _string(enum=["lexicon", "blend"]),
                        "why": _string(),
                        "weight": {"type": "number"},
                        "coverage": {"type": "number"},
                        "lexicon_compound": NUMBER_OR_NULL,
                        "probabilities": _object(
                            {label: {"type": "number"} for label in get_args(TonalityLabel)}
                        ),
                        "strongest": _array(_object({"feature": _string(), "push": {"type": "number"}})),
                    }
                )
            ),
            "contributions": _array(
                _object(
                    {
                        "words": _string(),
                        "source": _string(),
                        "base": {"type": "number"},
                        "value": {"type": "number"},
                        "steps": STRINGS,
                    }
                )
            ),
            "note": _string(),
        }
    )
    now = _object(
        {
            "ticket": {"type": "boolean"},
            "team": _string(),
            "priority": _string(enum=list(get_args(Priority))),
            "reasons": STRINGS,
            "tags": STRINGS,
            "sla_policy": _nullable(_string()),
            "assignee": _nullable(_string()),
            "round_robin": {"type": "boolean"},
            "notify": STRINGS,
            "suppressed": {"type": "boolean"},
            "reply_needed": {"type": "boolean"},
            "draft_template": _nullable(_string()),
            "matched_rules": _array(
                {**rule, "properties": {**rule["properties"], "then": {"type": "object"}}}
            ),
            "note": _string(),
        },
        description="What the rules in force decide for the item now",
    )
    routing = _object(
        {
            "ticket_id": _nullable(_string()),
            "team": _string(),
            "priority": _string(enum=list(get_args(Priority))),
            "status": _string(enum=list(get_args(TicketStatus))),
            "reasons": _array(_object({"reason": _string(), "why": _string()})),
            "tags": STRINGS,
            "sla_policy": _nullable(_string()),
            "assignee": _nullable(_string()),
            "matched_rules": _array(rule),
            "why": _string(),
            "now": now,
        },
        required=["ticket_id", "reasons", "matched_rules", "now"],
        description="The item's ticket (ticket_id null, and why, when it has none) and the rules matched",
    )
    return _object(
        {
            "id": _string(),
            "lang": _string(),
            "engines": {"type": "object", "additionalProperties": _string()},
            "tonality": tonality,
            "topics": _array(ref[Topic]),
            "moderation": ref[Moderation],
            "routing": routing,
        }
    )


def _draft_schema(ref: Mapping[type[BaseModel], dict[str, str]]) -> dict[str, Any]:
    """otklik.usecases.reply.ticket_draft: the draft and the reply check's verdict now, or why it has none."""
    return {
        "oneOf": [
            _object(
                {
                    "ticket_id": _string(),
                    "draft": ref[ReplyDraft],
                    "passes": {"type": "boolean"},
                    "problems": _array(ref[ReplyProblem]),
                }
            ),
            _object({"ticket_id": _string(), "draft": {"type": "null"}, "why": _string()}),
        ]
    }


def _dry_run_schema() -> dict[str, Any]:
    """otklik.usecases.dry_run.dry_run."""
    rules = _array(_object({"name": _string(), "why": STRINGS}))
    got = {
        "oneOf": [
            _object({"ticket": {"const": False}}),
            _object(
                {
                    "ticket": {"const": True},
                    "ticket_id": _string(),
                    "status": _string(enum=list(get_args(TicketStatus))),
                    "team": _string(),
                    "priority": _string(enum=list(get_args(Priority))),
                    "reasons": STRINGS,
                    "tags": STRINGS,
                    "sla_policy": _nullable(_string()),
                    "rules": STRINGS,
                }
            ),
        ]
    }
    would = {
        "oneOf": [
            _object({"ticket": {"const": False}, "suppressed": {"type": "boolean"}, "rules": rules}),
            _object(
                {
                    "ticket": {"const": True},
                    "team": _string(),
                    "priority": _string(enum=list(get_args(Priority))),
                    "reasons": STRINGS,
                    "tags": STRINGS,
                    "sla_policy": _nullable(_string()),
                    "assignee": _nullable(_string()),
                    "round_robin": {"type": "boolean"},
                    "notify": STRINGS,
                    "reply_needed": {"type": "boolean"},
                    "rules": rules,
                }
            ),
        ]
    }
    item = {
        "oneOf": [
            _object(
                {
                    "feedback_id": _string(),
                    "source": _string(),
                    "kind": _string(),
                    "rating": _nullable({"type": "integer"}),
                    "tonality": _string(enum=list(get_args(TonalityLabel))),
                    "received_at": _string(format="date-time"),
                    "got": got,
                    "would": would,
                    "changes": _array(_string(description="what: before -> after")),
                }
            ),
            _object(
                {"feedback_id": _string(), "error": _string()}, description="A stored item that does not read"
            ),
        ]
    }
    by_name = {"type": "object", "additionalProperties": COUNT}
    summary = _object(
        {
            "items": COUNT,
            "changed": COUNT,
            "unreadable": COUNT,
            "tickets": _object(
                {"got": COUNT, "would": COUNT, "newly_opened": COUNT, "no_longer_opened": COUNT}
            ),
            "team_changes": by_name,
            "priority_changes": by_name,
            "rules_matched": by_name,
        }
    )
    return _object(
        {
            "day": DAY,
            "summary": summary,
            "items": _array(item),
            "capped": {"type": "boolean"},
            "next_cursor": _nullable(_string()),
            "notes": STRINGS,
            "message": _string(description="Only when capped: send next_cursor as cursor to go on"),
        },
        required=["day", "summary", "items", "capped", "next_cursor", "notes"],
    )


def _report_entry_schema() -> dict[str, Any]:
    """otklik.usecases.ops.list_reports: a built report as the index lists it."""
    return _object(
        {
            "id": _string(),
            "kind": _string(enum=list(PERIOD_KINDS)),
            "key": _string(),
            "title": _string(),
            "period": _string(),
            "built_at": _string(format="date-time"),
            "summary": _string(),
            "changes": STRINGS,
        }
    )


def _push_schemas() -> dict[str, dict[str, Any]]:
    """The marketplaces' push bodies and answers, as otklik.domain.marketplaces.ozon and .yandex_market
    read and write them (the platforms' own formats: no pydantic model reads them)."""
    integration = _object(
        {
            "version": _string(),
            "name": _string(const=ozon.INTEGRATION_NAME),
            "time": _string(format="date-time"),
        }
    )
    an_id = {"type": ["string", "integer"]}
    ym_id = {"anyOf": [{"type": "integer", "minimum": 0}, _string(pattern=r"^\s*[0-9]{1,20}\s*$")]}
    return {
        "OzonPush": _object(
            {
                "message_type": _string(
                    description="TYPE_PING is answered with the integration's name; TYPE_NEW_MESSAGE and "
                    "TYPE_UPDATE_MESSAGE from a customer become chat feedback; any other type is acknowledged"
                ),
                "chat_id": an_id,
                "message_id": an_id,
                "user": _object(
                    {"id": an_id, "type": _string(description="Customer's messages are feedback")},
                    required=[],
                ),
                "data": STRINGS,
                "created_at": _string(format="date-time"),
            },
            required=["message_type"],
            description="An Ozon push; chat messages need chat_id, message_id, user, data and created_at",
        ),
        "OzonAnswer": {"oneOf": [integration, _object({"result": {"const": True}})]},
        "OzonError": _object(
            {
                "error": _object(
                    {
                        "code": _string(const=ozon.MISSING_PARAMETER),
                        "message": _string(),
                        "details": _nullable(_string(description="The field to blame")),
                    }
                )
            },
            description="Ozon's own error shape, for a push its docs would not send",
        ),
        "YandexMarketNotification": _object(
            {
                "notificationType": _string(
                    description="GOODS_FEEDBACK_CREATED and CHAT_MESSAGE_SENT are fetched; any other type "
                    "(PING included) is acknowledged"
                ),
                "businessId": ym_id,
                "feedbackId": ym_id,
                "chatId": ym_id,
                "messageId": ym_id,
            },
            required=["notificationType"],
            description="A Yandex Market API notification: ids only, the text is fetched from FetchQueue",
        ),
        "YandexMarketAnswer": integration,
        "YandexMarketError": _object(
            {
                "error": _object(
                    {"type": _string(const=yandex_market.WRONG_EVENT_FORMAT), "message": _string()}
                )
            },
            description="Yandex Market's own error shape, for a notification its docs would not send",
        ),
    }


# ---------------------------------------------------------------- the routes


def _intake_paths(ref: Mapping[type[BaseModel], dict[str, str]]) -> dict[str, Any]:
    """functions/ingest_webhook/app.py."""
    connection = _path("connection", "The connection's name", pattern=NAME)
    token = _path("token", "The connection's secret push token; a wrong one answers 404, like no connection")
    return {
        "/webhooks/{source}": {
            "post": _operation(
                "postWebhook",
                "One signed feedback item of a seller's own channel, answered once it is queued",
                "webhooks",
                SIGNED,
                {
                    "202": _json(
                        "Queued (or a duplicate of one queued before: a redelivery is one item)",
                        _object({"id": _string(), "duplicate": {"type": "boolean"}}),
                    )
                },
                (400, *INTAKE_ERRORS),
                description="400 also for created_at outside 2000-01-01 .. a day ahead of our clock, JSON "
                "nested over 32 levels, integers beyond 4,300 digits, NaN and lone surrogates; a refused "
                "webhook queues nothing. 413 over 256 KB; 404 for a source that is not configured.",
                parameters=[_path("source", "A configured webhook source (WebhookSources), e.g. custom")],
                body=_body(ref[OwnChannelFeedback], content_types=LENIENT_CONTENT_TYPES),
            )
        },
        "/push/ozon/{connection}/{token}": {
            "post": _operation(
                "postOzonPush",
                "Ozon chat events, answered at once as Ozon's docs want",
                "pushes",
                OPEN,
                {
                    "200": _json("Taken (a ping: the integration's name)", _component("OzonAnswer")),
                    "400": _json(
                        "A push Ozon's docs would not send, in Ozon's error shape", _component("OzonError")
                    ),
                },
                INTAKE_ERRORS,
                description="401 when the connection's allowed_ips leave out the sender's address.",
                parameters=[connection, token],
                body=_body(_component("OzonPush"), content_types=LENIENT_CONTENT_TYPES),
            )
        },
        "/push/yandex-market/{connection}/{token}/notification": {
            "post": _operation(
                "postYandexMarketNotification",
                "Yandex Market API notifications, answered at once; the feedback is fetched afterwards",
                "pushes",
                OPEN,
                {
                    "200": _json("Taken", _component("YandexMarketAnswer")),
                    "400": _json(
                        "Not a notification, or one for another cabinet, in Yandex Market's error shape",
                        _component("YandexMarketError"),
                    ),
                },
                INTAKE_ERRORS,
                description="401 when the connection's allowed_ips (Yandex Market publishes its ranges) "
                "leave out the sender's address.",
                parameters=[connection, token],
                body=_body(_component("YandexMarketNotification"), content_types=LENIENT_CONTENT_TYPES),
            )
        },
    }


def _component(name: str) -> dict[str, str]:
    return {"$ref": SCHEMAS.format(model=name)}


def _asset_types() -> list[str]:
    return sorted({content_type.partition(";")[0] for content_type in ASSETS.values()})


def _ops_public_paths() -> dict[str, Any]:
    """The ops API's routes that take no token: what a load balancer or a browser opens by address."""
    return {
        "/health": {
            "get": _operation(
                "getHealth",
                "Whether the API is up",
                "ops",
                OPEN,
                {"200": _json("Up", _object({"status": _string(const="ok")}))},
                PUBLIC_ERRORS,
            )
        },
        "/openapi.json": {
            "get": _operation(
                "getOpenApi",
                "This document",
                "ops",
                OPEN,
                {"200": _json("The OpenAPI 3.1 document of the API", {"type": "object"})},
                PUBLIC_ERRORS,
            )
        },
        "/dashboard": {
            "get": _operation(
                "getDashboard",
                "The ops dashboard's page (it asks for the token itself and sends it on every call)",
                "dashboard",
                OPEN,
                {"200": {"description": "The page", "content": {"text/html": {"schema": _string()}}}},
                PUBLIC_ERRORS,
            )
        },
        "/dashboard/{asset}": {
            "get": _operation(
                "getDashboardAsset",
                "One of the dashboard page's files (its script, its style sheet)",
                "dashboard",
                OPEN,
                {
                    "200": {
                        "description": "The file",
                        "content": {kind: {"schema": _string()} for kind in _asset_types()},
                    }
                },
                (404, *PUBLIC_ERRORS),
                parameters=[_path("asset", "The file's name; any other is a 404", enum=sorted(ASSETS))],
            )
        },
    }


def _ops_paths(ref: Mapping[type[BaseModel], dict[str, str]]) -> dict[str, Any]:
    """functions/ops_api/app.py: the routes of otklik.entrypoints.ops, each behind the bearer token."""
    ticket = _json("The ticket as it is now", ref[Ticket])
    change_errors = (400, 404, 409, 413, *OPS_ERRORS)
    period = _query("period", "The kind of period", _string(enum=list(PERIOD_KINDS), default="day"))
    period_key = _string(description="A period of that kind: 2026-11-22, 2026-W48 or 2026-11")
    statuses = list(get_args(TicketStatus))
    return {
        "/feedback": {
            "get": _operation(
                "listFeedback",
                "A day's feedback (days in ReportTimezone)",
                "feedback",
                BEARER,
                {"200": _json("A page of the day's items", _page(ref[FeedbackItem], day=DAY))},
                (400, *OPS_ERRORS),
                parameters=[
                    _query("day", "The day", DAY, required=True),
                    _limit(DEFAULT_LIMIT, MAX_LIMIT),
                    CURSOR,
                ],
            )
        },
        "/feedback/{id}": {
            "get": _operation(
                "getFeedback",
                "One feedback item: raw and masked text and its enrichment",
                "feedback",
                BEARER,
                {"200": _json("The item", ref[FeedbackWithAutoReply])},
                (404, *OPS_ERRORS),
                parameters=[FEEDBACK_ID],
            )
        },
        "/feedback/{id}/explain": {
            "get": _operation(
                "explainFeedback",
                "Why the item got its tonality, topics, moderation flags and ticket",
                "feedback",
                BEARER,
                {"200": _json("The explanation", _component("Explanation"))},
                (404, *OPS_ERRORS),
                parameters=[FEEDBACK_ID],
            )
        },
        "/tickets": {
            "get": _operation(
                "listTickets",
                "Tickets in a status that match every filter given, newest first",
                "tickets",
                BEARER,
                {
                    "200": _json(
                        "A page of tickets, and the filters given",
                        _page(
                            ref[Ticket],
                            status=_string(enum=statuses),
                            team=_string(),
                            priority=_string(),
                            assignee=_string(),
                            breached={"type": "boolean"},
                        )
                        | {"required": ["status", "items", "next_cursor"]},
                    )
                },
                (400, *OPS_ERRORS),
                parameters=[
                    _query("status", "The tickets' status", _string(enum=statuses, default="open")),
                    _query("team", "A team's name", _string(pattern=NAME)),
                    _query("priority", "A priority", _string(enum=list(get_args(Priority)))),
                    _query(
                        "assignee",
                        "Who it is assigned to",
                        _string(minLength=1, maxLength=MAX_ASSIGNEE_CHARS),
                    ),
                    _query(
                        "breached", "Whether any of its deadlines passed", _string(enum=["true", "false"])
                    ),
                    _limit(DEFAULT_LIMIT, MAX_LIMIT),
                    CURSOR,
                ],
            )
        },
        "/tickets/{id}": {
            "get": _operation(
                "getTicket",
                "One ticket: routing, deadlines, history, draft and reply",
                "tickets",
                BEARER,
                {"200": ticket},
                (404, *OPS_ERRORS),
                parameters=[TICKET_ID],
            )
        },
        "/tickets/{id}/draft": {
            "get": _operation(
                "getTicketDraft",
                "The ticket's drafted reply and the reply check's verdict on it now",
                "tickets",
                BEARER,
                {"200": _json("The draft, or why there is none", _component("TicketDraft"))},
                (404, *OPS_ERRORS),
                parameters=[TICKET_ID],
            )
        },
        "/tickets/{id}/status": {
            "post": _operation(
                "changeTicketStatus",
                "Move the ticket along its lifecycle",
                "tickets",
                BEARER,
                {"200": ticket},
                change_errors,
                description="409 for a move the lifecycle refuses (the message says which are allowed) or a "
                "ticket that kept changing under the request; resolving needs a root cause. 413 over 32 KiB.",
                parameters=[TICKET_ID],
                body=_body(ref[StatusRequest]),
            )
        },
        "/tickets/{id}/assign": {
            "post": _operation(
                "assignTicket",
                "Assign the ticket (assignee null unassigns it)",
                "tickets",
                BEARER,
                {"200": ticket},
                change_errors,
                description="409 for a ticket that kept changing under the request. 413 over 32 KiB.",
                parameters=[TICKET_ID],
                body=_body(ref[AssignRequest]),
            )
        },
        "/tickets/{id}/reply": {
            "post": _operation(
                "replyToTicket",
                "Approve a reply (without text: the ticket's draft) and queue it",
                "tickets",
                BEARER,
                {
                    "202": _json(
                        "Approved and queued for the marketplace",
                        _object(
                            {
                                "ticket_id": _string(),
                                "reply_id": _string(),
                                "status": _string(const="approved"),
                            }
                        ),
                    )
                },
                change_errors,
                description="400 names each check the reply fails and where; 409 when another reply is "
                "approved; 413 over 64 KiB; 503 when it could not be queued (nothing is approved).",
                parameters=[TICKET_ID],
                body=_body(ref[ReplyRequest], required=False),
            )
        },
        "/notifications": {
            "get": _operation(
                "listNotifications",
                "What was sent about a ticket, and what each channel did",
                "tickets",
                BEARER,
                {
                    "200": _json(
                        "Oldest first",
                        _object({"ticket_id": _string(), "items": _array(ref[ListedNotification])}),
                    )
                },
                (400, 404, *OPS_ERRORS),
                parameters=[
                    _query(
                        "ticket_id",
                        "The ticket (an id of another shape is a 404)",
                        _string(minLength=1),
                        required=True,
                    )
                ],
            )
        },
        "/aggregates": {
            "get": _operation(
                "getAggregates",
                "Counters: a day overall and per source, or a period's (or range's) by dimension",
                "aggregates",
                BEARER,
                {
                    "200": _json(
                        "day= answers the first shape, key= the second, from= and to= the third",
                        _component("Aggregates"),
                    )
                },
                (400, *OPS_ERRORS),
                description="Give day=, or period= with key=, or period= with from= and to= (not key).",
                parameters=[
                    _query("day", "A day, overall and per source", DAY),
                    period,
                    _query("key", "One period", period_key),
                    _query("from", "The first period of a range", period_key),
                    _query("to", "The last period of a range", period_key),
                    _query("dimension", "What to count by", _string(enum=list(DIMENSIONS), default="all")),
                ],
            )
        },
        "/alerts": {
            "get": _operation(
                "listAlerts",
                "Spike alerts, newest first",
                "aggregates",
                BEARER,
                {"200": _json("The alerts", _object({"items": _array(ref[SpikeAlert])}))},
                (400, *OPS_ERRORS),
                parameters=[_query("since", "The first day (default: every one kept)", DAY), _limit(50, 200)],
            )
        },
        "/reports": {
            "get": _operation(
                "listReports",
                "Built reports, newest first",
                "reports",
                BEARER,
                {"200": _json("The reports", _object({"items": _array(_component("ReportEntry"))}))},
                (400, *OPS_ERRORS),
                parameters=[
                    _query("kind", "A kind of report", _string(enum=list(PERIOD_KINDS))),
                    _limit(20, 100),
                ],
            )
        },
        "/reports/{id}": {
            "get": _operation(
                "getReport",
                "One report, with a link to each of its files",
                "reports",
                BEARER,
                {"200": _json("The report", ref[ReportWithLinks])},
                (404, *OPS_ERRORS),
                parameters=[
                    _path(
                        "id",
                        "day-2026-11-22, week-2026-W48 or month-2026-11",
                        pattern=r"^(day|week|month)-[0-9W-]{7,10}$",
                    )
                ],
            )
        },
        "/rules/dry-run": {
            "post": _operation(
                "dryRunRules",
                "What a candidate configuration's rules would do to a stored day",
                "rules",
                BEARER,
                {
                    "200": _json(
                        "Each item's would-be routing beside what it got, and a summary", _component("DryRun")
                    )
                },
                (400, 413, *OPS_ERRORS),
                description="400 names every problem of the document by its path (nothing is run); 413 over "
                "1 MiB. Nothing is written.",
                body=_body(ref[DryRunRequest]),
            )
        },
    }


# ---------------------------------------------------------------- the document


def _security_schemes() -> dict[str, Any]:
    return {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "The ops token: locally local-dev-token; on AWS the SecureString "
            "/otklik/<Stage>/ops/token",
        },
        "apiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "x-api-key",
            "description": "On AWS only: an API key of the stack's usage plan, checked by API Gateway (403 "
            "without it, 429 when throttled); the local stack does not ask for it",
        },
        "signature": {
            "type": "apiKey",
            "in": "header",
            "name": SIGNATURE_HEADER,
            "description": "t=<unix seconds>,v1=<hex>, hex = HMAC-SHA256(the source's secret, '<t>.' + raw "
            "body), at most 300 s from our clock (`otklik sign FILE` prints it)",
        },
    }


def build_document() -> dict[str, Any]:
    """The whole document, built afresh (openapi_json keeps it once built)."""
    schemas, ref = model_schemas()
    schemas.update(
        {
            "Error": _error_schema(),
            "AggregateCounters": _counters_schema(),
            "Aggregates": _aggregates_schema(_component("AggregateCounters")),
            "Explanation": _explanation_schema(ref),
            "TicketDraft": _draft_schema(ref),
            "DryRun": _dry_run_schema(),
            "ReportEntry": _report_entry_schema(),
            **_push_schemas(),
        }
    )
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "otklik",
            "version": __version__,
            "summary": "Marketplace and own-channel feedback in; tickets, alerts, replies and reports out",
            "description": "Every error of otklik's own is JSON "
            '{"error": {"code", "message", "details"}}. A listed path asked with a method it does not '
            "serve answers 405 with Allow (components/responses/MethodNotAllowed); a path not listed, 404. "
            "An answer leaves out a field whose value is null.",
        },
        "servers": [
            {"url": "http://127.0.0.1:3000", "description": "The local stack (make run)"},
            {
                "url": "https://{api}.execute-api.{region}.amazonaws.com/api",
                "description": "A deployed stack (its ApiUrl output)",
                "variables": {"api": {"default": "api-id"}, "region": {"default": "eu-central-1"}},
            },
        ],
        "tags": [
            {"name": "webhooks", "description": "Own channels' feedback, signed"},
            {
                "name": "pushes",
                "description": "Ozon's and Yandex Market's pushes to a connection's secret URL",
            },
            {"name": "ops", "description": "The ops API's own state"},
            {"name": "dashboard", "description": "The ops dashboard in a browser"},
            {"name": "feedback", "description": "Stored feedback and why it got what it got"},
            {
                "name": "tickets",
                "description": "The ticket queue, its lifecycle, drafts, replies, notifications",
            },
            {"name": "aggregates", "description": "Counters by period and dimension, spike alerts"},
            {"name": "reports", "description": "Built reports"},
            {"name": "rules", "description": "Trying a configuration before a deploy"},
        ],
        "paths": {**_intake_paths(ref), **_ops_public_paths(), **_ops_paths(ref)},
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": {name: _error_answer(status) for status, (name, _) in ERROR_ANSWERS.items()},
            "securitySchemes": _security_schemes(),
        },
    }


@functools.cache
def openapi_json() -> str:
    """The document as the route answers it: built once per container, UTF-8 JSON."""
    return json.dumps(build_document(), ensure_ascii=False, separators=(",", ":"))


def openapi_document() -> dict[str, Any]:
    """The document, a copy of its own to change freely."""
    document: dict[str, Any] = json.loads(openapi_json())
    return document
