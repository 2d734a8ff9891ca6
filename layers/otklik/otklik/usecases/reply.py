"""Replies: an operator approves a reply (POST /tickets/{id}/reply); publish_answers publishes it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from pydantic import BaseModel

from otklik.domain.errors import Conflict, InvalidRequest, NotFound
from otklik.domain.ids import reply_id
from otklik.domain.marketplaces.models import (
    ApprovedReply,
    Marketplace,
    PermanentRejection,
    PublishedReply,
)
from otklik.domain.messages import MalformedMessage, RejectedReply
from otklik.domain.models import ReplyState
from otklik.ports import Connections, Connector, Connectors, FeedbackReader, Publisher, Replies, TicketReader

MARKETPLACES: tuple[str, ...] = get_args(Marketplace)
MAX_REPLY_CHARS = 5000


class ReplyRequest(BaseModel):
    """The body of POST /tickets/{id}/reply."""

    text: str | None = None
    approved_by: str = "ops-api"


def approve_reply(
    ticket_id: str,
    request: ReplyRequest,
    now: datetime,
    tickets: TicketReader,
    feedback: FeedbackReader,
    replies: Replies,
    reply_queue: Publisher,
) -> ApprovedReply:
    ticket = tickets.get_ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    item = feedback.get_item(ticket.feedback_id)
    if item is None:
        raise NotFound(f"the feedback of ticket {ticket_id} is not stored")
    if item.source not in MARKETPLACES:
        raise InvalidRequest(
            f"feedback from {item.source!r} is not a marketplace's: there is nowhere to publish"
        )
    text = (request.text or (ticket.reply.text if ticket.reply else "") or "").strip()
    if not text:
        raise InvalidRequest("give the reply text: this ticket has no draft to approve")
    if len(text) > MAX_REPLY_CHARS:
        raise InvalidRequest(f"a reply has at most {MAX_REPLY_CHARS} characters")
    state = ReplyState(
        reply_id=reply_id(ticket_id, text),
        text=text,
        status="approved",
        approved_by=request.approved_by,
        approved_at=now,
    )
    if not replies.approve(ticket_id, state):
        raise Conflict(f"ticket {ticket_id} already has another reply approved or published")
    reply = ApprovedReply(
        reply_id=state.reply_id,
        ticket_id=ticket_id,
        feedback_id=item.id,
        marketplace=item.source,  # checked against MARKETPLACES above
        connection=item.account,
        kind=item.kind,
        external_id=item.external_id,
        reply_context=item.reply_context,
        text=text,
        approved_by=request.approved_by,
        approved_at=now,
    )
    reply_queue.send(reply)
    return reply


@dataclass(frozen=True)
class Published:
    reply: ApprovedReply
    published: PublishedReply | None
    rejected: RejectedReply | None


def publish_reply(
    reply: ApprovedReply, connector: Connector, replies: Replies, dead_letters: Publisher, now: datetime
) -> Published:
    """Send the reply; a permanent refusal goes to AnswerDLQ with the reason; transient errors raise."""
    try:
        published = connector.publish(reply)
    except PermanentRejection as refusal:
        rejected = RejectedReply(reply=reply, status=refusal.status, reason=refusal.reason, rejected_at=now)
        replies.mark_rejected(reply.ticket_id, reply.reply_id, refusal.reason)
        dead_letters.send(rejected)
        return Published(reply, None, rejected)
    replies.mark_published(reply.ticket_id, reply.reply_id, now, published.platform_answer_id, published.text)
    return Published(reply, published, None)


def publish_approved(
    reply: ApprovedReply,
    now: datetime,
    connections: Connections,
    connectors: Connectors,
    replies: Replies,
    dead_letters: Publisher,
) -> Published:
    """publish_reply through the connection the reply names; none by that name is MalformedMessage."""
    connection = connections.all().get(reply.connection)
    if connection is None or connection.marketplace != reply.marketplace:
        raise MalformedMessage(f"no {reply.marketplace} connection {reply.connection!r} to publish through")
    return publish_reply(reply, connectors.connector(connection), replies, dead_letters, now)
