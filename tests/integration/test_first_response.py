"""The first-response clock and repeat contacts on moto, through the real handlers: waiting for the customer
pauses the clock, resolving stops it, a breach keeps what agents changed meanwhile, and the same customer
writing again joins their ticket. (A published reply stopping the clock: see test_marketplaces.py.)"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

from infra.local import dynamodb_transactions
from infra.local.seed import SAMPLE_CONFIG
from otklik.adapters.ticket_store import TicketStore
from otklik.domain.ids import ticket_id
from otklik.domain.models import StatusChange, Ticket
from tests.integration.conftest import ROOT, Stack
from tests.support.api_events import body_of, ops_event, request_event, webhook_event
from tests.support.signing import sample_body, signature_for

SCHEDULE = json.loads((ROOT / "events" / "schedule_sweep_sla.json").read_text())


def _store(stack: Stack) -> TicketStore:
    return TicketStore(stack.dynamodb, stack.table("TicketsTable"))


def overdue(ticket_id_: str, hours: int = 1) -> Ticket:
    """An open ticket `hours` past its first-response deadline."""
    now = datetime.now(UTC)
    return Ticket(
        id=ticket_id_,
        feedback_id=f"fb_{ticket_id_}",
        source="custom",
        account="default",
        kind="review",
        team="support",
        priority="high",
        status="open",
        reasons=("low_rating",),
        created_at=now - timedelta(hours=30),
        first_response_due_at=now - timedelta(hours=hours),
        rating=1,
        tonality_label="negative",
        excerpt="Ужасное качество",
        history=(StatusChange(at=now, by="otklik", status="open"),),
    )


def _ops(stack: Stack, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A call to a /tickets/{id}... route of the ops API, answered 200 or 202; its answer."""
    _, collection, ticket, *rest = path.split("/")
    event = request_event(
        method,
        "/".join(["", collection, "{id}", *rest]),
        path,
        json.dumps(body, ensure_ascii=False).encode() if body is not None else None,
        {"id": ticket},
        {"Authorization": "Bearer test-token"},
    )
    response: dict[str, Any] = stack.invoke("OpsApiFunction", event)
    assert response["statusCode"] in (200, 202), response["body"][:300]
    answer: dict[str, Any] = body_of(response)
    return answer


def sweep(stack: Stack) -> list[str]:
    """The tickets a run of sweep_sla found breached."""
    swept: dict[str, list[str]] = stack.invoke("SweepSlaFunction", SCHEDULE)
    return swept["breached"]


# ---------------------------------------------------------------- waiting for the customer pauses it


def test_waiting_for_the_customer_pauses_the_clock_and_taking_it_up_again_resumes_it(stack: Stack) -> None:
    # Given an overdue ticket an agent put to waiting for the customer (asked them something, say)
    _store(stack).create(overdue("tk_1"))
    _ops(
        stack, "POST", "/tickets/tk_1/status", {"status": "waiting_customer", "by": "anna", "note": "Уточняю"}
    )

    # Then the sweep leaves it alone while it waits
    assert sweep(stack) == []
    # And once an agent takes it up again, unanswered, its clock runs again (from the same deadline)
    _ops(stack, "POST", "/tickets/tk_1/status", {"status": "in_progress", "by": "anna"})
    assert sweep(stack) == ["tk_1"]
    assert _ops(stack, "GET", "/tickets/tk_1")["sla_breached"] is True


def test_an_acknowledged_ticket_still_owes_its_first_response(stack: Stack) -> None:
    _store(stack).create(overdue("tk_1"))
    _ops(stack, "POST", "/tickets/tk_1/status", {"status": "acknowledged", "by": "anna"})

    assert sweep(stack) == ["tk_1"]


def test_a_resolved_ticket_has_no_clock(stack: Stack) -> None:
    _store(stack).create(overdue("tk_1"))
    _ops(stack, "POST", "/tickets/tk_1/status", {"status": "resolved", "by": "anna", "root_cause": "spam"})

    assert sweep(stack) == []


