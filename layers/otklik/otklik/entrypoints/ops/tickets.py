"""GET /tickets, GET /tickets/{id}, POST /tickets/{id}/reply: the ticket queue and reply approval."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalice import Blueprint, Response
from pydantic import ValidationError

from otklik.domain.errors import InvalidRequest, field_errors
from otklik.entrypoints.http import answers_errors, json_response
from otklik.entrypoints.ops import OpsContext, current, params
from otklik.usecases import ops
from otklik.usecases.reply import ReplyRequest


def routes(context: OpsContext) -> Blueprint:
    blueprint = Blueprint(__name__)

    @blueprint.route("/tickets", methods=["GET"])
    @answers_errors
    def list_tickets() -> dict[str, Any]:
        return ops.list_tickets(context.authorized(current(blueprint)).tickets, params(blueprint))

    @blueprint.route("/tickets/{id}", methods=["GET"])
    @answers_errors
    def get_ticket(id: str) -> dict[str, Any]:
        return ops.get_ticket(context.authorized(current(blueprint)).tickets, id)

    @blueprint.route("/tickets/{id}/reply", methods=["POST"])
    @answers_errors
    def reply_to_ticket(id: str) -> Response:
        """Approve the ticket's draft, or the text given, and queue it for publishing to the marketplace."""
        request = current(blueprint)
        service = context.authorized(request)
        try:
            reply = ReplyRequest.model_validate(request.json_body or {})
        except ValidationError as error:
            raise InvalidRequest("reply does not match the schema", details=field_errors(error)) from error
        approved = service.approve_reply(id, reply, datetime.now(UTC))
        return json_response(202, {"ticket_id": id, "reply_id": approved.reply_id, "status": "approved"})

    return blueprint
