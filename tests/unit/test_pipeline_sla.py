"""sweep_sla: what is due on tickets is told (queued first) and recorded, each event once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from otklik.domain.config import DEFAULT_CONFIG, parse_config
from otklik.domain.ids import notification_id
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import Notification, Ticket
from otklik.domain.routing import RoutingPolicy, open_ticket, plan_ticket
from otklik.usecases.sla import READ_BATCH, sweep_first_responses, sweep_sla
from tests.unit.fakes import InMemoryTickets, Journal, RecordingQueue
from tests.unit.samples import NOW, feedback_item


def ticket_for(external_id: str) -> Ticket:
    item = feedback_item(rating=1, label="negative", compound=-1.0, external_id=external_id)
    plan = plan_ticket(item, RoutingPolicy())
    assert plan is not None
    return open_ticket(item, plan, NOW)


OVERDUE = ticket_for("site-1")
assert OVERDUE.first_response_due_at is not None and OVERDUE.first_response_warn_at is not None
AFTER_DEADLINE = OVERDUE.first_response_due_at + timedelta(minutes=1)
BEFORE_WARNING = OVERDUE.first_response_warn_at - timedelta(minutes=1)
AFTER_WARNING = OVERDUE.first_response_warn_at + timedelta(minutes=1)


def notifications(queue: RecordingQueue) -> list[Notification]:
    return [m.notification for m in queue.sent if isinstance(m, NotifyMessage)]


def test_an_overdue_open_ticket_is_notified_and_marked_breached() -> None:
    tickets, queue = InMemoryTickets(OVERDUE), RecordingQueue()

    breached = sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    assert breached == [OVERDUE.id]
    stored = tickets.tickets[OVERDUE.id]
    assert (stored.sla_breached, stored.sla_breached_at) == (True, AFTER_DEADLINE)
    (note,) = notifications(queue)
    assert (note.event, note.target) == ("sla_breached", "first_response")
    assert note.id == notification_id(OVERDUE.id, "sla_breached")


def test_a_late_sweep_sends_the_breach_alone_and_the_warning_never_after_it() -> None:
    tickets, queue = InMemoryTickets(OVERDUE), RecordingQueue()

    sweep_sla(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)
    sweep_sla(AFTER_DEADLINE + timedelta(hours=1), DEFAULT_CONFIG, tickets, queue)

    assert [note.event for note in notifications(queue)] == ["sla_breached"]


def test_the_warning_comes_at_its_share_of_the_target_once_then_the_breach() -> None:
    # Given an open ticket whose warning time (80% of 24 working hours) has just passed
    tickets, queue = InMemoryTickets(OVERDUE), RecordingQueue()

    # When the sweep runs then, again a minute later, and after the deadline
    first = sweep_sla(AFTER_WARNING, DEFAULT_CONFIG, tickets, queue)
    again = sweep_sla(AFTER_WARNING + timedelta(minutes=1), DEFAULT_CONFIG, tickets, queue)
    late = sweep_sla(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    # Then the warning came once, and the breach after it
    assert (first.warned, first.breached, again.warned, late.breached) == ([OVERDUE.id], [], [], [OVERDUE.id])
    assert [(n.event, n.target) for n in notifications(queue)] == [
        ("sla_warning", "first_response"),
        ("sla_breached", "first_response"),
    ]
    assert tickets.tickets[OVERDUE.id].sla_done == ("first_response:warning", "first_response:breach")


def test_the_notification_is_queued_before_the_breach_is_recorded() -> None:
    journal: Journal = []
    tickets, queue = InMemoryTickets(OVERDUE, journal=journal), RecordingQueue(journal)

    sweep_sla(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    assert journal == [("send", "NotifyMessage"), ("update", OVERDUE.id)]


def test_a_ticket_with_nothing_due_yet_is_not_read_or_told() -> None:
    tickets, queue = InMemoryTickets(OVERDUE), RecordingQueue()

    result = sweep_sla(BEFORE_WARNING, DEFAULT_CONFIG, tickets, queue)

    assert (result.warned, result.breached) == ([], [])
    assert queue.sent == []
    assert tickets.tickets[OVERDUE.id] == OVERDUE


def test_a_resolved_ticket_past_its_deadline_is_skipped_and_its_stale_watch_put_right() -> None:
    # Given an index that still says a resolved ticket is due
    resolved = ticket_for("site-2").model_copy(update={"status": "resolved"})
    journal: Journal = []
    tickets, queue = InMemoryTickets(resolved, OVERDUE, journal=journal), RecordingQueue()
    tickets.watched[resolved.id] = resolved.first_response_due_at

    breached = sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    # Then only the open one is told, and the resolved one's watch is what its fields say (nothing)
    assert breached == [OVERDUE.id]
    assert [note.ticket_id for note in notifications(queue)] == [OVERDUE.id]
    assert tickets.tickets[resolved.id].sla_breached is False
    assert ("rewatch", resolved.id) in journal
    assert tickets.sla_due(AFTER_DEADLINE + timedelta(days=1)) == []


def test_a_due_ticket_that_has_vanished_is_skipped() -> None:
    class StaleIndex(InMemoryTickets):
        def sla_due(self, now: datetime) -> list[str]:
            return ["tk_gone", *super().sla_due(now)]

    tickets, queue = StaleIndex(OVERDUE), RecordingQueue()

    breached = sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    assert breached == [OVERDUE.id]
    assert len(queue.sent) == 1


def test_a_ticket_answered_between_the_read_and_the_write_is_not_marked() -> None:
    # Given the ticket gets its first response just after the sweep read it
    class AnsweredMeanwhile(InMemoryTickets):
        def update(self, before: Ticket, after: Ticket) -> bool:
            stored = self.tickets[before.id]
            if stored.first_response_at is None:
                answered = stored.model_copy(update={"first_response_at": AFTER_DEADLINE, "version": 1})
                self.tickets[before.id] = answered
            return super().update(before, after)

    tickets, queue = AnsweredMeanwhile(OVERDUE), RecordingQueue()

    breached = sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    # Then the answer stands and no breach is recorded (the notification already queued carries the
    # breach's one id, so it is told at most once)
    assert breached == []
    stored = tickets.tickets[OVERDUE.id]
    assert (stored.first_response_at, stored.sla_breached) == (AFTER_DEADLINE, False)


def test_a_ticket_changed_by_a_concurrent_sweep_is_not_reported_twice() -> None:
    # Given another sweep recorded the breach between this sweep's read and its write
    class RacingStore(InMemoryTickets):
        def get_tickets(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
            found = super().get_tickets(ticket_ids)
            for ticket in found.values():
                other = sweep_sla(AFTER_DEADLINE, DEFAULT_CONFIG, InMemoryTickets(ticket), RecordingQueue())
                assert other.breached
                self.tickets[ticket.id] = ticket.model_copy(
                    update={"sla_breached": True, "sla_done": ("first_response:breach",), "version": 1}
                )
            return found

    tickets, queue = RacingStore(OVERDUE), RecordingQueue()

    breached = sweep_first_responses(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue)

    # Then it is not reported again, and the notification it queued has the breach's id (delivered once)
    assert breached == []
    assert [note.id for note in notifications(queue)] == [notification_id(OVERDUE.id, "sla_breached")]


ESCALATING = parse_config(
    """
