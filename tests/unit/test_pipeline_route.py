"""route_feedback: stored feedback that needs work gets one ticket and a request to tell the team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.domain.config import DEFAULT_CONFIG, parse_config
from otklik.domain.errors import FeedbackMissing
from otklik.domain.ids import notification_id, ticket_id
from otklik.domain.messages import NotifyMessage
from otklik.usecases.route import route_feedback
from tests.unit.fakes import InMemoryFeedback, InMemoryTickets, RecordingQueue
from tests.unit.samples import NOW, feedback_item

CONFIG = DEFAULT_CONFIG
ONE_STAR = feedback_item(rating=1, label="negative", compound=-1.0)
FIVE_STARS = feedback_item(rating=5, label="positive", compound=1.0, external_id="site-555")


def test_feedback_that_is_not_stored_raises_so_the_message_is_retried() -> None:
    tickets, queue = InMemoryTickets(), RecordingQueue()

    with pytest.raises(FeedbackMissing, match="fb_missing"):
        route_feedback("fb_missing", NOW, CONFIG, InMemoryFeedback(), tickets, queue)

    assert tickets.tickets == {}
    assert queue.sent == []


def test_positive_feedback_opens_no_ticket_and_notifies_nobody() -> None:
    tickets, queue = InMemoryTickets(), RecordingQueue()

    routed = route_feedback(FIVE_STARS.id, NOW, CONFIG, InMemoryFeedback(FIVE_STARS), tickets, queue)

    assert routed.ticket is None
    assert routed.created is False
    assert tickets.tickets == {}
    assert queue.sent == []


def test_a_one_star_review_opens_a_ticket_and_asks_for_one_notification() -> None:
    tickets, queue = InMemoryTickets(), RecordingQueue()

    routed = route_feedback(ONE_STAR.id, NOW, CONFIG, InMemoryFeedback(ONE_STAR), tickets, queue)

    assert routed.created is True
    assert routed.ticket is not None
    assert routed.ticket.id == ticket_id(ONE_STAR.id)
    assert list(tickets.tickets) == [routed.ticket.id]
    (message,) = queue.sent
    assert isinstance(message, NotifyMessage)
    assert message.notification.event == "ticket_opened"
    assert message.notification.id == notification_id(routed.ticket.id, "ticket_opened")


def test_a_redelivery_keeps_the_stored_ticket_and_resends_the_same_notification_id() -> None:
    # Given the feedback was routed once already
    tickets, queue = InMemoryTickets(), RecordingQueue()
    feedback = InMemoryFeedback(ONE_STAR)
    first = route_feedback(ONE_STAR.id, NOW, CONFIG, feedback, tickets, queue)

    # When its route message is delivered again later
    again = route_feedback(ONE_STAR.id, NOW + timedelta(minutes=7), CONFIG, feedback, tickets, queue)

    # Then no second ticket is opened, the stored one is answered, and the same notification is asked for
    assert again.created is False
    assert first.ticket is not None
    assert again.ticket is not None
    assert again.ticket.created_at == first.ticket.created_at == NOW
    assert len(tickets.tickets) == 1
    ids = [m.notification.id for m in queue.sent if isinstance(m, NotifyMessage)]
    assert len(ids) == 2
    assert ids[0] == ids[1]


def test_the_configuration_document_decides_team_deadline_and_what_the_notification_says() -> None:
    # Given a seller's document: another team, four working hours to answer, their own notification title
    config = parse_config(
        """
teams: [{name: quality}]
routing:
  team: quality
notifications:
  templates:
    ticket_opened:
      title: "Срочно: {{ ticket.team }} / {{ ticket.priority }}"
      text: "{{ kind }} до {{ due }}"
sla:
  policies:
    - name: standard
      targets: [{first_response_hours: 4}]
"""
    )
    tickets, queue = InMemoryTickets(), RecordingQueue()

    # When a one-star review is routed under it
    routed = route_feedback(ONE_STAR.id, NOW, config, InMemoryFeedback(ONE_STAR), tickets, queue)

    # Then the ticket and its notification follow the document, not code
    assert routed.ticket is not None
    assert routed.ticket.team == "quality"
    # (received on Sunday evening: Monday 09:00 Moscow time plus four working hours)
    assert routed.ticket.first_response_due_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    (message,) = queue.sent
    assert isinstance(message, NotifyMessage)
    assert message.notification.title == "Срочно: quality / high"
    assert message.notification.text.startswith("отзыв до ")
