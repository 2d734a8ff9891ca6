"""A published reply read back from its platform: what the ticket records when the platform shows it, keeps
it under moderation or refuses it, and the notification a refusal sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from otklik.domain.lifecycle import SYSTEM, reply_looked_at, reply_refused
from otklik.domain.models import ReplyState, ReplyStatus, Ticket, TicketStatus
from otklik.domain.notifications import reply_rejected
from tests.unit.samples import NOW, stored_ticket

PUBLISHED_AT = NOW + timedelta(minutes=10)
CHECKED_AT = NOW + timedelta(hours=1)
REASON = "Wildberries: answer.state rejected"


def reply(reply_id: str = "rp_1", status: ReplyStatus = "published", **changes: Any) -> ReplyState:
    return ReplyState(
        reply_id=reply_id,
        text="Спасибо за отзыв! Замену отправим бесплатно.",
        status=status,
        approved_by="anna",
        approved_at=NOW,
        published_at=PUBLISHED_AT if status != "approved" else None,
        platform_answer_id="answer-77" if status != "approved" else None,
    ).model_copy(update=changes)


def answered(status: TicketStatus = "waiting_customer", **changes: Any) -> Ticket:
    """A Wildberries ticket whose reply rp_1 was published, now in `status`."""
    resolved = (
        {"resolved_at": PUBLISHED_AT, "root_cause": "product_defect"} if status != "waiting_customer" else {}
    )
    fields: dict[str, Any] = {
        "source": "wildberries",
        "account": "wb-main",
        "status": status,
        "first_response_at": PUBLISHED_AT,
        "reply": reply(),
        **resolved,
        **changes,
    }
    return stored_ticket("tk_1", **fields)


# ---------------------------------------------------------------- refused


@pytest.mark.parametrize("status", ["waiting_customer", "resolved"])
def test_a_refused_reply_puts_its_ticket_back_in_work(status: TicketStatus) -> None:
    # Given a ticket whose reply was published, waiting for the customer or resolved by it
    ticket = answered(status)
    # When the platform refuses the reply
    refused = reply_refused(ticket, "rp_1", CHECKED_AT, "rejected", REASON)
    # Then the ticket is open again, for someone to correct the reply
    assert refused is not None
    assert refused.status == "open"
    # And the reply is recorded as rejected, with the platform's state, the reason and when it was seen
    assert refused.reply is not None
    assert refused.reply.reply_id == "rp_1"
    assert (refused.reply.status, refused.reply.platform_state) == ("rejected", "rejected")
    assert (refused.reply.reason, refused.reply.checked_at) == (REASON, CHECKED_AT)
    # And the history says otklik did it, and why
    last = refused.history[-1]
    assert (last.by, last.at, last.status) == (SYSTEM, CHECKED_AT, "open")
    assert "rp_1" in last.note and REASON in last.note
    assert refused.history[:-1] == ticket.history


def test_a_resolved_ticket_whose_reply_is_refused_is_reopened_without_its_resolution() -> None:
    # Given a ticket resolved by its published reply
    ticket = answered("resolved")
    # When the platform does not show the reply at all
    refused = reply_refused(
        ticket, "rp_1", CHECKED_AT, "missing", "Wildberries accepted the reply but does not show it"
    )
    # Then it is open, its resolution cleared (the history keeps it), and the reply's state is missing
    assert refused is not None
    assert (refused.status, refused.resolved_at, refused.root_cause) == ("open", None, None)
    assert refused.reply is not None
    assert (refused.reply.status, refused.reply.platform_state) == ("rejected", "missing")


def test_a_closed_ticket_records_the_refusal_and_stays_closed() -> None:
    # Given a ticket closed after its reply was published
    ticket = answered("closed")
    # When the platform refuses the reply
    refused = reply_refused(ticket, "rp_1", CHECKED_AT, "rejected", REASON)
    # Then the refusal is recorded on the reply and in the history, and the ticket stays closed
    assert refused is not None
    assert refused.status == "closed"
    assert refused.reply is not None
    assert (refused.reply.status, refused.reply.reason) == ("rejected", REASON)
    last = refused.history[-1]
    assert (last.by, last.status) == (SYSTEM, "closed")
    assert REASON in last.note
    assert len(refused.history) == len(ticket.history) + 1


@pytest.mark.parametrize(
    "ticket",
    [
        answered(reply=reply("rp_2")),
        answered(reply=reply(status="approved")),
        answered(reply=reply(status="rejected", reason=REASON)),
        answered(reply=None),
    ],
    ids=["another-reply", "not-published-yet", "recorded-already", "no-reply"],
)
def test_a_refusal_of_a_reply_the_ticket_no_longer_holds_as_published_changes_nothing(ticket: Ticket) -> None:
    # Given a ticket whose reply is not rp_1 as published (another one, not yet sent, refused already)
    # When the platform's refusal of rp_1 is recorded
    # Then nothing changes
    assert reply_refused(ticket, "rp_1", CHECKED_AT, "rejected", REASON) is None


def test_a_refusal_recorded_once_is_not_recorded_twice() -> None:
    # Given a ticket on which the refusal was recorded
    once = reply_refused(answered(), "rp_1", CHECKED_AT, "rejected", REASON)
    assert once is not None
    # When the same refusal comes again (a second look, a redelivery)
    again = reply_refused(once, "rp_1", CHECKED_AT + timedelta(minutes=30), "rejected", REASON)
    # Then nothing changes
    assert again is None


# ---------------------------------------------------------------- looked at


def test_a_reply_looked_at_records_what_the_platform_shows() -> None:
    # Given a ticket whose reply was published and never read back
    ticket = answered()
    # When the platform shows it under moderation
    seen = reply_looked_at(ticket, "rp_1", CHECKED_AT, "pending", "Wildberries answer.state reviewRequired")
    # Then the reply records the state, the reason and when; it stays published and the ticket where it was
    assert seen is not None
    assert seen.reply is not None
    assert (seen.reply.platform_state, seen.reply.checked_at) == ("pending", CHECKED_AT)
    assert seen.reply.reason == "Wildberries answer.state reviewRequired"
    assert (seen.reply.status, seen.status, seen.history) == ("published", "waiting_customer", ticket.history)


def test_the_same_state_read_back_again_is_no_news() -> None:
    # Given a reply read back as pending
    pending = reply_looked_at(answered(), "rp_1", CHECKED_AT, "pending")
    assert pending is not None
    # When the next look finds it pending still
    # Then nothing changes; when it is then shown, that is recorded
    assert reply_looked_at(pending, "rp_1", CHECKED_AT + timedelta(minutes=30), "pending") is None
    shown = reply_looked_at(pending, "rp_1", CHECKED_AT + timedelta(hours=1), "published")
    assert shown is not None
    assert shown.reply is not None
    assert (shown.reply.platform_state, shown.reply.checked_at) == (
        "published",
        CHECKED_AT + timedelta(hours=1),
    )


@pytest.mark.parametrize(
    "ticket",
    [answered(reply=reply("rp_2")), answered(reply=reply(status="approved")), answered(reply=None)],
    ids=["another-reply", "not-published-yet", "no-reply"],
)
def test_a_look_at_a_reply_the_ticket_no_longer_holds_changes_nothing(ticket: Ticket) -> None:
    # Given a ticket whose reply is not rp_1 as published
    # When rp_1 is read back
    # Then nothing changes
    assert reply_looked_at(ticket, "rp_1", CHECKED_AT, "published") is None


# ---------------------------------------------------------------- the notification


def test_a_rejected_reply_notification_names_the_ticket_and_the_reason() -> None:
    # Given a ticket reopened because its reply was refused
    ticket = reply_refused(answered(), "rp_1", CHECKED_AT, "rejected", REASON)
    assert ticket is not None
    # When the team is told
    told = reply_rejected(ticket, "rp_1", REASON, CHECKED_AT)
    # Then the title names the ticket and its platform, the text the reason: a reply_rejected event
    assert (told.event, told.ticket_id, told.created_at) == ("reply_rejected", "tk_1", CHECKED_AT)
    assert "tk_1" in told.title and "wildberries" in told.title
    assert REASON in told.text


def test_a_rejected_reply_is_told_once_and_another_rejected_reply_again() -> None:
    # Given a ticket whose reply rp_1 was refused
    ticket = answered("open")
    # When the refusal is told twice (a second look, a redelivery), and later a refusal of another reply
    first = reply_rejected(ticket, "rp_1", REASON, CHECKED_AT)
    again = reply_rejected(
        ticket, "rp_1", "Wildberries accepted the reply but does not show it", CHECKED_AT + timedelta(hours=1)
    )
    other = reply_rejected(ticket, "rp_2", REASON, CHECKED_AT)
    # Then the same reply's refusal has one id, so it is delivered once; another reply's is its own
    assert first.id == again.id
    assert other.id != first.id
