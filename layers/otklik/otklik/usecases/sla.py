"""sweep_sla: tickets past their first-response deadline are marked breached and notified, once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from otklik.domain.lifecycle import first_response_watched
from otklik.domain.messages import NotifyMessage
from otklik.domain.notifications import sla_breached
from otklik.ports import DeadlineWatch, Publisher

if TYPE_CHECKING:  # annotations only: importing it validates the default document, Jinja2 and all
    from otklik.domain.config import Config


def sweep_first_responses(
    now: datetime, config: Config, tickets: DeadlineWatch, notify_queue: Publisher
) -> list[str]:
    """Ids of the tickets this sweep found breached.

    The notification is queued before the breach is recorded, so a sweep that dies in between
    notifies again next time (same notification id, delivered once) instead of never.
    """
    breached: list[str] = []
    for ticket_id in tickets.first_responses_due(now):
        ticket = tickets.get_ticket(ticket_id)
        if ticket is None or not first_response_watched(ticket):
            continue  # answered, waiting for the customer, resolved, or closed since the index was read
        notify_queue.send(NotifyMessage(notification=sla_breached(ticket, now, config.notifications)))
        if tickets.mark_first_response_breached(ticket_id, now):
            breached.append(ticket_id)
    return breached
