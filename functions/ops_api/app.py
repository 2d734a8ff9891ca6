"""Ops API (Chalice): feedback, tickets, notifications and aggregates for support and operations teams."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from chalice import Chalice, Response
from pydantic import ValidationError

from otklik.api.responses import answers_errors, current_request, json_response
from otklik.errors import BadRequest
from otklik.pipeline import ops
from otklik.pipeline.ingest import field_errors
from otklik.pipeline.reply import ReplyRequest
from otklik.settings import OpsSettings, load_settings
from otklik.wiring import OpsService

logger = Logger()
app = Chalice(app_name="otklik-ops-api")


def _service() -> OpsService:
    """The service for an authorized request; raises Unauthorized otherwise."""
    request = current_request(app)
    logger.set_correlation_id(request.context.get("requestId"))
    service = OpsService(load_settings(OpsSettings))
    service.authorize(request.headers.get("authorization"))
    return service


def _params() -> dict[str, str]:
    return dict(current_request(app).query_params or {})


@app.route("/health", methods=["GET"])
@answers_errors
def health() -> dict[str, Any]:
    return {"status": "ok"}


@app.route("/feedback/{id}", methods=["GET"])
@answers_errors
def get_feedback(id: str) -> dict[str, Any]:
    return ops.get_feedback(_service().feedback, id)


@app.route("/feedback", methods=["GET"])
@answers_errors
def list_feedback() -> dict[str, Any]:
    return ops.list_feedback(_service().feedback, _params())


@app.route("/tickets", methods=["GET"])
@answers_errors
def list_tickets() -> dict[str, Any]:
    return ops.list_tickets(_service().tickets, _params())


@app.route("/tickets/{id}", methods=["GET"])
@answers_errors
def get_ticket(id: str) -> dict[str, Any]:
    return ops.get_ticket(_service().tickets, id)


@app.route("/tickets/{id}/reply", methods=["POST"])
@answers_errors
def reply_to_ticket(id: str) -> Response:
    """Approve the ticket's draft, or the text given, and queue it for publishing to the marketplace."""
    service = _service()
    try:
        request = ReplyRequest.model_validate(current_request(app).json_body or {})
    except ValidationError as error:
        raise BadRequest("reply does not match the schema", details=field_errors(error)) from error
    reply = service.approve_reply(id, request, datetime.now(UTC))
    return json_response(202, {"ticket_id": id, "reply_id": reply.reply_id, "status": "approved"})


@app.route("/notifications", methods=["GET"])
@answers_errors
def list_notifications() -> dict[str, Any]:
    return ops.list_notifications(_service().tickets, _params())


@app.route("/aggregates", methods=["GET"])
@answers_errors
def get_aggregates() -> dict[str, Any]:
    return ops.get_aggregates(_service().aggregates, _params())
