"""The ops API under hostile input (issue 8): every parameter, cursor and reply is bounded and checked
before a store or a queue sees it, and a reply that cannot be queued leaves no approval behind."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from otklik.adapters.feedback_store import FeedbackStore
from otklik.adapters.pages import MAX_KEY_BYTES
from otklik.adapters.ticket_store import TicketStore
from otklik.domain.errors import InvalidRequest, NotFound, Refused, TooLarge, TryAgain
from otklik.domain.models import FeedbackItem, ReplyState, StatusChange, Ticket
from otklik.entrypoints.http import status_of
from otklik.ports import Page
from otklik.usecases import ops
from otklik.usecases.reply import ReplyRequest, approve_reply
from tests.unit.samples import feedback_item

NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
DAY = "2026-11-22"
HUGE = "1" * 5000  # past Python's 4,300-digit limit on int()
LONG_ID = "tk_" + "a" * 100_000  # DynamoDB refuses keys over 2,048 bytes


def _cursor(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


def _s(value: str) -> dict[str, str]:
    return {"S": value}


# ---------------------------------------------------------------- query parameters


class AskedStores:
    """Feedback and ticket queries that only record what they were asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []

    def get(self, key: str) -> dict[str, Any] | None:
        self.asked.append(("get", key))
        return None

    def list_day(self, day: str, limit: int, cursor: str | None) -> Page:
        self.asked.append(("list_day", day))
        return Page(items=[], next_cursor=None)

    def list_by_status(self, status: str, limit: int, cursor: str | None) -> Page:
        self.asked.append(("list_by_status", status))
        return Page(items=[], next_cursor=None)

    def list_notifications(self, ticket_id: str) -> list[dict[str, Any]]:
        self.asked.append(("list_notifications", ticket_id))
        return []


@pytest.mark.parametrize("limit", [HUGE, "0" * 5000 + "5", "9" * 4301])
def test_a_limit_of_thousands_of_digits_is_a_bad_request_not_a_crash(limit: str) -> None:
    store = AskedStores()

    with pytest.raises(InvalidRequest, match="limit"):
        ops.list_feedback(store, {"day": DAY, "limit": limit})
    with pytest.raises(InvalidRequest, match="limit"):
        ops.list_tickets(store, {"status": "open", "limit": limit})

    assert store.asked == []


def test_a_cursor_far_longer_than_any_we_give_out_is_refused_before_the_store() -> None:
    store = AskedStores()

    with pytest.raises(InvalidRequest, match="cursor is not one this API gave out"):
        ops.list_feedback(store, {"day": DAY, "cursor": "A" * 100_000})

    assert store.asked == []


@pytest.mark.parametrize(
    "day", ["2" * 100_000, "٢٠٢٦-١١-٢٢", "2026-11-22\n"], ids=["100-kb", "arabic-digits", "newline"]
)
def test_a_day_that_is_not_a_plain_date_is_refused_without_quoting_it(day: str) -> None:
    store = AskedStores()

    with pytest.raises(InvalidRequest, match="day") as refused:
        ops.list_feedback(store, {"day": day})

    assert len(refused.value.message) < 100
    assert store.asked == []


@pytest.mark.parametrize(
    "bad_id",
    [LONG_ID, "", "tk_1\x00", "tk_1/../x", "тикет", "tk 1"],
    ids=["100-kb", "empty", "nul", "slashes", "cyrillic", "space"],
)
def test_an_id_that_no_item_of_ours_can_have_is_not_found_and_no_store_is_asked(bad_id: str) -> None:
    store = AskedStores()

    for ask in (
        lambda: ops.get_feedback(store, bad_id),
        lambda: ops.get_ticket(store, bad_id),
        lambda: ops.list_notifications(store, {"ticket_id": bad_id}),
    ):
        with pytest.raises((NotFound, InvalidRequest)) as refused:
            ask()
        assert len(refused.value.message) < 100

    assert store.asked == []