def test_a_breach_keeps_what_an_agent_changed_meanwhile(stack: Stack) -> None:
    # Given an overdue ticket an agent assigned (a write the sweep's read does not know of yet)
    _store(stack).create(overdue("tk_1"))
    _ops(stack, "POST", "/tickets/tk_1/assign", {"assignee": "anna", "by": "lead"})

    assert sweep(stack) == ["tk_1"]

    ticket = _ops(stack, "GET", "/tickets/tk_1")
    assert (ticket["assignee"], ticket["sla_breached"], ticket["version"]) == ("anna", True, 2)
    listed = body_of(
        stack.invoke("OpsApiFunction", ops_event("/tickets", "/tickets", query={"breached": "true"}))
    )
    assert [t["id"] for t in listed["items"]] == ["tk_1"]


# ---------------------------------------------------------------- repeat contacts


def _with_repeat_contacts(stack: Stack) -> None:
    stack.put_config(
        SAMPLE_CONFIG.read_text("utf-8").replace("repeat_contact_days: 0", "repeat_contact_days: 7")
    )


def _webhook(stack: Stack, external_id: str, customer: str, text: str = "Порвалось через день") -> str:
    body = sample_body(id=external_id, text=text, customer={"id": customer, "name": "Анна"}, order=None)
    answer = body_of(stack.invoke("IngestWebhookFunction", webhook_event(body, signature_for(body))))
    stack.invoke("ScoreFeedbackFunction", stack.sqs_event("IngestQueue"))
    routed = stack.invoke("RouteFeedbackFunction", stack.sqs_event("RouteQueue"))
    assert routed == {"batchItemFailures": []}
    return str(answer["id"])


def test_the_same_customer_writing_again_joins_their_ticket_and_after_its_resolution_reopens_it(
    stack: Stack,
) -> None:
    # Given repeat contacts on, and a customer's complaint with its ticket
    _with_repeat_contacts(stack)
    first = _webhook(stack, "site-1", "c-77")
    ticket = ticket_id(first)

    # When they write again, and someone else writes too
    second = _webhook(stack, "site-2", "c-77", "Жду ответа, товар порвался")
    other = _webhook(stack, "site-3", "c-99")

    # Then the second joins the first's ticket (no ticket of its own), the other opens one
    joined = _ops(stack, "GET", f"/tickets/{ticket}")
    assert (joined["repeat_contacts"], joined["linked_feedback"]) == (1, [second])
    assert joined["history"][-1]["note"] == f"repeat contact {second}"
    assert _store(stack).get(ticket_id(second)) is None
    assert _store(stack).get(ticket_id(other)) is not None

    # And once the ticket is resolved, their next message reopens it
    _ops(
        stack,
        "POST",
        f"/tickets/{ticket}/status",
        {"status": "resolved", "by": "anna", "root_cause": "other"},
    )
    third = _webhook(stack, "site-4", "c-77", "Опять порвалось!")
    reopened = _ops(stack, "GET", f"/tickets/{ticket}")
    assert (reopened["status"], reopened["repeat_contacts"]) == ("open", 2)
    assert reopened["linked_feedback"] == [second, third]
    assert "root_cause" not in reopened and "resolved_at" not in reopened
    # And the same message delivered twice is counted once
    stack.invoke("RouteFeedbackFunction", stack.sqs_event("RouteQueue", [json.dumps({"feedback_id": third})]))
    assert _ops(stack, "GET", f"/tickets/{ticket}")["repeat_contacts"] == 2


def test_without_repeat_contacts_each_message_opens_its_own_ticket(stack: Stack) -> None:
    first = _webhook(stack, "site-1", "c-77")
    second = _webhook(stack, "site-2", "c-77")

    assert _store(stack).get(ticket_id(first)) is not None
    assert _store(stack).get(ticket_id(second)) is not None


def _scored(stack: Stack, external_id: str, customer: str, text: str) -> str:
    """A customer's webhook ingested and scored, its routing left to the test (the RouteQueue drained)."""
    body = sample_body(id=external_id, text=text, customer={"id": customer, "name": "Анна"}, order=None)
    answer = body_of(stack.invoke("IngestWebhookFunction", webhook_event(body, signature_for(body))))
    stack.invoke("ScoreFeedbackFunction", stack.sqs_event("IngestQueue"))
    stack.receive("RouteQueue")
    return str(answer["id"])


