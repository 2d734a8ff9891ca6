"""Drafts and automatic replies, as route_feedback makes them: a draft on every ticket that needs a reply,
and for low-risk items an auto-reply policy allows, the reply approved by that policy and queued with its
delay, on the ticket or (an item without one) in the outbox of automatic replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, get_args

from otklik.domain.ids import reply_id, ticket_id
from otklik.domain.marketplaces.models import ApprovedReply, Marketplace
from otklik.domain.models import FeedbackItem, ReplyDraft, ReplyState, Ticket
from otklik.domain.replies.auto import AutoReplyPolicy, auto_reply_policy, risks
from otklik.domain.replies.recent import RecentReply, others, product_key
from otklik.ports import DelayedPublisher, RecentRepliesStore, Replies
from otklik.usecases.reply import approved_reply, remember

if TYPE_CHECKING:  # annotations only: importing it validates the default document, Jinja2 and all
    from otklik.domain.config import Config
    from otklik.domain.replies.draft import Draft

MARKETPLACES: tuple[str, ...] = get_args(Marketplace)


@dataclass(frozen=True)
class ReplyParts:
    """What drafting and automatic replies need beside the item: the product's recent replies, the reply
    state of tickets and of the outbox, and AnswerQueue."""

    recent: RecentRepliesStore
    replies: Replies
    answer_queue: DelayedPublisher


@dataclass(frozen=True)
class AutoReplied:
    """An automatic reply queued (reply), or why the policy that held did not answer (refused)."""

    policy: str
    reply: ApprovedReply | None = None
    refused: tuple[str, ...] = ()


def recent_of(item: FeedbackItem, parts: ReplyParts | None) -> list[RecentReply]:
    product = product_key(item.source, item.account, item.product)
    return parts.recent.recent(product) if parts is not None and product is not None else []


def draft_for(
    item: FeedbackItem,
    config: Config,
    recent: list[RecentReply],
    *,
    template: str | None = None,
    allowed_promises: tuple[str, ...] = (),
) -> Draft | None:
    """The item's draft from the document's templates, checked against the product's recent replies."""
    from otklik.domain.replies.draft import draft_reply  # Jinja2 and the templates, on first use

    return draft_reply(
        item,
        config.replies,
        template=template,
        recent=others(recent),
        allowed_promises=allowed_promises,
        moderation=config.moderation,
    )


def stored_draft(draft: Draft | None, now: datetime) -> ReplyDraft | None:
    if draft is None:
        return None
    return ReplyDraft(
        text=draft.text,
        template=draft.template,
        variant=draft.variant,
        lang=draft.lang,
        drafted_at=now,
        problems=tuple(problem.message for problem in draft.problems),
    )


def policy_for(item: FeedbackItem, config: Config) -> AutoReplyPolicy | None:
    if item.source not in MARKETPLACES:
        return None
    return auto_reply_policy(item, config.replies.auto_reply)


def auto_reply(
    item: FeedbackItem,
    ticket: Ticket | None,
    policy: AutoReplyPolicy,
    draft: Draft | None,
    now: datetime,
    config: Config,
    parts: ReplyParts,
) -> AutoReplied:
    """Approve the draft by `policy` and queue it with the policy's delay, when the item is low-risk and
    the draft passes the check; on the ticket, or without one in the outbox. Once per item: a redelivery
    finds the reply it approved (whatever the draft says now) and queues that one again, which publishes
    nothing twice (publish_answers publishes each reply id once)."""
    refused = list(risks(item))
    if draft is None:
        refused.append("no template drafts a reply to it")
    elif draft.problems:
        refused.extend(problem.message for problem in draft.problems)
    earlier_reply = ticket.reply if ticket is not None else None
    if earlier_reply is not None and earlier_reply.auto_rule is None:
        refused.append("a person has replied to it")
    elif earlier_reply is not None and earlier_reply.status == "rejected":
        # The platform refused the automatic reply: a person corrects it (the ticket was reopened for that).
        refused.append("the platform refused its automatic reply: a person corrects it")
    if refused or draft is None:
        return AutoReplied(policy.name, refused=tuple(refused))
    holder = ticket.id if ticket is not None else ticket_id(item.id)
    state = ReplyState(
        reply_id=reply_id(holder, draft.text),
        text=draft.text,
        status="approved",
        approved_by=policy.approver(),
        approved_at=now,
        auto_rule=policy.name,
        template=draft.template,
        variant=draft.variant,
    )
    if ticket is not None:
        recorded = parts.replies.approve(ticket.id, state) or None
        earlier = None if recorded else ticket.reply
    else:
        recorded = parts.replies.approve_auto(holder, item.id, state) or None
        earlier = None if recorded else parts.replies.get_auto(holder)
    if not recorded:
        if earlier is None or earlier.auto_rule is None or earlier.status != "approved":
            return AutoReplied(policy.name, refused=("another reply is approved or published",))
        state = earlier  # an earlier delivery of the item approved it: queue that one again
    reply = approved_reply(item, holder, state, on_ticket=ticket is not None)
    parts.answer_queue.send(reply, delay_seconds=policy.delay_minutes * 60)
    remember(reply, parts.recent, config.replies)
    return AutoReplied(policy.name, reply=reply)
