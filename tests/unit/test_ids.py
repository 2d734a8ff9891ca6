"""Deterministic ids: a redelivered feedback item, its ticket and its notifications keep their ids."""

from __future__ import annotations

import pytest

from otklik.domain.ids import feedback_id, notification_id, ticket_id

ORIGINAL = ("wildberries", "shop-1", "review", "wb-777")


def test_the_same_feedback_from_the_same_place_always_gets_the_same_id() -> None:
    assert feedback_id(*ORIGINAL) == feedback_id(*ORIGINAL)
    assert feedback_id(*ORIGINAL).startswith("fb_")


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


def test_a_feedback_item_has_one_ticket_id() -> None:
    fb = feedback_id(*ORIGINAL)

    assert ticket_id(fb) == ticket_id(fb)
    assert ticket_id(fb).startswith("tk_")
    assert ticket_id(fb) != ticket_id(feedback_id("ozon", "shop-1", "review", "wb-777"))


def test_each_ticket_event_has_one_notification_id() -> None:
    tk = ticket_id(feedback_id(*ORIGINAL))
    other_tk = ticket_id(feedback_id("ozon", "shop-1", "review", "wb-777"))

    assert notification_id(tk, "ticket_opened") == notification_id(tk, "ticket_opened")
    assert notification_id(tk, "ticket_opened").startswith("nt_")
    assert notification_id(tk, "ticket_opened") != notification_id(tk, "sla_breached")
    assert notification_id(tk, "ticket_opened") != notification_id(other_tk, "ticket_opened")
