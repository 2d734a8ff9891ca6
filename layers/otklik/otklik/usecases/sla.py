"""sweep_sla: the SLA events due on tickets (warnings, breaches, escalations) told and recorded, each once.

The sweep reads only tickets with something due (the store's watch: each ticket's next SLA moment,
otklik.domain.sla.clock.next_check), a hundred a read. For each it queues a notification per event, then
records the events on the ticket over the version it read. The notifications go first, so a sweep that
dies in between tells again next time (the same notification ids, delivered once) instead of never; a
ticket changed meanwhile (answered, say) is read again and only what is still due is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from otklik.domain.messages import NotifyMessage
from otklik.domain.models import Ticket
from otklik.domain.notifications import sla_notification
from otklik.domain.sla import clock
from otklik.ports import DeadlineWatch, Publisher

if TYPE_CHECKING:  # annotations only: importing it validates the default document, Jinja2 and all
    from otklik.domain.config import Config

# Tickets read at once (DynamoDB's BatchGetItem takes 100 keys).
READ_BATCH = 100
# Writes tried before a ticket changing that often is left to the next sweep.
RECORD_ATTEMPTS = 5
# Seconds a sweep keeps for its last ticket: below this, the rest waits for the next run (still due).
MARGIN_SECONDS = 5.0

Map = Callable[[Callable[[Ticket], "Swept"], Iterable[Ticket]], Iterable["Swept"]]


@dataclass(frozen=True)
class Swept:
    ticket_id: str
    events: tuple[clock.SlaEvent, ...] = ()
    left: bool = False  # not looked at: the run's time was up


@dataclass
class SweepResult:
    warned: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    left: int = 0  # due tickets this run had no time for (the next one takes them)

    def add(self, swept: Swept) -> None:
        if swept.left:
            self.left += 1
        kinds = {event.kind for event in swept.events}
        told = {"warning": self.warned, "breach": self.breached, "escalation": self.escalated}
        for kind, ids in told.items():
            if kind in kinds:
                ids.append(swept.ticket_id)


def _chunks(ids: list[str], size: int) -> Iterator[list[str]]:
    for offset in range(0, len(ids), size):
        yield ids[offset : offset + size]


def _told(ticket: Ticket, now: datetime, config: Config) -> tuple[Ticket, tuple[clock.SlaEvent, ...]]:
    """The ticket with what is due at now recorded, and those events. A breach schedules its escalation
    steps, and a step due at once (after 0 hours, or a sweep late) is told in the same look."""
    policy, calendar = clock.policy_of(config.sla, ticket)
    escalate = clock.escalation_plan(policy, calendar)
    told: list[clock.SlaEvent] = []
    for _ in range(len(clock.TARGETS) + 1):
        events = clock.due(ticket, now)
        if not events:
            break
        ticket = clock.record(ticket, events, now, escalate)
        told.extend(events)
    return ticket, tuple(told)


def sweep_ticket(
    ticket: Ticket, now: datetime, config: Config, tickets: DeadlineWatch, queue: Publisher
) -> Swept:
    """Tell and record what is due on the ticket at now; read again and redone when it changed meanwhile."""
    current: Ticket | None = ticket
    for _ in range(RECORD_ATTEMPTS):
        if current is None:
            return Swept(ticket.id)
        after, events = _told(current, now, config)
        if not events:
            tickets.rewatch(current)  # its watch said due, its fields say not: keep the index right
            return Swept(ticket.id)
        for event in events:
            notification = sla_notification(after, event, now, config.notifications)
            queue.send(NotifyMessage(notification=notification))
        if tickets.update(current, after):
            return Swept(ticket.id, events)
        current = tickets.get_ticket(ticket.id)
    return Swept(ticket.id)  # changing under every try: still due, so the next sweep looks again


def sweep_sla(
    now: datetime,
    config: Config,
    tickets: DeadlineWatch,
    notify_queue: Publisher,
    *,
    each: Map = map,
    time_left: Callable[[], float] | None = None,
) -> SweepResult:
    """What this sweep told: the tickets warned, breached and escalated, and how many it left for the next.

    each: how the tickets of a read are swept (map: one after another; a thread pool's map: several at
    once). time_left: the run's seconds left; tickets it reaches with less than MARGIN_SECONDS are left due.
    """
    result = SweepResult()

    def one(ticket: Ticket) -> Swept:
        if time_left is not None and time_left() < MARGIN_SECONDS:
            return Swept(ticket.id, left=True)
        return sweep_ticket(ticket, now, config, tickets, notify_queue)

    due_ids = tickets.sla_due(now)
    for chunk in _chunks(due_ids, READ_BATCH):
        if time_left is not None and time_left() < MARGIN_SECONDS:
            result.left += len(chunk)
            continue
        found = tickets.get_tickets(chunk)
        for swept in each(one, [found[ticket_id] for ticket_id in chunk if ticket_id in found]):
            result.add(swept)
    return result


def sweep_first_responses(
    now: datetime, config: Config, tickets: DeadlineWatch, notify_queue: Publisher
) -> list[str]:
    """Ids of the tickets this sweep found breached (sweep_sla, one ticket after another)."""
    return sweep_sla(now, config, tickets, notify_queue).breached