sla:
  policies:
    - name: standard
      targets: [{first_response_hours: 24, resolution_hours: 45}]
      escalation:
        - {notify: team_lead, after_hours: 0}
        - {notify: head, after_hours: 4}
"""
)


def test_a_breach_escalates_along_the_chain_each_step_once_while_unanswered() -> None:
    # Given a ticket under a policy that tells the team lead at the breach and the head 4 working hours on
    item = feedback_item(rating=1, label="negative", compound=-1.0, external_id="site-9")
    plan = plan_ticket(item, ESCALATING.routing, sla=ESCALATING.sla)
    assert plan is not None
    ticket = open_ticket(item, plan, NOW)
    tickets, queue = InMemoryTickets(ticket), RecordingQueue()
    # (received Sunday evening: the deadline is Wednesday 2026-11-25 15:00 Moscow, 12:00 UTC)
    deadline = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert ticket.first_response_due_at == deadline

    # When the sweep runs at the deadline, an hour on, and 4 working hours on (Thursday 10:00 Moscow)
    at_breach = sweep_sla(deadline, ESCALATING, tickets, queue)
    sweep_sla(deadline + timedelta(hours=1), ESCALATING, tickets, queue)
    later = sweep_sla(datetime(2026, 11, 26, 7, 0, tzinfo=UTC), ESCALATING, tickets, queue)

    # Then the breach and the team lead come at once, the head the next morning, each once
    assert (at_breach.breached, at_breach.escalated) == ([ticket.id], [ticket.id])
    assert later.escalated == [ticket.id]
    told = [(n.event, n.to) for n in notifications(queue)]
    assert told == [("sla_breached", None), ("sla_escalated", "team_lead"), ("sla_escalated", "head")]
    heads = [n for n in notifications(queue) if n.to == "head"]
    assert heads[0].title.startswith("[high] Эскалация для head: просрочен первый ответ")


def test_an_answer_stops_the_escalation_chain() -> None:
    item = feedback_item(rating=1, label="negative", compound=-1.0, external_id="site-10")
    plan = plan_ticket(item, ESCALATING.routing, sla=ESCALATING.sla)
    assert plan is not None
    deadline = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    tickets, queue = InMemoryTickets(open_ticket(item, plan, NOW)), RecordingQueue()
    sweep_sla(deadline, ESCALATING, tickets, queue)
    # Given the ticket was answered after the team lead was told
    (ticket,) = tickets.tickets.values()
    tickets.tickets[ticket.id] = ticket.model_copy(update={"first_response_at": deadline})

    result = sweep_sla(datetime(2026, 11, 27, 7, 0, tzinfo=UTC), ESCALATING, tickets, queue)

    # Then the head is never told (the resolution's own warning still comes: that clock still runs)
    assert result.escalated == []
    assert [(n.event, n.to) for n in notifications(queue)] == [
        ("sla_breached", None),
        ("sla_escalated", "team_lead"),
        ("sla_warning", None),
    ]
    assert notifications(queue)[-1].target == "resolution"


def test_a_run_out_of_time_leaves_the_rest_due_for_the_next_run() -> None:
    # Given more due tickets than one read takes, and a run with no time left after the first read
    many = [ticket_for(f"site-{n}") for n in range(READ_BATCH + 5)]
    tickets, queue = InMemoryTickets(*many), RecordingQueue()
    seconds = iter([60.0, 60.0, *([1.0] * 1000)])

    result = sweep_sla(AFTER_DEADLINE, DEFAULT_CONFIG, tickets, queue, time_left=lambda: next(seconds))

    # Then one ticket was swept, the rest are counted as left and still due
    assert len(result.breached) == 1
    assert result.left == len(many) - 1
    assert len(tickets.sla_due(AFTER_DEADLINE)) == len(many) - 1
