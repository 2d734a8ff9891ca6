"""sweep_sla on moto: what is due on tickets is told and recorded once, and only due tickets are read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from otklik.adapters.ticket_store import TicketStore
from otklik.domain.models import Ticket
from tests.integration.conftest import Stack
from tests.support.api_events import request_event
from tests.unit.samples import stored_ticket

SCHEDULE_EVENT = json.loads(
    (Path(__file__).resolve().parents[2] / "events" / "schedule_sweep_sla.json").read_text()
)


def _ticket(ticket_id: str, due: datetime) -> Ticket:
    """An open ticket opened 30 hours ago, its first response due at `due`."""
    opened = datetime.now(UTC) - timedelta(hours=30)
    return stored_ticket(ticket_id, created_at=opened, first_response_due_at=due, rating=1)


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
    assert (first["breached"], first["left"]) == (["tk_overdue"], 0)
    assert second["breached"] == []
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
    assert swept["breached"] == ["tk_overdue"]
    kept = store.get_ticket("tk_spam")
    assert kept is not None and kept.sla_breached is False and kept.reply_needed is False


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every read of tickets the sweep's store makes from now on: (method, tickets asked for)."""
    reads: list[tuple[str, int]] = []
    batch, one = TicketStore.get_tickets, TicketStore.get

    def get_tickets(self: TicketStore, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        reads.append(("get_tickets", len(ticket_ids)))
        return batch(self, ticket_ids)

    def get(self: TicketStore, ticket_id: str) -> dict[str, Any] | None:
        reads.append(("get", 1))
        return one(self, ticket_id)

    monkeypatch.setattr(TicketStore, "get_tickets", get_tickets)
    monkeypatch.setattr(TicketStore, "get", get)
    return reads


def test_the_sweep_reads_only_the_tickets_with_something_due(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 60 tickets with nothing due for days and 3 past their deadline
    store = TicketStore(stack.dynamodb, stack.table("TicketsTable"))
    now = datetime.now(UTC)
    for n in range(60):
        store.create(_ticket(f"tk_later_{n:02}", now + timedelta(days=3)))
    for n in range(3):
        store.create(_ticket(f"tk_due_{n}", now - timedelta(hours=1)))
    reads = _reads(monkeypatch)
    # When the schedule fires
    swept = stack.invoke("SweepSlaFunction", SCHEDULE_EVENT)
    # Then it read the three due tickets, in one read, and nothing else
    assert sorted(swept["breached"]) == ["tk_due_0", "tk_due_1", "tk_due_2"]
    assert reads == [("get_tickets", 3)]


ESCALATION_CONFIG = """
sla:
  policies:
    - name: standard
      calendar: always
      warn_share: 0.5
      targets: [{first_response_hours: 2}]
      escalation:
        - {notify: team_lead, after_hours: 0}
        - {notify: head, after_hours: 1}
  calendars:
    - name: always
      time_zone: Europe/Moscow
      production_calendar: none
      week: {mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"],
             fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"]}
"""


def test_a_warning_then_a_breach_then_the_escalation_chain_each_once_with_the_watch_moving_on(
    stack: Stack,
) -> None:
    # Given a round-the-clock calendar, a 2-hour target warned at half time, and a chain of two
    stack.put_config(ESCALATION_CONFIG)
    store = TicketStore(stack.dynamodb, stack.table("TicketsTable"))
    now = datetime.now(UTC)
    ticket = _ticket("tk_chain", now + timedelta(minutes=30)).model_copy(
        update={"first_response_warn_at": now - timedelta(minutes=30), "sla_calendar": "always"}
    )
    store.create(ticket)
    # When the schedule fires now (past the warning), then twice more as the ticket's moments come
    warned = stack.invoke("SweepSlaFunction", SCHEDULE_EVENT)
    again = stack.invoke("SweepSlaFunction", SCHEDULE_EVENT)
    later = store.get_ticket("tk_chain")
    assert later is not None
    assert store.update(
        later, later.model_copy(update={"first_response_due_at": now - timedelta(minutes=90)})
    )
    breached = stack.invoke("SweepSlaFunction", SCHEDULE_EVENT)
    # Then the warning came once, then the breach with the team lead at once, then the head an hour on
    assert (warned["warned"], again["warned"], again["breached"]) == (["tk_chain"], [], [])
    assert (breached["breached"], breached["escalated"]) == (["tk_chain"], ["tk_chain"])
    bodies = [json.loads(m["Body"])["notification"] for m in stack.receive("NotifyQueue")]
    assert [(b["event"], b.get("to")) for b in bodies] == [
        ("sla_warning", None),
        ("sla_breached", None),
        ("sla_escalated", "team_lead"),
        ("sla_escalated", "head"),
    ]
    stored = store.get_ticket("tk_chain")
    assert stored is not None and stored.sla_breached
    # And nothing is left to watch: the index no longer holds it
    assert store.sla_due(now + timedelta(days=30)) == []


def _post_status(stack: Stack, ticket_id: str, status: str) -> dict[str, Any]:
    event = request_event(
        "POST",
        "/tickets/{id}/status",
        f"/tickets/{ticket_id}/status",
        json.dumps({"status": status, "by": "anna"}).encode(),
        {"id": ticket_id},
        {"Authorization": "Bearer test-token"},
    )
    response: dict[str, Any] = stack.invoke("OpsApiFunction", event)
    assert response["statusCode"] == 200, response["body"][:300]
    return response


def test_waiting_for_the_customer_takes_the_ticket_out_of_the_watch_and_back_with_its_deadlines_moved(
    stack: Stack,
) -> None:
    # Given an answered ticket on a round-the-clock calendar, owing its resolution in three days
    stack.put_config(ESCALATION_CONFIG)
    store = TicketStore(stack.dynamodb, stack.table("TicketsTable"))
    now = datetime.now(UTC)
    ticket = _ticket("tk_paused", now - timedelta(hours=1)).model_copy(
        update={
            "first_response_at": now - timedelta(hours=2),
            "resolution_due_at": now + timedelta(days=3),
            "resolution_warn_at": now + timedelta(days=2),
            "sla_calendar": "always",
        }
    )
    store.create(ticket)
    assert store.sla_due(now + timedelta(days=2, minutes=1)) == ["tk_paused"]
    # When an agent sets it waiting for the customer, and later takes it up again
    _post_status(stack, "tk_paused", "waiting_customer")
    paused = store.get_ticket("tk_paused")
    _post_status(stack, "tk_paused", "in_progress")
    resumed = store.get_ticket("tk_paused")
    # Then while it waited no sweep would read it, however late
    assert paused is not None and paused.sla_paused_at is not None
    assert paused.resolution_due_at == ticket.resolution_due_at
    # And back in work its deadlines moved on by the pause (every hour counts in this calendar), and the
    # watch holds it again at its warning
    assert resumed is not None and resumed.sla_paused_at is None
    pause = resumed.history[-1].at - paused.sla_paused_at
    assert resumed.resolution_due_at == ticket.resolution_due_at + pause  # type: ignore[operator]
    assert resumed.resolution_warn_at == ticket.resolution_warn_at + pause  # type: ignore[operator]
    assert store.sla_due(now + timedelta(days=2, minutes=1)) == ["tk_paused"]


def test_a_paused_ticket_is_in_no_sweep(stack: Stack) -> None:
    # Given a ticket past its deadline, waiting for the customer
    store = TicketStore(stack.dynamodb, stack.table("TicketsTable"))
    now = datetime.now(UTC)
    store.create(_ticket("tk_waiting", now - timedelta(hours=1)))
    _post_status(stack, "tk_waiting", "waiting_customer")
    # When the schedule fires
    swept = stack.invoke("SweepSlaFunction", SCHEDULE_EVENT)
    # Then it is neither read nor breached
    assert swept["breached"] == []
    assert store.sla_due(now + timedelta(days=365)) == []
    kept = store.get_ticket("tk_waiting")
    assert kept is not None and kept.sla_breached is False
