"""Replies: an operator approves a reply (POST /tickets/{id}/reply), publish_answers sends it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, get_args

from pydantic import BaseModel

from otklik.errors import BadRequest, Conflict, NotFound
from otklik.ids import reply_id
from otklik.marketplaces.base import (
    ApprovedReply,
    Connector,
    Marketplace,
    PermanentRejection,
    PublishedAnswer,
)
from otklik.messages import RejectedReply
from otklik.models import FeedbackItem, ReplyState, Ticket

MARKETPLACES: tuple[str, ...] = get_args(Marketplace)
MAX_REPLY_CHARS = 5000


class TicketReader(Protocol):
    def get_ticket(self, ticket_id: str) -> Ticket | None: ...


class FeedbackReader(Protocol):
    def get_item(self, feedback_id: str) -> FeedbackItem | None: ...


class Replies(Protocol):
    def approve(self, ticket_id: str, reply: ReplyState) -> bool: ...
    def mark_published(
        self, ticket_id: str, reply_id: str, at: datetime, platform_answer_id: str | None, text: str
    ) -> bool: ...
    def mark_rejected(self, ticket_id: str, reply_id: str, reason: str) -> bool: ...


class Publisher(Protocol):
    def send(self, message: BaseModel) -> str: ...


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
    answer_queue: Publisher,
) -> ApprovedReply:
    ticket = tickets.get_ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    item = feedback.get_item(ticket.feedback_id)
    if item is None:
        raise NotFound(f"the feedback of ticket {ticket_id} is not stored")
    if item.source not in MARKETPLACES:
        raise BadRequest(f"feedback from {item.source!r} is not a marketplace's: there is nowhere to publish")
    text = (request.text or (ticket.reply.text if ticket.reply else "") or "").strip()
    if not text:
        raise BadRequest("give the reply text: this ticket has no draft to approve")
    if len(text) > MAX_REPLY_CHARS:
        raise BadRequest(f"a reply has at most {MAX_REPLY_CHARS} characters")
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
    answer_queue.send(reply)
    return reply


@dataclass(frozen=True)
class Published:
    reply: ApprovedReply
    answer: PublishedAnswer | None
    rejected: RejectedReply | None


def publish_reply(
    reply: ApprovedReply, connector: Connector, replies: Replies, dead_letters: Publisher, now: datetime
) -> Published:
    """Send the reply; a permanent refusal goes to AnswerDLQ with the reason; transient errors raise."""
    try:
        answer = connector.publish(reply)
    except PermanentRejection as refusal:
        rejected = RejectedReply(reply=reply, status=refusal.status, reason=refusal.reason, rejected_at=now)
        replies.mark_rejected(reply.ticket_id, reply.reply_id, refusal.reason)
        dead_letters.send(rejected)
        return Published(reply, None, rejected)
    replies.mark_published(reply.ticket_id, reply.reply_id, now, answer.platform_answer_id, answer.text)
    return Published(reply, answer, None)
