"""route_feedback: apply the document's routing rules to stored feedback; open the ticket they decide (with
the rules that matched and why) and ask for a notification."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from otklik.domain import lifecycle
from otklik.domain.errors import FeedbackMissing, TryAgain
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import FeedbackItem, Ticket
from otklik.domain.notifications import ticket_opened
from otklik.domain.repeat_contact import (
    CustomerClaim,
    CustomerHasTicket,
    contact_window_start,
    customer_key,
    is_repeat_contact,
    repeat_contact,
)
from otklik.domain.routing import TicketPlan, open_ticket, plan_ticket
from otklik.ports import Assigner, FeedbackReader, Publisher, RouteTickets
from otklik.usecases.drafts import (
    MARKETPLACES,
    AutoReplied,
    ReplyParts,
    auto_reply,
    draft_for,
    policy_for,
    recent_of,
    stored_draft,
)
from otklik.usecases.tickets import assign_round_robin, find_repeat_contact, join_repeat_contact, team_members

# Tickets a message of a busy customer is tried against before it is routed again.
CLAIM_ATTEMPTS = 4

if TYPE_CHECKING:  # annotations only: importing it validates the default document, Jinja2 and all
    from otklik.domain.config import Config
    from otklik.domain.replies.draft import Draft


@dataclass(frozen=True)
class Routed:
    feedback_id: str
    ticket: Ticket | None
    created: bool
    repeat_contact: bool = False  # the item joined a ticket of the same customer instead of opening one
    auto_reply: AutoReplied | None = None  # an auto-reply policy held for the item: what it did


def route_feedback(
    feedback_id: str,
    now: datetime,
    config: Config,
    feedback: FeedbackReader,
    tickets: RouteTickets,
    notify_queue: Publisher,
    turns: Assigner | None = None,
    replies: ReplyParts | None = None,
) -> Routed:
    """`turns` gives round-robin turns for a rule's `assign: round_robin`; without it such tickets open
    unassigned. `replies`: what drafts and automatic replies need; without it tickets open with no draft.

    A new ticket that needs a reply gets a draft from the document's templates (its rules may name the
    template); an item an auto-reply policy holds for is answered by it when low-risk, on its ticket or,
    without one, in the outbox of automatic replies (otklik.usecases.drafts)."""
    item = feedback.get_item(feedback_id)
    if item is None:
        raise FeedbackMissing(f"feedback {feedback_id} is not stored")
    routed = _route(item, now, config, tickets, notify_queue, turns, replies)
    policy = policy_for(item, config) if replies is not None else None
    if policy is None or replies is None or routed.repeat_contact:
        return routed
    if routed.ticket is None:
        draft = draft_for(item, config, recent_of(item, replies), template=policy.template)
    else:
        draft = _ticket_draft(routed.ticket)
    done = auto_reply(item, routed.ticket, policy, draft, now, config, replies)
    return replace(routed, auto_reply=done)


def _ticket_draft(ticket: Ticket) -> Draft | None:
    """The ticket's draft as the check saw it when drafted: one with problems is never stored as passing."""
    from otklik.domain.replies.draft import Draft

    stored = ticket.draft
    if stored is None or stored.problems:
        return None
    return Draft(text=stored.text, template=stored.template, variant=stored.variant, lang=stored.lang)


def _route(
    item: FeedbackItem,
    now: datetime,
    config: Config,
    tickets: RouteTickets,
    notify_queue: Publisher,
    turns: Assigner | None,
    replies: ReplyParts | None,
) -> Routed:
    feedback_id = item.id
    # ---- repeat contact (tickets.repeat_contact_days): the same customer or order writing again joins
    # their ticket (or reopens one resolved lately) instead of opening a second; the rules see it.
    contact = find_repeat_contact(item, config.tickets, tickets)
    replaces: str | None = None
    for _ in range(CLAIM_ATTEMPTS):
        plan = plan_ticket(
            item, config.routing, config.rules, repeat_contact=is_repeat_contact(contact), sla=config.sla
        )
        if plan is None:
            return Routed(feedback_id=feedback_id, ticket=None, created=False)
        if contact is not None:
            joined = join_repeat_contact(
                contact, item, now, config.tickets, tickets, plan.priority, sla=config.sla
            )
            if joined is not None:
                # No ticket_opened: the team was told of the ticket when it opened; the history says the rest.
                return Routed(feedback_id=feedback_id, ticket=joined, created=False, repeat_contact=True)
            # It can take no contact any more (closed since it was found): a ticket of its own replaces it.
            replaces = contact.ticket.id
            contact = None
            continue
        try:
            return _open(
                item,
                plan,
                now,
                config,
                tickets,
                notify_queue,
                turns,
                _claim(item, config, replaces),
                replies,
            )
        except CustomerHasTicket as claimed:
            # Another message of the customer opened a ticket a moment ago: this one is its repeat contact.
            holder = tickets.get_ticket(claimed.ticket_id)
            contact = repeat_contact(item, [holder] if holder else [], config.tickets)
            replaces = claimed.ticket_id if contact is None else None
    raise TryAgain(f"the customer of feedback {feedback_id} kept changing tickets; route it again")


def _drafted(item: FeedbackItem, plan: TicketPlan, config: Config, replies: ReplyParts) -> Draft | None:
    policy = policy_for(item, config)
    template = plan.draft_template or (policy.template if policy else None)
    return draft_for(item, config, recent_of(item, replies), template=template)


def _claim(item: FeedbackItem, config: Config, replaces: str | None) -> CustomerClaim | None:
    """The new ticket's claim on its customer, with repeat contacts on and a customer to name."""
    key = customer_key(item)
    if config.tickets.repeat_contact_days == 0 or key is None:
        return None
    return CustomerClaim(key, contact_window_start(item, config.tickets), replaces)


def _open(
    item: FeedbackItem,
    plan: TicketPlan,
    now: datetime,
    config: Config,
    tickets: RouteTickets,
    notify_queue: Publisher,
    turns: Assigner | None,
    claim: CustomerClaim | None,
    replies: ReplyParts | None,
) -> Routed:
    """A ticket of its own for item (CustomerHasTicket when another ticket of the customer claims it)."""
    ticket = open_ticket(item, plan, now).model_copy(update={"customer_key": customer_key(item)})
    # Read first, so that a redelivery takes no second turn nor makes a second draft for a ticket that exists.
    existing = tickets.get_ticket(ticket.id)
    if replies is not None and ticket.reply_needed and item.source in MARKETPLACES and existing is None:
        ticket = ticket.model_copy(update={"draft": stored_draft(_drafted(item, plan, config, replies), now)})
    if plan.round_robin and ticket.assignee is None and turns is not None:
        member = (
            None if existing else assign_round_robin(ticket.team, team_members(config, ticket.team), turns)
        )
        if member is not None:
            note = f"round robin in team {ticket.team}"
            ticket = lifecycle.assign(ticket, member, lifecycle.SYSTEM, now, note=note) or ticket
    created = tickets.create(ticket, claim)
    if not created:
        ticket = tickets.get_ticket(ticket.id) or ticket
    # Sent again on a redelivery, in case the first attempt died before sending; the notification's
    # id is the same, and send_notifications delivers each id once.
    notify_queue.send(NotifyMessage(notification=ticket_opened(ticket, now, config.notifications)))
    return Routed(feedback_id=item.id, ticket=ticket, created=created)
