"""score_feedback: a queued envelope is enriched, stored once, and always passed on to routing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from otklik.domain.messages import RouteMessage
from otklik.domain.models import FeedbackItem
from otklik.usecases.score import score_feedback
from tests.unit.fakes import InMemoryFeedback, RecordingQueue
from tests.unit.samples import RAW_EMAIL, TEXT_WITH_CONTACTS, envelope

MOSCOW = ZoneInfo("Europe/Moscow")


def test_a_new_item_is_stored_enriched_and_sent_to_routing() -> None:
    store, queue = InMemoryFeedback(), RecordingQueue()
    incoming = envelope(text=TEXT_WITH_CONTACTS, rating=1)

    scored = score_feedback(incoming, MOSCOW, store, queue)

    assert scored.duplicate is False
    stored = store.items[incoming.feedback_id]
    assert stored.text == TEXT_WITH_CONTACTS
    assert RAW_EMAIL not in stored.text_masked
    assert (stored.lang, stored.tonality.label, stored.day) == ("ru", "negative", "2026-11-22")
    assert queue.sent == [RouteMessage(feedback_id=incoming.feedback_id)]


def test_a_duplicate_is_counted_and_still_sent_to_routing() -> None:
    # Given the item was stored by an earlier attempt that may have died before sending it on
    store, queue = InMemoryFeedback(), RecordingQueue()
    incoming = envelope()
    score_feedback(incoming, MOSCOW, store, queue)

    # When the envelope is delivered again
    again = score_feedback(incoming, MOSCOW, store, queue)

    # Then it is reported as a duplicate, stored once, and routed again (routing is idempotent)
    assert again.duplicate is True
    assert len(store.items) == 1
    assert queue.sent == [RouteMessage(feedback_id=incoming.feedback_id)] * 2


def test_nothing_is_routed_when_the_item_cannot_be_stored() -> None:
    class BrokenStore:
        def put_new(self, item: FeedbackItem) -> bool:
            raise ConnectionError("table unavailable")

    queue = RecordingQueue()

    with pytest.raises(ConnectionError):
        score_feedback(envelope(), MOSCOW, BrokenStore(), queue)

    assert queue.sent == []
