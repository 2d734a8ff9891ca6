"""Reading back a published reply: when it is first looked at, and what each look at the platform decides."""

from __future__ import annotations

from datetime import timedelta

import pytest

from otklik.domain.marketplaces.models import ApprovedReply, Marketplace, ReplyReadBack
from otklik.domain.replies.watch import WATCH_FOR, ReadBackDue, first_look, looked
from tests.unit.samples import NOW

PUBLISHED_AT = NOW
AN_HOUR_LATER = NOW + timedelta(hours=1)


def approved(marketplace: Marketplace = "wildberries") -> ApprovedReply:
    return ApprovedReply(
        reply_id="rp_1",
        ticket_id="tk_1",
        feedback_id="fb_1",
        marketplace=marketplace,
        connection="wb-main",
        kind="review",
        external_id="wb-1001",
        text="Спасибо за отзыв!",
        approved_by="anna",
        approved_at=NOW - timedelta(minutes=5),
    )


def watched(marketplace: Marketplace = "wildberries", *, missing: int = 0, looks: int = 0) -> ReadBackDue:
    due = first_look(approved(marketplace), "answer-77", PUBLISHED_AT)
    return due.model_copy(update={"missing": missing, "looks": looks})


def test_the_first_look_is_due_on_the_next_poll_after_publishing() -> None:
    # Given a reply the platform took, with its own id for it
    reply = approved()
    # When it is put on the watch
    due = first_look(reply, "answer-77", PUBLISHED_AT)
    # Then it is due at once (the next poll looks at it; 02b0fcf moved this from a minute after), not looked
    # at yet, nothing found missing
    assert due.due_at == PUBLISHED_AT
    assert (due.reply, due.platform_answer_id, due.published_at) == (reply, "answer-77", PUBLISHED_AT)
    assert (due.looks, due.missing) == (0, 0)


def test_a_reply_buyers_see_is_published_and_watched_no_more() -> None:
    # Given a reply on the watch
    # When the platform shows it
    look = looked(watched(), ReplyReadBack("published"), AN_HOUR_LATER)
    # Then it is published, and no other look follows
    assert (look.outcome, look.state, look.reason, look.again) == ("published", "published", None, None)


@pytest.mark.parametrize(
    ("marketplace", "title"),
    [("wildberries", "Wildberries"), ("ozon", "Ozon"), ("yandex_market", "Яндекс Маркет")],
)
def test_a_rejected_reply_is_refused_with_the_platforms_reason_after_its_title(
    marketplace: Marketplace, title: str
) -> None:
    # Given a reply on the watch
    # When the platform's moderation says it rejected it, and why
    look = looked(
        watched(marketplace), ReplyReadBack("rejected", reason="answer.state rejected"), AN_HOUR_LATER
    )
    # Then it is refused at once, in the platform's words prefixed by the platform's name, and watched no more
    assert (look.outcome, look.state, look.again) == ("refused", "rejected", None)
    assert look.reason == f"{title}: answer.state rejected"


def test_a_rejected_reply_without_the_platforms_reason_is_refused_in_ours() -> None:
    # Given a reply on the watch
    # When the platform rejects it and says nothing of why
    look = looked(watched("ozon"), ReplyReadBack("rejected"), AN_HOUR_LATER)
    # Then the reason still names the platform
    assert (look.outcome, look.state, look.again) == ("refused", "rejected", None)
    assert look.reason is not None and "Ozon" in look.reason


def test_a_reply_missing_once_is_looked_at_again() -> None:
    # Given a reply on the watch, found nowhere before
    due = watched()
    # When the platform does not show it
    look = looked(due, ReplyReadBack("missing"), AN_HOUR_LATER)
    # Then it is not refused yet: looked at again in half an hour, one miss counted
    assert (look.outcome, look.state) == ("look_again", "missing")
    assert look.again is not None
    assert look.again.missing == 1
    assert look.again.looks == due.looks + 1
    assert look.again.due_at == AN_HOUR_LATER + timedelta(minutes=30)


def test_a_reply_missing_twice_in_a_row_is_refused_as_not_shown() -> None:
    # Given a reply found missing at the last look
    due = watched()
    once = looked(due, ReplyReadBack("missing"), AN_HOUR_LATER)
    assert once.again is not None
    # When the next look finds it missing again
    twice = looked(once.again, ReplyReadBack("missing"), AN_HOUR_LATER + timedelta(minutes=30))
    # Then it is refused as missing, saying the platform does not show it, and watched no more
    assert (twice.outcome, twice.state, twice.again) == ("refused", "missing", None)
    assert twice.reason is not None
    assert "Wildberries" in twice.reason and "does not show it" in twice.reason


def test_a_pending_reply_is_looked_at_again_in_half_an_hour_and_its_misses_are_forgotten() -> None:
    # Given a reply missing at the last look
    due = watched(missing=1, looks=3)
    # When the platform now has it under moderation
    look = looked(
        due, ReplyReadBack("pending", reason="Wildberries answer.state reviewRequired"), AN_HOUR_LATER
    )
    # Then it is pending, looked at again in 30 minutes, and a later miss counts from none
    assert (look.outcome, look.state) == ("look_again", "pending")
    assert look.reason == "Wildberries answer.state reviewRequired"
    assert look.again is not None
    assert look.again.due_at == AN_HOUR_LATER + timedelta(minutes=30)
    assert (look.again.missing, look.again.looks) == (0, 4)


def test_a_miss_after_a_pending_look_is_the_first_miss_again() -> None:
    # Given a reply missing once, then pending
    missed = looked(watched(), ReplyReadBack("missing"), AN_HOUR_LATER)
    assert missed.again is not None
    pending = looked(missed.again, ReplyReadBack("pending"), AN_HOUR_LATER + timedelta(minutes=30))
    assert pending.again is not None
    # When it is missing again
    look = looked(pending.again, ReplyReadBack("missing"), AN_HOUR_LATER + timedelta(hours=1))
    # Then it is not refused: the two misses were not in a row
    assert look.outcome == "look_again"


def test_a_reply_still_pending_after_a_week_stays_pending_and_is_watched_no_more() -> None:
    # Given a reply published a week ago
    due = watched()
    # When the platform still has it under moderation
    look = looked(due, ReplyReadBack("pending"), PUBLISHED_AT + WATCH_FOR)
    # Then it is recorded as pending and no other look follows
    assert (look.outcome, look.state, look.again) == ("pending", "pending", None)


def test_a_reply_pending_just_before_the_week_is_out_is_looked_at_again() -> None:
    # Given a reply published almost a week ago
    due = watched()
    # When the platform still has it under moderation
    look = looked(due, ReplyReadBack("pending"), PUBLISHED_AT + timedelta(days=7) - timedelta(minutes=1))
    # Then it is looked at again
    assert look.outcome == "look_again"
    assert look.again is not None
