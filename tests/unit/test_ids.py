"""Deterministic ids: a redelivered feedback item, its ticket and its notifications keep their ids."""

from __future__ import annotations

import pytest

from otklik.domain.ids import feedback_id, notification_id, reply_id, ticket_id

ORIGINAL = ("wildberries", "shop-1", "review", "wb-777")


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (ORIGINAL, "fb_3a13948035000fc456b9fe49"),
        (("custom", "default", "question", "site-10234"), "fb_c5e9d1e6701c6b7fd211de04"),
        (("ozon", "Магазин №1", "chat", "chat:42/7"), "fb_f612a1b7a95078c041ccd248"),
    ],
)
def test_feedback_ids_are_pinned(parts: tuple[str, str, str, str], expected: str) -> None:
    """Every stored item, ticket, reply and notification is keyed by these ids, and redeliveries are
    recognised by them: a change to the scheme would silently re-key everything stored, so that an item
    delivered again after a deploy would be stored, ticketed and notified a second time."""
    assert feedback_id(*parts) == expected


def test_ticket_reply_and_notification_ids_are_pinned() -> None:
    """Pinned for the same reason: a ticket, an approved reply or a notification that got a new id after
    a deploy would be opened, published or sent again."""
    ticket = ticket_id("fb_3a13948035000fc456b9fe49")

    assert ticket == "tk_7be596c9dd2e3c940095f622"
    assert reply_id(ticket, "Спасибо за отзыв!") == "rp_39f5c6fc149a8cb99bd863ec"
    assert notification_id(ticket, "ticket_opened") == "nt_d6cb88cf6e2974cd54349ae9"
    assert notification_id(ticket, "sla_breached") == "nt_124d0bd6e9a3472845680740"


@pytest.mark.parametrize(
    "other",
    [
        ("ozon", "shop-1", "review", "wb-777"),
        ("wildberries", "shop-2", "review", "wb-777"),
        ("wildberries", "shop-1", "question", "wb-777"),
        ("wildberries", "shop-1", "review", "wb-778"),
    ],
    ids=["source", "account", "kind", "external-id"],
)
def test_feedback_that_differs_in_any_part_gets_another_id(other: tuple[str, str, str, str]) -> None:
    assert feedback_id(*other) != feedback_id(*ORIGINAL)


def test_parts_cannot_run_into_each_other() -> None:
    # Given two items whose parts concatenate to the same characters
    # Then they are still two items
    assert feedback_id("custom", "ab", "review", "c") != feedback_id("custom", "a", "review", "bc")


def test_another_feedback_item_gets_another_ticket() -> None:
    other = feedback_id("ozon", "shop-1", "review", "wb-777")

    assert ticket_id(other) != ticket_id(feedback_id(*ORIGINAL))


def test_a_reply_is_one_text_on_one_ticket() -> None:
    ticket = ticket_id(feedback_id(*ORIGINAL))
    other_ticket = ticket_id(feedback_id("ozon", "shop-1", "review", "wb-777"))

    # Another text (even one space more) is another reply, published on its own
    assert reply_id(ticket, "Спасибо за отзыв! ") != reply_id(ticket, "Спасибо за отзыв!")
    # And the same text on another ticket is another reply
    assert reply_id(other_ticket, "Спасибо за отзыв!") != reply_id(ticket, "Спасибо за отзыв!")


def test_each_ticket_event_has_its_own_notification() -> None:
    tk = ticket_id(feedback_id(*ORIGINAL))
    other_tk = ticket_id(feedback_id("ozon", "shop-1", "review", "wb-777"))

    assert notification_id(tk, "ticket_opened") != notification_id(tk, "sla_breached")
    assert notification_id(tk, "ticket_opened") != notification_id(other_tk, "ticket_opened")
