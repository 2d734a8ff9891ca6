"""GET /tickets, GET /tickets/{id}, POST /tickets/{id}/reply: the ticket queue and reply approval."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from chalice import Blueprint, Response
from pydantic import ValidationError

from otklik.domain.errors import InvalidRequest, TooLarge, TryAgain, field_errors
from otklik.domain.json_input import UnreadableJson, read_json_object
from otklik.entrypoints.http import answers_errors, json_response, raw_body
from otklik.entrypoints.ops import OpsContext, current, params
from otklik.usecases import ops
from otklik.usecases.reply import ReplyRequest

if TYPE_CHECKING:
    from chalice.app import Request

logger = Logger(child=True)

# A reply request is two short fields: up to 5,000 characters of text and a name of 200. As JSON with
# every character \u-escaped (12 bytes for one beyond the BMP, as emoji are) that is under 64 KiB.
MAX_REPLY_BODY_BYTES = 64 * 1024


def _reply_request(request: Request) -> ReplyRequest:
    """The request's ReplyRequest, read as outside input: bounded, plain JSON, no field but its own."""
    try:
        body = raw_body(request)
    except UnicodeEncodeError as error:  # an event body holding a lone surrogate, which no bytes can be
        raise InvalidRequest("the body is not UTF-8 text") from error
    if len(body) > MAX_REPLY_BODY_BYTES:
        raise TooLarge(f"a reply request has at most {MAX_REPLY_BODY_BYTES} bytes")
    try:
        document = read_json_object(body) if body.strip() else {}
    except UnreadableJson as error:
        raise InvalidRequest(str(error)) from error
    try:
        return ReplyRequest.model_validate(document)
    except ValidationError as error:
        raise InvalidRequest("reply does not match the schema", details=field_errors(error)) from error


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
        reply = _reply_request(request)
        try:
            approved = service.approve_reply(id, reply, datetime.now(UTC))
        except TryAgain as refusal:
            # The answer is a plain 503; the log says what failed (its class, never its message).
            logger.warning("reply not queued", extra={"error": type(refusal.__cause__).__name__})
            raise
        return json_response(202, {"ticket_id": id, "reply_id": approved.reply_id, "status": "approved"})

    return blueprint