def test_an_id_of_ours_still_reaches_the_store() -> None:
    store = AskedStores()

    with pytest.raises(NotFound, match="tk_0123456789abcdef01234567"):
        ops.get_ticket(store, "tk_0123456789abcdef01234567")

    assert store.asked == [("get", "tk_0123456789abcdef01234567")]


# ---------------------------------------------------------------- cursors


class QueryClient:
    """A DynamoDB client that answers Query with one page, recording every request it gets."""

    def __init__(self, last_key: dict[str, Any] | None = None) -> None:
        self.queries: list[dict[str, Any]] = []
        self.last_key = last_key

    def query(self, **request: Any) -> dict[str, Any]:
        self.queries.append(request)
        return {"Items": [], **({"LastEvaluatedKey": self.last_key} if self.last_key else {})}


FEEDBACK_KEY = {"id": _s("fb_1"), "day": _s(DAY), "received_sk": _s("2026-11-22T06:41:03+00:00#fb_1")}
TICKET_KEY = {
    "pk": _s("TICKET#tk_1"),
    "sk": _s("TICKET"),
    "status": _s("open"),
    "created_at": _s("2026-11-22T06:41:03Z"),
}

HOSTILE_FEEDBACK_CURSORS = {
    "not-base64": "%%%not-a-cursor",
    "not-ascii": "курсор",
    "not-json": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "a-list": _cursor([1, 2]),
    "a-string": _cursor("fb_1"),
    "empty-object": _cursor({}),
    "one-attribute-missing": _cursor({k: v for k, v in FEEDBACK_KEY.items() if k != "received_sk"}),
    "an-extra-attribute": _cursor({**FEEDBACK_KEY, "text": _s("x")}),
    "a-plain-value": _cursor({**FEEDBACK_KEY, "id": "fb_1"}),
    "a-number": _cursor({**FEEDBACK_KEY, "id": {"N": "1"}}),
    "two-types": _cursor({**FEEDBACK_KEY, "id": {"S": "fb_1", "N": "1"}}),
    "a-number-as-s": _cursor({**FEEDBACK_KEY, "id": {"S": 1}}),
    "an-empty-key": _cursor({**FEEDBACK_KEY, "id": _s("")}),
    "a-key-too-long": _cursor({**FEEDBACK_KEY, "id": _s("x" * (MAX_KEY_BYTES + 1))}),
    "another-day": _cursor({**FEEDBACK_KEY, "day": _s("2026-11-23")}),
    "the-tickets-key": _cursor(TICKET_KEY),
    "a-lone-surrogate": _cursor({**FEEDBACK_KEY, "id": _s("\ud800")}),
    "a-huge-integer": base64.urlsafe_b64encode(b'{"id": ' + HUGE.encode() + b"}").decode(),
    "nested-deep": base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).decode(),
    "nan": base64.urlsafe_b64encode(b'{"id": NaN}').decode(),
}


@pytest.mark.parametrize("cursor", HOSTILE_FEEDBACK_CURSORS.values(), ids=HOSTILE_FEEDBACK_CURSORS.keys())
def test_a_feedback_cursor_not_of_the_by_day_key_is_refused_before_dynamodb(cursor: str) -> None:
    client = QueryClient()

    with pytest.raises(InvalidRequest, match="cursor is not one this API gave out"):
        FeedbackStore(client, "FeedbackTable").list_day(DAY, 50, cursor)

    assert client.queries == []


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor(FEEDBACK_KEY),
        _cursor({**TICKET_KEY, "status": _s("resolved")}),
        _cursor({k: v for k, v in TICKET_KEY.items() if k != "sk"}),
        _cursor({**TICKET_KEY, "pk": {"B": "AAAA"}}),
    ],
    ids=["the-feedback-key", "another-status", "sk-missing", "binary-pk"],
)
def test_a_ticket_cursor_not_of_the_by_status_key_is_refused_before_dynamodb(cursor: str) -> None:
    client = QueryClient()

    with pytest.raises(InvalidRequest, match="cursor is not one this API gave out"):
        TicketStore(client, "TicketsTable").list_by_status("open", 50, cursor)

    assert client.queries == []