@pytest.fixture
def isolated_transactions() -> Iterator[None]:
    """moto's TransactWriteItems as DynamoDB's are: one at a time (serializable, as DynamoDB isolates
    transactions), each rolling back only what it touched. moto's own copies whole tables and puts them
    back on a cancellation, which with two threads can erase the other thread's committed ticket."""
    dynamodb_transactions.PATCH.acquire()
    rolled_back_alone = DynamoDBBackend.transact_write_items
    one_at_a_time = threading.Lock()

    def serialized(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with one_at_a_time:
            return rolled_back_alone(self, *args, **kwargs)

    DynamoDBBackend.transact_write_items = serialized  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = rolled_back_alone  # type: ignore[method-assign]
        dynamodb_transactions.PATCH.release()


@pytest.mark.usefixtures("isolated_transactions")
def test_two_messages_of_one_customer_routed_at_once_share_one_ticket(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given repeat contacts on, and two messages of one customer, each routed by its own invocation that
    # looks for the customer's tickets before either has opened one (both find none)
    _with_repeat_contacts(stack)
    first = _scored(stack, "site-1", "c-77", "Порвалось через день")
    second = _scored(stack, "site-2", "c-77", "Жду ответа, товар порвался")
    both_looked = threading.Barrier(2, timeout=20)
    find = TicketStore.find_open_for_customer

    def find_then_wait(self: TicketStore, customer_key: str, since: datetime) -> list[Ticket]:
        found = find(self, customer_key, since)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_looked.wait()
        return found

    monkeypatch.setattr(TicketStore, "find_open_for_customer", find_then_wait)
    failures: dict[str, Any] = {}

    def route(feedback_id: str) -> None:
        event = stack.sqs_event("RouteQueue", [json.dumps({"feedback_id": feedback_id})])
        failures[feedback_id] = stack.invoke("RouteFeedbackFunction", event)["batchItemFailures"]

    # When both are routed at the same moment (a message that failed is delivered again, as SQS would)
    threads = [threading.Thread(target=route, args=(fid,)) for fid in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    both_looked.abort()
    for _ in range(3):  # a message that failed (a transaction conflict, say) is delivered again
        for feedback_id in [fid for fid, failed in failures.items() if failed]:
            route(feedback_id)

    # Then one ticket holds both: the other message is its repeat contact, not a second ticket
    opened = [fid for fid in (first, second) if _store(stack).get(ticket_id(fid)) is not None]
    assert len(opened) == 1, opened
    (holder,) = opened
    other = second if holder == first else first
    joined = _ops(stack, "GET", f"/tickets/{ticket_id(holder)}")
    assert (joined["repeat_contacts"], joined["linked_feedback"]) == (1, [other])


def test_a_closed_tickets_claim_gives_way_to_the_customers_next_ticket(stack: Stack) -> None:
    # Given a customer's ticket closed (final: it takes no more contacts)
    _with_repeat_contacts(stack)
    first = _webhook(stack, "site-1", "c-77")
    ticket = ticket_id(first)
    for status, extra in (("resolved", {"root_cause": "other"}), ("closed", {})):
        _ops(stack, "POST", f"/tickets/{ticket}/status", {"status": status, "by": "anna", **extra})
    # When they write again within the window
    second = _webhook(stack, "site-2", "c-77", "Снова порвалось")
    # Then the message gets a ticket of its own, and the closed one is left as it was
    assert _store(stack).get(ticket_id(second)) is not None
    assert _ops(stack, "GET", f"/tickets/{ticket}")["repeat_contacts"] == 0
    # And a third message joins the new ticket, not the closed one
    third = _webhook(stack, "site-3", "c-77", "Жду ответа")
    assert _ops(stack, "GET", f"/tickets/{ticket_id(second)}")["linked_feedback"] == [third]
