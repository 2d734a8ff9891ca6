"""Replies: an operator approves a reply (POST /tickets/{id}/reply); publish_answers publishes it once, and
the ticket records it as its first response (otklik.domain.lifecycle.reply_published)."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast, get_args

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
from otklik.domain.models import AfterReply, FeedbackItem, FeedbackKind, ReplyState, Ticket
from otklik.domain.moderation.settings import NO_SETTINGS, ModerationSettings
from otklik.domain.replies.check import ReplyProblem, check_reply
from otklik.domain.replies.recent import RecentReply, others, product_key
from otklik.domain.replies.settings import NO_REPLY_SETTINGS, ReplySettings
from otklik.domain.replies.watch import first_look
from otklik.domain.sla import clock
from otklik.domain.sla.settings import NO_SLA_SETTINGS, SlaSettings
from otklik.ports import (
    Approvals,
    Connections,
    Connector,
    Connectors,
    FeedbackReader,
    Publisher,
    RecentRepliesStore,
    Replies,
    ReplyWatchStore,
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
    recent: tuple[str, ...] = (),
) -> tuple[ReplyProblem, ...]:
    return check_reply(
        text,
        marketplace=marketplace,
        kind=kind,
        recent=recent,
        stop_words=reply_settings.stop_words,
        moderation=moderation,
        similarity=reply_settings.similarity,
    )


def _earlier(recent: RecentRepliesStore | None, product: str | None, own: str) -> tuple[str, ...]:
    """The texts a reply (id `own`) on `product` must not repeat: the product's recent replies but itself."""
    return others(recent.recent(product), own) if recent is not None and product is not None else ()


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
    recent: RecentRepliesStore | None = None,
) -> ApprovedReply:
    """Record the reply as approved and queue it; a refusal, or a queue that fails, changes nothing.
    settings: the tickets section, whose root causes a resolution after the reply must name; moderation:
    the seller's moderation settings, which the reply check (otklik.domain.replies) reads too; recent: the
    last replies on each product, which this one must not repeat (and joins once queued).

    With no text, the ticket's draft is approved (or the text of its reply the platform refused, to send
    again). A correction of a reply the platform showed and then refused replaces it there by the
    platform's rules (ApprovedReply.replaces), and the refused one stays in the ticket's reply_versions."""
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
    drafted = ticket.draft.text if ticket.draft else ""
    text = (request.text or (ticket.reply.text if ticket.reply else "") or drafted or "").strip()
    if not text:
        raise InvalidRequest("give the reply text: this ticket has no draft to approve")
    if len(text) > MAX_REPLY_CHARS:
        raise InvalidRequest(f"a reply has at most {MAX_REPLY_CHARS} characters")
    product = product_key(item.source, item.account, item.product)
    earlier = _earlier(recent, product, reply_id(ticket_id, text))
    try:
        problems = _problems(
            text, cast(Marketplace, item.source), item.kind, moderation, reply_settings, earlier
        )
    except PermanentRejection as refusal:  # the platform takes no reply to this kind of feedback
        raise InvalidRequest(f"the reply cannot be published: {refusal.reason}") from None
    if problems:
        raise InvalidRequest(
            "the reply cannot be published: " + "; ".join(problem.message for problem in problems),
            [problem.model_dump(mode="json", exclude_none=True) for problem in problems],
        )
    from_draft = ticket.draft is not None and ticket.draft.text == text
    state = ReplyState(
        reply_id=reply_id(ticket_id, text),
        text=text,
        status="approved",
        approved_by=request.approved_by,
        approved_at=now,
        template=ticket.draft.template if ticket.draft and from_draft else None,
        variant=ticket.draft.variant if ticket.draft and from_draft else None,
    )
    previous = ticket.reply
    refused_after_publishing = (
        previous is not None and previous.status == "rejected" and previous.published_at is not None
    )
    reply = approved_reply(
        item,
        ticket_id,
        state,
        after_reply=request.after_reply,
        root_cause=request.root_cause,
        replaces=refused_after_publishing,
        previous_answer_id=previous.platform_answer_id if previous and refused_after_publishing else None,
    )
    if len(encode(reply).encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise TooLarge(f"the reply would make a queue message over {MAX_MESSAGE_BYTES} bytes")
    if not replies.approve(ticket_id, state, previous):
        raise Conflict(f"ticket {ticket_id} already has another reply approved or published")
    try:
        # Queued only once approved: publish_answers records what it published on the reply of that id.
        reply_queue.send(reply)
    except Exception as error:
        # Not queued, so never published: an approval left behind would answer every other text 409.
        replies.withdraw(ticket_id, state, ticket.reply)
        raise TryAgain("the reply could not be queued; nothing is approved: send it again") from error
    remember(reply, recent, reply_settings)
    return reply


def approved_reply(
    item: FeedbackItem,
    ticket_id: str,
    state: ReplyState,
    *,
    after_reply: AfterReply | None = None,
    root_cause: str | None = None,
    replaces: bool = False,
    previous_answer_id: str | None = None,
    on_ticket: bool = True,
) -> ApprovedReply:
    """AnswerQueue's message for a reply approved (state) to a marketplace's item."""
    return ApprovedReply(
        reply_id=state.reply_id,
        ticket_id=ticket_id,
        feedback_id=item.id,
        marketplace=cast(Marketplace, item.source),  # the callers check it is a marketplace
        connection=item.account,
        kind=item.kind,
        external_id=item.external_id,
        reply_context=item.reply_context,
        text=state.text,
        approved_by=state.approved_by,
        approved_at=state.approved_at,
        after_reply=after_reply,
        root_cause=root_cause,
        product=product_key(item.source, item.account, item.product),
        auto_rule=state.auto_rule,
        on_ticket=on_ticket,
        replaces=replaces,
        previous_answer_id=previous_answer_id,
    )


def remember(reply: ApprovedReply, recent: RecentRepliesStore | None, settings: ReplySettings) -> None:
    """The reply joins its product's recent replies, the ones later replies there must not repeat. A store
    that fails raises TryAgain: the reply is queued already, and sending the same approval again is safe
    (the same reply, published once) and remembers it."""
    if recent is None or reply.product is None:
        return
    try:
        recent.remember(
            reply.product, RecentReply(reply_id=reply.reply_id, text=reply.text), settings.recent_replies
        )
    except TryAgain:
        raise
    except Exception as error:
        raise TryAgain(
            "the reply is queued, but not yet among the product's recent replies: send it again"
        ) from error


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
    recent: RecentRepliesStore | None = None,
    watch: ReplyWatchStore | None = None,
) -> Published:
    """Send the reply; a permanent refusal goes to AnswerDLQ with the reason; transient errors raise.

    The reply check runs again first, with the document in force now (a stop-word added since the
    approval, say) and the product's recent replies but itself: a reply that fails it is never sent, and
    is recorded and dead-lettered like a refusal of the platform's, with the check's problems as the reason.

    A correction of a reply the platform refused after showing it (reply.replaces) is sent by the
    platform's rules for changing a reply (Connector.replace: an edit on Wildberries, delete and post again
    on Ozon, an update on Yandex Market); any other reply is posted.

    The reply is put on the read-back watch before it is sent (so a publication is never left unwatched:
    a failure there sends nothing), and looked at on the platform on a later poll (usecases.read_back).

    A published reply is the ticket's first response (when it had none): recorded in the same write as the
    publication, which stops the first-response clock, so the SLA sweep never marks an answered ticket
    breached; and the ticket moves where tickets.after_reply says (waiting_customer, by default), which
    pauses its other clocks (a next response owed is answered by it). An automatic reply to an item
    without a ticket is recorded in the outbox of automatic replies instead.
    """
    try:
        earlier = _earlier(recent, reply.product, reply.reply_id)
        problems = _problems(reply.text, reply.marketplace, reply.kind, moderation, reply_settings, earlier)
        if problems:
            raise PermanentRejection(
                CHECK_REFUSED, "refused by the reply check: " + "; ".join(p.message for p in problems)
            )
        if watch is not None:
            watch.watch(first_look(reply, reply.previous_answer_id if reply.replaces else None, now))
        if reply.replaces:
            published = connector.replace(reply, reply.previous_answer_id)
        else:
            published = connector.publish(reply)
    except PermanentRejection as refusal:
        rejected = RejectedReply(reply=reply, status=refusal.status, reason=refusal.reason, rejected_at=now)
        replies.mark_rejected(reply.ticket_id, reply.reply_id, refusal.reason, auto=not reply.on_ticket)
        if watch is not None:
            watch.done(reply.reply_id)
        dead_letters.send(rejected)
        return Published(reply, None, rejected)
    if watch is not None and published.platform_answer_id is not None:
        watch.watch(first_look(reply, published.platform_answer_id, now))
    if not reply.on_ticket:
        _record_auto(reply, published, now, replies)
        return Published(reply, published, None)
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