@pytest.mark.parametrize(
    ("store", "ask", "last_key"),
    [
        (FeedbackStore, lambda s, c: s.list_day(DAY, 1, c), FEEDBACK_KEY),
        (TicketStore, lambda s, c: s.list_by_status("open", 1, c), TICKET_KEY),
    ],
    ids=["feedback-by-day", "tickets-by-status"],
)
def test_the_cursor_a_page_gives_out_resumes_after_its_last_key(store: Any, ask: Any, last_key: Any) -> None:
    client = QueryClient(last_key)
    first = ask(store(client, "Table"), None)

    ask(store(client, "Table"), first.next_cursor)

    assert "ExclusiveStartKey" not in client.queries[0]
    assert client.queries[1]["ExclusiveStartKey"] == last_key


# ---------------------------------------------------------------- the reply request


@pytest.mark.parametrize(
    "body",
    [
        {"text": "Спасибо", "approved_by": "a" * 500_000},
        {"text": "Спасибо", "approved_by": "\u0000" * 180_000},
        {"text": "Спасибо", "approved_by": "anna\u0000"},
        {"text": "Спасибо", "approved_by": "anna\n"},
        {"text": "Спасибо", "approved_by": ""},
        {"text": "Спасибо", "approved_by": "   "},
        {"text": "Спасибо", "approved_by": "a" * 201},
        {"text": "Спасибо", "approved_by": 5},
        {"text": "я" * 10_001},
        {"text": "Спасибо\u0000"},
        {"text": "Спасибо\uffff"},
        {"text": "Спасибо\ud800"},
        {"text": "Спасибо", "approve_all": True},
    ],
    ids=[
        "approver-500-kb",
        "approver-of-nuls",
        "approver-with-nul",
        "approver-with-newline",
        "approver-empty",
        "approver-blank",
        "approver-201-chars",
        "approver-a-number",
        "text-10001-chars",
        "text-with-nul",
        "text-with-a-noncharacter",
        "text-with-a-lone-surrogate",
        "an-unknown-field",
    ],
)
def test_a_reply_request_out_of_bounds_does_not_validate(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ReplyRequest.model_validate(body)


def test_a_reply_request_within_bounds_validates() -> None:
    request = ReplyRequest.model_validate(
        {"text": "Здравствуйте!\n\tЗаменим товар.", "approved_by": "Анна Петрова (support)" + "a" * 178}
    )

    assert len(request.approved_by) == 200


# ---------------------------------------------------------------- approving a reply


class QueueDown(Exception):
    """The queue did not take the message."""


@dataclass
class Queue:
    fail: bool = False
    sent: list[BaseModel] = field(default_factory=list)

    def send(self, message: BaseModel) -> str:
        if self.fail:
            raise QueueDown("the queue did not answer")
        self.sent.append(message)
        return str(len(self.sent))


@dataclass
class TicketWithReply:
    """One ticket's reply state, with the conditions TicketsTable's updates have."""

    ticket: Ticket
    item: FeedbackItem
    reply: ReplyState | None = None
    writes: int = 0

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        return self.ticket.model_copy(update={"reply": self.reply}) if ticket_id == self.ticket.id else None

    def get_item(self, feedback_id: str) -> FeedbackItem | None:
        return self.item if feedback_id == self.item.id else None

    def approve(self, ticket_id: str, reply: ReplyState, previous: ReplyState | None = None) -> bool:
        current = self.reply
        if not (
            current is None
            or current.status == "rejected"
            or (current.reply_id == reply.reply_id and current.status == "approved")
        ):
            return False
        self.reply, self.writes = reply, self.writes + 1
        return True

    def withdraw(self, ticket_id: str, reply: ReplyState, previous: ReplyState | None) -> bool:
        if self.reply != reply:
            return False
        self.reply, self.writes = previous, self.writes + 1
        return True


def _ticket() -> Ticket:
    return Ticket(
        id="tk_1",
        feedback_id=ITEM.id,
        source="wildberries",
        account="wb-main",
        kind="review",
        team="support",
        priority="high",
        status="open",
        reasons=("low_rating",),
        created_at=NOW,
        first_response_due_at=NOW,
        tonality_label="negative",
        excerpt="Порвалось",
        history=(StatusChange(at=NOW, by="otklik", status="open"),),
    )


ITEM = feedback_item(source="wildberries", external_id="wb-1")
REJECTED = ReplyState(
    reply_id="rp_old", text="Старый", status="rejected", approved_by="ivan", approved_at=NOW, reason="длинно"
)


def _approve(store: TicketWithReply, queue: Queue, text: str, by: str = "anna") -> Any:
    return approve_reply("tk_1", ReplyRequest(text=text, approved_by=by), NOW, store, store, store, queue)


@pytest.mark.parametrize("previous", [None, REJECTED], ids=["no-reply-before", "a-rejected-reply-before"])
def test_a_reply_the_queue_does_not_take_is_withdrawn_and_the_client_told_to_try_again(
    previous: ReplyState | None,
) -> None:
    # Given a ticket, and a queue that fails
    store, queue = TicketWithReply(_ticket(), ITEM, previous), Queue(fail=True)
    # When a reply is approved
    with pytest.raises(TryAgain, match="send it again"):
        _approve(store, queue, "Заменим товар")
    # Then the ticket's reply is what it was, nothing is queued
    assert store.reply == previous
    assert queue.sent == []
    # And once the queue is back, another text is approved (not refused as a conflict)
    queue.fail = False
    approved = _approve(store, queue, "Вернём деньги")
    assert store.reply is not None
    assert (store.reply.text, store.reply.status) == ("Вернём деньги", "approved")
    assert queue.sent == [approved]


def test_a_re_approval_the_queue_does_not_take_leaves_the_first_approval_as_it_was() -> None:
    store, queue = TicketWithReply(_ticket(), ITEM), Queue()
    _approve(store, queue, "Заменим товар", by="anna")
    first = store.reply
    queue.fail = True

    request = ReplyRequest(text="Заменим товар", approved_by="ivan")

    with pytest.raises(TryAgain):
        approve_reply("tk_1", request, NOW.replace(hour=9), store, store, store, queue)

    assert store.reply == first


def test_a_reply_too_large_for_its_queue_message_is_refused_before_anything_is_written() -> None:
    bulky = ITEM.model_copy(update={"reply_context": {f"k{i}": "x" * 10_000 for i in range(30)}})
    store, queue = TicketWithReply(_ticket(), bulky), Queue()

    with pytest.raises(TooLarge):
        _approve(store, queue, "Спасибо")

    assert (store.writes, queue.sent) == (0, [])


@pytest.mark.parametrize("ticket_id", [LONG_ID, "tk_1\u0000"], ids=["100-kb", "nul"])
def test_a_reply_to_an_id_no_ticket_can_have_is_not_found_and_nothing_is_read(ticket_id: str) -> None:
    class Unreadable(TicketWithReply):
        def get_ticket(self, ticket_id: str) -> Ticket | None:
            raise AssertionError("the store was asked")

    store, queue = Unreadable(_ticket(), ITEM), Queue()

    with pytest.raises(NotFound) as refused:
        approve_reply(ticket_id, ReplyRequest(text="Да"), NOW, store, store, store, queue)

    assert len(refused.value.message) < 100


def test_try_again_is_answered_503() -> None:
    refusal: Refused = TryAgain("the queue did not answer")

    assert status_of(refusal) == (503, "service_unavailable")
