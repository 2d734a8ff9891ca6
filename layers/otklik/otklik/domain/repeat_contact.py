"""Repeat contacts: the same customer or order writing again joins their ticket instead of opening another.

Who "the same customer" is: the author's id when the channel gives one, else the order's id, each within
its source and account (a Wildberries buyer's id means nothing on Ozon, and two own-channel accounts may
number their orders alike). A name is never enough: many people are called Анна.

Which ticket a contact joins (tickets.repeat_contact_days > 0): among the customer's tickets opened within
repeat_contact_days before the item was received, the newest still being worked (open, acknowledged, in
progress, waiting for the customer); else the newest resolved within reopen_days, which is reopened. A
closed ticket is final, so a customer writing after the close gets a new ticket.

Two messages of one customer routed at the same moment would each find no ticket and open one each. So
a ticket opened with repeat contacts on claims its customer (CustomerClaim, written in the same
transaction as the ticket): a second ticket for the customer within the window is refused with the
claiming ticket's id (CustomerHasTicket), and the message joins that ticket instead; it replaces the
claim only when that ticket can take no contact (closed, or resolved too long before).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from otklik.domain.lifecycle import ACTIVE_STATUSES, TicketSettings, reopens
from otklik.domain.models import FeedbackItem, Ticket


def customer_key(item: FeedbackItem) -> str | None:
    """What repeat contacts of item compare; None when the channel says neither who wrote nor which order."""
    scope = f"{item.source}#{item.account}"
    if item.author is not None and item.author.id:
        return f"{scope}#author#{item.author.id}"
    if item.order is not None:
        return f"{scope}#order#{item.order.id}"
    return None


def contact_window_start(item: FeedbackItem, settings: TicketSettings) -> datetime:
    """The earliest a ticket of the same customer may have been opened for item to join it."""
    return item.received_at - timedelta(days=settings.repeat_contact_days)


@dataclass(frozen=True)
class CustomerClaim:
    """A new ticket's claim on its customer: refused while another ticket of the customer opened at or
    after `since` holds it, unless that is the ticket `replaces` names (one that can take no contact)."""

    customer_key: str
    since: datetime
    replaces: str | None = None


class CustomerHasTicket(Exception):
    """Another ticket of the customer holds the claim: the message is that ticket's repeat contact."""

    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"the customer's ticket {ticket_id} holds the claim")
        self.ticket_id = ticket_id


@dataclass(frozen=True)
class RepeatContact:
    """The ticket a repeat contact joins, and whether joining reopens it."""

    ticket: Ticket
    reopens: bool


def repeat_contact(
    item: FeedbackItem, candidates: Sequence[Ticket], settings: TicketSettings
) -> RepeatContact | None:
    """The ticket item joins, of candidates (the customer's tickets, as the store found them); None when
    item is no repeat contact: repeat contacts are off, none of the tickets is in the window or can take
    it, or item has a ticket of its own already (it was routed before, say before a redelivery)."""
    if settings.repeat_contact_days == 0 or any(t.feedback_id == item.id for t in candidates):
        return None
    since = contact_window_start(item, settings)
    recent = sorted(
        (t for t in candidates if t.created_at >= since), key=lambda t: t.created_at, reverse=True
    )
    for ticket in recent:
        if item.id in ticket.linked_feedback:
            return RepeatContact(ticket, reopens=False)  # joined already: a redelivery
    active = [t for t in recent if t.status in ACTIVE_STATUSES]
    if active:
        return RepeatContact(active[0], reopens=False)
    resolved = [t for t in recent if reopens(t, item.received_at, settings)]
    return RepeatContact(resolved[0], reopens=True) if resolved else None


def is_repeat_contact(contact: RepeatContact | None) -> bool:
    """What the rules' `repeat_contact` condition sees: the item joins a ticket of the same customer."""
    return contact is not None
