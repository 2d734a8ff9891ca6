"""ops_api on moto under hostile input (issue 8): no parameter, cursor, id or reply body is a 500, and a
reply that cannot be queued leaves the ticket as it was."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from otklik.adapters.feedback_store import FeedbackStore
from otklik.adapters.ticket_store import TicketStore
from otklik.domain.ids import ticket_id
from otklik.domain.models import ReplyState, StatusChange, Ticket
from tests.integration.conftest import Stack
from tests.support.api_events import body_of, ops_event, request_event
from tests.unit.samples import feedback_item

FUNCTION = "OpsApiFunction"
DAY = "2026-11-22"
NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
NOT_OURS = "cursor is not one this API gave out"
LONG_ID = "tk_" + "a" * 100_000


def _get(stack: Stack, resource: str, path: str, **kwargs: Any) -> dict[str, Any]:
    response: dict[str, Any] = stack.invoke(FUNCTION, ops_event(resource, path, **kwargs))
    return response


def _post_reply(stack: Stack, ticket: str, body: bytes) -> dict[str, Any]:
    event = request_event(
        "POST",
        "/tickets/{id}/reply",
        f"/tickets/{ticket}/reply",
        body,
        {"id": ticket},
        {"Authorization": "Bearer test-token"},
    )
    response: dict[str, Any] = stack.invoke(FUNCTION, event)
    return response


def _reply(stack: Stack, ticket: str, text: str, approved_by: str = "anna") -> dict[str, Any]:
    body = json.dumps({"text": text, "approved_by": approved_by}, ensure_ascii=False).encode()
    return _post_reply(stack, ticket, body)


def _ticket_of(stack: Stack, ticket: str) -> dict[str, Any]:
    response = _get(stack, "/tickets/{id}", f"/tickets/{ticket}", path_parameters={"id": ticket})
    assert response["statusCode"] == 200
    found: dict[str, Any] = body_of(response)
    return found


def _seed(stack: Stack, count: int = 1, reply: ReplyState | None = None) -> list[str]:
    """count WB reviews stored, each with its open ticket (one second apart); their ticket ids."""
    feedback = FeedbackStore(stack.dynamodb, stack.table("FeedbackTable"))
    tickets = TicketStore(stack.dynamodb, stack.table("TicketsTable"))
    ids = []
    for n in range(count):
        at = NOW + timedelta(seconds=n)
        item = feedback_item(source="wildberries", external_id=f"wb-{n}", received_at=at)
        feedback.put_new(item)
        ticket = Ticket(
            id=ticket_id(item.id),
            feedback_id=item.id,
            source="wildberries",
            account="wb-main",
            kind="review",
            team="support",
            priority="high",
            status="open",
            reasons=("low_rating",),
            created_at=at,
            first_response_due_at=at + timedelta(hours=4),
            tonality_label="negative",
            excerpt="Порвалось",
            history=(StatusChange(at=at, by="otklik", status="open"),),
            reply=reply,
        )
        tickets.create(ticket)
        ids.append(ticket.id)
    return ids


def _cursor(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


def _assert_error(response: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    assert response["statusCode"] == status, response["body"][:300]
    error: dict[str, Any] = body_of(response)["error"]
    assert error["code"] == code
    return error


# ---------------------------------------------------------------- parameters and ids
# Each test below sends many hostile requests to one stack (building a stack takes seconds) and names
# every request that was not answered as it should be.

HUGE_PARAMETERS = {
    "feedback-limit": ("/feedback", {"day": DAY, "limit": "1" * 5000}),
    "tickets-limit": ("/tickets", {"status": "open", "limit": "1" * 5000}),
    "status-100-kb": ("/tickets", {"status": "o" * 100_000}),
    "day-100-kb": ("/feedback", {"day": "2" * 100_000}),
    "aggregates-day-100-kb": ("/aggregates", {"day": "2" * 100_000}),
    "cursor-100-kb": ("/feedback", {"day": DAY, "cursor": "A" * 100_000}),
}


def test_a_huge_query_parameter_is_a_short_400(stack: Stack) -> None:
    answers = {case: _get(stack, path, path, query=query) for case, (path, query) in HUGE_PARAMETERS.items()}

    assert _not_answered(answers, 400, "bad_request") == []


ODD_IDS = {
    "feedback-id": ("/feedback/{id}", f"/feedback/{LONG_ID}", {"id": LONG_ID}, None),
    "ticket-id": ("/tickets/{id}", f"/tickets/{LONG_ID}", {"id": LONG_ID}, None),
    "notifications-ticket-id": ("/notifications", "/notifications", None, {"ticket_id": LONG_ID}),
    "nul-in-id": ("/tickets/{id}", "/tickets/tk_1%00", {"id": "tk_1\u0000"}, None),
}


def test_an_id_too_long_or_odd_for_a_key_is_a_short_404(stack: Stack) -> None:
    answers = {
        case: _get(stack, resource, path, path_parameters=params, query=query)
        for case, (resource, path, params, query) in ODD_IDS.items()
    }
    answers["reply-to-a-100-kb-id"] = _reply(stack, LONG_ID, "Спасибо")

    assert _not_answered(answers, 404, "not_found") == []


def _not_answered(answers: dict[str, dict[str, Any]], status: int, code: str) -> list[str]:
    """The cases not answered with status and code, in a short message that does not quote the input."""
    wrong = []
    for case, response in answers.items():
        body = body_of(response)
        error = body.get("error", {}) if isinstance(body, dict) else {}
        if (response["statusCode"], error.get("code")) != (status, code) or len(response["body"]) > 500:
            wrong.append(f"{case}: {response['statusCode']} {response['body'][:100]}")
    return wrong


# ---------------------------------------------------------------- cursors

FEEDBACK_KEY = {
    "id": {"S": "fb_1"},
    "day": {"S": DAY},
    "received_sk": {"S": "2026-11-22T07:00:00+00:00#fb_1"},
}
TICKET_KEY = {
    "pk": {"S": "TICKET#tk_1"},
    "sk": {"S": "TICKET"},
    "status": {"S": "open"},
    "created_at": {"S": "2026-11-22T07:00:00Z"},
}
FOREIGN_CURSORS = {
    "feedback-key-part": ("/feedback", {"id": {"S": "fb_1"}}),
    "feedback-number": ("/feedback", {**FEEDBACK_KEY, "id": {"N": "1"}}),
    "feedback-empty": ("/feedback", {**FEEDBACK_KEY, "id": {"S": ""}}),
    "feedback-too-long": ("/feedback", {**FEEDBACK_KEY, "id": {"S": "x" * 3000}}),
    "feedback-another-day": ("/feedback", {**FEEDBACK_KEY, "day": {"S": "2026-11-23"}}),
    "feedback-extra": ("/feedback", {**FEEDBACK_KEY, "extra": {"S": "x"}}),
    "feedback-given-a-ticket-key": ("/feedback", TICKET_KEY),
    "tickets-given-a-feedback-key": ("/tickets", FEEDBACK_KEY),
    "tickets-another-status": ("/tickets", {**TICKET_KEY, "status": {"S": "closed"}}),
    "tickets-string-set": ("/tickets", {**TICKET_KEY, "sk": {"SS": ["TICKET"]}}),
    "tickets-plain": ("/tickets", {"pk": "TICKET#tk_1"}),
}


def test_a_cursor_that_does_not_match_the_key_it_pages_is_a_400(stack: Stack) -> None:
    _seed(stack)
    partition = {"/feedback": {"day": DAY}, "/tickets": {"status": "open"}}
    answers = {
        case: _get(stack, path, path, query={**partition[path], "cursor": _cursor(key)})
        for case, (path, key) in FOREIGN_CURSORS.items()
    }

    assert _not_answered(answers, 400, "bad_request") == []
    assert {body_of(answer)["error"]["message"][: len(NOT_OURS)] for answer in answers.values()} == {NOT_OURS}


@pytest.mark.parametrize(
    ("resource", "query"),
    [("/tickets", {"status": "open"}), ("/feedback", {"day": DAY})],
    ids=["tickets", "feedback"],
)
def test_the_cursors_the_api_gives_out_page_through_every_item_once(
    stack: Stack, resource: str, query: dict[str, str]
) -> None:
    _seed(stack, count=3)
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        asked = {**query, "limit": "1", **({"cursor": cursor} if cursor else {})}
        page = body_of(_get(stack, resource, resource, query=asked))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3


def test_a_tickets_cursor_is_refused_for_another_status(stack: Stack) -> None:
    _seed(stack, count=2)
    first = body_of(_get(stack, "/tickets", "/tickets", query={"status": "open", "limit": "1"}))

    response = _get(stack, "/tickets", "/tickets", query={"status": "closed", "cursor": first["next_cursor"]})

    assert _not_answered({"another-status": response}, 400, "bad_request") == []


# ---------------------------------------------------------------- reply bodies

HOSTILE_REPLIES: dict[str, tuple[bytes, int]] = {
    "3000-brackets": (b"[" * 3000, 400),
    "huge-integer": (b'{"text": "x", "n": ' + b"1" * 5000 + b"}", 400),
    "lone-surrogate": (b'{"text": "\\ud800"}', 400),
    "nan": (b'{"text": NaN}', 400),
    "not-an-object": (b'["text"]', 400),
    "approver-500-kb": (json.dumps({"text": "Спасибо", "approved_by": "a" * 500_000}).encode(), 413),
    "approver-180000-nuls": (
        json.dumps({"text": "Спасибо", "approved_by": "\u0000" * 180_000}).encode(),
        413,
    ),
    "approver-of-nuls": (json.dumps({"text": "Спасибо", "approved_by": "\u0000" * 200}).encode(), 400),
    "approver-201-chars": (json.dumps({"text": "Спасибо", "approved_by": "a" * 201}).encode(), 400),
    "unknown-field": (json.dumps({"text": "Спасибо", "approved": True}).encode(), 400),
    "text-5001-chars": (json.dumps({"text": "я" * 5001}).encode(), 400),
}


def test_a_hostile_reply_body_is_refused_and_changes_nothing(stack: Stack) -> None:
    # Given a ticket without a reply
    [ticket] = _seed(stack)
    # When hostile bodies are posted
    wrong = []
    for case, (body, status) in HOSTILE_REPLIES.items():
        code = "payload_too_large" if status == 413 else "bad_request"
        wrong += _not_answered({case: _post_reply(stack, ticket, body)}, status, code)
        # Then each is refused in our shape, and the ticket is as it was and nothing is queued
        if "reply" in _ticket_of(stack, ticket):
            wrong.append(f"{case}: the ticket has a reply")
    assert wrong == []
    assert stack.receive("AnswerQueue") == []
    # And the next, sane reply is approved (no approval was left behind to make it a 409), even at the
    # largest size a client may send: 5,000 characters beyond the BMP, each \u-escaped in 12 bytes
    largest = json.dumps({"text": "😀" * 5000, "approved_by": "Анна" * 50}).encode()
    assert len(largest) > 60_000
    assert _post_reply(stack, ticket, largest)["statusCode"] == 202


# ---------------------------------------------------------------- a queue that fails


def _queue_down(stack: Stack) -> None:
    stack.sqs.delete_queue(QueueUrl=stack.queue_url("AnswerQueue"))


def _queue_back(stack: Stack) -> None:
    name = stack.queue_url("AnswerQueue").rsplit("/", 1)[1]
    assert stack.sqs.create_queue(QueueName=name)["QueueUrl"] == stack.queue_url("AnswerQueue")


def test_a_reply_the_queue_refuses_is_a_503_and_the_ticket_keeps_no_approval(stack: Stack) -> None:
    # Given a ticket, and AnswerQueue gone
    [ticket] = _seed(stack)
    _queue_down(stack)
    # When a reply is approved
    response = _reply(stack, ticket, "Заменим товар")
    # Then the client is told to try again, and the ticket has no reply
    error = _assert_error(response, 503, "service_unavailable")
    assert "send it again" in error["message"]
    assert "reply" not in _ticket_of(stack, ticket)
    # And once the queue is back another text is approved and queued (no 409)
    _queue_back(stack)
    assert _reply(stack, ticket, "Вернём деньги")["statusCode"] == 202
    [message] = stack.receive("AnswerQueue")
    assert json.loads(message["Body"])["text"] == "Вернём деньги"
    assert _ticket_of(stack, ticket)["reply"]["status"] == "approved"


def test_a_reply_the_queue_refuses_leaves_a_rejected_reply_as_it_was(stack: Stack) -> None:
    rejected = ReplyState(
        reply_id="rp_old",
        text="Старый ответ",
        status="rejected",
        approved_by="ivan",
        approved_at=NOW,
        reason="Отзыв удалён",
    )
    [ticket] = _seed(stack, reply=rejected)
    before = _ticket_of(stack, ticket)["reply"]
    _queue_down(stack)

    _assert_error(_reply(stack, ticket, "Новый ответ"), 503, "service_unavailable")

    assert _ticket_of(stack, ticket)["reply"] == before


def test_a_re_approval_the_queue_refuses_leaves_the_first_approval_as_it_was(stack: Stack) -> None:
    [ticket] = _seed(stack)
    assert _reply(stack, ticket, "Заменим товар", approved_by="anna")["statusCode"] == 202
    first = _ticket_of(stack, ticket)["reply"]
    _queue_down(stack)

    _assert_error(_reply(stack, ticket, "Заменим товар", approved_by="ivan"), 503, "service_unavailable")

    assert _ticket_of(stack, ticket)["reply"] == first
