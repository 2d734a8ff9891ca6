"""sweep_first_responses: overdue open tickets are notified, then marked breached, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from otklik.domain.config import DEFAULT_CONFIG
from otklik.domain.ids import notification_id
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import Ticket
from otklik.domain.routing import RoutingPolicy, open_ticket, plan_ticket
from otklik.usecases.sla import sweep_first_responses
from tests.unit.fakes import InMemoryTickets, Journal, RecordingQueue
from tests.unit.samples import NOW, feedback_item


def ticket_for(external_id: str) -> Ticket:
    item = feedback_item(rating=1, label="negative", compound=-1.0, external_id=external_id)
    plan = plan_ticket(item, RoutingPolicy())
    assert plan is not None
    return open_ticket(item, plan, NOW)


OVERDUE = ticket_for("site-1")
AFTER_DEADLINE = OVERDUE.first_response_due_at + timedelta(minutes=1)
BEFORE_DEADLINE = OVERDUE.first_response_due_at - timedelta(minutes=1)


def test_an_overdue_open_ticket_is_notified_and_marked_breached() -> None:
    tickets, queue = InMemoryTickets(OVERDUE), RecordingQueue()

    breached = sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    assert breached == [OVERDUE.id]
    assert tickets.tickets[OVERDUE.id].sla_breached is True
    (message,) = queue.sent
    assert isinstance(message, NotifyMessage)
    assert message.notification.event == "sla_breached"
    assert message.notification.id == notification_id(OVERDUE.id, "sla_breached")


def test_the_notification_is_queued_before_the_breach_is_recorded() -> None:
    journal: Journal = []
    tickets, queue = InMemoryTickets(OVERDUE, journal=journal), RecordingQueue(journal)

    sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    assert journal == [("send", "NotifyMessage"), ("mark", OVERDUE.id)]


def test_a_ticket_not_yet_due_is_left_alone() -> None:
    tickets, queue = InMemoryTickets(OVERDUE), RecordingQueue()

    breached = sweep_first_responses(BEFORE_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    assert breached == []
    assert queue.sent == []
    assert tickets.tickets[OVERDUE.id].sla_breached is False


def test_a_resolved_ticket_past_its_deadline_is_skipped() -> None:
    resolved = ticket_for("site-2").model_copy(update={"status": "resolved"})
    tickets, queue = InMemoryTickets(resolved, OVERDUE), RecordingQueue()

    breached = sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    assert breached == [OVERDUE.id]
    assert [m.notification.ticket_id for m in queue.sent if isinstance(m, NotifyMessage)] == [OVERDUE.id]
    assert tickets.tickets[resolved.id].sla_breached is False


def test_a_due_ticket_that_has_vanished_is_skipped() -> None:
    class StaleIndex(InMemoryTickets):
        def first_responses_due(self, now: datetime) -> list[str]:
            return ["tk_gone", *super().first_responses_due(now)]

    tickets, queue = StaleIndex(OVERDUE), RecordingQueue()

    breached = sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    assert breached == [OVERDUE.id]
    assert len(queue.sent) == 1


def test_a_ticket_marked_by_a_concurrent_sweep_is_not_reported_twice() -> None:
    # Given another sweep marked the ticket between this sweep's listing and its mark
    class RacingStore(InMemoryTickets):
        def mark_first_response_breached(self, ticket_id: str, now: datetime) -> bool:
            return False

    tickets, queue = RacingStore(OVERDUE), RecordingQueue()

    breached = sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    # Then it is not reported again, and the re-sent notification carries the same id (delivered once)
    assert breached == []
    assert [m.notification.id for m in queue.sent if isinstance(m, NotifyMessage)] == [
        notification_id(OVERDUE.id, "sla_breached")
    ]
