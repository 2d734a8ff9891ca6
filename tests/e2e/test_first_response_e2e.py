"""A reply published to the marketplace is the ticket's first response, over real HTTP: the SLA sweep past
its deadline leaves the answered ticket alone and breaches, and tells about, only the unanswered one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from infra.fakes.wildberries import FakeWildberries
from otklik.bootstrap import sweep_sla
from tests.e2e.conftest import TOKEN, RunningStack, eventually, function_environment, running_stack
from tests.support.marketplace_stack import wait_idle

REPLY = "Здравствуйте! Пришлём замену в течение двух дней."
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass(frozen=True)
class SweptTickets:
    """Two WB reviews' tickets, one answered on the marketplace, after one sweep past both deadlines."""

    stack: RunningStack
    wb: FakeWildberries
    answered_review: dict[str, Any]
    answered: dict[str, Any]  # the ticket as GET /tickets/{id} showed it once its reply was published
    unanswered: dict[str, Any]  # as it was when it opened
    swept_at: datetime


def _sweep_at(stack: RunningStack, now: datetime) -> None:
    """Run SweepSlaFunction's own builder at `now`, with its environment in the running stack (a deadline is
    hours or days away). What it writes and queues is then the stack's, read back over the ops API."""
    with function_environment(stack, "SweepSlaFunction"):
        sweep_sla.build()(now)


def _open_ticket_with(stack: RunningStack, excerpt: str) -> dict[str, Any] | None:
    tickets = stack.ops("/tickets?status=open&limit=200").body["items"]
    return next((t for t in tickets if t["source"] == "wildberries" and excerpt in t["excerpt"]), None)


def _ticket(stack: RunningStack, ticket_id: str) -> dict[str, Any]:
    answer = stack.ops(f"/tickets/{ticket_id}")
    assert answer.status == 200, answer.body
    ticket: dict[str, Any] = answer.body
    return ticket


def _events(stack: RunningStack, ticket_id: str) -> list[str]:
    answer = stack.ops(f"/notifications?ticket_id={ticket_id}")
    assert answer.status == 200, answer.body
    return [n["event"] for n in answer.body["items"]]


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SweptTickets]:
    with FakeWildberries() as wb:
        log = tmp_path_factory.mktemp("first-response-stack") / "stack.log"
        with running_stack(log, {"OTKLIK_LOCAL_WB_URL": wb.url}) as stack:
            # Given two one-star Wildberries reviews, polled in, each opening a ticket
            review = wb.add_feedback("Крышка чайника не закрывается, ужасно", rating=1)
            wb.add_feedback("Чайник гудит и бьётся током, ужасно", rating=1)
            poll = stack.request("POST", "/_local/schedules/PollMarketplacesFunction", b'{"force": true}')
            assert poll.status == 200, poll.body
            opened = eventually(lambda: _open_ticket_with(stack, "Крышка"), timeout=20)
            unanswered = eventually(lambda: _open_ticket_with(stack, "гудит"), timeout=20)
            # And a reply to the first approved on the ops API, which publish_answers sends to WB
            body = json.dumps({"text": REPLY, "approved_by": "e2e"}, ensure_ascii=False).encode()
            approved = stack.request(
                "POST", f"/tickets/{opened['id']}/reply", body, {**AUTH, "Content-Type": "application/json"}
            )
            assert approved.status == 202, approved.body

            def published() -> dict[str, Any] | None:
                ticket = _ticket(stack, opened["id"])
                return ticket if (ticket.get("reply") or {}).get("status") == "published" else None

            answered = eventually(published, timeout=20)
            # When the SLA sweep runs a minute past both first-response deadlines
            swept_at = max(
                _moment(answered["first_response_due_at"]), _moment(unanswered["first_response_due_at"])
            ) + timedelta(minutes=1)
            _sweep_at(stack, swept_at)
            # (and send_notifications has delivered whatever the sweep queued)
            busy = wait_idle(stack, timeout=60)
            assert not busy, f"the stack did not become idle: {busy}"
            yield SweptTickets(stack, wb, review, answered, unanswered, swept_at)


def test_a_reply_published_to_wildberries_is_the_tickets_first_response(swept: SweptTickets) -> None:
    # Then Wildberries got the answer once, for that review
    answers = [a for a in swept.wb.answers if a["body"].get("id") == swept.answered_review["id"]]
    assert [a["body"]["text"] for a in answers] == [REPLY]
    # And the ticket records its first response, given before its deadline
    first_response_at = swept.answered.get("first_response_at")
    assert first_response_at, swept.answered
    assert _moment(first_response_at) <= _moment(swept.answered["first_response_due_at"])


def test_the_sweep_past_the_deadline_leaves_the_answered_ticket_alone(swept: SweptTickets) -> None:
    # Then, after the sweep a minute past its deadline, the answered ticket is not breached
    ticket = _ticket(swept.stack, swept.answered["id"])
    assert ticket["sla_breached"] is False, (swept.swept_at, ticket)
    # And nobody was told it was
    assert "sla_breached" not in _events(swept.stack, swept.answered["id"])


def test_the_same_sweep_breaches_the_unanswered_ticket_and_tells_about_it(swept: SweptTickets) -> None:
    # Then the ticket nobody answered is breached by that same sweep
    ticket = _ticket(swept.stack, swept.unanswered["id"])
    assert ticket.get("first_response_at") is None
    assert ticket["sla_breached"] is True, (swept.swept_at, ticket)
    # And its breach was notified, once
    assert _events(swept.stack, swept.unanswered["id"]).count("sla_breached") == 1
