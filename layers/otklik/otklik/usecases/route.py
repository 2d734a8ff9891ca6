"""route_feedback: apply the routing rules to stored feedback; open its ticket and ask for a notification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from otklik.domain.errors import FeedbackMissing
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import Ticket
from otklik.domain.notifications import ticket_opened
from otklik.domain.routing import open_ticket, plan_ticket
from otklik.ports import FeedbackReader, Publisher, TicketWriter

if TYPE_CHECKING:  # annotations only: importing it validates the default document, Jinja2 and all
    from otklik.domain.config import Config


@dataclass(frozen=True)
class Routed:
    feedback_id: str
    ticket: Ticket | None
    created: bool


def route_feedback(
    feedback_id: str,
    now: datetime,
    config: Config,
    feedback: FeedbackReader,
    tickets: TicketWriter,
    notify_queue: Publisher,
) -> Routed:
    item = feedback.get_item(feedback_id)
    if item is None:
        raise FeedbackMissing(f"feedback {feedback_id} is not stored")
    plan = plan_ticket(item, config.routing)
    if plan is None:
        return Routed(feedback_id=feedback_id, ticket=None, created=False)
    ticket = open_ticket(item, plan, now)
    created = tickets.create(ticket)
    if not created:
        ticket = tickets.get_ticket(ticket.id) or ticket
    # Sent again on a redelivery, in case the first attempt died before sending; the notification's
    # id is the same, and send_notifications delivers each id once.
    notify_queue.send(NotifyMessage(notification=ticket_opened(ticket, now, config.notifications)))
    return Routed(feedback_id=feedback_id, ticket=ticket, created=created)
