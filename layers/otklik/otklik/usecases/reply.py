"""Replies: an operator approves a reply (POST /tickets/{id}/reply); publish_answers publishes it once, and
the ticket records it as its first response (otklik.domain.lifecycle.reply_published)."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import cast, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from otklik.domain import lifecycle
from otklik.domain.errors import Conflict, InvalidRequest, NotFound, TooLarge, TryAgain
from otklik.domain.ids import reply_id
from otklik.domain.lifecycle import TicketSettings
from otklik.domain.marketplaces.models import (
    ApprovedReply,
    Marketplace,
    PermanentRejection,
    PublishedReply,
)
from otklik.domain.messages import MalformedMessage, RejectedReply, encode
from otklik.domain.models import AfterReply, FeedbackKind, ReplyState, Ticket
from otklik.domain.moderation.settings import NO_SETTINGS, ModerationSettings
from otklik.domain.replies.check import ReplyProblem, check_reply
from otklik.domain.replies.settings import NO_REPLY_SETTINGS, ReplySettings
from otklik.domain.sla import clock
from otklik.domain.sla.settings import NO_SLA_SETTINGS, SlaSettings
from otklik.ports import (
    Approvals,
    Connections,
    Connector,
    Connectors,
    FeedbackReader,
    Publisher,
    Replies,
    TicketChanges,
    TicketReader,
)
from otklik.usecases.ops import is_id
from otklik.usecases.tickets import change_ticket, clocked

MARKETPLACES: tuple[str, ...] = get_args(Marketplace)
# The longest reply any of the marketplaces takes.
MAX_REPLY_CHARS = 5000
# The status a reply refused by our own check before publishing is recorded with (the platform's would be
# its HTTP status): 422, what it would be for a text the platform's rules refuse.
CHECK_REFUSED = 422
MAX_APPROVER_CHARS = 200
# SQS's smallest maximum message size (256 KiB; a queue may allow up to 1 MiB). An approved reply is a
# few kilobytes; one over this would be refused by the queue after it was recorded as approved.
MAX_MESSAGE_BYTES = 256 * 1024
# What a reply may not hold: control characters other than tab and line breaks, and what SQS refuses
# in a message (surrogates, U+FFFE, U+FFFF).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class ReplyRequest(BaseModel):
    """The body of POST /tickets/{id}/reply."""

    model_config = ConfigDict(extra="forbid")

    # Bounded before it is stripped; approve_reply holds the stripped text to MAX_REPLY_CHARS.
    text: str | None = Field(default=None, max_length=2 * MAX_REPLY_CHARS)
    approved_by: str = Field(default="ops-api", min_length=1, max_length=MAX_APPROVER_CHARS)
    after_reply: AfterReply | None = Field(
        default=None,
        description="where the ticket goes once the reply is published (default: as its rules or"
        " tickets.after_reply say)",
    )
    root_cause: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="with after_reply resolved: one of tickets.root_causes",
    )

    @field_validator("text")
    @classmethod
    def _text(cls, text: str | None) -> str | None:
        if text is not None and _NOT_TEXT.search(text):
            raise ValueError("a reply holds no control characters but tabs and line breaks")
        return text

    @field_validator("approved_by")
    @classmethod
    def _approver(cls, approved_by: str) -> str:
        if not approved_by.isprintable() or not approved_by.strip():
            raise ValueError("approved_by is a name: printable characters, not only spaces")
        return approved_by


def _problems(
    text: str,
    marketplace: Marketplace,
    kind: FeedbackKind,
    moderation: ModerationSettings,
    reply_settings: ReplySettings,
) -> tuple[ReplyProblem, ...]:
    return check_reply(
        text,
        marketplace=marketplace,
        kind=kind,
        stop_words=reply_settings.stop_words,
        moderation=moderation,
        similarity=reply_settings.similarity,
    )


def _check_after_reply(request: ReplyRequest, settings: TicketSettings) -> None:
    causes = settings.root_causes
    if request.after_reply == "resolved":
        cause = request.root_cause or settings.after_reply_root_cause
        if cause is None:
            raise InvalidRequest(f"resolving after the reply needs a root_cause, one of {', '.join(causes)}")
        if cause not in causes:
            raise InvalidRequest(f"root_cause must be one of {', '.join(causes)}")
    elif request.root_cause is not None:
        raise InvalidRequest("root_cause is given only with after_reply: resolved")


def approve_reply(
    ticket_id: str,
    request: ReplyRequest,
    now: datetime,
    tickets: TicketReader,
    feedback: FeedbackReader,
    replies: Approvals,
    reply_queue: Publisher,
    *,
    settings: TicketSettings | None = None,
    moderation: ModerationSettings = NO_SETTINGS,
    reply_settings: ReplySettings = NO_REPLY_SETTINGS,
) -> ApprovedReply:
    """Record the reply as approved and queue it; a refusal, or a queue that fails, changes nothing.
    settings: the tickets section, whose root causes a resolution after the reply must name; moderation:
    the seller's moderation settings, which the reply check (otklik.domain.replies) reads too."""
    if not is_id(ticket_id):
        raise NotFound("no ticket has an id like that")
    _check_after_reply(request, settings or TicketSettings())
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
    try:
        problems = _problems(text, cast(Marketplace, item.source), item.kind, moderation, reply_settings)
    except PermanentRejection as refusal:  # the platform takes no reply to this kind of feedback
        raise InvalidRequest(f"the reply cannot be published: {refusal.reason}") from None
    if problems:
        raise InvalidRequest(
            "the reply cannot be published: " + "; ".join(problem.message for problem in problems),
            [problem.model_dump(mode="json", exclude_none=True) for problem in problems],
        )
    state = ReplyState(
        reply_id=reply_id(ticket_id, text),
        text=text,
        status="approved",
        approved_by=request.approved_by,
        approved_at=now,
    )
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
        after_reply=request.after_reply,
        root_cause=request.root_cause,
    )
    if len(encode(reply).encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise TooLarge(f"the reply would make a queue message over {MAX_MESSAGE_BYTES} bytes")
    if not replies.approve(ticket_id, state):
        raise Conflict(f"ticket {ticket_id} already has another reply approved or published")
    try:
        # Queued only once approved: publish_answers records what it published on the reply of that id.
        reply_queue.send(reply)
    except Exception as error:
        # Not queued, so never published: an approval left behind would answer every other text 409.
        replies.withdraw(ticket_id, state, ticket.reply)
        raise TryAgain("the reply could not be queued; nothing is approved: send it again") from error
    return reply


@dataclass(frozen=True)
class Published:
    reply: ApprovedReply
    published: PublishedReply | None
    rejected: RejectedReply | None


def publish_reply(
    reply: ApprovedReply,
    connector: Connector,
    replies: Replies,
    tickets: TicketChanges,
    dead_letters: Publisher,
    now: datetime,
    settings: TicketSettings,
    *,
    sla: SlaSettings = NO_SLA_SETTINGS,
    moderation: ModerationSettings = NO_SETTINGS,
    reply_settings: ReplySettings = NO_REPLY_SETTINGS,
) -> Published:
    """Send the reply; a permanent refusal goes to AnswerDLQ with the reason; transient errors raise.

    The reply check runs again first, with the document in force now (a stop-word added since the
    approval, say): a reply that fails it is never sent, and is recorded and dead-lettered like a refusal
    of the platform's, with the check's problems as the reason.

    A published reply is the ticket's first response (when it had none): recorded in the same write as the
    publication, which stops the first-response clock, so the SLA sweep never marks an answered ticket
    breached; and the ticket moves where tickets.after_reply says (waiting_customer, by default), which
    pauses its other clocks (a next response owed is answered by it).
    """
    try:
        problems = _problems(reply.text, reply.marketplace, reply.kind, moderation, reply_settings)
        if problems:
            raise PermanentRejection(
                CHECK_REFUSED, "refused by the reply check: " + "; ".join(p.message for p in problems)
            )
        published = connector.publish(reply)
    except PermanentRejection as refusal:
        rejected = RejectedReply(reply=reply, status=refusal.status, reason=refusal.reason, rejected_at=now)
        replies.mark_rejected(reply.ticket_id, reply.reply_id, refusal.reason)
        dead_letters.send(rejected)
        return Published(reply, None, rejected)
    # No ticket to record it on (approve_reply checks there is one): it was published all the same.
    with suppress(NotFound):

        def record(ticket: Ticket) -> Ticket | None:
            answered = lifecycle.reply_published(
                ticket,
                reply.reply_id,
                now,
                published.platform_answer_id,
                published.text,
                reply.approved_by,
                settings,
                after=reply.after_reply,
                root_cause=reply.root_cause,
            )
            return clocked(ticket, None if answered is None else clock.answered(answered), now, sla)

        change_ticket(tickets, reply.ticket_id, record)
    return Published(reply, published, None)


def publish_approved(
    reply: ApprovedReply,
    now: datetime,
    connections: Connections,
    connectors: Connectors,
    replies: Replies,
    tickets: TicketChanges,
    dead_letters: Publisher,
    settings: TicketSettings,
    *,
    sla: SlaSettings = NO_SLA_SETTINGS,
    moderation: ModerationSettings = NO_SETTINGS,
    reply_settings: ReplySettings = NO_REPLY_SETTINGS,
) -> Published:
    """publish_reply through the connection the reply names; none by that name is MalformedMessage."""
    connection = connections.all().get(reply.connection)
    if connection is None or connection.marketplace != reply.marketplace:
        raise MalformedMessage(f"no {reply.marketplace} connection {reply.connection!r} to publish through")
    return publish_reply(
        reply,
        connectors.connector(connection),
        replies,
        tickets,
        dead_letters,
        now,
        settings,
        sla=sla,
        moderation=moderation,
        reply_settings=reply_settings,
    )
