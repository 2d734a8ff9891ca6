"""The reply side's items in TicketsTable on moto: a product's recent replies, the read-back watch on the
by_deadline index, the outbox of automatic replies, and a corrected reply keeping the refused one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from otklik.adapters.recent_replies import RecentReplies
from otklik.adapters.reply_watch import ReplyWatch
from otklik.adapters.ticket_store import ReplyStore, TicketStore
from otklik.domain.marketplaces.models import ApprovedReply
from otklik.domain.models import ReplyState
from otklik.domain.replies.recent import RecentReply
from otklik.domain.replies.watch import first_look
from tests.integration.conftest import Stack
from tests.unit.samples import stored_ticket

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _reply(reply_id: str = "rp_1") -> ApprovedReply:
    return ApprovedReply(
        reply_id=reply_id,
        ticket_id="tk_1",
        feedback_id="fb_1",
        marketplace="wildberries",
        connection="wb-main",
        kind="review",
        external_id="wb-1",
        text="Спасибо за отзыв!",
        approved_by="anna",
        approved_at=NOW,
    )


def test_a_products_recent_replies_keep_the_newest_once_each(stack: Stack) -> None:
    # Given the store, keeping three replies per product
    recent = RecentReplies(stack.dynamodb, stack.table("TicketsTable"))
    # When four replies are remembered on one product, the second twice, and one on another product
    for number in (1, 2, 2, 3, 4):
        recent.remember(
            "wildberries#wb-main#p1", RecentReply(reply_id=f"rp_{number}", text=f"ответ {number}"), 3
        )
    recent.remember("wildberries#wb-main#p2", RecentReply(reply_id="rp_9", text="другой товар"), 3)
    # Then the product keeps the newest three, newest first, each once; the other product its own
    assert [r.reply_id for r in recent.recent("wildberries#wb-main#p1")] == ["rp_4", "rp_3", "rp_2"]
    assert [r.text for r in recent.recent("wildberries#wb-main#p2")] == ["другой товар"]
    assert recent.recent("wildberries#wb-main#p3") == []


def test_the_watch_answers_the_replies_due_soonest_first_and_forgets_one_done(stack: Stack) -> None:
    # Given two published replies on the watch, one due later than the other, and one not due yet
    watch = ReplyWatch(stack.dynamodb, stack.table("TicketsTable"))
    watch.watch(first_look(_reply("rp_2"), "a-2", NOW + timedelta(minutes=5)))
    watch.watch(first_look(_reply("rp_1"), "a-1", NOW))
    watch.watch(first_look(_reply("rp_3"), None, NOW + timedelta(hours=2)))
    # When the replies due by a quarter past are asked for
    due = watch.due(NOW + timedelta(minutes=15), 10)
    # Then they come soonest first, with what reading them back needs
    assert [(d.reply.reply_id, d.platform_answer_id) for d in due] == [("rp_1", "a-1"), ("rp_2", "a-2")]
    # And one done is not due again, nor is one never watched an error
    watch.done("rp_1")
    watch.done("rp_never")
    assert [d.reply.reply_id for d in watch.due(NOW + timedelta(minutes=15), 10)] == ["rp_2"]


def test_an_automatic_reply_is_kept_in_the_outbox_once_per_item(stack: Stack) -> None:
    # Given the outbox of automatic replies
    replies = ReplyStore(stack.dynamodb, stack.table("TicketsTable"))
    state = ReplyState(
        reply_id="rp_1", text="Спасибо!", status="approved", approved_by="auto:five", approved_at=NOW
    )
    # When an item's automatic reply is approved, and then another for the same item
    first = replies.approve_auto("tk_x", "fb_x", state)
    second = replies.approve_auto("tk_x", "fb_x", state.model_copy(update={"reply_id": "rp_2"}))
    # Then the first is kept and the second refused
    assert (first, second) == (True, False)
    assert replies.get_auto("tk_x") == state
    # And once published it records that, while it is the same reply
    published = state.model_copy(update={"status": "published", "published_at": NOW})
    assert replies.record_auto("tk_x", published)
    assert not replies.record_auto("tk_x", published.model_copy(update={"reply_id": "rp_other"}))
    assert replies.get_auto("tk_x") == published


def test_a_corrected_reply_keeps_the_one_the_platform_refused_in_the_tickets_versions(stack: Stack) -> None:
    # Given a ticket whose published reply the platform refused
    tickets = TicketStore(stack.dynamodb, stack.table("TicketsTable"))
    replies = ReplyStore(stack.dynamodb, stack.table("TicketsTable"))
    refused = ReplyState(
        reply_id="rp_1",
        text="Первый ответ",
        status="rejected",
        approved_by="anna",
        approved_at=NOW,
        published_at=NOW,
        reason="Wildberries: rejected",
        platform_state="rejected",
    )
    assert tickets.create(stored_ticket(id="tk_1", reply=refused))
    corrected = ReplyState(
        reply_id="rp_2", text="Исправленный", status="approved", approved_by="anna", approved_at=NOW
    )
    # When the correction is approved over it
    assert replies.approve("tk_1", corrected, refused)
    # Then the ticket's reply is the correction, and the refused one is its first version
    ticket = tickets.get_ticket("tk_1")
    assert ticket is not None and ticket.reply == corrected
    assert ticket.reply_versions == (refused,)
    # And approving it over a refused reply that is no longer the ticket's is refused
    assert not replies.approve("tk_1", corrected.model_copy(update={"reply_id": "rp_3"}), refused)
