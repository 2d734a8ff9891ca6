"""A customer's claim: two messages of one customer never open two tickets, even when the index of the
customer's tickets has not caught up (route_feedback, otklik.domain.repeat_contact)."""

from __future__ import annotations

from datetime import datetime, timedelta

from otklik.domain.config import parse_config
from otklik.domain.models import FeedbackItem, Ticket
from otklik.usecases.route import route_feedback
from tests.unit.fakes import InMemoryFeedback, InMemoryTickets, RecordingQueue
from tests.unit.samples import NOW, feedback_item

CONFIG = parse_config("tickets: {repeat_contact_days: 7}\n")


class LaggingIndex(InMemoryTickets):
    """The customer's tickets as an index that has not seen any of them yet."""

    def find_open_for_customer(self, customer_key: str, since: datetime) -> list[Ticket]:
        return []


def message(external_id: str, received_after: timedelta = timedelta()) -> FeedbackItem:
    item = feedback_item(rating=1, label="negative", compound=-0.8, external_id=external_id, tier="regular")
    return item.model_copy(update={"received_at": item.received_at + received_after})


def test_the_second_message_joins_the_first_ones_ticket_though_the_index_lags() -> None:
    # Given two messages of one customer and an index that finds none of their tickets
    first, second = message("site-1"), message("site-2", timedelta(minutes=1))
    feedback, tickets = InMemoryFeedback(first, second), LaggingIndex()
    # When both are routed
    opened = route_feedback(first.id, NOW, CONFIG, feedback, tickets, RecordingQueue())
    joined = route_feedback(second.id, NOW, CONFIG, feedback, tickets, RecordingQueue())
    # Then the claim sent the second to the first's ticket
    assert opened.created and opened.ticket is not None
    assert (joined.created, joined.repeat_contact) == (False, True)
    assert list(tickets.tickets) == [opened.ticket.id]
    assert tickets.tickets[opened.ticket.id].linked_feedback == (second.id,)


def test_a_claim_older_than_the_window_gives_way() -> None:
    first, later = message("site-1"), message("site-2", timedelta(days=8))
    feedback, tickets = InMemoryFeedback(first, later), LaggingIndex()
    route_feedback(first.id, NOW, CONFIG, feedback, tickets, RecordingQueue())

    routed = route_feedback(later.id, NOW + timedelta(days=8), CONFIG, feedback, tickets, RecordingQueue())

    assert routed.created and routed.ticket is not None
    assert len(tickets.tickets) == 2


def test_a_closed_holder_is_replaced_by_the_customers_new_ticket() -> None:
    # Given the customer's claim held by a ticket closed since
    first, second, third = message("site-1"), message("site-2", timedelta(hours=1)), message("site-3")
    feedback, tickets = InMemoryFeedback(first, second, third), LaggingIndex()
    opened = route_feedback(first.id, NOW, CONFIG, feedback, tickets, RecordingQueue())
    assert opened.ticket is not None
    tickets.tickets[opened.ticket.id] = opened.ticket.model_copy(update={"status": "closed"})
    # When the customer writes again, and then once more
    routed = route_feedback(second.id, NOW, CONFIG, feedback, tickets, RecordingQueue())
    again = route_feedback(third.id, NOW, CONFIG, feedback, tickets, RecordingQueue())
    # Then the second opens a ticket of its own, which the third joins
    assert routed.created and routed.ticket is not None
    assert again.repeat_contact and again.ticket is not None
    assert again.ticket.id == routed.ticket.id
    assert tickets.tickets[opened.ticket.id].linked_feedback == ()


def test_without_repeat_contacts_no_claim_is_made() -> None:
    first, second = message("site-1"), message("site-2")
    feedback, tickets = InMemoryFeedback(first, second), LaggingIndex()
    off = parse_config("tickets: {repeat_contact_days: 0}\n")

    route_feedback(first.id, NOW, off, feedback, tickets, RecordingQueue())
    route_feedback(second.id, NOW, off, feedback, tickets, RecordingQueue())

    assert len(tickets.tickets) == 2
    assert tickets.claims == {}
