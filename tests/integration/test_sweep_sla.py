"""sweep_sla on moto: an open ticket past its first-response deadline is marked breached and notified once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from otklik.adapters.ticket_store import TicketStore
from otklik.domain.models import StatusChange, Ticket
from tests.integration.conftest import Stack

SCHEDULE_EVENT = json.loads(
    (Path(__file__).resolve().parents[2] / "events" / "schedule_sweep_sla.json").read_text()
)


def _ticket(ticket_id: str, due: datetime) -> Ticket:
    now = datetime.now(UTC)
    return Ticket(
        id=ticket_id,
        feedback_id=f"fb_{ticket_id}",
        source="custom",
        account="default",
        kind="review",
        team="support",
        priority="high",
        status="open",
        reasons=("low_rating",),
        created_at=now - timedelta(hours=30),
        first_response_due_at=due,
        rating=1,
        tonality_label="negative",
        excerpt="Ужасное качество",
        history=(StatusChange(at=now, by="otklik", status="open"),),
    )


def test_overdue_tickets_are_breached_once_and_others_left_alone(stack: Stack) -> None:
    # Given one ticket an hour past its deadline and one due tomorrow
    store = TicketStore(stack.dynamodb, stack.table("TicketsTable"))
    now = datetime.now(UTC)
    store.create(_ticket("tk_overdue", now - timedelta(hours=1)))
    store.create(_ticket("tk_on_time", now + timedelta(days=1)))
    # When the schedule fires twice
    first = stack.invoke("SweepSlaFunction", SCHEDULE_EVENT)
    second = stack.invoke("SweepSlaFunction", SCHEDULE_EVENT)
    # Then only the overdue ticket is breached, and only by the first sweep
    assert first == {"breached": ["tk_overdue"]}
    assert second == {"breached": []}
    assert store.get("tk_overdue")["sla_breached"] is True  # type: ignore[index]
    assert store.get("tk_on_time").get("sla_breached") is False  # type: ignore[union-attr]
    # And one sla_breached notification was queued for it
    bodies = [json.loads(m["Body"]) for m in stack.receive("NotifyQueue")]
    assert [(b["notification"]["ticket_id"], b["notification"]["event"]) for b in bodies] == [
        ("tk_overdue", "sla_breached")
    ]


def test_a_ticket_that_needs_no_reply_has_no_deadline_to_breach(stack: Stack) -> None:
    # Given an overdue spam ticket (moderation: no reply needed) beside an overdue ordinary one
    store = TicketStore(stack.dynamodb, stack.table("TicketsTable"))
    now = datetime.now(UTC)
    spam = _ticket("tk_spam", now - timedelta(hours=1)).model_copy(
        update={"reply_needed": False, "reasons": ("moderation:advertising",), "priority": "low"}
    )
    store.create(spam)
    store.create(_ticket("tk_overdue", now - timedelta(hours=1)))
    # When the schedule fires
    swept = stack.invoke("SweepSlaFunction", SCHEDULE_EVENT)
    # Then only the ordinary ticket is breached; the spam ticket is kept as it was
    assert swept == {"breached": ["tk_overdue"]}
    kept = store.get_ticket("tk_spam")
    assert kept is not None and kept.sla_breached is False and kept.reply_needed is False
