"""score_feedback: a queued envelope is enriched, stored once, and always passed on to routing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from otklik.domain.messages import RouteMessage
from otklik.domain.models import Author, FeedbackItem, ProductRef
from otklik.usecases.score import score_feedback
from tests.unit.fakes import InMemoryFeedback, InMemorySeenTexts, RecordingQueue
from tests.unit.samples import RAW_EMAIL, TEXT_WITH_CONTACTS, envelope

MOSCOW = ZoneInfo("Europe/Moscow")


def test_a_new_item_is_stored_enriched_and_sent_to_routing() -> None:
    store, queue = InMemoryFeedback(), RecordingQueue()
    incoming = envelope(text=TEXT_WITH_CONTACTS, rating=1)

    scored = score_feedback(incoming, MOSCOW, store, queue, InMemorySeenTexts())

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
    seen = InMemorySeenTexts()
    score_feedback(incoming, MOSCOW, store, queue, seen)

    # When the envelope is delivered again
    again = score_feedback(incoming, MOSCOW, store, queue, seen)

    # Then it is reported as a duplicate, stored once, and routed again (routing is idempotent)
    assert again.duplicate is True
    # And its own first delivery is not "the same text seen before"
    assert "fake_signal" not in store.items[incoming.feedback_id].moderation.flags
    assert len(store.items) == 1
    assert queue.sent == [RouteMessage(feedback_id=incoming.feedback_id)] * 2


def test_nothing_is_routed_when_the_item_cannot_be_stored() -> None:
    class BrokenStore:
        def put_new(self, item: FeedbackItem) -> bool:
            raise ConnectionError("table unavailable")

    queue = RecordingQueue()

    with pytest.raises(ConnectionError):
        score_feedback(envelope(), MOSCOW, BrokenStore(), queue, InMemorySeenTexts())

    assert queue.sent == []


SHARED_TEXT = "Отличный товар, пришёл быстро, упаковка целая, всё как на фото, очень довольна покупкой"


def test_the_same_text_from_another_author_is_a_fake_signal_and_the_first_is_not() -> None:
    # Given a review, and the same words from another author about another product
    store, queue, seen = InMemoryFeedback(), RecordingQueue(), InMemorySeenTexts()
    first = envelope(text=SHARED_TEXT, external_id="r-1", author=Author(id="buyer-1"))
    copy = envelope(
        text=SHARED_TEXT.upper() + "!!!", external_id="r-2", author=Author(id="buyer-2"),
        product=ProductRef(id="sku-2"),
    )  # fmt: skip
    # When both are scored, the first twice (a redelivery)
    score_feedback(first, MOSCOW, store, queue, seen)
    score_feedback(copy, MOSCOW, store, queue, seen)
    score_feedback(first, MOSCOW, store, queue, seen)
    # Then only the copy carries the fake signal, with the reason a person reads
    assert "fake_signal" not in store.items[first.feedback_id].moderation.flags
    flagged = store.items[copy.feedback_id].moderation
    assert "fake_signal" in flagged.flags
    assert any(r.flag == "fake_signal" for r in flagged.reasons)


def test_a_short_text_is_never_compared_with_others() -> None:
    # Given two authors who both wrote just "Отлично"
    store, queue, seen = InMemoryFeedback(), RecordingQueue(), InMemorySeenTexts()
    for number in (1, 2):
        incoming = envelope(text="Отлично", external_id=f"s-{number}", author=Author(id=f"buyer-{number}"))
        score_feedback(incoming, MOSCOW, store, queue, seen)
    # Then neither is a fake signal, and nothing was remembered
    assert all("fake_signal" not in item.moderation.flags for item in store.items.values())
    assert seen.origins == {}