def _record_auto(reply: ApprovedReply, published: PublishedReply, now: datetime, replies: Replies) -> None:
    state = replies.get_auto(reply.ticket_id)
    if state is None or state.reply_id != reply.reply_id:
        return
    replies.record_auto(
        reply.ticket_id,
        state.model_copy(
            update={
                "status": "published",
                "published_at": now,
                "platform_answer_id": published.platform_answer_id,
                "text": published.text,
                "reason": None,
            }
        ),
    )


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
    recent: RecentRepliesStore | None = None,
    watch: ReplyWatchStore | None = None,
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
        recent=recent,
        watch=watch,
    )


def ticket_draft(
    ticket_id: str,
    tickets: TicketReader,
    feedback: FeedbackReader,
    *,
    recent: RecentRepliesStore | None = None,
    moderation: ModerationSettings = NO_SETTINGS,
    reply_settings: ReplySettings = NO_REPLY_SETTINGS,
) -> dict[str, Any]:
    """GET /tickets/{id}/draft: the ticket's draft and the reply check's verdict on it now (the document
    and the product's recent replies may have changed since it was drafted); draft null when it has none
    (no template matched, or no reply is needed)."""
    if not is_id(ticket_id):
        raise NotFound("no ticket has an id like that")
    ticket = tickets.get_ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    draft = ticket.draft
    if draft is None:
        why = "no reply is needed" if not ticket.reply_needed else "no reply template matches its feedback"
        return {"ticket_id": ticket_id, "draft": None, "why": why}
    item = feedback.get_item(ticket.feedback_id)
    problems: tuple[ReplyProblem, ...] = ()
    if item is not None and item.source in MARKETPLACES:
        product = product_key(item.source, item.account, item.product)
        earlier = _earlier(recent, product, reply_id(ticket_id, draft.text))
        with suppress(PermanentRejection):
            problems = _problems(
                draft.text, cast(Marketplace, item.source), item.kind, moderation, reply_settings, earlier
            )
    return {
        "ticket_id": ticket_id,
        "draft": draft.model_dump(mode="json", exclude={"problems"}),
        "passes": not problems,
        "problems": [problem.model_dump(mode="json", exclude_none=True) for problem in problems],
    }
