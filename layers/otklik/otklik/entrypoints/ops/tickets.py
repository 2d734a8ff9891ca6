"""GET /tickets, GET /tickets/{id} and /draft, POST /tickets/{id}/status, /assign and /reply: the ticket
queue, the lifecycle (otklik.domain.lifecycle), drafts and reply approval."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools import Logger
from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from otklik.domain.errors import InvalidRequest, TooLarge, TryAgain, field_errors
from otklik.domain.json_input import UnreadableJson, read_json_object
from otklik.entrypoints.http import answers_errors, json_response, raw_body
from otklik.entrypoints.ops import OpsContext, current, params
from otklik.usecases import ops
from otklik.usecases.reply import ReplyRequest
from otklik.usecases.tickets import AssignRequest, StatusRequest

if TYPE_CHECKING:
    from chalice.app import Request

    from otklik.domain.models import Ticket

logger = Logger(child=True)
Body = TypeVar("Body", bound=BaseModel)

# A reply request is two short fields: up to 5,000 characters of text and a name of 200. As JSON with
# every character \u-escaped (12 bytes for one beyond the BMP, as emoji are) that is under 64 KiB.
MAX_REPLY_BODY_BYTES = 64 * 1024
# A status or assignment request: a note of 2,000 characters and three short names, as escaped JSON.
MAX_CHANGE_BODY_BYTES = 32 * 1024


def _body(request: Request, model: type[Body], what: str, max_bytes: int) -> Body:
    """The request's body as model, read as outside input: bounded, plain JSON, no field but its own."""
    try:
        body = raw_body(request)
    except UnicodeEncodeError as error:  # an event body holding a lone surrogate, which no bytes can be
        raise InvalidRequest("the body is not UTF-8 text") from error
    if len(body) > max_bytes:
        raise TooLarge(f"a {what} request has at most {max_bytes} bytes")
    try:
        document = read_json_object(body) if body.strip() else {}
    except UnreadableJson as error:
        raise InvalidRequest(str(error)) from error
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise InvalidRequest(f"{what} does not match the schema", details=field_errors(error)) from error


def _reply_request(request: Request) -> ReplyRequest:
    return _body(request, ReplyRequest, "reply", MAX_REPLY_BODY_BYTES)


def _shown(ticket: Ticket) -> dict[str, Any]:
    """A ticket as GET /tickets/{id} shows it."""
    shown: dict[str, Any] = ticket.model_dump(mode="json", exclude_none=True)
    return shown


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

    @blueprint.route("/tickets/{id}/draft", methods=["GET"])
    @answers_errors
    def get_draft(id: str) -> dict[str, Any]:
        """The ticket's drafted reply and the reply check's verdict on it now."""
        return context.authorized(current(blueprint)).draft(id)

    @blueprint.route("/tickets/{id}/status", methods=["POST"])
    @answers_errors
    def change_status(id: str) -> dict[str, Any]:
        """Move the ticket along its lifecycle: 200 with the ticket, 409 for a move the lifecycle refuses."""
        request = current(blueprint)
        service = context.authorized(request)
        change = _body(request, StatusRequest, "status change", MAX_CHANGE_BODY_BYTES)
        return _shown(service.change_status(id, change, datetime.now(UTC)))

    @blueprint.route("/tickets/{id}/assign", methods=["POST"])
    @answers_errors
    def assign(id: str) -> dict[str, Any]:
        """Assign the ticket to someone (null: unassign): 200 with the ticket."""
        request = current(blueprint)
        service = context.authorized(request)
        assignment = _body(request, AssignRequest, "assignment", MAX_CHANGE_BODY_BYTES)
        return _shown(service.assign(id, assignment, datetime.now(UTC)))

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
