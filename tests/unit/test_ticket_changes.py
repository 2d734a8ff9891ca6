"""Ticket changes on in-memory ports: optimistic retries, round-robin turns, repeat contacts in routing,
GET /tickets' filters, and the keys and writes the store derives from a ticket."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from otklik.adapters.ticket_index import (
    COMBINATIONS,
    TicketUpdate,
    entry_updates,
    filter_key,
    matches,
    queue_key,
    watch_changes,
)
from otklik.domain.config import DEFAULT_CONFIG, parse_config
from otklik.domain.errors import Conflict, InvalidRequest, NotFound
from otklik.domain.lifecycle import TicketSettings, TransitionRefused
from otklik.domain.models import Author, OrderRef, Ticket
from otklik.domain.repeat_contact import customer_key, is_repeat_contact, repeat_contact
from otklik.ports import Page, TicketFilters
from otklik.usecases import ops
from otklik.usecases.route import route_feedback
from otklik.usecases.tickets import (
    AssignRequest,
    StatusRequest,
    assign_round_robin,
    assign_ticket,
    change_status,
    change_ticket,
)
from tests.conftest import EVENTS
from tests.unit.fakes import InMemoryFeedback, InMemoryTickets, RecordingQueue
from tests.unit.samples import NOW, feedback_item, stored_ticket

SETTINGS = TicketSettings()


def _ticket(ticket_id: str = "tk_1", **changes: Any) -> Ticket:
    return stored_ticket(ticket_id, **changes)


class RacedTickets(InMemoryTickets):
    """Tickets where, before each of the first `races` writes, another change lands on the ticket first."""

    def __init__(self, ticket: Ticket, races: int, other: Any) -> None:
        super().__init__(ticket)
        self.races = races
        self.other = other
        self.reads = 0

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        self.reads += 1
        return super().get_ticket(ticket_id)

    def update(self, before: Ticket, after: Ticket) -> bool:
        if self.races:
            self.races -= 1
            stored = self.tickets[before.id]
            assert super().update(stored, self.other(stored))
        return super().update(before, after)


# ---------------------------------------------------------------- optimistic changes


def test_a_change_that_loses_a_race_is_made_again_on_the_ticket_as_it_is_now() -> None:
    # Given another agent assigns the ticket between our read and our write
    store = RacedTickets(_ticket(), races=1, other=lambda t: t.model_copy(update={"assignee": "ivan"}))

    # When we acknowledge it
    changed = change_status("tk_1", StatusRequest(status="acknowledged", by="anna"), NOW, SETTINGS, store)

    # Then both changes are kept: read twice, written once each, version 2
    stored = store.tickets["tk_1"]
    assert (stored.status, stored.assignee, stored.version) == ("acknowledged", "ivan", 2)
    assert changed == stored
    assert store.reads == 2


def test_a_change_the_lifecycle_refuses_on_the_fresh_ticket_is_a_conflict_and_writes_nothing() -> None:
    # Given another agent resolves the ticket between our read and our write
    resolve = lambda t: t.model_copy(update={"status": "resolved", "resolved_at": NOW})  # noqa: E731
    store = RacedTickets(_ticket(), races=1, other=resolve)

    # When we acknowledge it
    with pytest.raises(TransitionRefused, match="from resolved to acknowledged"):
        change_status("tk_1", StatusRequest(status="acknowledged", by="anna"), NOW, SETTINGS, store)

    # Then the ticket is as the other agent left it
    assert (store.tickets["tk_1"].status, store.tickets["tk_1"].version) == ("resolved", 1)


def test_a_ticket_that_changes_under_every_try_is_a_conflict_to_send_again() -> None:
    store = RacedTickets(_ticket(), races=99, other=lambda t: t.model_copy(update={"priority": "low"}))

    with pytest.raises(Conflict, match="changed 5 times"):
        change_status("tk_1", StatusRequest(status="acknowledged", by="anna"), NOW, SETTINGS, store)

    assert store.tickets["tk_1"].status == "open"


def test_a_change_of_nothing_writes_nothing() -> None:
    store = InMemoryTickets(_ticket(assignee="anna"))

    kept = assign_ticket("tk_1", AssignRequest(assignee="anna", by="lead"), NOW, lambda team: (), store)

    assert kept.version == store.tickets["tk_1"].version == 0


@pytest.mark.parametrize("ticket_id", ["tk_nope", "tk 1", "a" * 100])
def test_an_unknown_ticket_is_not_found(ticket_id: str) -> None:
    with pytest.raises(NotFound):
        change_ticket(InMemoryTickets(), ticket_id, lambda t: t)
    with pytest.raises(NotFound):
        change_status(
            ticket_id, StatusRequest(status="acknowledged", by="anna"), NOW, SETTINGS, InMemoryTickets()
        )


def test_assignment_follows_the_teams_member_list() -> None:
    store = InMemoryTickets(_ticket())
    members = {"support": ("anna", "ivan")}

    with pytest.raises(InvalidRequest, match="not a member of team support"):
        assign_ticket("tk_1", AssignRequest(assignee="petr", by="lead"), NOW, members.__getitem__, store)
    assigned = assign_ticket(
        "tk_1", AssignRequest(assignee="ivan", by="lead"), NOW, members.__getitem__, store
    )

    assert store.tickets["tk_1"].assignee == assigned.assignee == "ivan"


@pytest.mark.parametrize(
    "body",
    [
        {"status": "done", "by": "anna"},
        {"status": "resolved"},
        {"status": "resolved", "by": "anna", "extra": 1},
        {"status": "resolved", "by": "  "},
        {"status": "resolved", "by": "anna\n"},
        {"status": "resolved", "by": "a" * 201},
        {"status": "resolved", "by": "anna", "note": "x" * 2001},
        {"status": "resolved", "by": "anna", "note": "стоп\u0000"},
        {"status": "resolved", "by": "anna", "root_cause": ""},
        {"status": 1, "by": "anna"},
    ],
    ids=[
        "unknown-status",
        "no-by",
        "unknown-field",
        "blank-by",
        "by-with-newline",
        "by-too-long",
        "note-too-long",
        "note-with-nul",
        "empty-root-cause",
        "status-a-number",
    ],
)
def test_a_status_request_out_of_bounds_does_not_validate(body: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        StatusRequest.model_validate(body)


@pytest.mark.parametrize(
    "body",
    [{"by": "lead"}, {"assignee": "", "by": "lead"}, {"assignee": 5, "by": "lead"}, {"assignee": "anna"}],
    ids=["no-assignee", "empty-assignee", "assignee-a-number", "no-by"],
)
def test_an_assign_request_out_of_bounds_does_not_validate(body: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        AssignRequest.model_validate(body)


# ---------------------------------------------------------------- round robin


class Turns:
    def __init__(self) -> None:
        self.turns: dict[str, int] = {}

    def next_turn(self, team: str) -> int:
        self.turns[team] = self.turns.get(team, 0) + 1
        return self.turns[team]


def test_round_robin_takes_the_members_in_turn_per_team() -> None:
    turns = Turns()

    support = [assign_round_robin("support", ("anna", "ivan", "olga"), turns) for _ in range(7)]
    logistics = [assign_round_robin("logistics", ("petr",), turns) for _ in range(2)]

    assert support == ["anna", "ivan", "olga", "anna", "ivan", "olga", "anna"]
    assert logistics == ["petr", "petr"]


def test_round_robin_in_a_team_without_members_assigns_nobody_and_takes_no_turn() -> None:
    turns = Turns()

    assert assign_round_robin("support", (), turns) is None
    assert turns.turns == {}


ROUND_ROBIN = parse_config(
    "teams:\n  - name: support\n    members: [anna, ivan]\n"
    "rules:\n"
    "  - name: low-rating\n"
    "    when: {rating: {lte: 2}}\n"
    "    then: {reason: low_rating, assign: round_robin}\n"
)


def test_a_rule_asking_for_round_robin_opens_tickets_assigned_in_turn_and_a_redelivery_takes_no_turn() -> (
    None
):
    items = [feedback_item(rating=1, label="negative", external_id=f"site-{n}") for n in range(3)]
    tickets, turns = InMemoryTickets(), Turns()
    feedback = InMemoryFeedback(*items)

    routed = [
        route_feedback(i.id, NOW, ROUND_ROBIN, feedback, tickets, RecordingQueue(), turns) for i in items
    ]
    again = route_feedback(items[0].id, NOW, ROUND_ROBIN, feedback, tickets, RecordingQueue(), turns)

    assert [r.ticket.assignee for r in routed if r.ticket] == ["anna", "ivan", "anna"]
    assert (
        routed[0].ticket is not None
        and routed[0].ticket.history[-1].note == "assigned to anna. round robin in team support"
    )
    assert again.ticket is not None and again.ticket.assignee == "anna"
    assert turns.turns == {"support": 3}


# ---------------------------------------------------------------- repeat contacts


def _from(customer: str | None = "c-1", order: str | None = None, n: int = 1, days: float = 0) -> Any:
    item = feedback_item(rating=1, label="negative", external_id=f"site-{n}")
    return item.model_copy(
        update={
            "author": Author(id=customer) if customer else None,
            "order": OrderRef(id=order) if order else None,
            "received_at": item.received_at + timedelta(days=days),
        }
    )


def test_a_customer_is_their_author_id_else_their_order_within_their_source_and_account() -> None:
    assert customer_key(_from("c-1", order="o-9")) == "custom#default#author#c-1"
    assert customer_key(_from(None, order="o-9")) == "custom#default#order#o-9"
    assert customer_key(_from(None)) is None


REPEATS = parse_config("tickets: {repeat_contact_days: 7, reopen_days: 3}")


def _route(item: Any, tickets: InMemoryTickets, config: Any = REPEATS) -> Any:
    return route_feedback(item.id, NOW, config, InMemoryFeedback(item), tickets, RecordingQueue())


def test_the_same_customer_writing_again_within_the_window_joins_their_open_ticket() -> None:
    tickets = InMemoryTickets()
    first = _route(_from(n=1), tickets)

    second = _route(_from(n=2, days=6), tickets)

    assert (second.created, second.repeat_contact) == (False, True)
    assert second.ticket.id == first.ticket.id
    assert (second.ticket.repeat_contacts, second.ticket.linked_feedback) == (1, (_from(n=2).id,))
    assert len(tickets.tickets) == 1


def test_the_same_order_counts_as_the_same_customer() -> None:
    tickets = InMemoryTickets()
    _route(_from(None, order="o-9", n=1), tickets)

    assert _route(_from(None, order="o-9", n=2), tickets).repeat_contact is True


def test_another_customer_or_a_contact_after_the_window_opens_its_own_ticket() -> None:
    tickets = InMemoryTickets()
    _route(_from(n=1), tickets)

    other = _route(_from("c-2", n=2), tickets)
    late = _route(_from(n=3, days=8), tickets)

    assert (other.created, late.created) == (True, True)
    assert len(tickets.tickets) == 3


def test_repeat_contacts_are_off_by_default() -> None:
    tickets = InMemoryTickets()
    _route(_from(n=1), tickets, DEFAULT_CONFIG)

    assert _route(_from(n=2), tickets, DEFAULT_CONFIG).created is True


def test_a_redelivered_repeat_contact_is_counted_once() -> None:
    tickets = InMemoryTickets()
    _route(_from(n=1), tickets)
    _route(_from(n=2), tickets)

    again = _route(_from(n=2), tickets)

    assert again.repeat_contact is True
    assert again.ticket.repeat_contacts == 1


def test_a_contact_soon_after_the_resolution_reopens_and_one_after_the_close_opens_a_new_ticket() -> None:
    tickets = InMemoryTickets()
    first = _route(_from(n=1), tickets).ticket
    resolved = first.model_copy(update={"status": "resolved", "resolved_at": _from().received_at})
    tickets.tickets[first.id] = resolved

    reopened = _route(_from(n=2, days=2), tickets)
    tickets.tickets[first.id] = tickets.tickets[first.id].model_copy(update={"status": "closed"})
    after_close = _route(_from(n=3, days=2), tickets)

    assert (reopened.repeat_contact, reopened.ticket.status) == (True, "open")
    assert (after_close.created, after_close.repeat_contact) == (True, False)


def test_a_ticket_resolved_too_long_ago_is_not_reopened() -> None:
    first = _ticket(status="resolved", resolved_at=NOW - timedelta(days=4), customer_key="k", created_at=NOW)
    item = _from(n=2)

    assert repeat_contact(item, [first], REPEATS.tickets) is None


def test_the_rules_see_a_repeat_contact_and_what_they_give_it_raises_the_ticket_it_joins() -> None:
    # Given rules that make a repeat contact urgent
    config = parse_config(
        "tickets: {repeat_contact_days: 7}\n"
        "rules:\n"
        "  - name: low-rating\n    when: {rating: {lte: 2}}\n    then: {reason: low_rating}\n"
        "  - name: again\n    when: {repeat_contact: true}\n    then: {priority: urgent}\n"
    )
    tickets = InMemoryTickets()
    first = _route(_from(n=1), tickets, config).ticket

    # When the customer writes again
    again = _route(_from(n=2), tickets, config)

    # Then the first contact was no repeat (normal), and the second raised the ticket it joined
    assert first.priority == "normal"
    assert (again.repeat_contact, again.ticket.priority) == (True, "urgent")
    assert again.ticket.history[-1].note == f"repeat contact {_from(n=2).id}, priority raised to urgent"
    assert is_repeat_contact(repeat_contact(_from(n=3), [], config.tickets)) is False


# ---------------------------------------------------------------- GET /tickets' filters


class AskedTickets:
    def __init__(self) -> None:
        self.asked: list[tuple[Any, ...]] = []

    def list_by_status(self, status: str, limit: int, cursor: str | None) -> Page:
        self.asked.append(("by_status", status))
        return Page(items=[], next_cursor=None)

    def list_filtered(self, status: str, filters: TicketFilters, limit: int, cursor: str | None) -> Page:
        self.asked.append(("filtered", status, filters))
        return Page(items=[], next_cursor=None)


def test_filters_reach_the_store_together_and_a_status_alone_reads_by_status() -> None:
    store = AskedTickets()

    answer = ops.list_tickets(
        store,
        {
            "status": "in_progress",
            "team": "support",
            "priority": "high",
            "assignee": "Анна",
            "breached": "true",
        },
    )
    ops.list_tickets(store, {})

    filters = TicketFilters(team="support", priority="high", assignee="Анна", breached=True)
    assert store.asked == [("filtered", "in_progress", filters), ("by_status", "open")]
    assert answer == {
        "status": "in_progress",
        "team": "support",
        "priority": "high",
        "assignee": "Анна",
        "breached": True,
        "items": [],
        "next_cursor": None,
    }


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"team": "Support"}, "team"),
        ({"team": "t" * 41}, "team"),
        ({"priority": "asap"}, "priority"),
        ({"assignee": ""}, "assignee"),
        ({"assignee": "a" * 201}, "assignee"),
        ({"assignee": "anna\u0000"}, "assignee"),
        ({"breached": "yes"}, "breached"),
        ({"status": "waiting"}, "status"),
    ],
)
def test_a_filter_no_ticket_can_match_is_a_bad_request_and_nothing_is_read(
    params: dict[str, str], problem: str
) -> None:
    store = AskedTickets()

    with pytest.raises(InvalidRequest, match=problem):
        ops.list_tickets(store, params)

    assert store.asked == []


# ---------------------------------------------------------------- what the store derives from a ticket


def test_a_ticket_has_an_entry_for_each_combination_of_filters_keyed_by_its_values() -> None:
    ticket = _ticket(assignee="anna")

    keys = {
        op["Update"]["Key"]["sk"]["S"]: op["Update"]["ExpressionAttributeValues"][":key"]["S"]
        for op in entry_updates("Tickets", ticket)
    }

    assert len(keys) == len(COMBINATIONS) == 15
    assert keys["QUEUE#team"] == "open#team=support"
    assert keys["QUEUE#team+assignee"] == "open#team=support#assignee=anna"
    assert keys["QUEUE#team+priority+assignee+breached"] == (
        "open#team=support#priority=high#assignee=anna#breached=false"
    )
    assert filter_key("open", TicketFilters(assignee="anna", team="support")) == keys["QUEUE#team+assignee"]


def test_no_assignee_name_can_pass_for_another_key() -> None:
    tricky = queue_key("open", {"assignee": "x#breached=true"})

    assert tricky == "open#assignee=x%23breached%3Dtrue"
    assert tricky != queue_key("open", {"assignee": "x", "breached": "true"})


def test_a_ticket_matches_only_the_filters_it_meets() -> None:
    ticket = _ticket(assignee="anna", sla_breached=True)

    assert matches(ticket, "open", TicketFilters(assignee="anna", breached=True))
    assert not matches(ticket, "open", TicketFilters(breached=False))
    assert not matches(ticket, "resolved", TicketFilters(assignee="anna"))


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ({}, {"status": "acknowledged"}, ({}, ())),
        ({}, {"status": "waiting_customer"}, ({}, ("sla_watch",))),
        ({}, {"first_response_at": NOW}, ({}, ("sla_watch",))),
        ({}, {"sla_done": ("first_response:breach",)}, ({}, ("sla_watch",))),
        ({"status": "waiting_customer"}, {"status": "in_progress"}, ({"sla_watch": "first_response"}, ())),
        ({"status": "waiting_customer", "first_response_at": NOW}, {"status": "in_progress"}, ({}, ())),
        (
            {"status": "in_progress", "first_response_at": NOW, "resolution_due_at": NOW},
            {"status": "resolved"},
            ({}, ("sla_watch",)),
        ),
    ],
    ids=[
        "acknowledged-keeps-the-clock",
        "waiting-pauses-it",
        "answered-stops-it",
        "breach-told-stops-it",
        "back-from-waiting-unanswered-restarts-it",
        "back-from-waiting-answered-does-not",
        "resolving-stops-every-clock",
    ],
)
def test_the_first_response_watch_follows_the_clock(
    before: dict[str, Any], after: dict[str, Any], expected: tuple[dict[str, str], tuple[str, ...]]
) -> None:
    old = _ticket(**before)
    sets, removes = watch_changes(old, old.model_copy(update=after))

    assert ({k: v for k, v in sets.items() if k == "sla_watch"}, removes) == expected


def test_an_update_writes_only_what_changed_and_is_conditional_on_the_version_read() -> None:
    before = _ticket(version=3)
    after = before.model_copy(update={"assignee": "anna", "root_cause": None})

    request = TicketUpdate(before, after).request("Tickets", {"pk": {"S": "TICKET#tk_1"}})

    written = {
        request["ExpressionAttributeNames"][part.split(" = ")[0]]
        for part in request["UpdateExpression"][4:].split(", ")
    }
    assert written == {"assignee", "version"}
    assert request["ConditionExpression"] == "attribute_exists(#pk) AND #read_version = :read_version"
    assert request["ExpressionAttributeValues"][":read_version"] == {"N": "3"}


def test_a_ticket_stored_before_versions_reads_as_version_0_and_is_written_so() -> None:
    request = TicketUpdate(_ticket(), _ticket(assignee="anna")).request("Tickets", {})

    assert "attribute_not_exists(#read_version)" in request["ConditionExpression"]


def test_the_status_sample_event_carries_a_status_request_for_its_ticket() -> None:
    event = json.loads((EVENTS / "api_post_ticket_status.json").read_text("utf-8"))

    request = StatusRequest.model_validate_json(event["body"])

    assert (request.status, request.root_cause) == ("resolved", "product_defect")
    assert event["path"] == f"/tickets/{event['pathParameters']['id']}/status"
